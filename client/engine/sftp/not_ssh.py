"""What answered on a port that was dialled for SSH but never sent an SSH identification
line: asyncssh skips other lines and waits for one until its timeout, which read as "no
answer in time (a firewall may drop…)" although a server had answered at once — often an
FTP server on a port given as ``sftp://``. A second short look reads its first line so
the error can say which service it is."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable
from typing import TypeVar

from client.engine.sftp.handshake import Handshake
from client.protocol.text import escape_control

T = TypeVar("T")

__all__ = ["first_line_at", "not_ssh_reason", "OtherService", "unless_other_service"]

_LOOK_TIMEOUT = 3.0
_MAX_BYTES = 1024
_FTP_REPLY = re.compile(r"^[1-5][0-9]{2}[ -]")


async def first_line_at(host: str, port: int, timeout: float = _LOOK_TIMEOUT) -> str | None:
    """The first line ``host``:``port`` sends within ``timeout`` seconds ("" when it
    says nothing; None when it cannot be reached any more)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return None
    data = b""
    try:
        with contextlib.suppress(TimeoutError, OSError):
            data = await asyncio.wait_for(reader.readline(), timeout)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return escape_control(data[:_MAX_BYTES].rstrip(b"\r\n").decode("latin-1")[:120])


class OtherService(Exception):  # noqa: N818 - a finding, raised to end the wait
    """The port answered with ``said``, a line that is not SSH's."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.said = said


async def unless_other_service(connecting: Awaitable[T], handshake: Handshake, host: str,
                               port: int, *, after: float = _LOOK_TIMEOUT) -> T:
    """Await ``connecting``; when the TCP connection is up but no SSH line came within
    ``after`` seconds, look at what the port says: another service's line ends the wait
    at once (:class:`OtherService`) instead of after the whole connect timeout."""
    task = asyncio.ensure_future(connecting)
    try:
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(asyncio.shield(task), after)
        if handshake.tcp_connected and not handshake.server_version and not task.done():
            said = await first_line_at(host, port)
            if said and not said.startswith("SSH-") and not task.done():
                raise OtherService(said)
        return await task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def not_ssh_reason(host: str, port: int, said: str | None, waited: float) -> str:
    """Why the SSH connection never started, naming what answered instead."""
    where = f"port {port} of {host}"
    if said is None:
        return (f"{where} accepted the TCP connection but sent no SSH identification line "
                f"(SSH-2.0-…) within {waited:g} s; is an SSH server listening there? "
                "(SSH usually listens on port 22)")
    if _FTP_REPLY.match(said):
        return (f"{where} is not an SSH server: it greeted with {said!r}, which is an "
                "FTP server's greeting; this port speaks FTP, so use ftp:// (or ftps://) "
                "for it, or the server's SSH port (usually 22) for sftp://")
    if said:
        return (f"{where} is not an SSH server: it answered {said!r} instead of an SSH "
                "identification line (SSH-2.0-…); SSH usually listens on port 22")
    return (f"{where} accepted the TCP connection but said nothing within {waited:g} s: "
            "no SSH server answered there (an SSH server greets with SSH-2.0-… at once; "
            "SSH usually listens on port 22)")
