"""HTTP CONNECT (RFC 9110 §9.3.6) on a socket already connected to the proxy.

Written here rather than taken from python-socks because FTP and SSH servers speak
first: the proxy's ``200`` and the server's greeting can arrive in one segment, and a
client that reads the answer with one large ``recv`` swallows the greeting (python-socks
3.2 does). This reader stops exactly at the blank line that ends the proxy's answer.
"""

from __future__ import annotations

import asyncio
import base64
import socket

from python_socks import ProxyError

__all__ = ["http_connect", "MAX_HEADER"]

MAX_HEADER = 16_384


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def http_connect(sock: socket.socket, host: str, port: int, *, user: str | None,
                       password: str | None) -> None:
    """Ask the proxy for a tunnel to ``host:port``; raises python-socks' ProxyError with
    the status as ``error_code`` when it answers anything but 2xx."""
    loop = asyncio.get_running_loop()
    authority = _authority(host, port)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        lines.append(f"Proxy-Authorization: Basic {token}")
    await loop.sock_sendall(sock, ("\r\n".join(lines) + "\r\n\r\n").encode())
    head = bytearray()
    while not head.endswith(b"\r\n\r\n"):
        if len(head) > MAX_HEADER:
            raise ProxyError("the proxy's answer to CONNECT has no end (not an HTTP proxy?)")
        byte = await loop.sock_recv(sock, 1)
        if not byte:
            raise ProxyError("the proxy closed the connection without answering CONNECT")
        head += byte
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ProxyError(f"not an HTTP proxy: it answered {status_line[:80]!r}")
    code = int(parts[1])
    if not 200 <= code < 300:
        raise ProxyError(" ".join(parts[1:]), error_code=code)
