"""Speed limits: the limiter's arithmetic, and real transfers against pyftpdlib paced to
the limit while the event loop keeps running.

Checked without timing the machine: a transfer is never faster than the limit (a busy
machine can only make it slower), and the waits the limiter asked for add up to no more
than the limit needs (the rest of the time is the machine's); the loop kept running
other callbacks meanwhile."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from client.engine.events import DataChannelEvent
from client.engine.ratelimit import (
    Direction,
    RateLimits,
    SpeedLimiter,
    TokenBucket,
    format_limit,
    parse_rate,
)
from client.engine.session import FtpSession

from .conftest import Recorder

LIMIT = 1024 * 1024  # 1 MiB/s: a transfer of 2.5 MiB takes about 2.5 s


def test_parse_rate_follows_curl_syntax():
    assert parse_rate("500K") == 500 * 1024
    assert parse_rate("2M") == 2 * 1024 * 1024
    assert parse_rate("1.5m") == int(1.5 * 1024 * 1024)
    assert parse_rate("1G") == 1024 ** 3
    assert parse_rate("100000") == 100000
    for bad in ("", "fast", "-5K", "0", "5T"):
        with pytest.raises(ValueError):
            parse_rate(bad)
    assert format_limit(500 * 1024) == "500K"
    assert format_limit(None) == "none"


def test_bucket_asks_to_wait_for_the_debt_and_follows_a_changed_rate():
    now = [0.0]
    rate = [1000]
    bucket = TokenBucket(lambda: rate[0], clock=lambda: now[0])
    assert bucket.take(500) == pytest.approx(0.5)
    now[0] = 0.5
    assert bucket.take(1000) == pytest.approx(1.0)
    rate[0] = None  # type: ignore[call-overload]
    assert bucket.take(10_000_000) == 0.0


def test_idle_time_does_not_save_up_a_burst():
    now = [0.0]
    bucket = TokenBucket(lambda: 1000, clock=lambda: now[0])
    now[0] = 100.0  # a long pause
    assert bucket.take(1000) > 0.85  # at most 0.1 s worth was kept


def test_limits_off_switch_keeps_numbers():
    limits = RateLimits(download_total=1000, upload_each=500, enabled=False)
    assert limits.total(Direction.DOWNLOAD) is None and not limits.any
    limiter = SpeedLimiter(limits)
    assert limiter.throttle(Direction.DOWNLOAD).limit is None
    limiter.limits = RateLimits(download_total=1000, download_each=400)
    assert limiter.throttle(Direction.DOWNLOAD).limit == 400


class RecordingLimiter(SpeedLimiter):
    """Adds up the waits its transfers were asked for."""

    def __init__(self, limits: RateLimits) -> None:
        super().__init__(limits)
        self.waited = 0.0

    def throttle(self, direction: Direction):  # noqa: ANN201 - a Throttle
        throttle = super().throttle(direction)
        moved = throttle.moved

        def recording(count: int) -> float:
            delay = moved(count)
            self.waited += delay
            return delay

        throttle.moved = recording  # type: ignore[method-assign]
        return throttle


def paced_to(limiter: RecordingLimiter, size: int, elapsed: float, limit: int) -> None:
    """Not faster than ``limit``, and never held back more than ``limit`` needs."""
    assert size / elapsed <= 1.1 * limit, f"{size / elapsed:.0f} B/s against {limit}"
    assert limiter.waited <= 1.05 * size / limit, (limiter.waited, size / limit)


def _serve(server, name: str, size: int) -> None:
    (server.root / name).write_bytes(os.urandom(size))


class Ticker:
    """A periodic callback: the largest gap between its runs shows whether anything
    held the event loop."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            self.gaps.append(now - last)
            last = now

    def __enter__(self) -> Ticker:
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@pytest.mark.asyncio
async def test_download_runs_at_the_per_transfer_limit(ftp_server, bus, tmp_path):
    size = int(2.5 * LIMIT)
    _serve(ftp_server, "paced.bin", size)
    recorder = Recorder(bus)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        session.limiter = limiter = RecordingLimiter(RateLimits(download_each=LIMIT))
        with Ticker() as ticker:
            started = time.monotonic()
            result = await session.download("paced.bin", tmp_path / "paced.bin")
            elapsed = time.monotonic() - started
    assert (tmp_path / "paced.bin").stat().st_size == size
    paced_to(limiter, size, elapsed, LIMIT)
    assert result.bytes_transferred == size
    # the loop kept turning: a 20 ms timer ran all along (a wait that blocked the loop
    # would have let it run a handful of times in the 2.5 s)
    assert len(ticker.gaps) > 20
    # the inspector's table learns the limit in effect
    limits = {e.rate_limit for e in recorder.of(DataChannelEvent) if e.command.startswith("RETR")}
    assert limits == {LIMIT}


@pytest.mark.asyncio
async def test_plain_upload_runs_at_the_limit(ftp_server, bus, tmp_path, upload_path):
    size = int(2.5 * LIMIT)
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(size))
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        session.limiter = limiter = RecordingLimiter(RateLimits(upload_total=LIMIT))
        started = time.monotonic()
        await session.upload(source, "upload/up.bin")
        elapsed = time.monotonic() - started
    assert (ftp_server.root / "upload" / "up.bin").read_bytes() == source.read_bytes()
    paced_to(limiter, size, elapsed, LIMIT)


@pytest.mark.asyncio
async def test_upload_over_tls_runs_at_the_limit(ftps_server, bus, tmp_path):
    size = 2 * LIMIT
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(size))
    async with FtpSession(ftps_server.settings(), bus=bus) as session:
        session.limiter = limiter = RecordingLimiter(RateLimits(upload_each=LIMIT))
        started = time.monotonic()
        await session.upload(source, "upload/tls.bin")
        elapsed = time.monotonic() - started
    assert (ftps_server.root / "upload" / "tls.bin").read_bytes() == source.read_bytes()
    paced_to(limiter, size, elapsed, LIMIT)


@pytest.mark.asyncio
async def test_upload_over_tls_in_pieces_larger_than_one_write_runs_at_the_limit(
        ftps_server, bus, tmp_path):
    """At 4 MiB/s a paced piece (50 ms of the limit, ~205 KiB) is more than one TLS
    write (128 KiB): the piece is written in parts and paced as one."""
    limit = 4 * LIMIT
    size = 2 * limit
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(size))
    async with FtpSession(ftps_server.settings(), bus=bus) as session:
        session.limiter = limiter = RecordingLimiter(RateLimits(upload_each=limit))
        started = time.monotonic()
        await session.upload(source, "upload/tls-fast.bin")
        elapsed = time.monotonic() - started
    assert (ftps_server.root / "upload" / "tls-fast.bin").read_bytes() == source.read_bytes()
    paced_to(limiter, size, elapsed, limit)


@pytest.mark.asyncio
async def test_global_limit_is_shared_by_two_transfers(ftp_server, bus, tmp_path):
    size = int(1.25 * LIMIT)
    _serve(ftp_server, "a.bin", size)
    _serve(ftp_server, "b.bin", size)
    limiter = RecordingLimiter(RateLimits(download_total=LIMIT))
    async with FtpSession(ftp_server.settings(), bus=bus) as one, \
            FtpSession(ftp_server.settings(), bus=bus) as two:
        one.limiter = two.limiter = limiter
        done: dict[str, float] = {}

        async def fetch(session: FtpSession, name: str) -> None:
            await session.download(name, tmp_path / name)
            done[name] = time.monotonic()

        started = time.monotonic()
        await asyncio.gather(fetch(one, "a.bin"), fetch(two, "b.bin"))
        elapsed = time.monotonic() - started
    assert 2 * size / elapsed <= 1.1 * LIMIT, f"{2 * size / elapsed:.0f} B/s together"
    # both ran side by side: the first to finish did not take the whole limit
    first = min(done.values()) - started
    assert first > 0.7 * elapsed


@pytest.mark.asyncio
async def test_limit_lifted_while_the_transfer_runs(ftp_server, bus, tmp_path):
    size = 8 * 1024 * 1024  # 80 s at the first limit
    _serve(ftp_server, "long.bin", size)
    limiter = SpeedLimiter(RateLimits(download_each=100 * 1024))
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        session.limiter = limiter
        task = asyncio.ensure_future(session.download("long.bin", tmp_path / "long.bin"))
        await asyncio.sleep(0.5)
        assert not task.done()
        limiter.limits = RateLimits(download_each=100 * 1024, enabled=False)
        await asyncio.wait_for(task, 30)
    assert (tmp_path / "long.bin").stat().st_size == size


@pytest.mark.asyncio
async def test_vsftpd_download_runs_at_the_global_limit(vsftpd_server, bus, tmp_path):
    size = 2 * LIMIT
    _serve(vsftpd_server, "paced.bin", size)
    async with FtpSession(vsftpd_server.settings(), bus=bus) as session:
        session.limiter = limiter = RecordingLimiter(RateLimits(download_total=LIMIT))
        started = time.monotonic()
        await session.download("paced.bin", tmp_path / "paced.bin")
        elapsed = time.monotonic() - started
    assert (tmp_path / "paced.bin").read_bytes() == (vsftpd_server.root / "paced.bin").read_bytes()
    paced_to(limiter, size, elapsed, LIMIT)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [200 * 1024, 700 * 1024])
async def test_limited_download_over_tls_keeps_every_byte_at_the_end(ftps_server, bus, tmp_path,
                                                                     size):
    """A limited download reads in small pieces; when the server's last bytes and its
    close arrive while reading is paused for the limit, the TLS layer reads once more
    into whatever buffer it is given and then shuts down: the buffer must hold all it
    has, or the file's end is lost (asyncio's TLS layer dropped the rest)."""
    _serve(ftps_server, "tls-paced.bin", size)
    async with FtpSession(ftps_server.settings(), bus=bus) as session:
        session.limiter = SpeedLimiter(RateLimits(download_each=256 * 1024))
        await session.download("tls-paced.bin", tmp_path / "tls-paced.bin")
    assert ((tmp_path / "tls-paced.bin").read_bytes()
            == (ftps_server.root / "tls-paced.bin").read_bytes())
