"""Big FTPS downloads whose TLS and file writes run in a worker thread
(:mod:`client.engine.data.threaded_tls`): the same bytes, phases, failure classes,
resume and abort as the loop's path, and the session reuse vsftpd requires."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import threading
import types
from pathlib import Path

import pytest
from fixtures.scripted_steps import in_turn, transfer

from client.engine.data import threaded_tls
from client.engine.data.stream import FileSink
from client.engine.errors import DataChannelError
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    TlsEstablished,
    TransferProgress,
)
from client.engine.ratelimit import Direction, RateLimits, SpeedLimiter, Throttle
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

from . import threaded_helpers as helpers
from .conftest import Recorder
from .threaded_helpers import FAST, channel_phases, force_threaded

PAYLOAD = os.urandom(3 * 1024 * 1024 + 12345)


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> list[threaded_tls.ThreadedTlsStream]:
    """Every download takes the threaded path (no threshold); the streams that
    received are listed (proof the path ran)."""
    return force_threaded(monkeypatch, threaded_tls.ThreadedTlsStream)


def worker_threads() -> list[threading.Thread]:
    return helpers.worker_threads('ftp-tls-download')


def wait_for_workers() -> None:
    helpers.wait_for_workers('ftp-tls-download')


def size_reply(size: int) -> bytes:
    return b"213 %d\r\n" % size


def tls_server(scripted_server, retr, size: int | None = len(PAYLOAD)):
    handlers = {"RETR": retr}
    if size is not None:
        handlers["SIZE"] = size_reply(size)
    return scripted_server(handlers, tls="explicit", tls_require_reuse=True)



# --------------------------------------------------------------------------- real server


@pytest.mark.asyncio
@pytest.mark.realserver
async def test_vsftpd_download_in_the_thread_arrives_whole_with_session_reuse(
        vsftpd_ftps_server, bus, tmp_path: Path, threaded):
    recorder = Recorder(bus)
    served = vsftpd_ftps_server.root / "threaded.bin"
    served.write_bytes(PAYLOAD)
    served.chmod(0o644)
    target = tmp_path / "threaded.bin"
    async with FtpSession(vsftpd_ftps_server.settings(), bus=bus) as session:
        result = await session.download("threaded.bin", target)
        assert result.bytes_transferred == len(PAYLOAD)
        await session.noop()
    assert target.read_bytes() == PAYLOAD
    assert not list(tmp_path.glob("*.part"))
    assert len(threaded) == 1
    wait_for_workers()
    assert channel_phases(recorder) == ["advertised", "connecting", "connected", "tls-handshake",
                                        "tls-established", "first-byte", "closed"]
    closed = recorder.of(DataChannelEvent)[-1]
    assert closed.bytes == len(PAYLOAD) and closed.tls
    data_tls = [e for e in recorder.of(TlsEstablished) if e.channel is not None]
    assert len(data_tls) == 1 and data_tls[0].session_reused
    progress = [e.bytes_done for e in recorder.of(TransferProgress)]
    assert progress == sorted(progress) and progress[-1] == len(PAYLOAD)


@pytest.mark.asyncio
@pytest.mark.realserver
async def test_vsftpd_refuses_the_thread_without_session_reuse(vsftpd_ftps_server, bus,
                                                              tmp_path, threaded):
    settings = vsftpd_ftps_server.settings(data_timeout=2.0, control_timeout=2.0)
    session = FtpSession(settings, bus=bus)
    await session.connect()
    session.control_context.session_source = None  # what a client without reuse does
    with pytest.raises(DataChannelError) as caught:
        await session.download("hello.txt", tmp_path / "hello.txt")
    assert caught.value.failure is DataFailure.TLS_FAILED
    assert caught.value.reply_code == 522
    await session.close()
    wait_for_workers()


# --------------------------------------------------------------------------- scripted


@pytest.mark.asyncio
async def test_the_rule_picks_big_protected_passive_binary_downloads(tmp_path):
    protected = types.SimpleNamespace(tls_context=object(), mode=TransferMode.PASSIVE)
    clear = types.SimpleNamespace(tls_context=None, mode=TransferMode.PASSIVE)
    active = types.SimpleNamespace(tls_context=object(), mode=TransferMode.ACTIVE)
    fd = os.open(tmp_path / "x.part", os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        big = FileSink(fd, size_hint=threaded_tls.THRESHOLD)
        unknown = FileSink(fd)
        small = FileSink(fd, size_hint=threaded_tls.THRESHOLD - 1)
        text = FileSink(fd, ascii_mode=True)
        limiter = SpeedLimiter()
        throttle = Throttle(limiter, Direction.DOWNLOAD)
        wants = threaded_tls.wants_threaded_tls
        assert wants(protected, big, throttle) and wants(protected, unknown, None)  # type: ignore[arg-type]
        assert not wants(protected, small, throttle)  # type: ignore[arg-type]
        assert not wants(protected, text, throttle)  # type: ignore[arg-type]
        assert not wants(clear, big, throttle)  # type: ignore[arg-type]
        assert not wants(active, big, throttle)  # type: ignore[arg-type]
        assert not wants(protected, None, throttle)  # type: ignore[arg-type]
        limiter.limits = RateLimits(download_each=1024 * 1024)
        assert not wants(protected, big, throttle)  # type: ignore[arg-type]
    finally:
        os.close(fd)


@pytest.mark.asyncio
async def test_a_stall_keeps_the_part_and_a_resume_completes_it(scripted_server, bus,
                                                               tmp_path, threaded):
    recorder = Recorder(bus)
    sent = 1024 * 1024 + 77
    server = tls_server(scripted_server, in_turn(
        transfer(payload=PAYLOAD, send_bytes=sent, ending="stall"),
        transfer(payload=PAYLOAD)))
    target = tmp_path / "file.bin"
    part = tmp_path / "file.bin.part"
    async with FtpSession(server.info.settings(**dict(FAST, data_timeout=1.0)), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", target)
        assert caught.value.failure is DataFailure.STALLED
        assert caught.value.phase is DataPhase.FIRST_BYTE
        assert part.read_bytes() == PAYLOAD[:sent]
        wait_for_workers()
        result = await session.download("file.bin", target, resume=True)
        assert result.resumed_from == sent
    assert target.read_bytes() == PAYLOAD
    assert any(c.raw.startswith(b"REST %d" % sent) for c in server.commands)
    assert len(threaded) == 2
    wait_for_workers()
    failed = [e for e in recorder.of(DataChannelEvent) if e.phase is DataPhase.FAILED]
    assert len(failed) == 1 and failed[0].failure is DataFailure.STALLED


@pytest.mark.asyncio
async def test_silent_after_150_over_tls_in_the_thread(scripted_server, bus, tmp_path,
                                                      threaded):
    server = tls_server(scripted_server, transfer(payload=b"", ending="stall"), size=None)
    async with FtpSession(server.info.settings(**dict(FAST, data_timeout=1.0)), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
        assert caught.value.failure is DataFailure.SILENT
        assert caught.value.phase is DataPhase.TLS_ESTABLISHED
        await session.noop()  # resynchronised
    assert "ABOR" in server.verbs()
    assert not (tmp_path / "file.bin.part").exists()
    wait_for_workers()


@pytest.mark.asyncio
async def test_a_reset_mid_transfer_is_a_reset(scripted_server, bus, tmp_path, threaded):
    sent = 512 * 1024
    server = tls_server(scripted_server,
                        transfer(payload=PAYLOAD, send_bytes=sent, ending="reset", final=None))
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
        await session.noop()
    assert caught.value.failure in (DataFailure.RESET, DataFailure.TLS_FAILED)
    part = tmp_path / "file.bin.part"  # a reset may discard what was still in flight
    kept = part.read_bytes() if part.exists() else b""
    assert kept == PAYLOAD[:len(kept)]
    wait_for_workers()


@pytest.mark.asyncio
async def test_cancel_stops_the_thread_and_keeps_the_part(scripted_server, bus, tmp_path,
                                                          threaded):
    server = tls_server(scripted_server, transfer(payload=PAYLOAD, trickle_bytes=64 * 1024,
                                                  trickle_interval=0.05))
    target = tmp_path / "file.bin"
    part = tmp_path / "file.bin.part"
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        task = asyncio.ensure_future(session.download("file.bin", target))
        for _ in range(200):  # up to 10 s
            await asyncio.sleep(0.05)
            if part.exists() and part.stat().st_size > 0:
                break
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        wait_for_workers()  # the cancel stopped the thread
        kept = part.read_bytes()
        assert kept and kept == PAYLOAD[:len(kept)]
        await session.noop()
    assert not target.exists()


@pytest.mark.asyncio
async def test_a_limit_set_during_the_transfer_paces_the_thread(scripted_server, bus,
                                                               tmp_path, threaded,
                                                               monkeypatch):
    asked: list[int] = []
    original = threaded_tls.ThreadedTlsStream._pace_delay

    def spy(self: threaded_tls.ThreadedTlsStream, count: int) -> float:
        asked.append(count)
        return original(self, count)

    monkeypatch.setattr(threaded_tls.ThreadedTlsStream, "_pace_delay", spy)
    server = tls_server(scripted_server, transfer(payload=PAYLOAD, trickle_bytes=256 * 1024,
                                                  trickle_interval=0.05))
    target = tmp_path / "file.bin"
    part = tmp_path / "file.bin.part"
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        session.limiter = SpeedLimiter()
        task = asyncio.ensure_future(session.download("file.bin", target))
        for _ in range(200):
            await asyncio.sleep(0.05)
            if part.exists() and part.stat().st_size > 0 or task.done():
                break
        session.limiter.limits = RateLimits(download_each=64 * 1024 * 1024)
        await task
    assert target.read_bytes() == PAYLOAD
    assert asked and sum(asked) <= len(PAYLOAD)


def _tls_data_then_plain_close(session, argument: str) -> None:
    """RETR whose data connection ends without a TLS close_notify (a truncation
    attack, or a careless server): the TCP connection just closes."""
    plan = transfer(payload=PAYLOAD)
    session.send(plan.preliminary)
    sock = session.data.open(plan)
    assert isinstance(sock, ssl.SSLSocket)
    sock.sendall(PAYLOAD[:100_000])
    socket.socket(fileno=sock.detach()).close()  # no close_notify
    session.data.sockets.clear()
    session.send(b"226 Transfer complete.\r\n")


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["thread", "loop"])
async def test_an_end_without_close_notify_fails_alike_on_both_paths(scripted_server, bus,
                                                                   tmp_path, monkeypatch,
                                                                   path):
    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0 if path == "thread" else 1 << 62)
    server = tls_server(scripted_server, _tls_data_then_plain_close, size=None)
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
        await session.noop()
    assert caught.value.failure is DataFailure.TLS_FAILED
    wait_for_workers()


@pytest.mark.asyncio
async def test_every_ftps_server_resumes_a_download_in_the_thread(real_ftps_server, bus,
                                                                 tmp_path, threaded):
    """pyftpdlib and vsftpd (session reuse required) and pure-ftpd: a .part left by an
    earlier attempt is continued with REST, in the thread, to the same bytes."""
    recorder = Recorder(bus)
    real_ftps_server.write_file("resume.bin", PAYLOAD)
    target = tmp_path / "resume.bin"
    kept = 1024 * 1024 + 3
    (tmp_path / "resume.bin.part").write_bytes(PAYLOAD[:kept])
    async with FtpSession(real_ftps_server.settings(**FAST), bus=bus) as session:
        result = await session.download("resume.bin", target, resume=True)
    assert result.resumed_from == kept and result.bytes_transferred == len(PAYLOAD) - kept
    assert target.read_bytes() == PAYLOAD
    assert len(threaded) == 1
    assert channel_phases(recorder)[-3:] == ["tls-established", "first-byte", "closed"]
    wait_for_workers()


def _no_tls_handshake(session, argument: str) -> None:
    """RETR whose data connection is accepted but never answers the client's TLS
    hello; the server gives up once the client closes it."""
    session.send(b"150 Opening BINARY mode data connection.\r\n")
    listener = session.data.listener
    listener.settimeout(5)
    sock, _ = listener.accept()
    session.data.close_listener()
    sock.settimeout(10)
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass
    sock.close()
    session.send(b"426 Connection closed; transfer aborted.\r\n")


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["thread", "loop"])
async def test_a_handshake_that_never_ends_times_out_alike_on_both_paths(
        scripted_server, bus, tmp_path, monkeypatch, path):
    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0 if path == "thread" else 1 << 62)
    recorder = Recorder(bus)
    server = tls_server(scripted_server, _no_tls_handshake, size=None)
    async with FtpSession(server.info.settings(**dict(FAST, data_timeout=1.0)), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
        wait_for_workers()
        await session.noop()
    assert caught.value.failure is DataFailure.TLS_FAILED
    assert caught.value.phase is DataPhase.TLS_HANDSHAKE
    assert "timed out" in str(caught.value)
    assert channel_phases(recorder)[-2:] == ["tls-handshake", "failed"]


def _426_while_open(session, argument: str) -> None:
    """RETR that sends some data, then 426 on the control connection while the data
    connection stays open (until the client drops it)."""
    plan = transfer(payload=PAYLOAD)
    session.send(plan.preliminary)
    sock = session.data.open(plan)
    assert sock is not None
    sock.sendall(PAYLOAD[:200_000])
    session.send(b"426 Failure writing network stream.\r\n")
    sock.settimeout(10)
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass


@pytest.mark.asyncio
async def test_a_426_while_the_data_flows_stops_the_thread(scripted_server, bus, tmp_path,
                                                          threaded):
    server = tls_server(scripted_server, _426_while_open)
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
        wait_for_workers()
        await session.noop()
    assert caught.value.reply_code == 426
    assert caught.value.failure in (DataFailure.CLOSED_EARLY, DataFailure.SERVER_REFUSED)
    part = tmp_path / "file.bin.part"
    kept = part.read_bytes() if part.exists() else b""
    assert kept == PAYLOAD[:len(kept)]


@pytest.mark.asyncio
async def test_a_full_disk_in_the_thread_is_a_local_error(scripted_server, bus, tmp_path,
                                                          threaded, monkeypatch):
    import errno

    from client.engine.errors import LocalError

    original = threaded_tls.ThreadedTlsStream._write
    writes: list[int] = []

    def filling(self, fd: int, view: memoryview, length: int) -> None:
        writes.append(length)
        if len(writes) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, fd, view, length)

    monkeypatch.setattr(threaded_tls.ThreadedTlsStream, "_write", filling)
    recorder = Recorder(bus)
    server = tls_server(scripted_server, transfer(payload=PAYLOAD))
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(LocalError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
        wait_for_workers()
        await session.noop()
    assert "No space left" in str(caught.value)
    failed = [e for e in recorder.of(DataChannelEvent) if e.phase is DataPhase.FAILED]
    assert failed and failed[-1].failure is DataFailure.LOCAL
    kept = (tmp_path / "file.bin.part").read_bytes()
    assert kept == PAYLOAD[:len(kept)] and len(kept) == sum(writes[:3])


@pytest.mark.asyncio
async def test_each_record_goes_to_the_file_as_soon_as_it_is_decrypted(
        scripted_server, bus, tmp_path, threaded, monkeypatch):
    """Writes of one TLS record at most: bigger writes make the kernel allocate bigger
    page-cache pages, whose copy cost varied up to fivefold between runs."""
    original = threaded_tls.ThreadedTlsStream._write
    writes: list[int] = []

    def counting(self, fd: int, view: memoryview, length: int) -> None:
        writes.append(length)
        original(self, fd, view, length)

    monkeypatch.setattr(threaded_tls.ThreadedTlsStream, "_write", counting)
    server = tls_server(scripted_server, transfer(payload=PAYLOAD))
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        await session.download("file.bin", tmp_path / "file.bin")
    wait_for_workers()
    assert (tmp_path / "file.bin").read_bytes() == PAYLOAD
    assert len(threaded) == 1
    assert sum(writes) == len(PAYLOAD)
    assert max(writes) <= 16 * 1024
