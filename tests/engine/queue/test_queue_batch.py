"""Runs of small plain downloads in a worker thread (client/engine/queue/batch.py): the
files, the events the observers get, and what a refusal, a timeout, a cancel, a pause
or a planted link does to the one job concerned — the same as on the normal path."""

from __future__ import annotations

import collections
import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from fixtures.scripted_faults import stall_after
from fixtures.scripted_steps import by_path, hang, pasv, transfer, unused_port
from fixtures.waiting import until

from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    EventBus,
    LineSent,
    ReplyReceived,
)
from client.engine.queue import ExistsPolicy, JobState, TransferQueue, batch

from ..sessions import session_factory

FAST = dict(data_timeout=3.0, control_timeout=2.0)
WHEN = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
PASSIVE_PHASES = [DataPhase.ADVERTISED, DataPhase.CONNECTING, DataPhase.CONNECTED,
                  DataPhase.FIRST_BYTE, DataPhase.CLOSED]
BIG = bytes(range(256)) * 64
CUT = 5000


def payload(index: int) -> bytes:
    return bytes([index]) * (index + 3)


@pytest.fixture
def batches(monkeypatch) -> list[int]:
    """The sizes of the batches that ran (the tests prove the thread did the work)."""
    sizes: list[int] = []
    run = batch.TransferBatch.run

    async def counted(self):
        sizes.append(len(self.records))
        return await run(self)

    monkeypatch.setattr(batch.TransferBatch, "run", counted)
    return sizes


def scripted_tree(scripted_server, count: int, special: dict | None = None, *,
                  skip: frozenset[int] | set[int] = frozenset()):
    steps = {f"/d/f{i:02d}.bin": transfer(payload=payload(i)) for i in range(count)
             if i not in skip}
    steps.update(special or {})
    return scripted_server({"RETR": by_path(steps)})


def held_until(gate: threading.Event, data: bytes):  # noqa: ANN201 - a scripted step
    """RETR's step: wait (10 s at most) for ``gate``, then send ``data`` - a file the
    batch thread is in while the test acts on the files it has not reached."""
    send = transfer(payload=data)

    def step(session, argument: str) -> None:  # noqa: ANN001
        gate.wait(10)
        send.run(session, argument)

    return step


def add_files(queue: TransferQueue, target: Path, count: int, *, sizes=None) -> list[int]:
    ids = []
    for i in range(count):
        size = (sizes or {}).get(i, len(payload(i)))
        ids.append(queue.add_download(f"/d/f{i:02d}.bin", target / f"f{i:02d}.bin", size=size,
                                      root=target, modified=WHEN))
    return ids


async def run_queue(server, bus, target: Path, count: int, *, batching: bool = True,
                    retries: int = 3, sizes=None, during=None, timeouts=FAST,
                    ) -> tuple[TransferQueue, list[int]]:
    target.mkdir(exist_ok=True)
    queue = TransferQueue(session_factory(server, bus, **timeouts), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE, retries=retries,
                          retry_delay=0.01)
    queue.batching = batching
    try:
        ids = add_files(queue, target, count, sizes=sizes)
        if during is not None:
            await during(queue, ids)
        await queue.wait_idle()
    finally:
        await queue.close()
    return queue, ids


@pytest.mark.asyncio
@pytest.mark.parametrize("server_kind", ["pyftpdlib", "vsftpd"])
async def test_a_tree_goes_through_batches_and_every_line_and_connection_is_seen(
        server_kind, request, tmp_path, batches):
    server = request.getfixturevalue("ftp_server" if server_kind == "pyftpdlib"
                                     else "vsftpd_server")
    count = 150
    for i in range(count):
        folder = server.root / "tree" / f"s{i // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:03d}.bin").write_bytes(bytes([i % 251]) * (i % 9 + 1))
        owner = getattr(server, "owner", None)
        if owner is not None:
            os.chown(folder, *owner)
            os.chown(folder / f"f{i:03d}.bin", *owner)
    bus = EventBus()
    sent, replies = [], []
    phases: dict[int, list[DataPhase]] = collections.defaultdict(list)
    commands: dict[int, str] = {}

    def see(event):
        if isinstance(event, LineSent):
            sent.append(event.text.split()[0])
        elif isinstance(event, ReplyReceived):
            replies.append(event.reply.code)
        elif isinstance(event, DataChannelEvent):
            phases[event.channel].append(event.phase)
            commands[event.channel] = event.command

    bus.subscribe(see)
    queue = TransferQueue(session_factory(server, bus), bus=bus, concurrency=4,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await queue.add_download_tree("/tree", tmp_path / "copy")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    assert sum(batches) > count // 2  # most files went through the thread
    verbs = collections.Counter(sent)
    assert verbs["RETR"] == count
    transfers = verbs["RETR"] + verbs["LIST"] + verbs["MLSD"]
    assert replies.count(226) == transfers
    assert len(replies) == len(sent) + transfers + verbs["USER"]  # 150s and banners
    retr = [c for c, command in commands.items() if command.startswith("RETR")]
    assert len(retr) == count
    assert all(phases[c] == PASSIVE_PHASES for c in retr)
    for i in range(count):
        local = tmp_path / "copy" / f"s{i // 50}" / f"f{i:03d}.bin"
        assert local.read_bytes() == bytes([i % 251]) * (i % 9 + 1)
        assert local.stat().st_mtime == pytest.approx(
            (server.root / "tree" / f"s{i // 50}" / f"f{i:03d}.bin").stat().st_mtime, abs=1)
    assert not list((tmp_path / "copy").rglob("*.part"))


@pytest.mark.asyncio
async def test_a_refused_file_fails_alone_with_the_normal_paths_error(scripted_server, tmp_path,
                                                                      batches):
    """f04 is not on the server (550): only its job fails, with the same words as on the
    normal path, and no .part is left for it."""
    count = 10
    server = scripted_tree(scripted_server, count, skip={4})  # by_path answers 550
    bus = EventBus()
    queue, ids = await run_queue(server, bus, tmp_path / "a", count)
    assert batches, "the batch path ran"
    states = [queue.job(i).state for i in ids]
    assert states == [JobState.DONE] * 4 + [JobState.FAILED] + [JobState.DONE] * 5
    error = queue.job(ids[4]).error
    assert "550" in error
    assert not (tmp_path / "a" / "f04.bin").exists()
    assert not (tmp_path / "a" / "f04.bin.part").exists()
    for i in (0, 3, 5, 9):
        assert (tmp_path / "a" / f"f{i:02d}.bin").read_bytes() == payload(i)
    normal, normal_ids = await run_queue(server, EventBus(), tmp_path / "b", count,
                                         batching=False)
    assert normal.job(normal_ids[4]).state is JobState.FAILED
    assert normal.job(normal_ids[4]).error == error


@pytest.mark.asyncio
async def test_a_reply_that_never_comes_fails_the_job_as_on_the_normal_path(scripted_server,
                                                                            tmp_path, batches):
    server = scripted_tree(scripted_server, 6, {"/d/f03.bin": hang})
    queue, ids = await run_queue(server, EventBus(), tmp_path / "a", 6, retries=0)
    assert batches
    assert queue.job(ids[3]).state is JobState.FAILED
    assert [queue.job(i).state for i in ids[:3]] == [JobState.DONE] * 3
    assert [queue.job(i).state for i in ids[4:]] == [JobState.DONE] * 2  # a new connection
    assert not (tmp_path / "a" / "f03.bin").exists()
    assert not (tmp_path / "a" / "f03.bin.part").exists()
    normal, normal_ids = await run_queue(server, EventBus(), tmp_path / "b", 6, retries=0,
                                         batching=False)
    assert normal.job(normal_ids[3]).error == queue.job(ids[3]).error


@pytest.mark.asyncio
@pytest.mark.parametrize("action", ["cancel", "pause"])
async def test_a_stop_during_a_batch_stops_that_job_only(scripted_server, tmp_path, batches,
                                                         action):
    """f03 stalls after CUT bytes; the person cancels (or pauses) it while the thread
    waits: that job stops, its .part keeps what arrived and is never renamed, the
    other files arrive (on a new connection)."""
    server = scripted_tree(scripted_server, 8, {"/d/f03.bin": stall_after(BIG, CUT)})
    target = tmp_path / "a"

    async def stop_f03(queue: TransferQueue, ids: list[int]) -> None:
        await until(lambda: queue.job(ids[3]).state is JobState.RUNNING)
        await until(lambda: (target / "f03.bin.part").exists()
                    and (target / "f03.bin.part").stat().st_size > 0)
        getattr(queue, action)(ids[3])
        await until(lambda: queue.job(ids[3]).state is not JobState.RUNNING)

    bus = EventBus()
    failures = []
    bus.subscribe(lambda e: failures.append(e.failure) if isinstance(e, DataChannelEvent)
                  and e.phase is DataPhase.FAILED else None)
    queue, ids = await run_queue(server, bus, target, 8, sizes={3: len(BIG)},
                                 during=stop_f03)
    assert failures == []  # stopped by closing its sockets, not by the stall timeout
    assert batches
    expected = JobState.CANCELLED if action == "cancel" else JobState.PAUSED
    assert queue.job(ids[3]).state is expected
    assert [queue.job(i).state for i in ids if i != ids[3]] == [JobState.DONE] * 7
    assert not (target / "f03.bin").exists()
    kept = (target / "f03.bin.part").read_bytes()
    assert 0 < len(kept) <= CUT and kept == BIG[:len(kept)]


@pytest.mark.asyncio
async def test_a_cancel_of_a_claimed_job_the_thread_has_not_reached(scripted_server, tmp_path,
                                                                    batches):
    server = scripted_tree(scripted_server, 8, {"/d/f02.bin": stall_after(BIG, CUT)})
    target = tmp_path / "a"

    async def cancel_later(queue: TransferQueue, ids: list[int]) -> None:
        await until(lambda: queue.job(ids[2]).state is JobState.RUNNING)
        queue.cancel(ids[6])  # claimed by the batch, not started
        assert queue.job(ids[6]).state is JobState.CANCELLED
        queue.cancel(ids[2])

    queue, ids = await run_queue(server, EventBus(), target, 8, sizes={2: len(BIG)},
                                 during=cancel_later)
    assert queue.job(ids[6]).state is JobState.CANCELLED
    assert not (target / "f06.bin").exists() and not (target / "f06.bin.part").exists()
    assert "/d/f06.bin" not in " ".join(server.lines())
    assert {queue.job(i).state for i in ids if i not in (ids[2], ids[6])} == {JobState.DONE}


@pytest.mark.asyncio
async def test_a_pause_of_a_claimed_job_the_thread_has_not_reached(scripted_server, tmp_path,
                                                                   batches):
    """A waiting job the person pauses stays paused and is not transferred, even when a
    batch had claimed it (the batch goes on with the others); Resume then fetches it."""
    gate = threading.Event()
    server = scripted_tree(scripted_server, 8, {"/d/f02.bin": held_until(gate, payload(2))})
    target = tmp_path / "a"

    async def pause_later(queue: TransferQueue, ids: list[int]) -> None:
        await until(lambda: queue.job(ids[2]).state is JobState.RUNNING)
        queue.pause(ids[6])  # claimed by the batch, not started
        gate.set()
        assert queue.job(ids[6]).state is JobState.PAUSED
        await queue.wait_idle()
        assert queue.job(ids[6]).state is JobState.PAUSED
        assert not (target / "f06.bin").exists()
        assert "/d/f06.bin" not in " ".join(server.lines())
        queue.resume(ids[6])

    queue, ids = await run_queue(server, EventBus(), target, 8, during=pause_later)
    assert queue.job(ids[6]).state is JobState.DONE
    assert (target / "f06.bin").read_bytes() == payload(6)
    assert [(queue.job(i).state, queue.job(i).error) for i in ids] == [(JobState.DONE, None)] * 8, server.lines()
    assert batches[0] == 7  # f01-f07 (f00 opened the connection on the normal path)


@pytest.mark.asyncio
async def test_a_claimed_job_moved_to_the_end_goes_last(scripted_server, tmp_path, batches):
    """Move down means later, also for a job a batch had claimed but not reached."""
    gate = threading.Event()
    server = scripted_tree(scripted_server, 8, {"/d/f02.bin": held_until(gate, payload(2))})
    target = tmp_path / "a"

    async def move_later(queue: TransferQueue, ids: list[int]) -> None:
        await until(lambda: queue.job(ids[2]).state is JobState.RUNNING)
        queue.move(ids[3], len(ids) - 1)
        gate.set()

    queue, ids = await run_queue(server, EventBus(), target, 8, during=move_later)
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    fetched = [line.split()[-1] for line in server.lines() if line.startswith("RETR")]
    assert fetched[-1] == "/d/f03.bin" and len(fetched) == 8


@pytest.mark.asyncio
async def test_stopping_the_queue_lets_the_running_file_finish_and_holds_the_rest(
        scripted_server, tmp_path, batches):
    """"Process queue" off while a batch runs: the file in flight completes, the files
    the batch claimed and has not reached stay queued (not transferred) until the queue
    is started again."""
    gate = threading.Event()
    server = scripted_tree(scripted_server, 8, {"/d/f02.bin": held_until(gate, payload(2))})
    target = tmp_path / "a"

    async def stop_later(queue: TransferQueue, ids: list[int]) -> None:
        await until(lambda: queue.job(ids[2]).state is JobState.RUNNING)
        queue.set_processing(False)
        gate.set()
        await queue.wait_idle()
        assert [queue.job(i).state for i in ids] == [JobState.DONE] * 3 + [JobState.QUEUED] * 5
        assert (target / "f02.bin").read_bytes() == payload(2)
        assert not any((target / f"f{i:02d}.bin").exists() for i in range(3, 8))
        fetched = [line for line in server.lines() if line.startswith("RETR")]
        assert len(fetched) == 3
        queue.set_processing(True)

    queue, ids = await run_queue(server, EventBus(), target, 8, during=stop_later)
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    assert all((target / f"f{i:02d}.bin").read_bytes() == payload(i) for i in range(8))


@pytest.mark.asyncio
async def test_more_connections_share_the_files_a_batch_had_claimed(scripted_server, tmp_path,
                                                                   batches):
    """Concurrent transfers raised from 1 to 3 while one batch holds the rest of the
    queue: the new connections take files too, instead of waiting for the batch."""
    gate = threading.Event()
    server = scripted_tree(scripted_server, 12, {"/d/f02.bin": held_until(gate, payload(2))})
    target = tmp_path / "a"

    async def raise_later(queue: TransferQueue, ids: list[int]) -> None:
        await until(lambda: queue.job(ids[2]).state is JobState.RUNNING)
        queue.set_concurrency(3)
        try:  # the new connections take the files the held batch had claimed
            await until(lambda: queue.job(ids[-1]).state is JobState.DONE, limit=20)
        finally:
            gate.set()

    queue, ids = await run_queue(server, EventBus(), target, 12, during=raise_later,
                                 timeouts=dict(FAST, control_timeout=30.0))
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    assert all((target / f"f{i:02d}.bin").read_bytes() == payload(i) for i in range(12))
    fetched = [(c.connection, c.line) for c in server.commands if c.verb == "RETR"]
    assert len({connection for connection, _line in fetched}) == 3
    assert len(fetched) == 12  # each file once


@pytest.mark.asyncio
async def test_a_planted_link_and_an_unsafe_path_are_still_refused(scripted_server, tmp_path,
                                                                   batches):
    """A link planted where f02.bin.part goes is never followed (the file goes to the
    normal path, which refuses it); a job whose target lies outside its root is refused
    before anything is sent for it."""
    server = scripted_tree(scripted_server, 6)
    target = tmp_path / "a"
    target.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep me")
    (target / "f02.bin.part").symlink_to(outside)
    bus = EventBus()
    queue = TransferQueue(session_factory(server, bus, **FAST), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE, retries=0)
    try:
        ids = add_files(queue, target, 6)
        escape = queue.add_download("/d/f05.bin", tmp_path / "elsewhere" / "f05.bin",
                                    size=len(payload(5)), root=target, modified=WHEN)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert batches
    assert queue.job(ids[2]).state is JobState.FAILED
    assert "link" in queue.job(ids[2]).error
    assert outside.read_bytes() == b"keep me"
    assert queue.job(escape).state is JobState.FAILED
    assert not (tmp_path / "elsewhere").exists()
    assert {queue.job(i).state for i in ids if i != ids[2]} == {JobState.DONE}


@pytest.mark.asyncio
@pytest.mark.parametrize("server_kind", ["pyftpdlib", "vsftpd"])
async def test_an_upload_tree_goes_through_batches_with_the_check_and_the_time(
        server_kind, request, tmp_path, batches):
    """Per file PASV, STOR, then SIZE and (where offered) MFMT as on the normal path;
    every connection seen; the files land whole, with the local time."""
    server = request.getfixturevalue("ftp_server" if server_kind == "pyftpdlib"
                                     else "vsftpd_server")
    count = 120
    source = tmp_path / "src"
    for i in range(count):
        folder = source / f"s{i // 40}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:03d}.bin").write_bytes(bytes([i % 251]) * (i % 9 + 1))
        os.utime(folder / f"f{i:03d}.bin", (1_700_000_000, 1_700_000_000))
    owner = getattr(server, "owner", None)
    target = server.root / "up"
    target.mkdir()
    if owner is not None:
        os.chown(target, *owner)
    bus = EventBus()
    sent: list[str] = []
    phases: dict[int, list[DataPhase]] = collections.defaultdict(list)
    commands: dict[int, str] = {}

    def see(event):
        if isinstance(event, LineSent):
            sent.append(event.text.split()[0])
        elif isinstance(event, DataChannelEvent):
            phases[event.channel].append(event.phase)
            commands[event.channel] = event.command

    bus.subscribe(see)
    queue = TransferQueue(session_factory(server, bus), bus=bus, concurrency=4,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await queue.add_upload_tree(source, "/up/tree")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    assert sum(batches) > count // 2
    verbs = collections.Counter(sent)
    stamps = count if server_kind == "pyftpdlib" else 0  # vsftpd offers no MFMT
    assert verbs["STOR"] == verbs["SIZE"] == count and verbs["MFMT"] == stamps
    stor = [c for c, command in commands.items() if command.startswith("STOR")]
    assert len(stor) == count and all(phases[c] == PASSIVE_PHASES for c in stor)
    for i in range(count):
        landed = target / "tree" / f"s{i // 40}" / f"f{i:03d}.bin"
        assert landed.read_bytes() == bytes([i % 251]) * (i % 9 + 1)
        if stamps:
            assert landed.stat().st_mtime == pytest.approx(1_700_000_000, abs=1)


@pytest.mark.asyncio
async def test_a_refused_upload_fails_alone_with_the_normal_paths_error(scripted_server,
                                                                        tmp_path, batches):
    count = 8
    steps = {f"/up/f{i:02d}.bin": transfer(receive=True) for i in range(count) if i != 5}
    server = scripted_server({"STOR": by_path(steps, default=b"553 Not allowed.\r\n")})
    source = tmp_path / "src"
    source.mkdir()
    for i in range(count):
        (source / f"f{i:02d}.bin").write_bytes(payload(i))

    async def upload_all(batching: bool) -> tuple[TransferQueue, list[int]]:
        bus = EventBus()
        queue = TransferQueue(session_factory(server, bus, **FAST), bus=bus, concurrency=1,
                              exists_policy=ExistsPolicy.OVERWRITE, retries=0)
        queue.batching = batching
        try:
            ids = [queue.add_upload(source / f"f{i:02d}.bin", f"/up/f{i:02d}.bin")
                   for i in range(count)]
            await queue.wait_idle()
        finally:
            await queue.close()
        return queue, ids

    queue, ids = await upload_all(True)
    assert batches
    states = [queue.job(i).state for i in ids]
    assert states == [JobState.DONE] * 5 + [JobState.FAILED] + [JobState.DONE] * 2
    assert "553" in queue.job(ids[5]).error
    for i in (0, 4, 7):
        assert server.uploads[f"/up/f{i:02d}.bin"] == payload(i)
    normal, normal_ids = await upload_all(False)
    assert normal.job(normal_ids[5]).error == queue.job(ids[5]).error


@pytest.mark.asyncio
async def test_existing_targets_go_to_the_normal_path_and_the_batch_goes_on(scripted_server,
                                                                            tmp_path, batches):
    """f02 and f05 exist: the exists policy (here OVERWRITE) decides for them on the
    normal path; the batch carries on with the files after them."""
    server = scripted_tree(scripted_server, 9)
    target = tmp_path / "a"
    target.mkdir()
    for i in (2, 5):
        (target / f"f{i:02d}.bin").write_bytes(b"old")
    queue, ids = await run_queue(server, EventBus(), target, 9)
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    for i in range(9):
        assert (target / f"f{i:02d}.bin").read_bytes() == payload(i)
    assert not list(target.glob("*.part"))
    assert batches


@pytest.mark.asyncio
async def test_a_data_connection_that_does_not_open_goes_to_the_normal_path(scripted_server,
                                                                           tmp_path, batches):
    """The third PASV names a port where nothing listens (the batch's second file): that
    connection is shown refused, once, and the file arrives through the normal path."""
    calls = [0]

    def pasv_step(session, argument):
        calls[0] += 1
        (pasv(port=unused_port()) if calls[0] == 3 else pasv()).run(session, argument)

    steps = {f"/d/f{i:02d}.bin": transfer(payload=payload(i)) for i in range(6)}
    server = scripted_server({"RETR": by_path(steps), "PASV": pasv_step})
    bus = EventBus()
    phases: dict[int, list[DataPhase]] = collections.defaultdict(list)
    failures = []

    def see(event):
        if isinstance(event, DataChannelEvent):
            phases[event.channel].append(event.phase)
            if event.phase is DataPhase.FAILED:
                failures.append(event.failure)

    bus.subscribe(see)
    queue, ids = await run_queue(server, bus, tmp_path / "a", 6)
    assert batches
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    assert [queue.job(i).attempts for i in ids] == [1] * 6
    for i in range(6):
        assert (tmp_path / "a" / f"f{i:02d}.bin").read_bytes() == payload(i)
    assert failures == [DataFailure.REFUSED]
    ended = [tuple(p) for p in phases.values()]
    assert ended.count((DataPhase.ADVERTISED, DataPhase.CONNECTING, DataPhase.FAILED)) == 1
    assert ended.count(tuple(PASSIVE_PHASES)) == 6
