"""No file descriptors, threads or tasks left behind after many transfers and failures."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from fixtures.process_stats import open_fds
from fixtures.sample_tree import BIG_FILE
from fixtures.scripted_steps import pasv, transfer, unused_port

from client.engine.errors import DataChannelError
from client.engine.session import FtpSession
from client.engine.settings import TransferMode


async def settle(baseline_fds: int, baseline_threads: int) -> tuple[int, int]:
    """Let servers' threads notice closed connections (bounded wait, not a timing test)."""
    for _ in range(750):  # up to 15 s on a loaded machine; a real leak stays above
        if open_fds() <= baseline_fds and threading.active_count() <= baseline_threads:
            break
        await asyncio.sleep(0.02)
    return open_fds(), threading.active_count()


@pytest.mark.asyncio
async def test_no_leaks_after_many_transfers(ftp_server, scripted_server, tmp_path: Path):
    failing = scripted_server({"PASV": pasv(port=unused_port()),
                               "RETR": transfer(payload=b"x" * 10, ending="reset", final=None)})
    source = tmp_path / "up.bin"
    source.write_bytes(b"u" * 100_000)
    # warm up once so lazily created resources (executor threads, caches) exist
    async with FtpSession(ftp_server.settings()) as session:
        await session.download("hello.txt", tmp_path / "warm.txt")
        await session.upload(source, "upload/warm.bin")  # reads in the executor's thread
    fds, threads = open_fds(), threading.active_count()
    tasks = len(asyncio.all_tasks())
    for round_ in range(3):
        for mode in (TransferMode.PASSIVE, TransferMode.ACTIVE):
            async with FtpSession(ftp_server.settings(mode=mode)) as session:
                await session.list()
                await session.download(BIG_FILE, tmp_path / f"big{round_}.bin")
                await session.upload(source, f"upload/up{round_}.bin")
        async with FtpSession(failing.info.settings(data_timeout=15.0, control_timeout=15.0)) as s:
            with pytest.raises(DataChannelError):
                await s.download("f", tmp_path / "f.bin")
            with pytest.raises(DataChannelError):
                await s.download("f", tmp_path / "f.bin")  # reset again, same session
    after_fds, after_threads = await settle(fds, threads)
    assert after_fds <= fds
    assert after_threads <= threads
    assert len(asyncio.all_tasks()) <= tasks
