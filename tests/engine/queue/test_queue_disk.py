"""A full disk: the job fails at once (no retry can make room), with the reason, and the
target is never created from a partial file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 64 KiB tmpfs (root only; skipped where mounting is not allowed)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs",
                           str(mount_point)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.asyncio
async def test_disk_full_fails_without_retry_and_keeps_the_target(ftp_server, tmp_path,
                                                                  small_disk):
    bus = EventBus()
    ftp_server.write_file("big.bin", b"b" * 400_000)
    (small_disk / "big.bin").write_bytes(b"old")

    async def make() -> FtpSession:
        session = FtpSession(ftp_server.settings(data_timeout=2.0, control_timeout=2.0),
                             bus=bus)
        await session.connect()
        return session

    queue = TransferQueue(make, bus=bus, retry_delay=0.05, exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_download("/big.bin", small_disk / "big.bin")
        await queue.wait_idle()
    finally:
        await queue.close()
    job = queue.job(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "space" in (job.error or "").lower()
    assert (small_disk / "big.bin").read_bytes() == b"old"
