"""Every transfer mode against pyftpdlib: download, upload, resume, mkdir, rename, delete,
and the phase sequence each mode emits."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.sample_tree import BIG_FILE, BIG_FILE_SIZE, HELLO_TEXT, big_file_bytes, sha256_of

from client.engine.events import DataChannelEvent, ReplyReceived, SessionState, TransferProgress
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

from .conftest import Recorder

MODES = {
    "epsv": dict(mode=TransferMode.PASSIVE, use_epsv=True),
    "pasv": dict(mode=TransferMode.PASSIVE, use_epsv=False),
    "eprt": dict(mode=TransferMode.ACTIVE, use_eprt=True),
    "port": dict(mode=TransferMode.ACTIVE, use_eprt=False),
}
METHOD = {"epsv": "EPSV", "pasv": "PASV", "eprt": "EPRT", "port": "PORT"}


@pytest.fixture(params=sorted(MODES))
def mode_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.asyncio
async def test_download_upload_and_file_operations(ftp_server, bus, mode_name, tmp_path: Path):
    recorder = Recorder(bus)
    settings = ftp_server.settings(**MODES[mode_name])
    async with FtpSession(settings, bus=bus) as session:
        assert session.state is SessionState.READY
        assert await session.pwd() == "/"
        # download, byte-identical, through NAME.part
        target = tmp_path / "big.bin"
        result = await session.download(BIG_FILE, target)
        assert sha256_of(target) == sha256_of(big_file_bytes())
        assert result.bytes_transferred == BIG_FILE_SIZE
        assert result.total_size == BIG_FILE_SIZE
        assert not (tmp_path / "big.bin.part").exists()
        # upload, byte-identical on the server
        source = tmp_path / "up.bin"
        source.write_bytes(big_file_bytes()[: 300_000])
        await session.upload(source, "upload/up.bin")
        assert (ftp_server.root / "upload" / "up.bin").read_bytes() == source.read_bytes()
        # directory operations
        made = await session.mkdir("newdir")
        assert made == "/newdir"
        assert (ftp_server.root / "newdir").is_dir()
        await session.rename("upload/up.bin", "newdir/moved.bin")
        assert (ftp_server.root / "newdir" / "moved.bin").exists()
        await session.delete("newdir/moved.bin")
        await session.rmdir("newdir")
        assert not (ftp_server.root / "newdir").exists()
        assert await session.size(BIG_FILE) == BIG_FILE_SIZE
    methods = {e.method for e in recorder.of(DataChannelEvent)}
    assert methods == {METHOD[mode_name]}
    assert recorder.of(TransferProgress)[-1].done


@pytest.mark.asyncio
async def test_listing_in_every_mode(ftp_server, bus, mode_name):
    recorder = Recorder(bus)
    async with FtpSession(ftp_server.settings(**MODES[mode_name]), bus=bus) as session:
        listing = await session.list()
        names = {entry.name for entry in listing.entries}
        assert {"hello.txt", "docs", BIG_FILE, "name with spaces.txt"} <= names
        assert not listing.unparsed
    verbs = [r.reply.code for r in recorder.of(ReplyReceived)]
    assert 226 in verbs


@pytest.mark.asyncio
async def test_passive_phase_sequence(ftp_server, bus):
    recorder = Recorder(bus)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("hello.txt", Path(ftp_server.root.parent / "hello.copy"))
    phases = recorder.phases()
    assert phases == ["advertised", "connecting", "connected", "first-byte", "closed"]
    events = recorder.of(DataChannelEvent)
    assert all(e.initiator == "client" for e in events)
    assert events[-1].bytes == len(HELLO_TEXT)
    assert events[-1].command == "RETR hello.txt"
    assert events[2].remote is not None and events[2].remote.host == "127.0.0.1"


@pytest.mark.asyncio
async def test_active_phase_sequence(ftp_server, bus, tmp_path):
    recorder = Recorder(bus)
    settings = ftp_server.settings(mode=TransferMode.ACTIVE)
    async with FtpSession(settings, bus=bus) as session:
        await session.download("hello.txt", tmp_path / "hello.txt")
    phases = recorder.phases()
    assert phases == ["listening", "connected", "first-byte", "closed"]
    events = recorder.of(DataChannelEvent)
    assert all(e.initiator == "server" for e in events)
    listening = events[0]
    assert listening.advertised is not None and listening.advertised.host == "127.0.0.1"
    assert (tmp_path / "hello.txt").read_bytes() == HELLO_TEXT


@pytest.mark.asyncio
async def test_resume_download_after_a_cut(ftp_server, bus, mode_name, tmp_path):
    target = tmp_path / "big.bin"
    part = tmp_path / "big.bin.part"
    part.write_bytes(big_file_bytes()[:400_000])
    async with FtpSession(ftp_server.settings(**MODES[mode_name]), bus=bus) as session:
        result = await session.download(BIG_FILE, target, resume=True)
    assert result.resumed_from == 400_000
    assert result.bytes_transferred == BIG_FILE_SIZE - 400_000
    assert sha256_of(target) == sha256_of(big_file_bytes())
    assert not part.exists()


@pytest.mark.asyncio
async def test_resume_upload(ftp_server, bus, tmp_path):
    source = tmp_path / "src.bin"
    source.write_bytes(big_file_bytes())
    (ftp_server.root / "upload" / "src.bin").write_bytes(big_file_bytes()[:123_456])
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        result = await session.upload(source, "upload/src.bin", resume=True)
    assert result.resumed_from == 123_456
    assert (ftp_server.root / "upload" / "src.bin").read_bytes() == big_file_bytes()
