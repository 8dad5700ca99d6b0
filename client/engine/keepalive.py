"""The keep-alive: NOOP after ``interval`` seconds without traffic, so NAT boxes and
servers with idle timeouts keep the control connection open while the person looks
around; a NOOP that gets no answer closes the session and says so at once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

from client.engine.errors import ConnectionLostError, FtpError
from client.engine.events import NoticeKind, SessionState
from client.protocol.annotate import Severity
from client.protocol.commands import Command

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["KeepAlive"]


class KeepAlive:
    """Runs while ``session`` is open (started after login, stopped by close)."""

    def __init__(self, session: FtpSession, interval: float) -> None:
        self.session = session
        self.interval = interval
        #: the keep-alive's NOOP holds the lock (not the person)
        self.sending = False
        self.task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(BaseException):
            await self.task

    async def _run(self) -> None:
        session, interval = self.session, self.interval
        while not session.closed:
            await asyncio.sleep(interval / 2)
            control = session.control
            if not control.is_open:
                return
            if control.lock.locked() or time.monotonic() - control.last_activity < interval:
                continue
            try:
                async with control.lock:
                    self.sending = True
                    try:
                        await control.execute(Command("NOOP"), step="keep-alive")
                    finally:
                        self.sending = False
            except ConnectionLostError:
                return  # already said by the session the moment it happened
            except FtpError as exc:
                # No answer (or a broken one): the connection is as good as gone, and a
                # late reply would be taken for the next command's. Say so now.
                if session.closed or control is not session.control or \
                        session.state is SessionState.FAILED:
                    return
                control.abort()
                session.notice(f"the keep-alive NOOP failed: {exc.message}; the connection "
                               "is closed, reconnect to continue", NoticeKind.CONNECTION_LOST,
                               Severity.WARNING)
                session.set_state(SessionState.FAILED,
                                  detail=f"keep-alive failed: {exc.message}")
                return
