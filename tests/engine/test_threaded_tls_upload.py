"""Big FTPS uploads whose file reads and TLS run in a worker thread
(:mod:`client.engine.data.threaded_upload`): the same bytes, phases, failure classes,
cancel and session reuse as the loop's path."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest
from fixtures.scripted_steps import transfer

from client.engine.data import threaded_tls, threaded_upload
from client.engine.errors import DataChannelError, LocalError
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    TlsEstablished,
    TransferProgress,
)
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

from . import threaded_helpers as helpers
from .conftest import Recorder
from .threaded_helpers import FAST, channel_phases, force_threaded

PAYLOAD = os.urandom(3 * 1024 * 1024 + 12345)


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> list[threaded_upload.ThreadedTlsUpload]:
    """Every binary upload takes the threaded path (no threshold); the streams that
    sent are listed (proof the path ran)."""
    return force_threaded(monkeypatch, threaded_upload.ThreadedTlsUpload)


def worker_threads() -> list[threading.Thread]:
    return helpers.worker_threads('ftp-tls-upload')


def wait_for_workers() -> None:
    helpers.wait_for_workers('ftp-tls-upload')



def tls_server(scripted_server, stor):
    return scripted_server({"STOR": stor, "SIZE": b"550 no size here\r\n"}, tls="explicit",
                           tls_require_reuse=True)


# --------------------------------------------------------------------------- real servers


@pytest.mark.asyncio
@pytest.mark.realserver
async def test_vsftpd_upload_from_the_thread_arrives_whole_with_session_reuse(
        vsftpd_ftps_server, bus, tmp_path: Path, threaded):
    recorder = Recorder(bus)
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD)
    async with FtpSession(vsftpd_ftps_server.settings(**FAST), bus=bus) as session:
        result = await session.upload(local, "up.bin")
        assert result.bytes_transferred == len(PAYLOAD)
        await session.noop()
    assert (vsftpd_ftps_server.root / "up.bin").read_bytes() == PAYLOAD
    assert len(threaded) == 1
    wait_for_workers()
    assert channel_phases(recorder) == ["advertised", "connecting", "connected", "tls-handshake",
                                        "tls-established", "first-byte", "closed"]
    closed = recorder.of(DataChannelEvent)[-1]
    assert closed.bytes == len(PAYLOAD) and closed.tls
    assert closed.local is not None and closed.remote is not None
    data_tls = [e for e in recorder.of(TlsEstablished) if e.channel is not None]
    assert len(data_tls) == 1 and data_tls[0].session_reused
    progress = [e.bytes_done for e in recorder.of(TransferProgress)]
    assert progress == sorted(progress) and progress[-1] == len(PAYLOAD)


@pytest.mark.asyncio
@pytest.mark.realserver
@pytest.mark.parametrize("path", ["thread", "loop"])
async def test_vsftpd_refuses_an_upload_without_session_reuse_alike_on_both_paths(
        vsftpd_ftps_server, bus, tmp_path, monkeypatch, path):
    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0 if path == "thread" else 1 << 62)
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD)
    settings = vsftpd_ftps_server.settings(data_timeout=2.0, control_timeout=2.0)
    session = FtpSession(settings, bus=bus)
    await session.connect()
    session.control_context.session_source = None  # what a client without reuse does
    with pytest.raises(DataChannelError) as caught:
        await session.upload(local, "up.bin")
    assert caught.value.failure is DataFailure.TLS_FAILED
    await session.close()
    wait_for_workers()


@pytest.mark.asyncio
async def test_every_ftps_server_takes_an_upload_and_its_resume_from_the_thread(
        real_ftps_server, bus, tmp_path, threaded):
    """pyftpdlib and vsftpd (session reuse required) and pure-ftpd: a whole upload,
    then a resumed one (REST+STOR or APPE) from the middle of the file."""
    local = tmp_path / "resume.bin"
    local.write_bytes(PAYLOAD)
    kept = 1024 * 1024 + 3
    real_ftps_server.write_file("resume.bin", PAYLOAD[:kept])
    async with FtpSession(real_ftps_server.settings(**FAST), bus=bus) as session:
        result = await session.upload(local, "resume.bin", resume=True)
        assert result.resumed_from == kept
        assert result.bytes_transferred == len(PAYLOAD) - kept
        whole = await session.upload(local, "whole.bin")
        assert whole.bytes_transferred == len(PAYLOAD)
    assert (real_ftps_server.root / "resume.bin").read_bytes() == PAYLOAD
    assert (real_ftps_server.root / "whole.bin").read_bytes() == PAYLOAD
    assert len(threaded) == 2
    wait_for_workers()


# --------------------------------------------------------------------------- the rule


@pytest.mark.asyncio
async def test_the_rule_picks_big_protected_passive_binary_file_uploads(tmp_path):
    import ssl
    import types

    from client.engine.ratelimit import Direction, RateLimits, SpeedLimiter, Throttle

    big = threaded_tls.THRESHOLD

    def setup(tls: bool = True, mode: TransferMode = TransferMode.PASSIVE):
        return types.SimpleNamespace(tls_context=ssl.create_default_context() if tls else None,
                                     mode=mode)

    async def noop(stream) -> None:
        return None

    def source(count: int) -> threaded_upload.FileSource:
        return threaded_upload.FileSource(None, 0, count, noop)

    assert threaded_upload.wants_threaded_upload(setup(), source(big), None)
    assert not threaded_upload.wants_threaded_upload(setup(), source(big - 1), None)
    assert not threaded_upload.wants_threaded_upload(setup(tls=False), source(big), None)
    assert not threaded_upload.wants_threaded_upload(setup(mode=TransferMode.ACTIVE),
                                                     source(big), None)
    assert not threaded_upload.wants_threaded_upload(setup(), noop, None)  # ASCII's source
    limiter = SpeedLimiter()
    throttle = Throttle(limiter, Direction.UPLOAD)
    assert threaded_upload.wants_threaded_upload(setup(), source(big), throttle)
    limiter.limits = RateLimits(upload_each=1024 * 1024)
    assert not threaded_upload.wants_threaded_upload(setup(), source(big), throttle)


# --------------------------------------------------------------------------- scripted


@pytest.mark.asyncio
async def test_the_scripted_server_receives_every_byte_from_the_thread(scripted_server, bus,
                                                                      tmp_path, threaded):
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD)
    server = tls_server(scripted_server, transfer(receive=True))
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        await session.upload(local, "up.bin")
        await session.noop()
    assert server.uploads["up.bin"] == PAYLOAD
    assert len(threaded) == 1
    wait_for_workers()


def _read_then(ending: str, after: int = 512 * 1024):
    """STOR that reads ``after`` bytes, then resets the data connection or answers 552
    on the control connection while it stays open (until the client drops it)."""

    def step(session, argument: str) -> None:
        plan = transfer(receive=True)
        session.send(plan.preliminary)
        sock = session.data.open(plan)
        assert sock is not None
        got = 0
        while got < after:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += len(chunk)
        if ending == "reset":
            import socket
            import struct

            raw = socket.socket(fileno=sock.detach())
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw.close()
            session.data.sockets.clear()
            session.send(b"426 Connection closed; transfer aborted.\r\n")
            return
        session.send(b"552 Requested file action aborted. Exceeded storage allocation.\r\n")
        sock.settimeout(10)
        try:
            while sock.recv(65536):
                pass
        except OSError:
            pass

    return step


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["thread", "loop"])
async def test_a_reset_mid_upload_is_a_reset_on_both_paths(scripted_server, bus, tmp_path,
                                                           monkeypatch, path):
    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0 if path == "thread" else 1 << 62)
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD * 4)
    server = tls_server(scripted_server, _read_then("reset"))
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.upload(local, "up.bin")
        wait_for_workers()
        await session.noop()
    assert caught.value.failure in (DataFailure.RESET, DataFailure.CLOSED_EARLY,
                                    DataFailure.SERVER_REFUSED)


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["thread", "loop"])
async def test_a_552_while_the_upload_flows_stops_it_on_both_paths(scripted_server, bus,
                                                                  tmp_path, monkeypatch, path):
    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0 if path == "thread" else 1 << 62)
    recorder = Recorder(bus)
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD * 4)
    server = tls_server(scripted_server, _read_then("552"))
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.upload(local, "up.bin")
        wait_for_workers()
        await session.noop()
    assert caught.value.reply_code == 552
    assert caught.value.failure is DataFailure.CLOSED_EARLY
    assert channel_phases(recorder)[-1] == "failed"


@pytest.mark.asyncio
async def test_cancel_mid_upload_stops_the_thread(scripted_server, bus, tmp_path, threaded):
    """A server that reads slowly keeps the thread blocked in a send; cancelling the
    upload stops it at once and the session stays usable."""
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD * 8)

    def slow_reader(session, argument: str) -> None:
        plan = transfer(receive=True)
        session.send(plan.preliminary)
        sock = session.data.open(plan)
        assert sock is not None
        sock.settimeout(10)
        try:
            while sock.recv(16384):
                threading.Event().wait(0.02)
        except OSError:
            pass
        session.send(b"426 Connection closed; transfer aborted.\r\n")

    server = tls_server(scripted_server, slow_reader)
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        task = asyncio.ensure_future(session.upload(local, "up.bin"))
        for _ in range(200):  # up to 10 s
            await asyncio.sleep(0.05)
            if threaded and threaded[0].bytes > 0:
                break
        assert not task.done() and threaded
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        wait_for_workers()  # the cancel stopped the thread
        await session.noop()


@pytest.mark.asyncio
async def test_a_server_that_stops_reading_is_a_stall(scripted_server, bus, tmp_path, threaded):
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD * 16)

    def stops_reading(session, argument: str) -> None:
        plan = transfer(receive=True)
        session.send(plan.preliminary)
        sock = session.data.open(plan)
        assert sock is not None
        sock.recv(65536)
        sock.settimeout(10)
        threading.Event().wait(3)  # the client's watchdog (1 s) gives up first
        session.send(b"426 Connection closed; transfer aborted.\r\n")

    server = tls_server(scripted_server, stops_reading)
    async with FtpSession(server.info.settings(**dict(FAST, data_timeout=1.0)),
                          bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.upload(local, "up.bin")
        wait_for_workers()
    assert caught.value.failure is DataFailure.STALLED


@pytest.mark.asyncio
async def test_a_file_that_shrinks_during_the_upload_is_a_local_error(scripted_server, bus,
                                                                     tmp_path, threaded,
                                                                     monkeypatch):
    local = tmp_path / "up.bin"
    local.write_bytes(PAYLOAD)
    original = os.preadv
    calls: list[int] = []

    def shrinking(fd: int, buffers, offset: int) -> int:
        calls.append(offset)
        if len(calls) == 3:
            os.truncate(local, offset)
        return original(fd, buffers, offset)

    monkeypatch.setattr(threaded_upload.os, "preadv", shrinking)
    server = tls_server(scripted_server, transfer(receive=True))
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(LocalError) as caught:
            await session.upload(local, "up.bin")
        wait_for_workers()
        await session.noop()
    assert "shrank" in str(caught.value)


@pytest.mark.asyncio
async def test_a_limit_set_during_the_upload_paces_the_thread(scripted_server, bus, tmp_path,
                                                              threaded, monkeypatch):
    from client.engine.ratelimit import RateLimits, SpeedLimiter

    asked: list[int] = []
    original = threaded_tls.ThreadedTlsStream._pace_delay

    def spy(self: threaded_tls.ThreadedTlsStream, count: int) -> float:
        asked.append(count)
        return original(self, count)

    monkeypatch.setattr(threaded_tls.ThreadedTlsStream, "_pace_delay", spy)
    local = tmp_path / "up.bin"
    payload = PAYLOAD * 6  # more than the sockets' buffers hold
    local.write_bytes(payload)
    received = bytearray()

    def slow_but_whole(session, argument: str) -> None:
        plan = transfer(receive=True)
        session.send(plan.preliminary)
        sock = session.data.open(plan)
        assert sock is not None
        while chunk := sock.recv(65536):
            received.extend(chunk)
            threading.Event().wait(0.005)
        session.data.close()
        session.send(b"226 Transfer complete.\r\n")

    server = tls_server(scripted_server, slow_but_whole)
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        session.limiter = SpeedLimiter()
        task = asyncio.ensure_future(session.upload(local, "up.bin"))
        for _ in range(200):
            await asyncio.sleep(0.05)
            if (threaded and threaded[0].bytes > 0) or task.done():
                break
        session.limiter.limits = RateLimits(upload_each=64 * 1024 * 1024)
        await task
    assert bytes(received) == payload
    assert asked and sum(asked) <= len(payload)
    wait_for_workers()
