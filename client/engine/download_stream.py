"""One download whose bytes go to a writer (standard output, for ``cat``) as they
arrive, not to a file.

:class:`client.engine.data.stream.FileSink` keeps up to a second (or a buffer) of a
download before it reaches the disk, which suits a file but not a pipe: at 64 KiB/s the
first bytes of a ``cat`` appeared after several seconds. :class:`WriterSink` hands every
chunk received to a writer thread at once, so a slow reader (``| less``) never blocks
the event loop that runs the transfer and its timeouts; reading pauses while too much
waits for the reader. When writing fails (the reader went away: ``BrokenPipeError``)
the data connection is ended, the server told (ABOR), and that error is what
:meth:`StreamDownload.run` raises. A pipe whose reader went away is noticed while
nothing arrives too (a silent server, a paused transfer), not only at the next write.
"""

from __future__ import annotations

import asyncio
import errno
import queue
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from client.engine.data.channel import DataTransfer
from client.engine.data.stream import Sink
from client.engine.errors import DataChannelError
from client.engine.events import DataFailure, DataPhase, TransferProgress
from client.engine.progress import ProgressReporter, next_transfer_id
from client.engine.ratelimit import Direction
from client.engine.settings import TransferMode
from client.engine.transfer import locked_in_type
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["StreamDownload", "StreamResult", "WriterSink"]

#: the receive buffer; each read is copied out of it and queued for the writer (the data
#: protocol hands asyncio's TLS layer a larger one of its own when the layer holds more,
#: so the end of a protected stream is never lost to a small sink)
_BUFFER = 256 * 1024
#: reading pauses while more than this waits for the reader, and resumes below half
_MAX_WAITING = 4 * 1024 * 1024
#: while no bytes come, how often the writer looks whether its reader went away
_READER_CHECK_SECONDS = 0.25


class WriterSink(Sink):
    """Received bytes, written to ``out`` (and flushed) by a thread as they come.

    ``on_error``, ``pause_reading`` and ``resume_reading`` are set by the data
    transfer (as for a FileSink): a failed write ends the data connection, and reading
    waits while the reader lags ``_MAX_WAITING`` bytes behind."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._loop = asyncio.get_running_loop()
        self._buffer = bytearray(_BUFFER)
        self._view = memoryview(self._buffer)
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._done: asyncio.Future[None] = self._loop.create_future()
        self._end_sent = False
        self._waiting = 0  # bytes queued, not written yet (loop side)
        self._paused = False  # read by the data watchdog: a waiting reader is no stall
        self.on_error: Callable[[BaseException], None] | None = None
        self.pause_reading: Callable[[], None] | None = None
        self.resume_reading: Callable[[], None] | None = None
        #: why writing stopped (the reader went away, a full disk), if it did
        self.error: BaseException | None = None
        #: bytes received so far (all of them reach ``out`` unless ``error`` is set)
        self.received = 0

    # --- loop side
    def get_buffer(self) -> memoryview:
        return self._view

    def commit(self, n: int) -> None:
        if self.error is not None:
            raise self.error if isinstance(self.error, OSError) else OSError(str(self.error))
        if self._thread is None:
            self._thread = threading.Thread(target=self._writer, name="ftp-stream-writer",
                                            daemon=True)
            self._thread.start()
        self._queue.put(bytes(self._view[:n]))
        self.received += n
        self._waiting += n
        if self._waiting > _MAX_WAITING and not self._paused and self.pause_reading:
            self._paused = True
            self.pause_reading()

    async def finish(self) -> None:
        """Wait until everything received is written (or writing failed)."""
        if self._thread is not None:
            if not self._end_sent:
                self._end_sent = True
                self._queue.put(None)
            await asyncio.shield(self._done)
        if self.error is not None:
            raise self.error

    def discard(self) -> None:
        if self._thread is not None and not self._end_sent:
            self._end_sent = True
            self._queue.put(None)

    def _written(self, count: int) -> None:
        self._waiting -= count
        if self._paused and self._waiting <= _MAX_WAITING // 2:
            self._paused = False
            if self.resume_reading is not None:
                self.resume_reading()

    def _failed(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
        if self.on_error is not None:
            self.on_error(error)

    def _finished(self) -> None:
        if not self._done.done():
            self._done.set_result(None)

    # --- writer thread
    def _writer(self) -> None:
        failed = False
        fd = _descriptor(self._out)
        while True:
            try:
                data = self._queue.get(timeout=_READER_CHECK_SECONDS)
            except queue.Empty:
                if not failed and fd is not None and _reader_gone(fd):
                    failed = True
                    self._call(self._failed, BrokenPipeError(
                        errno.EPIPE, "the reader of standard output went away"))
                continue
            if data is None:
                break
            if not failed:
                try:
                    self._out.write(data)
                    self._out.flush()
                except BaseException as exc:  # noqa: BLE001 - reported to the loop
                    failed = True
                    self._call(self._failed, exc)
            self._call(self._written, len(data))
        self._call(self._finished)

    def _call(self, fn: Callable, *args: object) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # loop closed: nobody is waiting any more
            pass


def _descriptor(out: BinaryIO) -> int | None:
    try:
        return out.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _reader_gone(fd: int) -> bool:
    """Whether ``fd`` is a pipe (or socket) whose other end closed: ``poll`` reports an
    error or hang-up on it. A file or a terminal never does."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return False
    return any(mask & (select.POLLERR | select.POLLHUP) for _, mask in events)


@dataclass(frozen=True)
class StreamResult:
    """What a streamed download moved: bytes, the size the server reported, time."""

    bytes_transferred: int
    total_size: int | None
    elapsed: float


class StreamDownload:
    """``RETR remote`` in binary, its bytes written to ``out`` while they arrive, under
    the session's mode fallback (which only retries while nothing reached ``out``).

    The size the server reports (``SIZE``) is checked at the end, as for a download to
    a file: a transfer that ends short raises :class:`DataChannelError` after the bytes
    that did arrive were written."""

    def __init__(self, session: FtpSession, remote: str, out: BinaryIO, *,
                 on_progress: Callable[[TransferProgress], None] | None = None,
                 transfer_id: int | None = None) -> None:
        self.session = session
        self.remote = remote
        self.out = out
        self.on_progress = on_progress
        self.command = session.path_command("RETR", remote)
        self.transfer_id = transfer_id if transfer_id is not None else next_transfer_id()
        self.total: int | None = None
        self.received = 0
        self._written_failure: BaseException | None = None

    async def run(self) -> StreamResult:
        started = time.monotonic()
        await self.session.with_fallback(self.attempt)
        return StreamResult(self.received, self.total, time.monotonic() - started)

    async def attempt(self, mode: TransferMode) -> None:
        """One try in ``mode``; a second one only when the first wrote nothing."""
        if self._written_failure is not None:
            raise self._written_failure  # bytes already reached the reader: no retry
        session = self.session
        async with locked_in_type(session, False):
            self.total = await session.size_locked(self.remote)
            progress = ProgressReporter(session.bus, session.connection_id,
                                        transfer_id=self.transfer_id, direction="download",
                                        remote_path=self.remote, total=self.total,
                                        on_progress=self.on_progress)
            sink = WriterSink(self.out)
            transfer = DataTransfer(session.channel_setup(mode), self.command, sink=sink,
                                    on_bytes=progress.update,
                                    throttle=session.limiter.throttle(Direction.DOWNLOAD))
            try:
                result = await transfer.run()
            except BaseException as exc:
                self.received = sink.received
                if sink.error is not None:
                    raise sink.error from exc  # the reader's side ended it
                if sink.received:
                    self._written_failure = exc
                raise
            self.received = result.bytes
            progress.bytes = result.bytes
            progress.finish()
        if self.total is not None and self.received != self.total:
            raise DataChannelError(
                f"the data connection closed after {self.received} of {self.total} bytes "
                f"of {escape_control(self.remote)} although the server reported success",
                failure=DataFailure.CLOSED_EARLY, phase=DataPhase.CLOSED, step="size-check")
