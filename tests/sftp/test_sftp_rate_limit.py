"""Speed limits over SFTP, as over FTP: a download and an upload against OpenSSH's sshd
run within 10 % of the limit (the window's limits and ``--limit-rate`` apply to every
session of the process), and the event loop keeps turning meanwhile."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from client.engine.ratelimit import RateLimits, SpeedLimiter

pytestmark = pytest.mark.asyncio

LIMIT = 1024 * 1024  # 1 MiB/s: 2.5 MiB take about 2.5 s


async def _ticking(work):
    """Run ``work`` while a 20 ms timer records the largest gap between its runs."""
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.ensure_future(tick())
    try:
        started = time.monotonic()
        await work
        return time.monotonic() - started, gaps
    finally:
        ticker.cancel()


async def test_sftp_download_runs_at_the_per_transfer_limit(make_session, sshd_server,
                                                            tmp_path) -> None:
    size = int(2.5 * LIMIT)
    (sshd_server.root / "paced.bin").write_bytes(os.urandom(size))
    sshd_server.own()
    async with make_session() as session:
        session.limiter = SpeedLimiter(RateLimits(download_each=LIMIT))
        elapsed, gaps = await _ticking(session.download("paced.bin", tmp_path / "paced.bin"))
    assert (tmp_path / "paced.bin").read_bytes() == (sshd_server.root / "paced.bin").read_bytes()
    rate = size / elapsed
    assert 0.9 * LIMIT <= rate <= 1.1 * LIMIT, f"{rate:.0f} B/s against a limit of {LIMIT}"
    assert len(gaps) > 20 and max(gaps) < 0.5


async def test_sftp_upload_runs_at_the_total_limit(make_session, sshd_server,
                                                   tmp_path) -> None:
    size = int(2.5 * LIMIT)
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(size))
    async with make_session() as session:
        session.limiter = SpeedLimiter(RateLimits(upload_total=LIMIT))
        elapsed, _gaps = await _ticking(session.upload(source, "up.bin"))
    assert (sshd_server.root / "up.bin").read_bytes() == source.read_bytes()
    rate = size / elapsed
    assert 0.9 * LIMIT <= rate <= 1.1 * LIMIT, f"{rate:.0f} B/s against a limit of {LIMIT}"


async def test_without_a_limit_nothing_waits(make_session, sshd_server, tmp_path) -> None:
    """No limit: the usual blocks and requests in flight (the limiter only counts)."""
    (sshd_server.root / "free.bin").write_bytes(os.urandom(LIMIT))
    sshd_server.own()
    async with make_session() as session:
        session.limiter = SpeedLimiter(RateLimits())
        await session.download("free.bin", tmp_path / "free.bin")
    assert (tmp_path / "free.bin").stat().st_size == LIMIT
