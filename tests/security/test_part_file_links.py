"""The ``.part`` file a download writes is never a link or a device planted beside the
destination: a symbolic link named ``dest.part`` (say in a shared folder such as /tmp)
must not redirect the download's bytes — or its truncation — onto the file it points at,
and a FIFO must not block the event loop."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from client.engine.errors import LocalError
from client.engine.localpaths import prepare_download_target
from client.engine.session import FtpSession


@pytest.mark.asyncio
async def test_a_planted_part_link_is_refused_and_its_target_untouched(ftp_server, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    dest = tmp_path / "out" / "hello.txt"
    dest.parent.mkdir()
    (dest.parent / "hello.txt.part").symlink_to(victim)
    async with FtpSession(ftp_server.settings()) as session:
        with pytest.raises(LocalError) as caught:
            await session.download("hello.txt", dest)
        assert "link" in str(caught.value)
        # the session is still usable after the refusal
        await session.download("hello.txt", dest.parent / "again.txt")
    assert victim.read_bytes() == b"precious"
    assert not dest.exists()
    assert (dest.parent / "again.txt").read_bytes() == (ftp_server.root / "hello.txt").read_bytes()


@pytest.mark.asyncio
async def test_a_part_fifo_is_refused_without_blocking(ftp_server, tmp_path):
    dest = tmp_path / "hello.txt"
    os.mkfifo(dest.parent / "hello.txt.part")
    async with FtpSession(ftp_server.settings()) as session:
        with pytest.raises(LocalError):
            await asyncio.wait_for(session.download("hello.txt", dest), 10)
    assert not dest.exists()


def test_prepare_download_target_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.bin.part")
    with pytest.raises(LocalError):
        prepare_download_target(tmp_path, tmp_path / "f.bin")


@pytest.mark.asyncio
async def test_uploading_a_fifo_is_refused_without_blocking(ftp_server, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    async with FtpSession(ftp_server.settings()) as session:
        with pytest.raises(LocalError) as caught:
            await asyncio.wait_for(session.upload(fifo, "upload/pipe"), 10)
        assert "not a regular file" in str(caught.value)
    assert not (ftp_server.root / "upload" / "pipe").exists()
