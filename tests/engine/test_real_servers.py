"""Every mode against every real server (pyftpdlib, vsftpd, pure-ftpd, proftpd): list,
download, upload, resume, mkdir, rename, delete; FTPS session reuse against vsftpd."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures.sample_tree import BIG_FILE, BIG_FILE_SIZE, big_file_bytes, sha256_of

from client.engine.data import stream as datastream
from client.engine.errors import DataChannelError
from client.engine.events import DataChannelEvent, DataFailure, TlsEstablished, TransferProgress
from client.engine.session import FtpSession
from client.engine.settings import TransferMode
from client.protocol.addresses import PasvPolicy

from .conftest import Recorder

MODES = {
    "epsv": dict(mode=TransferMode.PASSIVE, use_epsv=True),
    "pasv": dict(mode=TransferMode.PASSIVE, use_epsv=False),
    "eprt": dict(mode=TransferMode.ACTIVE, use_eprt=True),
    "port": dict(mode=TransferMode.ACTIVE, use_eprt=False),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode_name", sorted(MODES))
async def test_everything_in_every_mode(real_server, bus, mode_name, tmp_path: Path):
    recorder = Recorder(bus)
    settings = real_server.settings(**MODES[mode_name])
    async with FtpSession(settings, bus=bus) as session:
        listing = await session.list()
        names = {entry.name for entry in listing.entries}
        assert {"hello.txt", "docs", BIG_FILE} <= names

        target = tmp_path / "big.bin"
        await session.download(BIG_FILE, target)
        assert sha256_of(target) == sha256_of(big_file_bytes())

        # resume after a cut: a .part holding the first 300,000 bytes
        resumed = tmp_path / "resumed.bin"
        (tmp_path / "resumed.bin.part").write_bytes(big_file_bytes()[:300_000])
        result = await session.download(BIG_FILE, resumed, resume=True)
        assert result.resumed_from == 300_000
        assert sha256_of(resumed) == sha256_of(big_file_bytes())

        source = tmp_path / "up.bin"
        source.write_bytes(big_file_bytes()[:200_000])
        await session.upload(source, "upload/up.bin")
        assert (real_server.root / "upload" / "up.bin").read_bytes() == source.read_bytes()

        made = await session.mkdir("fresh")
        assert made.rstrip("/").endswith("fresh")
        await session.rename("upload/up.bin", "fresh/moved.bin")
        assert await session.size("fresh/moved.bin") == 200_000
        await session.delete("fresh/moved.bin")
        await session.rmdir("fresh")
        after = {entry.name for entry in (await session.list()).entries}
        assert "fresh" not in after
        assert await session.size(BIG_FILE) == BIG_FILE_SIZE
    assert recorder.of(DataChannelEvent)


@pytest.mark.asyncio
@pytest.mark.realserver
@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
async def test_vsftpd_ftps_requires_and_gets_session_reuse(vsftpd_ftps_server, bus, mode,
                                                          tmp_path: Path):
    recorder = Recorder(bus)
    async with FtpSession(vsftpd_ftps_server.settings(mode=mode), bus=bus) as session:
        await session.list()
        await session.download(BIG_FILE, tmp_path / "big.bin")
        source = tmp_path / "up.bin"
        source.write_bytes(b"q" * 50_000)
        await session.upload(source, "upload/up.bin")
    assert sha256_of(tmp_path / "big.bin") == sha256_of(big_file_bytes())
    data = [e for e in recorder.of(TlsEstablished) if e.channel is not None]
    assert len(data) >= 3 and all(e.session_reused for e in data)


@pytest.mark.asyncio
@pytest.mark.realserver
async def test_vsftpd_ftps_upload_larger_than_one_read_arrives_byte_for_byte(
        vsftpd_ftps_server, bus, tmp_path: Path):
    """TLS uploads read the file 2 MiB per hop and hand it to TLS 128 KiB per write:
    a file spanning several reads and ending inside a write arrives whole, in order,
    with progress counted up to its size."""
    recorder = Recorder(bus)
    data = os.urandom(5 * 1024 * 1024 + 128 * 1024 + 777)
    source = tmp_path / "tls-big.bin"
    source.write_bytes(data)
    async with FtpSession(vsftpd_ftps_server.settings(), bus=bus) as session:
        result = await session.upload(source, "upload/tls-big.bin")
    assert result.bytes_transferred == len(data)
    assert (vsftpd_ftps_server.root / "upload" / "tls-big.bin").read_bytes() == data
    progress = [e.bytes_done for e in recorder.of(TransferProgress)]
    assert progress == sorted(progress) and progress[-1] == len(data)
    data_tls = [e for e in recorder.of(TlsEstablished) if e.channel is not None]
    assert data_tls and all(e.session_reused for e in data_tls)


@pytest.mark.asyncio
@pytest.mark.realserver
async def test_vsftpd_ftps_download_of_more_than_every_buffer_arrives_byte_for_byte(
        vsftpd_ftps_server, bus, tmp_path: Path):
    """Downloads go through a few large buffers to the writer thread: a file of more
    than all of them together (each buffer reused) arrives whole through the .part."""
    recorder = Recorder(bus)
    data = os.urandom(datastream._BUFFER_SIZE * datastream._BUFFER_COUNT + 4321)
    served = vsftpd_ftps_server.root / "nine.bin"
    served.write_bytes(data)
    served.chmod(0o644)
    target = tmp_path / "nine.bin"
    async with FtpSession(vsftpd_ftps_server.settings(), bus=bus) as session:
        await session.download("nine.bin", target)
    assert target.read_bytes() == data
    assert not list(tmp_path.glob("*.part"))
    progress = [e.bytes_done for e in recorder.of(TransferProgress)]
    assert progress == sorted(progress) and progress[-1] == len(data)


@pytest.mark.asyncio
@pytest.mark.realserver
async def test_vsftpd_without_reuse_reports_tls_failure(vsftpd_ftps_server, bus, tmp_path):
    settings = vsftpd_ftps_server.settings(data_timeout=2.0, control_timeout=2.0)
    session = FtpSession(settings, bus=bus)
    await session.connect()
    session.control_context.session_source = None  # what a client without reuse does
    with pytest.raises(DataChannelError) as caught:
        await session.download("hello.txt", tmp_path / "hello.txt")
    assert caught.value.failure is DataFailure.TLS_FAILED
    assert caught.value.reply_code == 522
    await session.close()


@pytest.mark.asyncio
@pytest.mark.realserver
async def test_proftpd_masquerade_lists_by_default_and_names_the_advertised_address(
        proftpd_masquerade_server, bus):
    # The default policy dials the control peer (as curl does) and says what the 227 said.
    recorder = Recorder(bus)
    settings = proftpd_masquerade_server.settings(data_timeout=2.0)
    async with FtpSession(settings, bus=bus) as session:
        listing = await session.list()
    assert listing.entries
    said = [n.text for n in recorder.notices("substitution")]
    assert any("127.0.0.2" in text and "dialling the control peer 127.0.0.1" in text
               for text in said), said


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_proftpd_masquerade_refused_then_fallback(proftpd_masquerade_server, bus, tmp_path):
    recorder = Recorder(bus)
    settings = proftpd_masquerade_server.settings(use_epsv=False, data_timeout=2.0,
                                                  pasv_policy=PasvPolicy.ADVERTISED)
    async with FtpSession(settings, bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.list()
        assert caught.value.failure is DataFailure.REFUSED
        assert caught.value.remote is not None and caught.value.remote.host == "127.0.0.2"
    async with FtpSession(settings.replace(fallback=True), bus=bus) as session:
        listing = await session.list()
        assert listing.entries
        assert session.mode is TransferMode.ACTIVE
    assert recorder.notices("fallback")
