"""The queue's "Resume" policy continues a download from a *copy* of the existing target
(NAME.part), so NAME itself stays exactly as it was — bytes, time, inode — when the job
fails for good, is cancelled, or its copy is stopped; only a complete download replaces
it. A copy nothing was appended to is not left behind; one that grew is kept for Retry."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest
from fixtures.scripted_steps import transfer

from client.engine.events import EventBus, LineSent
from client.engine.exists import ExistsPolicy
from client.engine.queue import JobState, TransferQueue
from client.engine.resume_copy import copy_for_resume, drop_unchanged_copy
from client.engine.session import FtpSession

from ..conftest import Recorder

FAST = dict(data_timeout=3.0, control_timeout=3.0, connect_timeout=3.0)
REMOTE = bytes(range(256)) * 64  # 16 KiB
HAVE = 5000  # what the local NAME already holds (a prefix of REMOTE)
STAMP = 1_000_000_000  # 2001-09-09


def make_queue(server, bus: EventBus, **options) -> TransferQueue:
    async def factory() -> FtpSession:
        session = FtpSession(server.info.settings(**FAST), bus=bus)
        await session.connect()
        return session

    options.setdefault("retry_delay", 0.05)
    return TransferQueue(factory, bus=bus, exists_policy=ExistsPolicy.RESUME, **options)


def existing_target(folder: Path) -> tuple[Path, os.stat_result]:
    target = folder / "f.bin"
    target.write_bytes(REMOTE[:HAVE])
    os.utime(target, (STAMP, STAMP))
    return target, os.stat(target)


def assert_untouched(target: Path, before: os.stat_result) -> None:
    after = os.stat(target)
    assert target.read_bytes() == REMOTE[:HAVE]
    assert (after.st_ino, after.st_size, after.st_mtime) == \
        (before.st_ino, before.st_size, before.st_mtime)


def size_reply() -> bytes:
    return f"213 {len(REMOTE)}\r\n".encode()


@pytest.mark.asyncio
async def test_a_permanent_failure_leaves_the_target_exactly_as_it_was(scripted_server, bus,
                                                                       tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"SIZE": size_reply(),
                              "RETR": b"550 f.bin: Permission denied.\r\n"})
    target, before = existing_target(tmp_path)
    queue = make_queue(server, bus)
    try:
        job_id = queue.add_download("/f.bin", target)
        await queue.wait_idle()
    finally:
        await queue.close()
    job = queue.job(job_id)
    assert job.state is JobState.FAILED and "550" in (job.error or "")
    assert any(isinstance(e, LineSent) and e.text == f"REST {HAVE}" for e in recorder.events)
    assert_untouched(target, before)
    assert not (tmp_path / "f.bin.part").exists()  # the copy added nothing: not kept


@pytest.mark.asyncio
async def test_a_cancelled_resume_keeps_the_target_and_its_progress(scripted_server, bus,
                                                                    tmp_path):
    """Cancelled after some bytes were appended: NAME is as it was, NAME.part holds NAME's
    bytes plus the new ones (a prefix of the remote file), and Retry finishes the job."""
    stalled = transfer(payload=REMOTE, send_bytes=3000, ending="stall")
    calls = {"n": 0}

    def retr(session, argument):
        calls["n"] += 1
        (stalled if calls["n"] == 1 else transfer(payload=REMOTE)).run(session, argument)

    server = scripted_server({"SIZE": size_reply(), "RETR": retr})
    target, before = existing_target(tmp_path)
    part = tmp_path / "f.bin.part"
    queue = make_queue(server, bus, retries=0)
    try:
        job_id = queue.add_download("/f.bin", target)
        async with asyncio.timeout(10):
            while not (part.exists() and part.stat().st_size == HAVE + 3000):
                await asyncio.sleep(0.02)
        queue.cancel(job_id)
        async with asyncio.timeout(10):
            while queue.job(job_id).state is not JobState.CANCELLED:
                await asyncio.sleep(0.02)
        assert_untouched(target, before)
        assert part.read_bytes() == REMOTE[:HAVE + 3000]
        queue.retry(job_id)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.DONE
    assert target.read_bytes() == REMOTE and not part.exists()
    assert f"REST {HAVE + 3000}" in server.lines()


@pytest.mark.asyncio
async def test_a_transient_failure_then_success_replaces_the_target(scripted_server, bus,
                                                                    tmp_path):
    calls = {"n": 0}

    def retr(session, argument):
        calls["n"] += 1
        if calls["n"] == 1:
            session.state.pop("rest", None)
            session.send(b"450 Try again later.\r\n")
        else:
            transfer(payload=REMOTE).run(session, argument)

    server = scripted_server({"SIZE": size_reply(), "RETR": retr})
    target, before = existing_target(tmp_path)
    queue = make_queue(server, bus)
    try:
        job_id = queue.add_download("/f.bin", target)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.DONE
    assert target.read_bytes() == REMOTE
    assert server.lines().count(f"REST {HAVE}") == 2  # the retry copied NAME again
    assert not (tmp_path / "f.bin.part").exists()


def test_copy_for_resume_copies_and_stops_on_request(tmp_path) -> None:
    target = tmp_path / "big.bin"
    target.write_bytes(os.urandom(3 * 1024 * 1024))
    (tmp_path / "big.bin.part").write_bytes(b"")
    assert copy_for_resume(target) == 3 * 1024 * 1024
    assert (tmp_path / "big.bin.part").read_bytes() == target.read_bytes()
    drop_unchanged_copy(target, 3 * 1024 * 1024)
    assert not (tmp_path / "big.bin.part").exists()
    stop = threading.Event()
    stop.set()
    (tmp_path / "big.bin.part").write_bytes(b"")
    assert copy_for_resume(target, stop) == -1
    assert not (tmp_path / "big.bin.part").exists()


def test_copy_for_resume_never_writes_through_a_link(tmp_path) -> None:
    from client.engine.errors import LocalError

    target = tmp_path / "f.bin"
    target.write_bytes(b"mine")
    victim = tmp_path / "victim"
    victim.write_bytes(b"do not touch")
    (tmp_path / "f.bin.part").symlink_to(victim)
    with pytest.raises(LocalError):
        copy_for_resume(target)
    assert victim.read_bytes() == b"do not touch" and target.read_bytes() == b"mine"
