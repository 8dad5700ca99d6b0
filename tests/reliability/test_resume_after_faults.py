"""The queue recovers from every mid-transfer fault: it retries with growing back-off,
reconnects when the control connection is gone, resumes from the exact size of the
.part (REST), and the finished file's SHA-256 equals the source's."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from fixtures.scripted_steps import in_turn, transfer

from client.engine.events import EventBus, Notice
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession

from .faults import BOUND, CUT, FAST, MID_TRANSFER_FAULTS, OLD_TARGET, PAYLOAD, size_reply


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def factory(server, bus):
    async def make() -> FtpSession:
        session = FtpSession(server.settings(**FAST), bus=bus)
        await session.connect()
        return session

    return make


class RestRecorder:
    """Answers REST like the default server, and remembers the offsets asked for and
    the size the .part had at that moment (read by the test through ``part``)."""

    def __init__(self, part) -> None:
        self.part = part
        self.offsets: list[int] = []
        self.part_sizes: list[int] = []

    def run(self, session, argument) -> None:
        offset = int(argument)
        self.offsets.append(offset)
        self.part_sizes.append(self.part.stat().st_size if self.part.exists() else -1)
        session.state["rest"] = offset
        session.send(f"350 Restarting at {offset}.\r\n".encode())


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", list(MID_TRANSFER_FAULTS))
async def test_queue_retries_resumes_and_the_file_is_whole(scripted_server, tmp_path, fault):
    target = tmp_path / "file.bin"
    target.write_bytes(OLD_TARGET)
    rest = RestRecorder(tmp_path / "file.bin.part")
    server = scripted_server({
        "RETR": in_turn(MID_TRANSFER_FAULTS[fault], transfer(payload=PAYLOAD)),
        "SIZE": size_reply(),
        "REST": rest,
    })
    bus = EventBus()
    notices: list[Notice] = []
    bus.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)
    queue = TransferQueue(factory(server, bus), bus=bus, retries=3, retry_delay=0.05,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_download("/file.bin", target)
        await asyncio.wait_for(queue.wait_idle(), BOUND * 2)
    finally:
        await asyncio.wait_for(queue.close(), BOUND)
    job = queue.job(job_id)
    assert job.state is JobState.DONE, job
    assert sha256(target.read_bytes()) == sha256(PAYLOAD)
    assert not (tmp_path / "file.bin.part").exists()
    if fault == "all-bytes-but-no-226":
        # every byte the server's SIZE announced arrived: the file is kept at once
        assert job.attempts == 1 and server.verbs().count("RETR") == 1
        return
    assert job.attempts == 2
    assert server.verbs().count("RETR") == 2
    # Resumed from exactly what the .part held (when it held anything at all).
    for offset, part_size in zip(rest.offsets, rest.part_sizes, strict=True):
        assert offset == part_size
        assert 0 < offset <= (len(PAYLOAD) if fault == "all-bytes-but-no-226" else CUT)
    assert any(n.kind == "retry" for n in notices)


@pytest.mark.asyncio
async def test_back_off_grows_between_attempts(scripted_server, tmp_path):
    """A transient failure (450) every time: the retry notices announce a growing delay,
    and the budget is respected (1 attempt + 3 retries, then FAILED with the reason)."""
    server = scripted_server({"RETR": b"450 Requested file action not taken: busy.\r\n",
                              "SIZE": size_reply()})
    bus = EventBus()
    notices: list[Notice] = []
    bus.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)
    queue = TransferQueue(factory(server, bus), bus=bus, retries=3, retry_delay=0.1,
                          exists_policy=ExistsPolicy.OVERWRITE)
    target = tmp_path / "file.bin"
    target.write_bytes(OLD_TARGET)
    try:
        job_id = queue.add_download("/file.bin", target)
        await asyncio.wait_for(queue.wait_idle(), BOUND * 2)
    finally:
        await queue.close()
    job = queue.job(job_id)
    assert job.state is JobState.FAILED and job.attempts == 4
    assert job.error and len(job.error) > 20
    retries = [n.text for n in notices if n.kind == "retry"]
    assert len(retries) == 3
    delays = [float(text.rsplit(" in ", 1)[1].split()[0]) for text in retries]
    assert delays == [0.1, 0.2, 0.4], retries
    assert target.read_bytes() == OLD_TARGET
    assert server.verbs().count("RETR") == 4


@pytest.mark.asyncio
@pytest.mark.parametrize("size_known", [True, False], ids=["with-SIZE", "no-SIZE"])
async def test_a_server_that_ignores_rest_never_produces_a_corrupt_file(scripted_server,
                                                                         tmp_path, size_known):
    """350 to REST, then the file from byte 0 anyway: appending that to the .part would
    corrupt it. The size check must catch it, and the queue must end with the exact
    file (starting over) or a failure, never a wrong file under the target's name."""
    from fixtures.scripted_data import DataPlan

    server = scripted_server({
        "RETR": in_turn(MID_TRANSFER_FAULTS["data-reset-then-426"],
                        DataPlan(payload=PAYLOAD, honor_rest=False)),
        # without SIZE no check can catch the appended copy: the resume must start over
        "SIZE": size_reply() if size_known else b"502 SIZE not implemented.\r\n",
    })
    bus = EventBus()
    target = tmp_path / "file.bin"
    target.write_bytes(OLD_TARGET)
    queue = TransferQueue(factory(server, bus), bus=bus, retries=3, retry_delay=0.05,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_download("/file.bin", target)
        await asyncio.wait_for(queue.wait_idle(), BOUND * 2)
    finally:
        await queue.close()
    job = queue.job(job_id)
    if job.state is JobState.DONE:
        assert sha256(target.read_bytes()) == sha256(PAYLOAD)
    else:
        assert job.state is JobState.FAILED and target.read_bytes() == OLD_TARGET


UPLOAD = PAYLOAD * 4  # 1 MiB: more than the socket buffers hold


class ResumableStore:
    """STOR/REST/SIZE for one remote file, failing the first STOR per ``fault`` after
    CUT bytes arrived and accepting the rest at the REST offset afterwards."""

    def __init__(self, fault: str) -> None:
        self.fault = fault
        self.stored = bytearray()
        self.failed = False
        self.rest_offsets: list[int] = []

    def size(self, session, argument):
        session.send(f"213 {len(self.stored)}\r\n".encode())

    def rest(self, session, argument):
        self.rest_offsets.append(int(argument))
        session.state["upload_rest"] = int(argument)
        session.send(f"350 Restarting at {argument}.\r\n".encode())

    def stor(self, session, argument):
        from fixtures.socket_tools import abort_socket

        offset = int(session.state.pop("upload_rest", 0))
        del self.stored[offset:]
        session.send(b"150 Ok to send data.\r\n")
        sock = session.data.open(transfer())
        if sock is None:
            return
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            self.stored += chunk
            if not self.failed and len(self.stored) >= CUT:
                self.failed = True
                if self.fault == "data-reset":
                    abort_socket(sock)
                    session.send(b"426 Failure writing network stream.\r\n")
                elif self.fault == "control-closed":
                    session.close()
                elif self.fault == "421":
                    session.send(b"421 Timeout.\r\n")
                    session.close()
                else:  # "hang": no reply, no FIN, data connection left open
                    session.wait_until_stopped()
                return
        sock.close()
        session.send(b"226 Transfer complete.\r\n")


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["data-reset", "control-closed", "421", "hang"])
async def test_upload_is_retried_and_resumed_at_the_servers_size(scripted_server, tmp_path,
                                                                 fault):
    store = ResumableStore(fault)
    server = scripted_server({"STOR": store.stor, "SIZE": store.size, "REST": store.rest})
    source = tmp_path / "up.bin"
    source.write_bytes(UPLOAD)
    bus = EventBus()
    queue = TransferQueue(factory(server, bus), bus=bus, retries=3, retry_delay=0.05,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_upload(source, "/up.bin")
        await asyncio.wait_for(queue.wait_idle(), BOUND * 2)
    finally:
        await asyncio.wait_for(queue.close(), BOUND)
    job = queue.job(job_id)
    assert job.state is JobState.DONE, job
    assert job.attempts == 2
    assert sha256(bytes(store.stored)) == sha256(UPLOAD)
    # Continued from what the server had, never from zero and never past it.
    assert len(store.rest_offsets) == 1 and CUT <= store.rest_offsets[0] < len(UPLOAD)
    assert source.read_bytes() == UPLOAD
