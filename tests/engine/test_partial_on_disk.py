"""What a download has received is on disk within about a second, not only when a
buffer fills: a slow transfer (a speed limit, a slow server) killed with the app would
otherwise leave an empty ``.part`` and resume from zero."""

from __future__ import annotations

import asyncio
import os

import pytest

from client.engine.ratelimit import RateLimits, SpeedLimiter
from client.engine.session import FtpSession


@pytest.mark.asyncio
async def test_a_slow_download_keeps_its_part_file_growing(ftp_server, bus, tmp_path):
    size = 2 * 1024 * 1024  # fits one buffer: before, nothing reached the disk until the end
    (ftp_server.root / "slow.bin").write_bytes(os.urandom(size))
    target = tmp_path / "slow.bin"
    part = tmp_path / "slow.bin.part"
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        session.limiter = SpeedLimiter(RateLimits(download_each=64 * 1024))  # ~32 s in all
        task = asyncio.ensure_future(session.download("slow.bin", target))
        try:
            for _ in range(100):  # up to 10 s
                await asyncio.sleep(0.1)
                if part.exists() and part.stat().st_size > 0:
                    break
            assert not task.done()
            assert part.stat().st_size > 0, "nothing received reached the .part file"
            on_disk = part.read_bytes()
            assert on_disk == (ftp_server.root / "slow.bin").read_bytes()[:len(on_disk)]
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert not target.exists()
