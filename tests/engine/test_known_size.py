"""A download given the size a listing reported skips SIZE; when the file changed since
the listing, the server is asked SIZE after all and the download is judged by that."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.engine.events import LineSent
from client.engine.session import FtpSession


def _sent(bus) -> list[str]:
    lines: list[str] = []
    bus.subscribe(lambda event: lines.append(event.text) if isinstance(event, LineSent)
                  else None)
    return lines


@pytest.mark.asyncio
async def test_the_listed_size_spares_the_size_command(ftp_server, bus, tmp_path: Path):
    data = b"x" * 5000
    ftp_server.write_file("listed.bin", data)
    sent = _sent(bus)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        result = await session.download("listed.bin", tmp_path / "listed.bin",
                                        known_size=len(data), preserve_time=False)
    assert (tmp_path / "listed.bin").read_bytes() == data
    assert result.total_size == len(data)
    assert not [line for line in sent if line.startswith("SIZE")]


@pytest.mark.asyncio
async def test_a_file_that_grew_since_the_listing_is_downloaded_whole(ftp_server, bus,
                                                                    tmp_path: Path):
    data = b"y" * 7000
    ftp_server.write_file("grown.bin", data)
    sent = _sent(bus)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("grown.bin", tmp_path / "grown.bin", known_size=3000,
                               preserve_time=False)
    assert (tmp_path / "grown.bin").read_bytes() == data
    assert [line for line in sent if line.startswith("SIZE")] == ["SIZE grown.bin"]


@pytest.mark.asyncio
async def test_a_file_that_shrank_since_the_listing_is_judged_by_its_size_now(
        ftp_server, bus, tmp_path: Path):
    ftp_server.write_file("shrunk.bin", b"z" * 4000)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        result = await session.download("shrunk.bin", tmp_path / "shrunk.bin",
                                        known_size=9000, preserve_time=False)
    assert (tmp_path / "shrunk.bin").read_bytes() == b"z" * 4000
    assert result.total_size == 4000


@pytest.mark.asyncio
async def test_resume_ignores_the_listed_size(ftp_server, bus, tmp_path: Path):
    """A .part as long as a stale listed size must not pass for a finished download."""
    ftp_server.write_file("resumed.bin", b"r" * 6000)
    (tmp_path / "resumed.bin.part").write_bytes(b"r" * 2000)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("resumed.bin", tmp_path / "resumed.bin", resume=True,
                               known_size=2000, preserve_time=False)
    assert (tmp_path / "resumed.bin").read_bytes() == b"r" * 6000
