"""The modification time MLSD listed (exact to the second) replaces MDTM in a folder
download and is set on the local file; MDTM is still asked when that time may be stale
(the file changed since the listing, or a resume)."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import pytest

from client.engine.events import LineSent, ReplyReceived
from client.engine.queue import JobState, TransferQueue
from client.engine.session import FtpSession

from .sessions import session_factory

STAMP = _dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=_dt.UTC)


def _sent(bus) -> list[str]:
    lines: list[str] = []
    bus.subscribe(lambda event: lines.append(event.text) if isinstance(event, LineSent)
                  else None)
    return lines


def _served(server, relative: str, data: bytes, when: _dt.datetime) -> None:
    path = server.write_file(relative, data)
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.mark.asyncio
async def test_tree_download_takes_times_from_mlsd_and_sends_no_mdtm(ftp_server, bus,
                                                                    tmp_path: Path):
    for i in range(3):
        _served(ftp_server, f"timed/f{i}.txt", b"t" * (100 * i + 1),
                STAMP + _dt.timedelta(seconds=i))
    sent = _sent(bus)
    queue = TransferQueue(session_factory(ftp_server, bus, data_timeout=2.0, control_timeout=2.0), bus=bus,
                          concurrency=2)
    try:
        ids = await queue.add_download_tree("/timed", tmp_path / "copy")
        await queue.wait_idle()
        assert {queue.job(i).state for i in ids} == {JobState.DONE}
    finally:
        await queue.close()
    assert any(line.startswith("MLSD") for line in sent)
    assert not [line for line in sent if line.startswith(("MDTM", "SIZE"))]
    for i in range(3):
        local = tmp_path / "copy" / f"f{i}.txt"
        assert local.read_bytes() == b"t" * (100 * i + 1)
        assert local.stat().st_mtime == (STAMP + _dt.timedelta(seconds=i)).timestamp()
        assert not local.with_name(local.name + ".part").exists()


@pytest.mark.asyncio
async def test_listed_time_is_used_without_mdtm(ftp_server, bus, tmp_path: Path):
    _served(ftp_server, "one.txt", b"1" * 50, STAMP)
    sent = _sent(bus)
    listed = STAMP - _dt.timedelta(days=1)  # what the listing said: it wins, no MDTM
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("one.txt", tmp_path / "one.txt", known_size=50,
                               known_mtime=listed)
    assert not [line for line in sent if line.startswith("MDTM")]
    assert (tmp_path / "one.txt").stat().st_mtime == listed.timestamp()


@pytest.mark.asyncio
async def test_a_file_changed_since_the_listing_gets_its_time_from_mdtm(ftp_server, bus,
                                                                       tmp_path: Path):
    _served(ftp_server, "grown.txt", b"g" * 900, STAMP)
    sent = _sent(bus)
    stale = STAMP - _dt.timedelta(days=1)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("grown.txt", tmp_path / "grown.txt", known_size=300,
                               known_mtime=stale)
    assert [line for line in sent if line.startswith("MDTM")] == ["MDTM grown.txt"]
    assert (tmp_path / "grown.txt").stat().st_mtime == STAMP.timestamp()


@pytest.mark.asyncio
async def test_resume_asks_mdtm_despite_a_listed_time(ftp_server, bus, tmp_path: Path):
    _served(ftp_server, "part.txt", b"p" * 800, STAMP)
    (tmp_path / "part.txt.part").write_bytes(b"p" * 200)
    sent = _sent(bus)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("part.txt", tmp_path / "part.txt", resume=True,
                               known_size=800, known_mtime=STAMP - _dt.timedelta(days=1))
    assert [line for line in sent if line.startswith("MDTM")] == ["MDTM part.txt"]
    assert (tmp_path / "part.txt").read_bytes() == b"p" * 800
    assert (tmp_path / "part.txt").stat().st_mtime == STAMP.timestamp()


@pytest.mark.asyncio
async def test_naive_listed_time_is_not_trusted(ftp_server, bus, tmp_path: Path):
    """A time without a zone (a LIST line's local time) never replaces MDTM."""
    _served(ftp_server, "naive.txt", b"n" * 10, STAMP)
    sent = _sent(bus)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("naive.txt", tmp_path / "naive.txt", known_size=10,
                               known_mtime=_dt.datetime(2000, 1, 1))
    assert [line for line in sent if line.startswith("MDTM")] == ["MDTM naive.txt"]
    assert (tmp_path / "naive.txt").stat().st_mtime == STAMP.timestamp()


@pytest.mark.asyncio
async def test_tree_download_makes_no_thread_hop_per_file(ftp_server, bus, tmp_path: Path,
                                                          monkeypatch):
    """The local checks of each file run on the loop; only the tree's setup (folders,
    case probe) goes through a worker thread, however many files there are."""
    import asyncio

    for i in range(8):
        ftp_server.write_file(f"hops/sub/f{i}.txt", b"h" * i)
    hops: list[str] = []
    real = asyncio.to_thread

    async def counting(func, /, *args, **kwargs):
        hops.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting)
    queue = TransferQueue(session_factory(ftp_server, bus, data_timeout=2.0, control_timeout=2.0), bus=bus,
                          concurrency=2)
    try:
        ids = await queue.add_download_tree("/hops", tmp_path / "copy")
        await queue.wait_idle()
        assert {queue.job(i).state for i in ids} == {JobState.DONE}
    finally:
        await queue.close()
    assert "prepare_download_target" not in hops
    assert len(hops) <= 3, hops
    for i in range(8):
        assert (tmp_path / "copy" / "sub" / f"f{i}.txt").read_bytes() == b"h" * i


@pytest.mark.asyncio
async def test_download_into_a_missing_folder_creates_it(ftp_server, bus, tmp_path: Path):
    ftp_server.write_file("deep.txt", b"d" * 20)
    target = tmp_path / "a" / "b" / "deep.txt"
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("deep.txt", target)
    assert target.read_bytes() == b"d" * 20
    assert not target.with_name("deep.txt.part").exists()


@pytest.mark.asyncio
async def test_tree_from_a_list_only_server_asks_mdtm_pipelined_before_the_downloads(
        vsftpd_server, bus, tmp_path: Path):
    """vsftpd lists with ``ls -l`` dates (minutes at best): the walk asks every file's
    MDTM at once, a window of commands before the first reply, and no download asks
    MDTM again; the local times are the server's, to the second."""
    folder = vsftpd_server.root / "timed"
    folder.mkdir()
    for i in range(5):
        path = folder / f"f{i}.txt"
        path.write_bytes(b"x" * (i + 1))
        os.chmod(path, 0o644)
        stamp = (STAMP + _dt.timedelta(seconds=i)).timestamp()
        os.utime(path, (stamp, stamp))
    order: list[str] = []
    bus.subscribe(lambda event: order.append(
        f"> {event.text}" if isinstance(event, LineSent)
        else f"< {event.reply.code}" if isinstance(event, ReplyReceived) else ""))
    queue = TransferQueue(session_factory(vsftpd_server, bus), bus=bus, concurrency=2)
    try:
        ids = await queue.add_download_tree("/timed", tmp_path / "copy")
        await queue.wait_idle()
        assert {queue.job(i).state for i in ids} == {JobState.DONE}
    finally:
        await queue.close()
    lines = [line for line in order if line]
    mdtm = [index for index, line in enumerate(lines) if line.startswith("> MDTM")]
    assert len(mdtm) == 5 and mdtm == list(range(mdtm[0], mdtm[0] + 5))  # sent together
    assert lines[mdtm[-1] + 1:mdtm[-1] + 6] == ["< 213"] * 5
    first_retr = next(i for i, line in enumerate(lines) if line.startswith("> RETR"))
    assert mdtm[-1] < first_retr
    for i in range(5):
        local = tmp_path / "copy" / f"f{i}.txt"
        assert local.read_bytes() == b"x" * (i + 1)
        assert local.stat().st_mtime == (STAMP + _dt.timedelta(seconds=i)).timestamp()


@pytest.mark.asyncio
async def test_pipelined_mdtm_gets_every_answer_in_order_from_every_server(real_server, bus):
    """More names than one window, a missing one among them: each server answers a
    stream of commands one by one, and each answer lands with its own name."""
    names = [f"p{i:02d}.txt" for i in range(40)]
    for i, name in enumerate(names):
        path = real_server.root / name
        path.write_bytes(b"p")
        os.chmod(path, 0o644)
        stamp = (STAMP + _dt.timedelta(minutes=i)).timestamp()
        os.utime(path, (stamp, stamp))
    asked = [*names[:20], "missing.txt", *names[20:]]
    async with FtpSession(real_server.settings(), bus=bus) as session:
        times = await session.mdtm_many(asked)
        assert await session.mdtm(names[0]) == STAMP  # the connection is in step after it
    expected = [STAMP + _dt.timedelta(minutes=i) for i in range(40)]
    assert times == [*expected[:20], None, *expected[20:]]
