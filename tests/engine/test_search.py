"""Remote search against real servers: patterns (glob, case), size and date ranges,
depth limits, a folder that cannot be listed reported and skipped, and cancelling in
the middle of a walk (the session stays usable)."""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime

import pytest

from client.engine.errors import CommandFailedError
from client.engine.search import (
    FolderEntered,
    FolderFailed,
    SearchCriteria,
    SearchMatch,
    search_remote,
)
from client.engine.session import FtpSession

FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)


def _file(path, size: int, day: date | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    if day is not None:
        stamp = datetime(day.year, day.month, day.day, 12, 0).timestamp()
        os.utime(path, (stamp, stamp))


def make_tree(root) -> None:
    _file(root / "top.log", 10, date(2024, 1, 5))
    _file(root / "readme.TXT", 2000, date(2024, 3, 1))
    _file(root / "a" / "app.log", 500, date(2024, 2, 10))
    _file(root / "a" / "b" / "deep.log", 5000, date(2024, 6, 1))
    _file(root / "a" / "b" / "c" / "deeper.log", 50, date(2023, 12, 31))
    _file(root / "logs" / "Report.LOG", 1234, date(2024, 2, 29))
    (root / "logs.d").mkdir()


async def _collect(fs, root: str, criteria: SearchCriteria) -> tuple[list[str], list, list]:
    matches, failed, entered = [], [], []
    async for item in search_remote(fs, root, criteria):
        if isinstance(item, SearchMatch):
            matches.append(item.path)
        elif isinstance(item, FolderFailed):
            failed.append(item)
        elif isinstance(item, FolderEntered):
            entered.append(item)
    return sorted(matches), failed, entered


@pytest.fixture
def tree_server(make_ftp_server, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    make_tree(root)
    return make_ftp_server(root=root)


@pytest.mark.asyncio
async def test_patterns_are_globs_case_insensitive_unless_asked(tree_server, bus):
    async with FtpSession(tree_server.settings(**FAST), bus=bus) as session:
        found, failed, _ = await _collect(session, "/", SearchCriteria(pattern="*.log"))
        assert found == ["/a/app.log", "/a/b/c/deeper.log", "/a/b/deep.log",
                         "/logs/Report.LOG", "/top.log"]
        assert not failed
        found, _, _ = await _collect(session, "/", SearchCriteria(pattern="*.log",
                                                                  case_sensitive=True))
        assert "/logs/Report.LOG" not in found and "/top.log" in found
        found, _, _ = await _collect(session, "/", SearchCriteria(pattern="log?"))
        assert found == ["/logs"]  # folders match too ("logs.d" is not "log?")
        found, _, _ = await _collect(session, "/", SearchCriteria(pattern="log*",
                                                                  folders=False))
        assert found == []


@pytest.mark.asyncio
async def test_depth_limits_the_walk(tree_server, bus):
    async with FtpSession(tree_server.settings(**FAST), bus=bus) as session:
        found, _, entered = await _collect(session, "/", SearchCriteria(pattern="*.log",
                                                                        max_depth=0))
        assert found == ["/top.log"] and [e.folder for e in entered] == ["/"]
        found, _, entered = await _collect(session, "/", SearchCriteria(pattern="*.log",
                                                                        max_depth=1))
        assert found == ["/a/app.log", "/logs/Report.LOG", "/top.log"]
        assert max(e.depth for e in entered) == 1
        found, _, _ = await _collect(session, "/a", SearchCriteria(pattern="*.log",
                                                                   max_depth=1))
        assert found == ["/a/app.log", "/a/b/deep.log"]


@pytest.mark.asyncio
async def test_size_and_date_ranges(tree_server, bus):
    async with FtpSession(tree_server.settings(**FAST), bus=bus) as session:
        found, _, _ = await _collect(session, "/", SearchCriteria(min_size=500, max_size=2000))
        assert found == ["/a/app.log", "/logs/Report.LOG", "/readme.TXT"]
        found, _, _ = await _collect(session, "/", SearchCriteria(
            modified_from=date(2024, 2, 1), modified_to=date(2024, 3, 1), folders=False))
        assert found == ["/a/app.log", "/logs/Report.LOG", "/readme.TXT"]
        found, _, _ = await _collect(session, "/", SearchCriteria(
            pattern="*.log", modified_to=date(2024, 1, 31), max_size=20))
        assert found == ["/top.log"]


@pytest.mark.asyncio
async def test_cancel_in_the_middle_of_a_walk_leaves_the_session_usable(tree_server, bus):
    async with FtpSession(tree_server.settings(**FAST), bus=bus) as session:
        entered: list[str] = []

        async def walk() -> None:
            async for item in search_remote(session, "/", SearchCriteria()):
                if isinstance(item, FolderEntered):
                    entered.append(item.folder)
                    if len(entered) == 3:
                        await asyncio.sleep(3600)  # a person presses Cancel now

        task = asyncio.ensure_future(walk())
        while len(entered) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert len(entered) == 3  # the rest of the tree was never listed
        names = {e.name for e in (await session.list("/")).entries}
        assert "top.log" in names


@pytest.mark.asyncio
async def test_a_folder_that_cannot_be_listed_is_reported_and_skipped(vsftpd_server, bus):
    root = vsftpd_server.root
    uid, gid = vsftpd_server.owner
    for folder, name in (("open", "found.log"), ("closed", "hidden.log")):
        (root / folder).mkdir()
        (root / folder / name).write_bytes(b"x")
        os.chown(root / folder, uid, gid)
        os.chown(root / folder / name, uid, gid)
    os.chmod(root / "closed", 0o000)
    try:
        async with FtpSession(vsftpd_server.settings(**FAST), bus=bus) as session:
            found, failed, _ = await _collect(session, "/", SearchCriteria(pattern="*.log"))
            assert found == ["/open/found.log"]
            assert [f.folder for f in failed] == ["/closed"]
            assert "permission denied" in failed[0].message
            # below a folder it may not enter, vsftpd sends "226 Transfer done (but failed
            # to open directory)" and no listing: a refusal, not an empty folder
            with pytest.raises(CommandFailedError, match="could not open the folder"):
                await session.list("/closed/inner")
    finally:
        os.chmod(root / "closed", 0o755)


def test_a_negative_depth_is_refused():
    with pytest.raises(ValueError, match="depth"):
        SearchCriteria(max_depth=-1)
