"""The engine inside the Qt event loop (qasync), as the desktop app runs it: TLS with
session reuse, a download through the writer thread and an upload with sendfile."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from fixtures.sample_tree import BIG_FILE, big_file_bytes, sha256_of
from fixtures.waiting import until

from client.engine.events import EventBus, TlsEstablished
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
def test_engine_runs_on_the_qasync_loop(qapp, ftps_reuse_server, tmp_path: Path, mode):
    from client.ui.qt_loop import InspectorEventLoop

    bus = EventBus()
    seen: list[TlsEstablished] = []
    bus.subscribe(lambda e: seen.append(e) if isinstance(e, TlsEstablished) else None)

    async def scenario() -> None:
        async with FtpSession(ftps_reuse_server.settings(mode=mode), bus=bus) as session:
            await session.list()
            await session.download(BIG_FILE, tmp_path / "big.bin")
            source = tmp_path / "up.bin"
            source.write_bytes(b"w" * 300_000)
            await session.upload(source, "upload/up.bin")

    loop = InspectorEventLoop(qapp)  # the app's own loop class
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 30))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert sha256_of(tmp_path / "big.bin") == sha256_of(big_file_bytes())
    assert (ftps_reuse_server.root / "upload" / "up.bin").stat().st_size == 300_000
    data = [e for e in seen if e.channel is not None]
    assert len(data) == 3 and all(e.session_reused for e in data)


def test_a_stalled_upload_leaves_no_notifier_on_its_closed_socket(qapp, scripted_server,
                                                                  tmp_path: Path,
                                                                  upload_path) -> None:
    """The watchdog drops a data connection while sendfile waits on it: the sendfile's
    writer must be gone before the socket closes, or Qt polls an invalid descriptor
    ("QSocketNotifier: Invalid socket", which the suite turns into a failure)."""
    from client.engine.errors import DataChannelError
    from client.engine.events import DataFailure
    from client.ui.qt_loop import InspectorEventLoop

    from .test_transfers import never_read, settings_for

    server = scripted_server({"STOR": never_read})
    source = tmp_path / "big.bin"
    source.write_bytes(b"s" * (48 * 1024 * 1024))
    outcome: dict[str, object] = {}

    async def scenario() -> None:
        settings = settings_for(server, data_timeout=1.0, control_timeout=1.0)
        async with FtpSession(settings, bus=EventBus()) as session:
            try:
                await session.upload(source, "big.bin")
            except DataChannelError as error:
                outcome["failure"] = error.failure
        # Qt drops a closed socket's notifiers when it next polls: wait for that (the
        # assertion below names what stayed when it never happens)
        with contextlib.suppress(TimeoutError):
            await until(lambda: set(loop._write_notifiers) <= writers_before, limit=5.0)

    loop = InspectorEventLoop(qapp)
    writers_before = set(loop._write_notifiers)
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 30))
        assert set(loop._write_notifiers) <= writers_before
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert outcome["failure"] is DataFailure.STALLED


def test_an_ftps_download_in_the_worker_thread_reports_to_the_qt_loop(
        qapp, ftps_reuse_server, tmp_path: Path, monkeypatch) -> None:
    """A big FTPS download's thread hands its progress and its end to the loop with
    ``call_soon_threadsafe``: under qasync those calls must wake the Qt loop."""
    from client.engine.data import threaded_tls
    from client.engine.events import TransferProgress
    from client.ui.qt_loop import InspectorEventLoop

    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0)
    received: list[threaded_tls.ThreadedTlsStream] = []
    original = threaded_tls.ThreadedTlsStream.start_receiving
    monkeypatch.setattr(threaded_tls.ThreadedTlsStream, "start_receiving",
                        lambda self: (received.append(self), original(self)))
    bus = EventBus()
    progress: list[TransferProgress] = []
    bus.subscribe(lambda e: progress.append(e) if isinstance(e, TransferProgress) else None)

    async def scenario() -> None:
        async with FtpSession(ftps_reuse_server.settings(), bus=bus) as session:
            await session.download(BIG_FILE, tmp_path / "big.bin")

    loop = InspectorEventLoop(qapp)
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 30))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert sha256_of(tmp_path / "big.bin") == sha256_of(big_file_bytes())
    assert len(received) == 1
    assert progress and progress[-1].done and progress[-1].bytes_done == len(big_file_bytes())


def test_a_batch_of_small_downloads_runs_on_the_qasync_loop(qapp, ftp_server, tmp_path: Path,
                                                            monkeypatch):
    """The queue's batches (a worker thread on the session's control socket, records
    handed to the loop) under the app's own loop: every file arrives, every RETR and its
    data connection reach the observers."""
    from client.engine.events import DataChannelEvent, DataPhase, LineSent
    from client.engine.queue import ExistsPolicy, JobState, TransferQueue, batch
    from client.ui.qt_loop import InspectorEventLoop

    from .sessions import session_factory

    for i in range(60):
        (ftp_server.root / "small").mkdir(exist_ok=True)
        (ftp_server.root / "small" / f"f{i:02d}.bin").write_bytes(bytes([i]) * (i + 1))
    ran: list[int] = []
    run = batch.TransferBatch.run

    async def counted(self):
        ran.append(len(self.records))
        return await run(self)

    monkeypatch.setattr(batch.TransferBatch, "run", counted)
    bus = EventBus()
    retr: list[str] = []
    closed: list[str] = []
    bus.subscribe(lambda e: retr.append(e.text) if isinstance(e, LineSent)
                  and e.text.startswith("RETR") else None)
    bus.subscribe(lambda e: closed.append(e.command) if isinstance(e, DataChannelEvent)
                  and e.phase is DataPhase.CLOSED and e.command.startswith("RETR") else None)

    async def scenario() -> list[JobState]:
        queue = TransferQueue(session_factory(ftp_server, bus), bus=bus, concurrency=2,
                              exists_policy=ExistsPolicy.OVERWRITE)
        try:
            ids = await queue.add_download_tree("/small", tmp_path / "copy")
            await queue.wait_idle()
            return [queue.job(i).state for i in ids]
        finally:
            await queue.close()

    loop = InspectorEventLoop(qapp)
    try:
        states = loop.run_until_complete(asyncio.wait_for(scenario(), 30))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert states == [JobState.DONE] * 60
    assert sum(ran) >= 30
    assert len(retr) == len(closed) == 60
    for i in range(60):
        assert (tmp_path / "copy" / f"f{i:02d}.bin").read_bytes() == bytes([i]) * (i + 1)


def test_an_ftps_upload_from_the_worker_thread_reports_to_the_qt_loop(
        qapp, ftps_reuse_server, tmp_path: Path, monkeypatch) -> None:
    """A big FTPS upload's thread hands its handshake, progress and end to the loop
    with ``call_soon_threadsafe``: under qasync those calls must wake the Qt loop."""
    from client.engine.data import threaded_tls, threaded_upload
    from client.engine.events import TransferProgress
    from client.ui.qt_loop import InspectorEventLoop

    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0)
    sent: list[threaded_upload.ThreadedTlsUpload] = []
    original = threaded_upload.ThreadedTlsUpload.start_receiving
    monkeypatch.setattr(threaded_upload.ThreadedTlsUpload, "start_receiving",
                        lambda self: (sent.append(self), original(self)))
    source = tmp_path / "up.bin"
    source.write_bytes(big_file_bytes())
    bus = EventBus()
    progress: list[TransferProgress] = []
    bus.subscribe(lambda e: progress.append(e) if isinstance(e, TransferProgress) else None)

    async def scenario() -> None:
        async with FtpSession(ftps_reuse_server.settings(), bus=bus) as session:
            await session.upload(source, "threaded-up.bin")

    loop = InspectorEventLoop(qapp)
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 30))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert sha256_of(ftps_reuse_server.root / "threaded-up.bin") == sha256_of(source)
    assert len(sent) == 1
    assert progress and progress[-1].done and progress[-1].bytes_done == len(big_file_bytes())
