"""Listings: MLSD when offered, LIST otherwise (LIST -a on request), unparsed lines
reported, MLST/parent-listing stat, and STAT listings over the control connection."""

from __future__ import annotations

import pytest
from fixtures.scripted_steps import transfer

from client.engine.errors import CommandFailedError
from client.engine.events import DataChannelEvent
from client.engine.remotefs import RemoteFileSystem
from client.engine.session import FtpSession
from client.protocol.listing import EntryKind

from .conftest import Recorder

FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)

UNIX_LISTING = (b"drwxr-xr-x 2 ftp ftp 4096 Jan 01 2024 docs\r\n"
                b"-rw-r--r-- 1 ftp ftp 12 Jan 01 2024 a.txt\r\n"
                b"\x1b[31m this is not a listing line\r\n")


@pytest.mark.asyncio
async def test_list_uses_list_without_mlsd_and_reports_unparsed(scripted_server, bus):
    recorder = Recorder(bus)
    server = scripted_server({"LIST": transfer(payload=UNIX_LISTING)})
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        result = await session.list("/pub")
    assert {e.name for e in result.entries} == {"docs", "a.txt"}
    assert len(result.unparsed) == 1
    assert "LIST /pub" in server.lines()
    notice = recorder.notices()[-1]
    assert "could not be parsed" in notice.text
    assert "\x1b" not in notice.text and "\\x1b" in notice.text
    assert recorder.of(DataChannelEvent)[0].command == "LIST /pub"


@pytest.mark.asyncio
async def test_list_hidden_sends_list_a(scripted_server, bus):
    server = scripted_server({"LIST": transfer(payload=UNIX_LISTING[:-40])})
    async with FtpSession(server.info.settings(list_hidden=True, **FAST), bus=bus) as session:
        await session.list()
    assert "LIST -a" in server.lines()


@pytest.mark.asyncio
async def test_mlsd_when_offered(ftp_server, bus):
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        assert session.features.mlst
        result = await session.list("docs")
        entry = await session.stat("hello.txt")
        missing = await session.stat("nope.txt")
    kinds = {e.name: e.kind for e in result.entries}
    assert kinds["nested"] is EntryKind.DIR and kinds["notes.md"] is EntryKind.FILE
    assert entry is not None and entry.size == len(b"Hello from the FTP Inspector test server.\r\nSecond line.\n")
    assert missing is None


@pytest.mark.asyncio
async def test_stat_falls_back_to_the_parent_listing(scripted_server, bus):
    server = scripted_server({"LIST": transfer(payload=UNIX_LISTING)})
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        entry = await session.stat("/pub/a.txt")
        assert entry is not None and entry.size == 12
        assert await session.stat("/pub/zzz") is None


@pytest.mark.asyncio
async def test_stat_listing_over_the_control_connection(scripted_server, bus):
    recorder = Recorder(bus)
    reply = (b"213-Status of /pub:\r\n"
             b"drwxr-xr-x 2 ftp ftp 4096 Jan 01 2024 docs\r\n"
             b"-rw-r--r-- 1 ftp ftp 12 Jan 01 2024 a.txt\r\n"
             b"213 End of status\r\n")
    server = scripted_server({"STAT": reply})
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        result = await session.stat_listing("/pub")
    assert {e.name for e in result.entries} == {"docs", "a.txt"}
    assert not recorder.of(DataChannelEvent)
    assert "STAT /pub" in server.lines()


@pytest.mark.asyncio
async def test_stat_listing_refused(scripted_server, bus):
    server = scripted_server({"STAT": b"502 STAT not implemented.\r\n"})
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(CommandFailedError) as caught:
            await session.stat_listing()
    assert caught.value.reply_code == 502


@pytest.mark.asyncio
async def test_stat_listing_against_pyftpdlib(ftp_server, bus):
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        result = await session.stat_listing("/")
    assert "hello.txt" in {e.name for e in result.entries}


def test_session_is_a_remote_filesystem(ftp_server):
    session = FtpSession(ftp_server.settings())
    assert isinstance(session, RemoteFileSystem)


@pytest.mark.asyncio
async def test_stat_listing_as_the_last_resort(scripted_server, bus):
    from fixtures.scripted_steps import pasv, unused_port

    recorder = Recorder(bus)
    reply = (b"213-Status of /pub:\r\n"
             b"-rw-r--r-- 1 ftp ftp 12 Jan 01 2024 a.txt\r\n"
             b"213 End of status\r\n")
    server = scripted_server({"PASV": pasv(port=unused_port()), "STAT": reply})
    settings = server.info.settings(use_epsv=False, stat_listing_fallback=True, **FAST)
    async with FtpSession(settings, bus=bus) as session:
        result = await session.list("/pub")
    assert [e.name for e in result.entries] == ["a.txt"]
    assert "STAT /pub" in server.lines()
    assert any("STAT instead" in n.text for n in recorder.notices("fallback"))
