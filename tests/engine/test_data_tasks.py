"""A data connection watches itself with a timer and a callback, not with tasks of its
own, and waits for its final reply on a future the control connection resolves: a
small file pays no task start and cancellation for its watchdog, its first-byte phase
or its 226, and all still work (the phase is emitted once, the stall verdict still
ends a silent transfer: see test_data_failures.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from client.engine.events import DataChannelEvent, DataPhase
from client.engine.session import FtpSession


@pytest.mark.asyncio
async def test_small_download_starts_no_task(ftp_server, bus,
                                                               tmp_path: Path):
    ftp_server.write_file("small.txt", b"s" * 300)
    phases: list[DataPhase] = []
    bus.subscribe(lambda event: phases.append(event.phase)
                  if isinstance(event, DataChannelEvent) else None)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        loop = asyncio.get_running_loop()
        started: list[str] = []

        def factory(loop, coro, **kwargs):
            started.append(getattr(coro, "__qualname__", repr(coro)))
            return asyncio.Task(coro, loop=loop, **kwargs)

        loop.set_task_factory(factory)
        try:
            await session.download("small.txt", tmp_path / "small.txt",
                                   preserve_time=False)
            await asyncio.ensure_future(asyncio.sleep(0))
        finally:
            loop.set_task_factory(None)
    assert (tmp_path / "small.txt").read_bytes() == b"s" * 300
    assert started == ["sleep"]  # the factory saw the one task started on purpose
    assert phases.count(DataPhase.FIRST_BYTE) == 1
    assert phases.index(DataPhase.FIRST_BYTE) < phases.index(DataPhase.CLOSED)
