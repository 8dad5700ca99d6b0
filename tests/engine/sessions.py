"""Session factories for engine tests: what the app's queue and window use — a connected
:class:`FtpSession` per call — with every session remembered for checks afterwards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from client.engine.events import EventBus
from client.engine.session import FtpSession

__all__ = ["session_factory"]


def session_factory(info, bus: EventBus, **settings) -> Callable[[], Awaitable[FtpSession]]:
    """A factory of connected sessions to the server ``info`` (a fixture's ServerInfo or
    a scripted server) with ``settings`` overriding its defaults; the sessions it made
    are in its ``sessions`` attribute."""
    made: list[FtpSession] = []

    async def make() -> FtpSession:
        session = FtpSession(info.settings(**settings), bus=bus)
        await session.connect()
        made.append(session)
        return session

    make.sessions = made  # type: ignore[attr-defined]
    return make
