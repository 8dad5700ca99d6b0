"""The next downloads' ``.part`` files are made in a worker thread while earlier ones
run (creating a file is the dearest local step of a small download, and it would block
the loop); the checks still run on the loop when each job starts, and nothing made
ahead outlives a job that does not run."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from fixtures.waiting import until

from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.queue import prepare as prepare_module
from client.engine.queue.prepare import _Ahead, _claim, _prepare_all

from ..sessions import session_factory


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.part"))


@pytest.mark.asyncio
async def test_a_tree_download_makes_later_targets_in_a_thread(ftp_server, tmp_path,
                                                               monkeypatch):
    for index in range(60):
        ftp_server.write_file(f"tree/f{index:02d}.txt", f"file {index}\n".encode())
    made_ahead: list[tuple[str, bool]] = []  # (thread, .part created)
    real_create = prepare_module._create_part

    def watching(folder_fd, name):
        created = real_create(folder_fd, name)
        made_ahead.append((threading.current_thread().name, created))
        return created

    monkeypatch.setattr(prepare_module, "_create_part", watching)
    bus = EventBus()
    queue = TransferQueue(session_factory(ftp_server, bus), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await queue.add_download_tree("/tree", tmp_path / "copy")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    main = threading.main_thread().name
    assert made_ahead and all(name != main for name, _ in made_ahead)
    assert any(created for _, created in made_ahead)  # .part files made off the loop
    for index in range(60):
        local = tmp_path / "copy" / f"f{index:02d}.txt"
        assert local.read_bytes() == f"file {index}\n".encode()
    assert _parts(tmp_path / "copy") == []


@pytest.mark.asyncio
async def test_parts_made_ahead_for_jobs_that_never_run_are_removed(tmp_path):
    """Cancelling a queued job whose .part was made ahead removes that empty file; closing
    the queue removes the rest (the jobs never started)."""
    never = asyncio.Event()

    async def no_connection():  # the first job waits for ever: the others stay queued
        await never.wait()

    bus = EventBus()
    queue = TransferQueue(no_connection, bus=bus, concurrency=1)
    target = tmp_path / "dest"
    target.mkdir()  # (a tree download makes its folders first; the thread makes none)
    ids = [queue.add_download(f"/f{n}.bin", target / f"f{n}.bin", root=target)
           for n in range(40)]
    await until(lambda: len(_parts(target)) >= 20)
    made = _parts(target)
    assert target / "f0.bin.part" not in made  # the running job's own is made by it
    queue.cancel(ids[5])
    assert not (target / "f5.bin.part").exists()
    assert queue.job(ids[5]).state is JobState.CANCELLED
    await queue.close()
    assert _parts(target) == []


@pytest.mark.asyncio
async def test_an_existing_target_is_left_to_the_exists_policy(ftp_server, tmp_path):
    ftp_server.write_file("keep/a.txt", b"new a")
    ftp_server.write_file("keep/b.txt", b"new b")
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"old a")
    bus = EventBus()
    queue = TransferQueue(session_factory(ftp_server, bus), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.SKIP)
    try:
        ids = await queue.add_download_tree("/keep", folder)
        await queue.wait_idle()
    finally:
        await queue.close()
    states = {queue.job(i).remote_path: queue.job(i).state for i in ids}
    assert states == {"/keep/a.txt": JobState.SKIPPED, "/keep/b.txt": JobState.DONE}
    assert (folder / "a.txt").read_bytes() == b"old a"
    assert (folder / "b.txt").read_bytes() == b"new b"
    assert _parts(folder) == []


def test_a_claimed_target_is_never_made_afterwards(tmp_path):
    """A job that started (claimed its target) before the thread reached it: the thread
    leaves it alone, so no empty .part can appear beside a file already complete."""
    root = tmp_path / "dest"
    root.mkdir()
    first, second = _Ahead(root, root / "one.bin"), _Ahead(root, root / "two.bin")
    assert _claim(first) is False
    _prepare_all([first, second])
    assert not (root / "one.bin.part").exists()
    assert (root / "two.bin.part").exists()
    assert _claim(second) is True


def test_the_thread_follows_no_link_and_keeps_what_exists(tmp_path):
    """Ahead of the jobs, only new .part files in real folders below the root: not
    through a folder that is a link (nor a link the root's parent would need), not over
    an existing .part (an earlier run's bytes), not beside an existing target."""
    root = tmp_path / "dest"
    (root / "real").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "real" / "kept.bin.part").write_bytes(b"earlier bytes")
    (root / "real" / "there.bin").write_bytes(b"a file")
    (root / "real" / "planted.bin.part").symlink_to(outside / "victim")
    entries = [_Ahead(root, root / "real" / "new.bin"),
               _Ahead(root, root / "linked" / "through.bin"),
               _Ahead(root, root / "real" / "kept.bin"),
               _Ahead(root, root / "real" / "there.bin"),
               _Ahead(root, root / "real" / "planted.bin"),
               _Ahead(root, root / "real" / ".." / "up.bin"),
               _Ahead(root, tmp_path / "elsewhere.bin")]
    _prepare_all(entries)
    assert [_claim(entry) for entry in entries] == [True] + [False] * 6
    assert (root / "real" / "new.bin.part").read_bytes() == b""
    assert list(outside.iterdir()) == []
    assert (root / "real" / "kept.bin.part").read_bytes() == b"earlier bytes"
    assert not (root / "real" / "there.bin.part").exists()
    assert not (root / "up.bin.part").exists() and not (tmp_path / "elsewhere.bin.part").exists()
