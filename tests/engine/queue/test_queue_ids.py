"""Job numbers are unique across queues: the window lists the jobs of several queues
(one per connection tab, a new one after each reconnect) in one view keyed by number."""

from __future__ import annotations

import asyncio

import pytest

from client.engine.events import EventBus
from client.engine.queue import JobState, TransferQueue


@pytest.mark.asyncio
async def test_two_queues_never_hand_out_the_same_job_number(tmp_path) -> None:
    never = asyncio.Event()

    async def no_session_yet():  # the jobs stay queued: no server is needed to number them
        await never.wait()

    bus = EventBus()
    first = TransferQueue(no_session_yet, bus=bus, concurrency=1)
    second = TransferQueue(no_session_yet, bus=bus, concurrency=1)
    try:
        ids = [first.add_download("/a", tmp_path / "a"), second.add_download("/b", tmp_path / "b"),
               first.add_upload(tmp_path / "c", "/c")]
        assert len(set(ids)) == 3
        assert first.job(ids[0]).state in (JobState.QUEUED, JobState.RUNNING)
        with pytest.raises(KeyError):
            first.job(ids[1])
    finally:
        await first.close()
        await second.close()
