"""The transfer queue over SFTP: two SSH connections from the factory by protocol, a
tree download and uploads against the real sshd."""

from __future__ import annotations

import os

import pytest

from client.engine.events import EventBus, SessionState, SessionStateChanged
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.queue.factory import session_factory

from .conftest import Recorder, settings_for, trusting_store

pytestmark = pytest.mark.asyncio


async def test_queue_with_two_sftp_connections(sshd_server, tmp_path) -> None:
    tree = sshd_server.root / "tree"
    (tree / "sub").mkdir(parents=True)
    payloads = {}
    for index in range(6):
        folder = tree if index % 2 else tree / "sub"
        payloads[folder / f"f{index}.bin"] = os.urandom(200_000 + index)
        (folder / f"f{index}.bin").write_bytes(payloads[folder / f"f{index}.bin"])
    sshd_server.own()
    bus = EventBus()
    recorder = Recorder()
    bus.subscribe(recorder)
    factory = session_factory(settings_for(sshd_server), bus=bus,
                              host_keys=trusting_store(tmp_path, sshd_server))
    queue = TransferQueue(factory, bus=bus, concurrency=2,
                          exists_policy=ExistsPolicy.OVERWRITE)
    local = tmp_path / "down"
    try:
        ids = await queue.add_download_tree("tree", local)
        await queue.wait_idle()
        jobs = queue.jobs()
    finally:
        await queue.close()
    assert len(ids) == 6 and all(job.state is JobState.DONE for job in jobs), \
        [job.error for job in jobs]
    for remote, data in payloads.items():
        assert (local / remote.relative_to(tree)).read_bytes() == data
    ready = {e.connection for e in recorder.of(SessionStateChanged)
             if e.state is SessionState.READY}
    assert len(ready) >= 2

    # and back up, into a new folder
    queue = TransferQueue(factory, bus=bus, concurrency=2,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        await queue.add_upload_tree(local, "copy")
        await queue.wait_idle()
        assert all(job.state is JobState.DONE for job in queue.jobs())
    finally:
        await queue.close()
    for remote, data in payloads.items():
        assert (sshd_server.root / "copy" / remote.relative_to(tree)).read_bytes() == data
