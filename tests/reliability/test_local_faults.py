"""Local and permission faults: a full disk, a read-only destination, a source file
deleted or truncated during its upload, and permission refused by a real server. Each
is a typed, explained error; the target is never replaced by a partial file; after the
disk has room again the download resumes from the .part and the sha256 matches."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from fixtures.scripted_steps import transfer

from client.engine.errors import CommandFailedError, LocalError
from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession

from .faults import BOUND, OLD_TARGET

BIG = os.urandom(3 * 1024 * 1024)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    """A 1 MiB tmpfs mounted for this test (root only), unmounted afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
                             str(mount_point)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'not root'})")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def remount(mount_point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount_point)], check=True)


@pytest.mark.asyncio
async def test_disk_full_is_a_local_error_then_resume_completes(ftp_server, small_tmpfs):
    ftp_server.write_file("big.bin", BIG)
    target = small_tmpfs / "big.bin"
    target.write_bytes(OLD_TARGET)
    async with FtpSession(ftp_server.settings(), bus=EventBus()) as session:
        with pytest.raises(LocalError) as caught:
            await asyncio.wait_for(session.download("big.bin", target), BOUND)
        assert "space" in str(caught.value).lower(), str(caught.value)
        assert target.read_bytes() == OLD_TARGET
        part = small_tmpfs / "big.bin.part"
        assert part.exists() and BIG.startswith(part.read_bytes())
        kept = part.stat().st_size
        assert kept > 0
        # The session survives a local error: the control connection is still in step.
        assert (await session.noop()).code == 200

        # Room again: the download resumes where the .part ends, and the file is exact.
        remount(small_tmpfs, "size=8m")
        result = await asyncio.wait_for(session.download("big.bin", target, resume=True),
                                        BOUND)
    assert result.resumed_from == kept
    assert sha256(target.read_bytes()) == sha256(BIG)
    assert not (small_tmpfs / "big.bin.part").exists()


@pytest.mark.asyncio
async def test_disk_full_in_the_queue_is_permanent_and_reported(ftp_server, small_tmpfs):
    ftp_server.write_file("big.bin", BIG)
    bus = EventBus()

    async def make() -> FtpSession:
        session = FtpSession(ftp_server.settings(), bus=bus)
        await session.connect()
        return session

    queue = TransferQueue(make, bus=bus, retries=3, retry_delay=0.05,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_download("big.bin", small_tmpfs / "big.bin")
        await asyncio.wait_for(queue.wait_idle(), BOUND)
    finally:
        await queue.close()
    job = queue.job(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1  # retrying cannot help
    assert "space" in (job.error or "").lower()
    assert not (small_tmpfs / "big.bin").exists()


@pytest.mark.asyncio
async def test_read_only_destination_is_a_local_error(ftp_server, small_tmpfs):
    """Root ignores permission bits, so a read-only mount stands in for 'permission
    denied locally': the write fails, and nothing is sent after the failure that
    would leave the server's state odd."""
    ftp_server.write_file("small.bin", b"x" * 10_000)
    target = small_tmpfs / "small.bin"
    target.write_bytes(OLD_TARGET)
    remount(small_tmpfs, "ro")
    try:
        async with FtpSession(ftp_server.settings(), bus=EventBus()) as session:
            with pytest.raises(LocalError) as caught:
                await asyncio.wait_for(session.download("small.bin", target), BOUND)
            assert str(small_tmpfs) in str(caught.value)
            assert (await session.noop()).code == 200
    finally:
        remount(small_tmpfs, "rw")
    assert target.read_bytes() == OLD_TARGET


def _upload_sabotage(source: Path, action: str):
    """A STOR step that reads 256 KiB, then deletes or truncates the client's source
    file, then reads the rest."""

    def stor(session, argument):
        session.send(b"150 Ok to send data.\r\n")
        sock = session.data.open(transfer())
        if sock is None:
            return
        received = bytearray()
        sabotaged = False
        while chunk := sock.recv(65536):
            received += chunk
            if not sabotaged and len(received) >= 256 * 1024:
                sabotaged = True
                if action == "delete":
                    source.unlink()
                else:
                    os.truncate(source, 300 * 1024)
                session.server.event(f"source {action}d after {len(received)} bytes")
        sock.close()
        session.server.uploads[argument] = bytes(received)
        session.send(b"226 Transfer complete.\r\n")

    return stor


@pytest.mark.asyncio
@pytest.mark.parametrize("action", ["delete", "truncate"])
async def test_source_changed_mid_upload(scripted_server, tmp_path, action):
    """Deleting a file being uploaded leaves its data readable through the open file
    (POSIX), so the upload completes with the original bytes. Truncating it is a local
    error that says so (not "the data connection stopped accepting data")."""
    source = tmp_path / "source.bin"
    original = os.urandom(8 * 1024 * 1024)
    source.write_bytes(original)
    server = scripted_server({"STOR": _upload_sabotage(source, action)})
    async with FtpSession(server.settings(data_timeout=2.0, control_timeout=2.0),
                          bus=EventBus()) as session:
        if action == "delete":
            result = await asyncio.wait_for(session.upload(source, "/source.bin"), BOUND)
            assert server.uploads["/source.bin"] == original
            assert result.bytes_transferred == len(original)
        else:
            with pytest.raises(LocalError) as caught:
                await asyncio.wait_for(session.upload(source, "/source.bin"), BOUND)
            assert "shrank" in str(caught.value) and str(source) in str(caught.value)
        # Either way the control connection is still in step.
        assert (await asyncio.wait_for(session.noop(), BOUND)).code == 200
    assert any(f"source {action}d" in event for event in server.events)


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_permission_denied_remotely_on_a_real_server(vsftpd_server, tmp_path):
    """vsftpd runs as the account that owns its tree, so modes are enforced there."""
    server = vsftpd_server
    locked_file = server.write_file("secret.bin", b"s" * 1000)
    locked_file.chmod(0o000)
    folder = server.write_file("locked/keep.txt", b"k").parent
    folder.chmod(0o555)
    source = tmp_path / "up.bin"
    source.write_bytes(b"u" * 1000)
    target = tmp_path / "secret.bin"
    target.write_bytes(OLD_TARGET)
    try:
        async with FtpSession(server.settings(), bus=EventBus()) as session:
            with pytest.raises(CommandFailedError) as refused_read:
                await asyncio.wait_for(session.download("secret.bin", target), BOUND)
            with pytest.raises(CommandFailedError) as refused_write:
                await asyncio.wait_for(session.upload(source, "locked/up.bin"), BOUND)
            assert (await session.noop()).code == 200
    finally:
        folder.chmod(0o755)
        locked_file.chmod(0o644)
    assert refused_read.value.reply_code // 100 == 5 and refused_write.value.reply_code // 100 == 5
    assert "550" in str(refused_read.value) or "553" in str(refused_read.value)
    assert target.read_bytes() == OLD_TARGET
    assert not (folder / "up.bin").exists()
