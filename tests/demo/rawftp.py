"""A deliberately tiny FTP client for the demo server's tests (test code only).

It does exactly what a test tells it — which address to dial, when to handshake, which
TLS session to offer — so each scenario's fault can be observed on the wire without the
engine's policies in between. Replies are read with multi-line support (RFC 959 §4.2).
"""

from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass

CONTROL_TIMEOUT = 5.0

_PASV = re.compile(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)")
_EPSV = re.compile(r"\(\|\|\|(\d+)\|\)")


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    @property
    def preliminary(self) -> bool:
        return 100 <= self.code < 200


class ReplyError(AssertionError):
    pass


class SessionContext(ssl.SSLContext):
    """An SSLContext that offers ``self.session`` on every client connection it wraps:
    how a client resumes the control connection's TLS session on a data connection."""

    session: ssl.SSLSession | None = None

    def wrap_socket(self, sock, *args, **kwargs):  # type: ignore[override]
        if self.session is not None:
            kwargs.setdefault("session", self.session)
        return super().wrap_socket(sock, *args, **kwargs)

    def wrap_bio(self, incoming, outgoing, *args, **kwargs):  # type: ignore[override]
        if self.session is not None:
            kwargs.setdefault("session", self.session)
        return super().wrap_bio(incoming, outgoing, *args, **kwargs)


class RawFtp:
    def __init__(self, host: str, port: int, timeout: float = CONTROL_TIMEOUT) -> None:
        self.host = host
        self.sock: socket.socket = socket.create_connection((host, port), timeout=timeout)
        self._buffer = b""
        self.banner = self.read_reply()

    # --- control connection ---------------------------------------------------------

    def _line(self) -> str:
        while b"\r\n" not in self._buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"control connection closed; pending {self._buffer!r}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def read_reply(self, timeout: float | None = None) -> Reply:
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            first = self._line()
            lines = [first]
            if first[3:4] == "-":
                while not (lines[-1][:3] == first[:3] and lines[-1][3:4] == " "):
                    lines.append(self._line())
        finally:
            if timeout is not None:
                self.sock.settimeout(CONTROL_TIMEOUT)
        return Reply(int(first[:3]), "\n".join(lines))

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode("utf-8") + b"\r\n")

    def command(self, line: str) -> Reply:
        self.send(line)
        return self.read_reply()

    def expect(self, line: str, *codes: int) -> Reply:
        reply = self.command(line)
        if reply.code not in codes:
            raise ReplyError(f"{line.split()[0]}: expected {codes}, got {reply.text!r}")
        return reply

    def login(self, user: str, password: str) -> None:
        first = self.expect(f"USER {user}", 331, 230)
        if first.code == 331:
            self.expect(f"PASS {password}", 230)
        self.expect("TYPE I", 200)

    def auth_tls(self, context: ssl.SSLContext) -> None:
        self.expect("AUTH TLS", 234)
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)

    def quit(self) -> None:
        try:
            self.command("QUIT")
        except OSError:
            pass
        self.sock.close()

    # --- data connection setup -------------------------------------------------------

    def pasv(self) -> tuple[str, int]:
        """The (host, port) a 227 names — returned, never dialled here."""
        reply = self.expect("PASV", 227)
        match = _PASV.search(reply.text)
        assert match, reply.text
        numbers = [int(x) for x in match.groups()]
        return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]

    def epsv(self) -> int:
        reply = self.expect("EPSV", 229)
        match = _EPSV.search(reply.text)
        assert match, reply.text
        return int(match.group(1))

    def active_listener(self, extended: bool = False) -> socket.socket:
        """Listen on 127.0.0.1 and announce it with PORT (or EPRT)."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        if extended:
            self.send(f"EPRT |1|127.0.0.1|{port}|")
        else:
            self.send(f"PORT 127,0,0,1,{port // 256},{port % 256}")
        return listener


def read_all(data: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = data.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    data.close()
    return b"".join(chunks)


def passive_transfer(ftp: RawFtp, command: str, *, extended: bool = True) -> bytes:
    """EPSV (or PASV) + command, dialling the control peer; returns the data received."""
    port = ftp.epsv() if extended else ftp.pasv()[1]
    data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    first = ftp.command(command)
    assert first.preliminary, first.text
    payload = read_all(data)
    done = ftp.read_reply()
    assert done.code == 226, done.text
    return payload


def active_transfer(ftp: RawFtp, command: str, *, extended: bool = False) -> bytes:
    listener = ftp.active_listener(extended)
    listener.settimeout(CONTROL_TIMEOUT)
    try:
        port_reply = ftp.read_reply()
        assert port_reply.code == 200, port_reply.text
        ftp.send(command)
        data, _ = listener.accept()
    finally:
        listener.close()
    first = ftp.read_reply()
    assert first.preliminary, first.text
    payload = read_all(data)
    done = ftp.read_reply()
    assert done.code == 226, done.text
    return payload
