"""Open a TCP connection to a server through a SOCKS5, SOCKS4a or HTTP CONNECT proxy.

The first leg (client → proxy) is dialled here with the same observed connect as a
data connection, so a proxy that is down is described with what the TCP stack saw;
the proxy's SOCKS handshake (authentication, CONNECT, the reply code) is python-socks',
given the connected socket; HTTP CONNECT is :mod:`.http_connect`. Every step is an event; a failure is a
:class:`ProxyFailedError` naming the leg that failed: the proxy itself (unreachable,
refused by its rules, authentication failed) or the proxy's dial to the server.
"""

from __future__ import annotations

import asyncio
import socket
import time

from python_socks import ProxyError, ProxyTimeoutError, ProxyType
from python_socks.async_.asyncio import Proxy

from client.engine.errors import ProxyFailedError
from client.engine.events import Endpoint, EventBus, ProxyEvent, ProxyHop, ProxyPhase
from client.engine.proxy.http_connect import http_connect
from client.engine.proxy.settings import ProxyKind, ProxySettings
from client.engine.tcpstack import ConnectFailed, connect_observed
from client.protocol.text import escape_control

__all__ = ["open_tunnel", "classify_reply"]

_TYPES = {ProxyKind.SOCKS5: ProxyType.SOCKS5, ProxyKind.SOCKS4A: ProxyType.SOCKS4}

#: SOCKS5 reply codes (RFC 1928 §6): which leg each one blames, and its meaning
_SOCKS5 = {
    1: (ProxyHop.PROXY_SERVER, "general SOCKS server failure"),
    2: (ProxyHop.CLIENT_PROXY, "connection not allowed by the proxy's rules"),
    3: (ProxyHop.PROXY_SERVER, "network unreachable from the proxy"),
    4: (ProxyHop.PROXY_SERVER, "host unreachable from the proxy"),
    5: (ProxyHop.PROXY_SERVER, "connection refused by the server"),
    6: (ProxyHop.PROXY_SERVER, "TTL expired"),
    7: (ProxyHop.CLIENT_PROXY, "command not supported by the proxy"),
    8: (ProxyHop.CLIENT_PROXY, "address type not supported by the proxy"),
}
#: SOCKS4 reply codes: 91 covers both "rejected" and "failed", the protocol cannot tell
_SOCKS4 = {
    91: (ProxyHop.PROXY_SERVER, "request rejected or failed (SOCKS4 does not say whether "
                                "the proxy's rules refused it or the server could not be "
                                "reached)"),
    92: (ProxyHop.CLIENT_PROXY, "the proxy could not reach our identd"),
    93: (ProxyHop.CLIENT_PROXY, "the proxy's identd check of the user id failed"),
}
#: HTTP statuses a proxy uses when its own connection to the server failed
_HTTP_TARGET = frozenset({500, 502, 503, 504})


class _Connected:
    """Hands python-socks the socket already connected to the proxy (its chaining hook),
    so the first leg is dialled and described here."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    async def connect(self, dest_host: str, dest_port: int, timeout: float | None = None,
                      **_: object) -> socket.socket:
        return self._sock


def classify_reply(kind: ProxyKind, code: int | None, text: str) -> tuple[ProxyHop, str]:
    """Which leg a proxy's refusal blames, and the words for it."""
    if kind is ProxyKind.SOCKS5 and code in _SOCKS5:
        hop, meaning = _SOCKS5[code]
        return hop, f"{meaning} (SOCKS5 reply {code})"
    if kind is ProxyKind.SOCKS4A and code in _SOCKS4:
        hop, meaning = _SOCKS4[code]
        return hop, f"{meaning} (SOCKS4 reply {code})"
    if kind is ProxyKind.HTTP and code is not None:
        hop = ProxyHop.PROXY_SERVER if code in _HTTP_TARGET else ProxyHop.CLIENT_PROXY
        why = " (proxy authentication required or wrong)" if code == 407 else ""
        return hop, f"HTTP status {escape_control(text)}{why}"
    lowered = text.lower()
    if "authentication" in lowered or "auth" in lowered:
        return ProxyHop.CLIENT_PROXY, f"authentication failed: {escape_control(text)}"
    return ProxyHop.CLIENT_PROXY, escape_control(text) or "the proxy closed the connection"


def _request_text(proxy: ProxySettings, host: str, port: int) -> str:
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if proxy.kind is ProxyKind.HTTP:
        auth = ", Proxy-Authorization: Basic (user " + escape_control(proxy.user) + ")" \
            if proxy.user else ""
        return f"CONNECT {escape_control(target)} HTTP/1.1{auth}"
    auth = f", user {escape_control(proxy.user)}" if proxy.user else ", no authentication"
    if proxy.kind is ProxyKind.SOCKS5 and proxy.user:
        auth = f", username/password authentication as {escape_control(proxy.user)}"
    return f"{proxy.kind.label} CONNECT {escape_control(target)}{auth}"


async def open_tunnel(proxy: ProxySettings, host: str, port: int, *, timeout: float,
                      bus: EventBus, connection: str,
                      channel: int | None = None) -> socket.socket:
    """A socket connected to ``host:port`` through ``proxy`` (a tunnel kind), within
    ``timeout`` seconds. ``host`` may be a name: the proxy resolves it (SOCKS5 and
    SOCKS4a send the name, HTTP CONNECT too)."""
    if not proxy.kind.is_tunnel:
        raise ValueError(f"{proxy.kind.label} is not a tunnel")
    target = Endpoint(host, port)
    proxy_end = Endpoint(proxy.host, proxy.port)

    def emit(phase: ProxyPhase, detail: str, hop: ProxyHop | None = None,
             code: int | None = None) -> None:
        bus.emit(ProxyEvent(t=bus.now(), connection=connection, kind=proxy.kind.label,
                            proxy=proxy_end, target=target, phase=phase, channel=channel,
                            detail=detail, hop=hop, reply_code=code))

    def failed(hop: ProxyHop, message: str, code: int | None = None) -> ProxyFailedError:
        emit(ProxyPhase.FAILED, message, hop, code)
        return ProxyFailedError(message, hop=hop, proxy=proxy.address, target=str(target),
                                reply_code=code)

    label = f"the {proxy.kind.label} proxy {proxy.address}"
    emit(ProxyPhase.CONNECTING, f"dialling {label} to reach {target}")
    started = time.monotonic()
    try:
        sock = await connect_observed(proxy.host, proxy.port, timeout)
    except ConnectFailed as exc:
        raise failed(ProxyHop.CLIENT_PROXY, f"could not reach {label} (hop client → proxy): "
                     f"{exc.message}") from None
    except OSError as exc:
        raise failed(ProxyHop.CLIENT_PROXY, f"could not reach {label} (hop client → proxy): "
                     f"{escape_control(exc.strerror or str(exc))}") from None
    emit(ProxyPhase.HANDSHAKE, _request_text(proxy, host, port))
    remaining = max(0.1, timeout - (time.monotonic() - started))
    try:
        if proxy.kind is ProxyKind.HTTP:
            async with asyncio.timeout(remaining):
                await http_connect(sock, host, port, user=proxy.user, password=proxy.password)
        else:
            client = Proxy(_TYPES[proxy.kind], proxy.host, proxy.port, username=proxy.user,
                           password=proxy.password, rdns=True, forward=_Connected(sock),  # type: ignore[arg-type]
                           loop=asyncio.get_running_loop())
            await client.connect(host, port, timeout=remaining)
    except (ProxyTimeoutError, TimeoutError):
        sock.close()
        raise failed(ProxyHop.PROXY_SERVER,
                     f"{label} accepted the connection but did not say within {timeout:g} s "
                     f"whether it reached {target} (hop proxy → server): the server does not "
                     "answer the proxy, or this is not a "
                     f"{proxy.kind.label} proxy") from None
    except ProxyError as exc:
        sock.close()
        code = exc.error_code if isinstance(exc.error_code, int) else None
        hop, why = classify_reply(proxy.kind, code, str(exc))
        if hop is ProxyHop.PROXY_SERVER:
            message = f"{label} could not reach the server {target} (hop proxy → server): {why}"
        else:
            message = f"{label} refused the connection to {target} (hop client → proxy): {why}"
        raise failed(hop, message, code) from None
    except OSError as exc:
        sock.close()
        raise failed(ProxyHop.CLIENT_PROXY,
                     f"{label} closed the connection during its handshake (hop client → "
                     f"proxy): {escape_control(exc.strerror or str(exc))}") from None
    except BaseException:
        sock.close()
        raise
    emit(ProxyPhase.OPEN, f"{label} connected us to {target}")
    return sock
