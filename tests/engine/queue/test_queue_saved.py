"""The queue survives: unfinished jobs are saved on every change and a killed process
loses none of them; restored downloads resume from their ``.part``."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fixtures.waiting import until

from client.engine.events import EventBus, TransferProgress
from client.engine.queue import TransferQueue
from client.engine.queue.saved import (
    QueueSaver,
    SavedJob,
    SavedState,
    load_saved,
    restore_jobs,
    write_saved,
)

from ..sessions import session_factory

NAMES = [f"file-{i}.bin" for i in range(5)]
SIZE = 300 * 1024

CHILD = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from client.engine.events import EventBus, TransferProgress
    from client.engine.queue import TransferQueue
    from client.engine.queue.saved import QueueSaver
    from client.engine.ratelimit import RateLimits, shared_limiter
    from client.engine.session import FtpSession
    from client.engine.settings import ConnectionSettings

    host, port, password, local, saved = sys.argv[1:6]
    names = sys.argv[6:]

    async def main():
        # slow enough to be killed in the middle of the second file
        shared_limiter().limits = RateLimits(download_total=200 * 1024)
        bus = EventBus()
        saver = QueueSaver(Path(saved), delay=0.05)
        bus.subscribe(saver)
        announced = False

        def progress(event):
            nonlocal announced
            if isinstance(event, TransferProgress) and event.bytes_done > 0 and not announced:
                announced = True
                print("transferring", flush=True)
        bus.subscribe(progress)

        async def factory():
            session = FtpSession(ConnectionSettings(host=host, port=int(port), user="alice",
                                                    password=password), bus=bus)
            await session.connect()
            return session

        queue = TransferQueue(factory, bus=bus, concurrency=1)
        saver.attach(queue, f"ftp://alice@{host}:{port}")
        for name in names:
            queue.add_download("/" + name, Path(local) / name, root=Path(local))
        await queue.wait_idle()
        print("finished", flush=True)

    asyncio.run(main())
""")


async def _no_connection():
    """A session factory that never returns: the jobs stay queued, only the saving is
    watched."""
    await asyncio.Event().wait()


def _serve(server) -> dict[str, bytes]:
    contents = {}
    for number, name in enumerate(NAMES):
        data = os.urandom(SIZE - number)
        (server.root / name).write_bytes(data)
        contents[name] = data
    return contents


@pytest.mark.asyncio
async def test_killed_process_loses_no_job_and_the_restart_resumes(ftp_server, child_env,
                                                                   tmp_path):
    contents = _serve(ftp_server)
    local = tmp_path / "downloads"
    local.mkdir()
    saved = tmp_path / "data" / "queue.json"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "127.0.0.1", str(ftp_server.port), ftp_server.password,
         str(local), str(saved), *NAMES],
        env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "transferring"
        # wait until the saved file shows the first file running, then more bytes arrive
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            jobs = load_saved(saved)
            if len(jobs) == len(NAMES) and (local / "file-0.bin.part").exists() \
                    and (local / "file-0.bin.part").stat().st_size > 50_000:
                break
            await asyncio.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    jobs = load_saved(saved)
    assert [Path(j.local_path).name for j in jobs] == NAMES
    assert jobs[0].state is SavedState.INTERRUPTED
    assert all(j.state is SavedState.PENDING for j in jobs[1:])
    assert {j.site for j in jobs} == {f"ftp://alice@127.0.0.1:{ftp_server.port}"}
    assert ftp_server.password not in saved.read_text()
    part = local / "file-0.bin.part"
    kept = part.stat().st_size
    assert 0 < kept < SIZE

    # the next start: the saved jobs are offered and restored; file-0 resumes
    bus = EventBus()
    offsets: dict[str, int] = {}
    bus.subscribe(lambda e: isinstance(e, TransferProgress)
                  and offsets.setdefault(e.remote_path, e.bytes_done))
    saver = QueueSaver(saved, delay=0.01)
    bus.subscribe(saver)
    assert len(saver.offered) == len(NAMES)
    async with TransferQueue(session_factory(ftp_server, bus), bus=bus,
                             concurrency=1) as queue:
        saver.attach(queue, jobs[0].site)
        restore_jobs(queue, saver.take_offered(jobs[0].site))
        await queue.wait_idle()
        await asyncio.sleep(0.05)
    for name in NAMES:
        assert (local / name).read_bytes() == contents[name]
    assert offsets["/file-0.bin"] >= kept  # continued from the .part, not from byte 0
    assert load_saved(saved) == []  # everything done: nothing left to offer
    assert not saved.exists()


def test_write_is_atomic_and_a_damaged_file_offers_nothing(tmp_path: Path):
    path = tmp_path / "queue.json"
    job = SavedJob(site="ftp://bob@127.0.0.1:2121", direction="upload", remote_path="/a",
                   local_path=str(tmp_path / "a"), root=str(tmp_path),
                   state=SavedState.FAILED, error="550 denied")
    write_saved(path, [job])
    assert load_saved(path) == [job]
    assert [p.name for p in tmp_path.iterdir()] == ["queue.json"]  # no temp left behind
    assert json.loads(path.read_text())["jobs"][0]["state"] == "failed"
    path.write_text("{not json")
    assert load_saved(path) == []


@pytest.mark.asyncio
async def test_failed_jobs_are_kept_and_finished_ones_dropped(ftp_server, tmp_path):
    bus = EventBus()
    saved = tmp_path / "queue.json"
    saver = QueueSaver(saved, delay=0.01)
    bus.subscribe(saver)
    async with TransferQueue(session_factory(ftp_server, bus), bus=bus, retries=0,
                             retry_delay=0.01) as queue:
        saver.attach(queue, "site:Test")
        queue.add_download("/hello.txt", tmp_path / "hello.txt")
        queue.add_download("/no-such-file", tmp_path / "missing")
        await queue.wait_idle()
        # the debounced write runs in a worker thread: wait for it (a busy machine may
        # take longer than any fixed sleep)
        for _ in range(250):
            jobs = load_saved(saved)
            if [j.state for j in jobs] == [SavedState.FAILED]:
                break
            await asyncio.sleep(0.02)
    jobs = load_saved(saved)
    assert [(j.remote_path, j.state) for j in jobs] == [("/no-such-file", SavedState.FAILED)]
    assert jobs[0].error and jobs[0].site == "site:Test"


@pytest.mark.asyncio
async def test_a_big_tree_queued_at_once_is_one_write(tmp_path, monkeypatch):
    from client.engine.queue import saved as saved_module

    writes: list[int] = []
    real_write = saved_module.write_saved

    def counting(path, jobs):
        writes.append(len(jobs))
        real_write(path, jobs)

    monkeypatch.setattr(saved_module, "write_saved", counting)
    bus = EventBus()
    path = tmp_path / "queue.json"
    saver = QueueSaver(path, delay=0.05)
    bus.subscribe(saver)
    queue = TransferQueue(_no_connection, bus=bus, concurrency=1)
    saver.attach(queue, "ftp://127.0.0.1:2121")
    for number in range(2000):
        queue.add_download(f"/tree/{number}.bin", tmp_path / "tree" / f"{number}.bin",
                           root=tmp_path)
    await until(lambda: writes)  # the first write, however loaded the machine
    await asyncio.sleep(0.1)  # and no second one meanwhile
    assert writes == [2000]
    # the write runs in a worker thread (the queue's may be making .part files beside it)
    await until(lambda: len(load_saved(path)) == 2000)
    saver.detach()
    await queue.close()


@pytest.mark.asyncio
async def test_two_queues_of_two_tabs_are_saved_under_their_own_sites(tmp_path) -> None:
    """One saver follows the queues of every connection tab: each job is saved with the
    site of its own queue, and closing one tab's queue keeps its jobs while the other's
    go on being saved."""
    bus = EventBus()
    path = tmp_path / "queue.json"
    saver = QueueSaver(path, delay=0.01)
    bus.subscribe(saver)
    first = TransferQueue(_no_connection, bus=bus, concurrency=1)
    second = TransferQueue(_no_connection, bus=bus, concurrency=1)
    saver.attach(first, "site:One")
    saver.attach(second, "sftp://bob@127.0.0.2:22")
    first.add_download("/a.bin", tmp_path / "a.bin")
    second.add_download("/b.bin", tmp_path / "b.bin")

    async def saved() -> dict[str, str]:
        await asyncio.sleep(0.05)
        saver.save()
        return {job.remote_path: job.site for job in load_saved(path)}

    assert await saved() == {"/a.bin": "site:One", "/b.bin": "sftp://bob@127.0.0.2:22"}
    saver.detach(first)
    await first.close()
    second.add_download("/c.bin", tmp_path / "c.bin")
    assert await saved() == {"/a.bin": "site:One", "/b.bin": "sftp://bob@127.0.0.2:22",
                             "/c.bin": "sftp://bob@127.0.0.2:22"}
    saver.detach()
    await second.close()


@pytest.mark.asyncio
async def test_jobs_of_a_server_that_lives_for_this_run_only_are_not_saved(tmp_path) -> None:
    """The demo servers get new ports on every run: their jobs, saved, were offered at
    the next start for a server that was gone. Other servers' jobs are saved as ever."""
    bus = EventBus()
    path = tmp_path / "queue.json"
    saver = QueueSaver(path, delay=0.01)
    bus.subscribe(saver)
    saver.never_save("127.0.0.1", 40021)
    demo = TransferQueue(_no_connection, bus=bus, concurrency=1)
    other = TransferQueue(_no_connection, bus=bus, concurrency=1)
    saver.attach(demo, "ftp://demo@127.0.0.1:40021")
    saver.attach(other, "ftp://demo@127.0.0.1:2121")
    demo.add_download("/demo.bin", tmp_path / "demo.bin")
    other.add_download("/kept.bin", tmp_path / "kept.bin")
    await asyncio.sleep(0.05)
    saver.save()
    assert [job.remote_path for job in load_saved(path)] == ["/kept.bin"]
    saver.detach()
    assert [job.remote_path for job in load_saved(path)] == ["/kept.bin"]
    await demo.close()
    await other.close()
