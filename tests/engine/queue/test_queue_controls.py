"""User controls: pause/resume, cancel/retry, reorder, concurrency changed while running."""

from __future__ import annotations

import asyncio

import pytest
from fixtures.scripted_faults import stall_after
from fixtures.scripted_steps import in_turn, transfer
from fixtures.waiting import until

from client.engine.events import (
    DataChannelEvent,
    DataPhase,
    EventBus,
    QueueJobChanged,
    SessionState,
)
from client.engine.queue import ExistsPolicy, JobState, TransferQueue

from ..conftest import Recorder
from ..sessions import session_factory

# bounds for a loaded machine: no test here waits for a timeout to happen
FAST = dict(data_timeout=15.0, control_timeout=15.0)
PAYLOAD = bytes(range(256)) * 64
CUT = 5000


def factory_for(server, bus: EventBus, **overrides):
    return session_factory(server, bus, **{**FAST, **overrides})


def first_byte_arrived(recorder: Recorder) -> bool:
    """The stalled RETR's first bytes are in (how many of the CUT does not matter: the
    tests read the .part's length and check the resume continues from exactly there)."""
    return any(e.phase is DataPhase.FIRST_BYTE and e.command.startswith("RETR")
               for e in recorder.of(DataChannelEvent))


def stalling_server(scripted_server):
    """The first RETR sends CUT bytes and then nothing; later ones honour REST."""
    return scripted_server({"RETR": in_turn(stall_after(PAYLOAD, CUT), transfer(payload=PAYLOAD)),
                            "SIZE": f"213 {len(PAYLOAD)}\r\n".encode()})


@pytest.mark.asyncio
async def test_pause_a_running_job_then_resume_it_from_where_it_stopped(scripted_server, bus,
                                                                        tmp_path):
    recorder = Recorder(bus)
    server = stalling_server(scripted_server)
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE)
    part = tmp_path / "f.bin.part"
    try:
        job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
        await until(lambda: first_byte_arrived(recorder))
        assert queue.job(job_id).state is JobState.RUNNING
        queue.pause(job_id)
        await until(lambda: queue.job(job_id).state is JobState.PAUSED)
        await queue.wait_idle()  # a paused job does not keep the queue busy
        kept = part.read_bytes()
        assert 0 < len(kept) <= CUT and kept == PAYLOAD[:len(kept)]
        await until(lambda: "ABOR" in server.verbs())
        queue.resume(job_id)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.DONE
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD
    assert f"REST {len(kept)}" in server.lines()
    assert queue.job(job_id).attempts == 2
    assert server.connection_count == 1  # the same connection went on after ABOR


@pytest.mark.asyncio
async def test_cancel_a_running_job_keeps_the_part_and_retry_resumes(scripted_server, bus,
                                                                     tmp_path):
    recorder = Recorder(bus)
    server = stalling_server(scripted_server)
    tasks_before = len(asyncio.all_tasks())
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE)
    part = tmp_path / "f.bin.part"
    try:
        job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
        await until(lambda: first_byte_arrived(recorder))
        assert queue.job(job_id).state is JobState.RUNNING
        queue.cancel(job_id)
        await queue.wait_idle()
        assert queue.job(job_id).state is JobState.CANCELLED
        kept = part.read_bytes()
        assert 0 < len(kept) <= CUT and kept == PAYLOAD[:len(kept)]
        assert not (tmp_path / "f.bin").exists()
        queue.retry(job_id)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert len(asyncio.all_tasks()) == tasks_before
    assert queue.job(job_id).state is JobState.DONE
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD
    states = [e.job.state for e in recorder.of(QueueJobChanged)]
    assert states.count(JobState.CANCELLED) == 1


@pytest.mark.asyncio
async def test_reorder_pause_and_cancel_queued_jobs(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"data")})
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        a, b, c, d = (queue.add_download(f"/{name}", tmp_path / name)
                      for name in ("a", "b", "c", "d"))
        queue.move(c, 0)
        queue.move(a, 99)  # clamped to the end
        queue.pause(b)
        queue.cancel(d)
        assert [job.job_id for job in queue.jobs()] == [c, b, d, a]
        await queue.wait_idle()
        retrieved = [line.split(" ", 1)[1] for line in server.lines() if line.startswith("RETR")]
        assert retrieved == ["/c", "/a"]
        assert queue.job(b).state is JobState.PAUSED
        assert queue.job(d).state is JobState.CANCELLED
        queue.resume(b)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(b).state is JobState.DONE
    assert not (tmp_path / "d").exists() and not (tmp_path / "d.part").exists()


@pytest.mark.asyncio
async def test_a_queue_that_does_not_process_holds_its_jobs_until_started(scripted_server, bus,
                                                                          tmp_path):
    """"Process queue" off: jobs line up (and can be ordered) without any transfer;
    on: they run in the order they were given."""
    server = scripted_server({"RETR": transfer(payload=b"data")})
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        queue.set_processing(False)
        assert not queue.processing
        a, b, c = (queue.add_download(f"/{name}", tmp_path / name) for name in ("a", "b", "c"))
        queue.move(c, 0)
        await queue.wait_idle()  # nothing runs, nothing will: returns
        await asyncio.sleep(0.2)  # the workers had their chance to take a job
        assert {queue.job(i).state for i in (a, b, c)} == {JobState.QUEUED}
        assert not [line for line in server.lines() if line.startswith("RETR")]
        queue.set_processing(True)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert {queue.job(i).state for i in (a, b, c)} == {JobState.DONE}
    retrieved = [line.split(" ", 1)[1] for line in server.lines() if line.startswith("RETR")]
    assert retrieved == ["/c", "/a", "/b"]


@pytest.mark.asyncio
async def test_concurrency_changed_while_running(ftp_throttled_server, bus, tmp_path):
    recorder = Recorder(bus)
    for i in range(8):
        ftp_throttled_server.write_file(f"slow/f{i}.bin", bytes([i]) * 48_000)
    # (generous timeouts: under a loaded CI a 2 s login timeout failed the new connections,
    # and the first one did every file)
    factory = factory_for(ftp_throttled_server, bus, control_timeout=30.0, data_timeout=30.0)
    queue = TransferQueue(factory, bus=bus, concurrency=1, exists_policy=ExistsPolicy.OVERWRITE)
    with pytest.raises(ValueError):
        queue.set_concurrency(0)
    with pytest.raises(ValueError):
        queue.set_concurrency(11)
    try:
        ids = [queue.add_download(f"/slow/f{i}.bin", tmp_path / f"f{i}.bin") for i in range(8)]
        await until(lambda: queue.job(ids[0]).state is JobState.DONE, limit=10)
        assert len(factory.sessions) == 1
        queue.set_concurrency(3)
        assert queue.concurrency == 3
        await queue.wait_idle()
        assert {queue.job(i).state for i in ids} == {JobState.DONE}
        assert len(factory.sessions) == 3
        retr = {e.connection for e in recorder.of(DataChannelEvent) if e.command.startswith("RETR")}
        assert len(retr) == 3
        queue.set_concurrency(1)  # the idle extra workers stop and close their connections
        await until(lambda: sum(s.state is SessionState.DISCONNECTED
                                for s in factory.sessions) == 2)
    finally:
        await queue.close()
    for i in range(8):
        assert (tmp_path / f"f{i}.bin").read_bytes() == bytes([i]) * 48_000


@pytest.mark.asyncio
async def test_unknown_job_and_closed_queue(ftp_server, bus, tmp_path):
    queue = TransferQueue(factory_for(ftp_server, bus), bus=bus)
    with pytest.raises(KeyError):
        queue.pause(42)
    await queue.close()
    await queue.close()  # idempotent
    with pytest.raises(RuntimeError):
        queue.add_download("/hello.txt", tmp_path / "hello.txt")
    await queue.wait_idle()  # returns at once


@pytest.mark.asyncio
async def test_two_downloads_onto_one_file_never_run_at_once(scripted_server, bus, tmp_path):
    """``a.bin`` is written through ``a.bin.part``: a job downloading *to* ``a.bin.part``
    (or to the same target) must wait, whatever the concurrency."""
    contents = {"/a.bin": b"A" * 50_000, "/other/a.bin.part": b"P" * 30_000}

    def retrieve(session, argument):
        transfer(payload=contents[argument]).run(session, argument)

    server = scripted_server({"RETR": retrieve})
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=3,
                          exists_policy=ExistsPolicy.RENAME)
    recorder = Recorder(bus)
    try:
        first = queue.add_download("/a.bin", tmp_path / "a.bin")
        second = queue.add_download("/other/a.bin.part", tmp_path / "a.bin.part")
        third = queue.add_download("/a.bin", tmp_path / "a.bin")
        await queue.wait_idle()
    finally:
        await queue.close()
    running = set()
    overlaps = []
    for event in recorder.of(QueueJobChanged):
        if event.job.state is JobState.RUNNING:
            running.add(event.job.job_id)
            overlaps.append(set(running))
        else:
            running.discard(event.job.job_id)
    assert not any({first, second} <= s or {first, third} <= s for s in overlaps)
    assert (tmp_path / "a.bin").read_bytes() == contents["/a.bin"]
    assert (tmp_path / "a.bin.part").read_bytes() == contents["/other/a.bin.part"]
    assert queue.job(third).local_path == tmp_path / "a (1).bin"  # then the exists policy
    assert (tmp_path / "a (1).bin").read_bytes() == contents["/a.bin"]


@pytest.mark.asyncio
async def test_close_while_transferring_stops_cleanly(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = stalling_server(scripted_server)
    tasks_before = len(asyncio.all_tasks())
    factory = factory_for(server, bus)
    queue = TransferQueue(factory, bus=bus, concurrency=2, exists_policy=ExistsPolicy.OVERWRITE)
    job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
    waiting = queue.add_download("/g.bin", tmp_path / "g.bin")
    queue.pause(waiting)
    await until(lambda: first_byte_arrived(recorder))
    await queue.close()
    assert queue.job(job_id).state is JobState.CANCELLED
    assert queue.job(job_id).error == "the transfer queue was closed"
    assert queue.job(waiting).state is JobState.PAUSED
    kept = (tmp_path / "f.bin.part").read_bytes()
    assert kept == PAYLOAD[:len(kept)] and not (tmp_path / "f.bin").exists()
    assert len(asyncio.all_tasks()) == tasks_before
    assert all(s.state is SessionState.DISCONNECTED for s in factory.sessions)
    assert "ABOR" in server.verbs()
