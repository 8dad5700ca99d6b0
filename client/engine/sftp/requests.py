"""Running one SFTP request: its event for the inspector, and the typed error when the
server answers with an error status or the connection is gone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeVar

import asyncssh

from client.engine.errors import ConnectionLostError, ControlTimeoutError, FtpError
from client.engine.events import EventBus
from client.engine.sftp.errors import SftpStatusError
from client.engine.sftp.events import SftpRequest
from client.protocol.sftp_status import status_info
from client.protocol.text import escape_control

__all__ = ["RequestLog", "translate"]

T = TypeVar("T")

#: The statuses that mean the connection, not the request, failed.
_LOST = (6, 7)


def translate(exc: BaseException, request: str, step: str,
              timeout: float | None = None) -> FtpError | None:
    """The engine error for what asyncssh raised (or a timeout); None when it is not
    about SFTP/SSH."""
    if isinstance(exc, TimeoutError):
        return ControlTimeoutError(
            f"the server did not answer {request} within {timeout or 0:g} s (the SSH "
            "connection is open but nothing comes back)", step=step)
    if isinstance(exc, asyncssh.SFTPError):
        if exc.code in _LOST:
            return ConnectionLostError(f"the SSH connection was lost during {request}",
                                       step=step)
        return SftpStatusError(status=exc.code, server_text=str(exc.reason or ""),
                               request=request, step=step)
    if isinstance(exc, (asyncssh.DisconnectError, asyncssh.ConnectionLost, ConnectionError,
                        BrokenPipeError)):
        return ConnectionLostError(f"the SSH connection was lost during {request}: {exc}",
                                   step=step)
    return None


class RequestLog:
    """Emits :class:`SftpRequest` events on ``bus`` for one connection."""

    def __init__(self, bus: EventBus, connection: str, timeout: float | None = None) -> None:
        self.bus = bus
        self.connection = connection
        self.timeout = timeout  # seconds one request may wait for its answer

    def emit(self, request: str, argument: str, result: str, *, status: int | None = None,
             count: int = 1, nbytes: int = 0, elapsed: float = 0.0) -> None:
        info = status_info(status) if status is not None else None
        self.bus.emit(SftpRequest(
            t=self.bus.now(), connection=self.connection, request=request,
            argument=escape_control(argument), result=result, status=status,
            status_name=info.name if info else None, meaning=info.meaning if info else None,
            count=count, bytes=nbytes, elapsed=elapsed))

    def failed(self, request: str, argument: str, exc: BaseException, *, count: int = 1,
               nbytes: int = 0, elapsed: float = 0.0) -> None:
        if isinstance(exc, asyncssh.SFTPError):
            info = status_info(exc.code)
            self.emit(request, argument, f"{info} — {info.meaning}", status=exc.code,
                      count=count, nbytes=nbytes, elapsed=elapsed)
        else:
            self.emit(request, argument, f"no answer: {type(exc).__name__}", count=count,
                      nbytes=nbytes, elapsed=elapsed)

    async def run(self, request: str, argument: str, call: Awaitable[T], *, step: str,
                  result: str = "ok") -> T:
        """Await ``call`` (one request), emit its event, raise the typed error."""
        started = time.monotonic()
        try:
            value = await asyncio.wait_for(call, self.timeout)
        except Exception as exc:
            self.failed(request, argument, exc, elapsed=time.monotonic() - started)
            error = translate(exc, f"{request} {escape_control(argument)}".strip(), step,
                              self.timeout)
            if error is None:
                raise
            raise error from None
        self.emit(request, argument, result, elapsed=time.monotonic() - started)
        return value
