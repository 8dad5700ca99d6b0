"""Synchronisation against real servers (pyftpdlib, vsftpd): downloads and uploads with
and without deletes, a second run that finds nothing to do (vsftpd's ``ls -l`` times
are minute-precise), include/exclude, and nothing touched outside the chosen folders."""

from __future__ import annotations

import os
import time

import pytest

from client.engine.queue import JobState
from client.engine.sync import ActionKind, CompareRule, Direction, SyncOptions

from .helpers import files_below, folders_below, plan_and_run


@pytest.fixture(params=["pyftpdlib", pytest.param("vsftpd", marks=pytest.mark.realserver)])
def server(request):
    if request.param == "pyftpdlib":
        return request.getfixturevalue("ftp_server")
    return request.getfixturevalue("make_debian_server")("vsftpd")


def make_tree(root, files: dict[str, bytes], age: float = 3600) -> None:
    """Files with their modification time ``age`` seconds in the past, writable by
    everyone (a Debian server runs as its own system account)."""
    stamp = time.time() - age
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (stamp, stamp))
    for folder, _dirs, names in os.walk(root):
        os.chmod(folder, 0o777)  # noqa: S103 - a test server's scratch folder
        for name in names:
            os.chmod(os.path.join(folder, name), 0o666)  # noqa: S103


REMOTE_FILES = {"a.txt": b"alpha\n", "sub/b.txt": b"bravo bravo\n", "sub/deep/c.bin": b"\x00" * 300,
                "skip.log": b"log\n"}


@pytest.mark.asyncio
async def test_download_with_delete_makes_the_local_folder_a_copy(server, bus, tmp_path):
    site = server.root / "site"
    make_tree(site, REMOTE_FILES)
    local = tmp_path / "parent" / "local"
    make_tree(local, {"a.txt": b"old", "stale.txt": b"x", "stale-dir/x.txt": b"y"})
    outside = tmp_path / "parent" / "outside.txt"
    outside.write_bytes(b"keep me")

    plan, run = await plan_and_run(server, bus, local, "site",
                                   SyncOptions(Direction.DOWNLOAD, CompareRule.SIZE, delete=True))
    kinds = {(a.kind, a.relpath) for a in plan.actions}
    assert (ActionKind.DOWNLOAD, "a.txt") in kinds  # size differs
    assert (ActionKind.DELETE_LOCAL, "stale-dir") in kinds
    assert not run.failed
    assert files_below(local) == REMOTE_FILES
    assert folders_below(local) == {"sub", "sub/deep"}
    assert outside.read_bytes() == b"keep me"
    assert files_below(site) == REMOTE_FILES  # a download never touches the server

    # a second run by size and by time finds nothing (times were kept on download)
    for rule in (CompareRule.SIZE, CompareRule.TIME, CompareRule.BOTH):
        again, _ = await plan_and_run(server, bus, local, "site",
                                      SyncOptions(Direction.DOWNLOAD, rule, delete=True),
                                      run=False)
        assert again.actions == [], rule


@pytest.mark.asyncio
async def test_download_without_delete_keeps_local_extras(server, bus, tmp_path):
    make_tree(server.root / "site", REMOTE_FILES)
    local = tmp_path / "local"
    make_tree(local, {"mine.txt": b"mine"})
    _, run = await plan_and_run(server, bus, local, "site", SyncOptions(Direction.DOWNLOAD))
    assert files_below(local) == {**REMOTE_FILES, "mine.txt": b"mine"}
    assert not run.failed


@pytest.mark.asyncio
async def test_upload_with_delete_and_filters(server, bus, tmp_path):
    site = server.root / "site"
    make_tree(site, {"old.txt": b"old", "gone/x.txt": b"x", "keep.cfg": b"cfg", "a.txt": b"a"})
    local = tmp_path / "local"
    make_tree(local, {"a.txt": b"a changed", "new/n.txt": b"new", "notes.tmp": b"tmp"})
    options = SyncOptions(Direction.UPLOAD, CompareRule.SIZE, delete=True,
                          exclude=("*.tmp", "*.cfg"))
    plan, run = await plan_and_run(server, bus, local, "site", options)
    assert not run.failed, run.failed
    assert files_below(site) == {"a.txt": b"a changed", "new/n.txt": b"new", "keep.cfg": b"cfg"}
    assert folders_below(site) == {"new"}
    assert files_below(local) == {"a.txt": b"a changed", "new/n.txt": b"new", "notes.tmp": b"tmp"}
    assert all(a.relpath not in ("keep.cfg", "notes.tmp") for a in plan.actions)


@pytest.mark.asyncio
async def test_both_ways_brings_each_side_the_other_sides_news(server, bus, tmp_path):
    site = server.root / "site"
    make_tree(site, {"theirs.txt": b"from the server", "common.txt": b"same"})
    local = tmp_path / "local"
    make_tree(local, {"ours.txt": b"from here", "common.txt": b"same"})
    _, run = await plan_and_run(server, bus, local, "site", SyncOptions(Direction.BOTH))
    expected = {"theirs.txt": b"from the server", "ours.txt": b"from here", "common.txt": b"same"}
    assert files_below(site) == expected
    assert files_below(local) == expected
    assert not run.failed


@pytest.mark.asyncio
async def test_copies_go_through_the_queue(ftp_server, bus, tmp_path):
    from client.engine.events import QueueJobChanged

    make_tree(ftp_server.root / "site", {"q1.txt": b"1", "q2.txt": b"22"})
    seen = []
    bus.subscribe(lambda e: seen.append(e) if isinstance(e, QueueJobChanged) else None)
    _, run = await plan_and_run(ftp_server, bus, tmp_path / "l", "site", SyncOptions())
    assert len(run.job_ids) == 2
    finals = {e.job.remote_path.rsplit("/", 1)[-1]: e.job.state for e in seen}
    assert finals == {"q1.txt": JobState.DONE, "q2.txt": JobState.DONE}


@pytest.mark.asyncio
async def test_a_queue_that_asks_about_existing_files_is_not_asked_again(ftp_server, bus,
                                                                         tmp_path):
    """The window's queue asks before overwriting; a synchronisation's copies were
    decided in its preview and overwrite without a second question."""
    from client.engine.queue import ExistsPolicy, TransferQueue
    from client.engine.session import FtpSession
    from client.engine.sync.execute import run_plan
    from client.engine.sync.prepare import prepare_plan

    from ..sessions import session_factory

    make_tree(ftp_server.root / "site", {"a.txt": b"server version"})
    local = tmp_path / "local"
    make_tree(local, {"a.txt": b"old"})
    asked = []

    async def ask(job, info):
        asked.append(job)
        raise AssertionError("asked")

    session = FtpSession(ftp_server.settings(), bus=bus)
    await session.connect()
    queue = TransferQueue(session_factory(ftp_server, bus), bus=bus,
                          exists_policy=ExistsPolicy.ASK, ask_exists=ask)
    try:
        remote = (await session.pwd()).rstrip("/") + "/site"
        plan = await prepare_plan(session, local, remote, SyncOptions())
        run = await run_plan(plan.actions, local_root=local, remote_root=remote, fs=session,
                             queue=queue)
        await queue.wait_idle()
        assert queue.job(run.job_ids[0]).state is JobState.DONE
    finally:
        await queue.close()
        await session.close()
    assert asked == []
    assert (local / "a.txt").read_bytes() == b"server version"
