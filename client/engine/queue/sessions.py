"""The queue's connections: sessions from the factory, lent out and taken back.

A session that is still usable when given back is kept for the next borrower (a folder
walk, then a worker), so a queue logs in as few times as it can; one that waited longer
than :data:`CHECK_AFTER` is tested with NOOP first (servers drop idle connections, and a
dead one would cost a transfer a retry). A broken one is closed
in the background (QUIT has a bounded wait) so a worker can go on at once; ``close``
waits for those too, leaving no task behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from client.engine.errors import FtpError
from client.engine.events import SessionState

if TYPE_CHECKING:
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["SessionPool", "usable", "still_answers", "CHECK_AFTER"]

#: Seconds a spare session may wait before it is tested with NOOP when borrowed.
CHECK_AFTER = 15.0

_UNUSABLE = (SessionState.FAILED, SessionState.DISCONNECTED, SessionState.CLOSING)


def usable(session: RemoteFileSystem | None) -> bool:
    return session is not None and session.state not in _UNUSABLE


class SessionPool:
    def __init__(self, factory: Callable[[], Awaitable[RemoteFileSystem]]) -> None:
        self.factory = factory
        self._spare: list[tuple[RemoteFileSystem, float]] = []  # (session, when given back)
        self._closing: set[asyncio.Task] = set()
        self.closed = False

    async def borrow(self) -> RemoteFileSystem:
        """A connected session: a spare one if any, else a new one from the factory."""
        while self._spare:
            session, since = self._spare.pop()
            if usable(session) and (time.monotonic() - since < CHECK_AFTER
                                    or await still_answers(session)):
                return session
            await _quietly_close(session)
        return await self.factory()

    async def give_back(self, session: RemoteFileSystem, *, broken: bool = False) -> None:
        if broken or self.closed or not usable(session):
            await _quietly_close(session)
        else:
            self._spare.append((session, time.monotonic()))

    def discard(self, session: RemoteFileSystem) -> None:
        """Close ``session`` without waiting for it (``close`` waits)."""
        task = asyncio.ensure_future(_quietly_close(session))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        self.closed = True
        if self._closing:
            await asyncio.gather(*tuple(self._closing), return_exceptions=True)
        spare, self._spare = self._spare, []
        for session, _ in spare:
            await _quietly_close(session)


async def still_answers(session: RemoteFileSystem) -> bool:
    """NOOP: whether a session that sat idle is still connected and logged in."""
    try:
        await session.noop()
    except FtpError:
        return False
    return usable(session)


async def _quietly_close(session: RemoteFileSystem) -> None:
    with contextlib.suppress(Exception):
        await session.close()
