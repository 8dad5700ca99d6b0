"""Retries: transient failures are retried with back-off and resumed from the right
offset; permanent ones are not; a lost connection is replaced by a new one."""

from __future__ import annotations

import asyncio
import hashlib
import time

import pytest
from fixtures.scripted_faults import stop_answering_mid_transfer
from fixtures.scripted_steps import in_turn, transfer
from fixtures.socket_tools import abort_socket

from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.queue.jobs import TransferJob
from client.engine.session import FtpSession

from ..conftest import Recorder
from ..sessions import session_factory

# bounds for a loaded machine; the one test that waits for the timeouts sets short ones
FAST = dict(data_timeout=15.0, control_timeout=15.0)
SHORT = dict(data_timeout=1.0, control_timeout=1.0)
PAYLOAD = bytes(range(256)) * 64  # 16 KiB
CUT = 3000


def factory_for(server, bus: EventBus, **overrides):
    return session_factory(server, bus, **{**FAST, **overrides})


def short_first_factory(server, bus: EventBus):
    """The first session times out quickly (the one a silent server strands); the
    sessions that replace it get the generous bounds, so a loaded machine cannot fail
    the retry that must succeed."""
    made: list[FtpSession] = []
    opened = [0]

    async def make() -> FtpSession:
        opened[0] += 1
        session = FtpSession(server.settings(**(SHORT if opened[0] == 1 else FAST)), bus=bus)
        await session.connect()
        made.append(session)
        return session

    make.sessions = made  # type: ignore[attr-defined]
    return make


def reset_mid_file(session, argument):
    """150, CUT bytes, a pause so they reach the client, then RST and 426."""
    session.state.pop("rest", None)
    session.send(b"150 Opening BINARY mode data connection.\r\n")
    sock = session.data.open(transfer())
    if sock is not None:
        sock.sendall(PAYLOAD[:CUT])
        time.sleep(0.5)
        abort_socket(sock)
    session.send(b"426 Connection closed; transfer aborted.\r\n")


async def run_one(queue: TransferQueue, add) -> TransferJob:  # noqa: ANN001 - add(queue) -> id
    """Add one job with ``add``, let the queue run until idle and close it: the job as
    it ended."""
    async with queue:
        job_id = add(queue)
        await queue.wait_idle()
    return queue.job(job_id)


def queue_for(server, bus, **options) -> TransferQueue:
    options.setdefault("retry_delay", 0.05)
    options.setdefault("exists_policy", ExistsPolicy.OVERWRITE)
    return TransferQueue(factory_for(server, bus), bus=bus, **options)


@pytest.mark.asyncio
async def test_data_reset_mid_file_is_retried_and_resumed_from_the_part(scripted_server, bus,
                                                                        tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"RETR": in_turn(reset_mid_file, transfer(payload=PAYLOAD)),
                              "SIZE": f"213 {len(PAYLOAD)}\r\n".encode()})
    queue = queue_for(server, bus)
    job = await run_one(queue, lambda q: q.add_download("/f.bin", tmp_path / "f.bin"))
    assert job.state is JobState.DONE and job.attempts == 2
    assert hashlib.sha256((tmp_path / "f.bin").read_bytes()).hexdigest() == \
        hashlib.sha256(PAYLOAD).hexdigest()
    # The sha256 above proves the REST offset matched the .part exactly; the RST may
    # have dropped some bytes the client had not read yet, so it is at most CUT.
    rest = [int(line.split()[1]) for line in server.lines() if line.startswith("REST")]
    assert len(rest) == 1 and 0 < rest[0] <= CUT
    assert server.verbs().count("RETR") == 2
    assert any("retry 1 of 3" in n.text for n in recorder.notices("retry"))
    assert not (tmp_path / "f.bin.part").exists()


@pytest.mark.asyncio
async def test_upload_reset_is_retried_and_resumed(scripted_server, bus, tmp_path):
    uploaded = bytearray()

    def stor(session, argument):
        offset = session.state.pop("rest", None)
        if offset is None:  # the first attempt: take CUT bytes, then reset
            session.send(b"150 Ok to send data.\r\n")
            sock = session.data.open(transfer())
            if sock is not None:
                while len(uploaded) < CUT:
                    uploaded.extend(sock.recv(CUT - len(uploaded)))
                abort_socket(sock)
            session.send(b"426 Failure writing network stream.\r\n")
            return
        del uploaded[offset:]
        transfer(receive=True).run(session, argument)
        uploaded.extend(server.uploads[argument])

    def size(session, argument):
        session.send(f"213 {len(uploaded)}\r\n".encode())

    server = scripted_server({"STOR": stor, "SIZE": size})
    source = tmp_path / "up.bin"
    source.write_bytes(PAYLOAD)
    queue = queue_for(server, bus)
    job = await run_one(queue, lambda q: q.add_upload(source, "/up.bin"))
    job_id = job.job_id
    assert queue.job(job_id).state is JobState.DONE
    assert queue.job(job_id).attempts == 2
    assert f"REST {CUT}" in server.lines()  # continued after what the server had
    assert bytes(uploaded) == PAYLOAD


@pytest.mark.asyncio
async def test_permanent_5xx_is_not_retried(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": b"550 Permission denied.\r\n"})
    queue = queue_for(server, bus)
    job = await run_one(queue, lambda q: q.add_download("/secret.bin", tmp_path / "secret.bin"))
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "550" in (job.error or "")
    assert server.verbs().count("RETR") == 1
    assert list(tmp_path.iterdir()) == []  # no empty .part left behind


@pytest.mark.asyncio
async def test_4xx_is_retried_until_the_budget_is_spent(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"RETR": b"450 File busy, try later.\r\n"})
    queue = queue_for(server, bus, retries=2)
    job = await run_one(queue, lambda q: q.add_download("/busy.bin", tmp_path / "busy.bin"))
    assert job.state is JobState.FAILED and job.attempts == 3
    assert server.verbs().count("RETR") == 3
    delays = [n.text.rsplit(" in ", 1)[1] for n in recorder.notices("retry")]
    assert delays == ["0.1 s", "0.1 s"]  # 0.05 then 0.10, shown rounded


@pytest.mark.asyncio
async def test_connection_lost_mid_transfer_reconnects_and_resumes(scripted_server, bus,
                                                                 tmp_path):
    closing = transfer(payload=PAYLOAD, send_bytes=CUT, ending="stall", control_after="close",
                       final=None)
    server = scripted_server({"RETR": in_turn(closing, transfer(payload=PAYLOAD)),
                              "SIZE": f"213 {len(PAYLOAD)}\r\n".encode()})
    factory = factory_for(server, bus)
    queue = TransferQueue(factory, bus=bus, retry_delay=0.05,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.DONE
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD
    assert len(factory.sessions) == 2  # the lost connection was replaced
    assert server.connection_count == 2
    rest = [line for line in server.lines() if line.startswith("REST")]
    assert rest and int(rest[-1].split()[1]) > 0


@pytest.mark.asyncio
async def test_login_failure_is_permanent(scripted_server, bus, tmp_path):
    server = scripted_server(password="right-secret")
    queue = TransferQueue(factory_for(server, bus, password="wrong-secret"), bus=bus,
                          retry_delay=0.05)
    try:
        job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
        await queue.wait_idle()
    finally:
        await queue.close()
    job = queue.job(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "wrong-secret" not in (job.error or "")
    assert "PASS" in server.verbs() and "RETR" not in server.verbs()


@pytest.mark.asyncio
async def test_a_server_that_stops_answering_is_left_for_a_new_connection(scripted_server, bus,
                                                                         tmp_path):
    silent = stop_answering_mid_transfer(PAYLOAD, CUT)
    server = scripted_server({"RETR": in_turn(silent, transfer(payload=PAYLOAD)),
                              "SIZE": f"213 {len(PAYLOAD)}\r\n".encode()})
    factory = short_first_factory(server, bus)
    tasks_before = len(asyncio.all_tasks())
    queue = TransferQueue(factory, bus=bus, retry_delay=0.05,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert len(asyncio.all_tasks()) == tasks_before  # the abandoned session's close too
    assert all(s.state.value == "disconnected" for s in factory.sessions)
    job = queue.job(job_id)
    assert job.state is JobState.DONE and job.attempts == 2
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD
    assert len(factory.sessions) == 2


@pytest.mark.asyncio
async def test_user_retry_of_a_failed_job_gets_a_fresh_budget(scripted_server, bus, tmp_path):
    busy = b"450 File busy, try later.\r\n"
    server = scripted_server({"RETR": in_turn(busy, busy, transfer(payload=PAYLOAD))})
    queue = queue_for(server, bus, retries=1)
    try:
        job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
        await queue.wait_idle()
        assert queue.job(job_id).state is JobState.FAILED
        assert queue.job(job_id).attempts == 2
        queue.retry(job_id)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.DONE
    assert queue.job(job_id).attempts == 3 and queue.job(job_id).error is None
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD


@pytest.mark.asyncio
async def test_an_upload_the_server_will_not_continue_is_sent_again_whole(scripted_server,
                                                                         bus, tmp_path):
    """proftpd without AllowStoreRestart: REST is accepted, the STOR after it is 451."""
    recorder = Recorder(bus)
    stored: dict[str, bytes] = {"/u.bin": PAYLOAD[:CUT]}

    def stor(session, argument):
        if session.state.pop("rest", None) is not None:
            session.send(b"451 /u.bin: Append/Restart not permitted, try again\r\n")
            return
        transfer(receive=True).run(session, argument)
        stored[argument] = server.uploads[argument]

    def size(session, argument):
        session.send(f"213 {len(stored[argument])}\r\n".encode() if argument in stored
                     else b"550 No such file.\r\n")

    server = scripted_server({"STOR": stor, "SIZE": size})
    source = tmp_path / "u.bin"
    source.write_bytes(PAYLOAD)
    queue = queue_for(server, bus, exists_policy=ExistsPolicy.RESUME, retries=0)
    job = await run_one(queue, lambda q: q.add_upload(source, "/u.bin"))
    job_id = job.job_id
    assert queue.job(job_id).state is JobState.DONE and queue.job(job_id).attempts == 2
    assert stored["/u.bin"] == PAYLOAD
    assert [v for v in server.verbs() if v in ("REST", "STOR")] == ["REST", "STOR", "STOR"]
    assert any("would not continue" in n.text for n in recorder.notices("retry"))


@pytest.mark.asyncio
async def test_a_vanished_local_file_fails_without_retry(scripted_server, bus, tmp_path):
    server = scripted_server()
    source = tmp_path / "gone.bin"
    source.write_bytes(b"soon gone")
    queue = queue_for(server, bus)
    try:
        job_id = queue.add_upload(source, "/gone.bin")
        source.unlink()  # before a worker gets to it
        await queue.wait_idle()
    finally:
        await queue.close()
    job = queue.job(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "gone.bin" in (job.error or "")
    assert "STOR" not in server.verbs()
