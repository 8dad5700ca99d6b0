"""The byte-moving half of a data connection: a BufferedProtocol and its sinks.

Downloads read straight into preallocated buffers (``recv_into``, no per-chunk bytes
objects); full buffers go to a writer thread so a slow disk never stalls the event loop,
and reading pauses when every buffer is waiting for the disk. A file that fits in its
first buffer is written from the loop when the connection ends (no thread at all). Timestamps of the first
and last byte feed the watchdog that tells "silent after 150" from "stalled".
"""

from __future__ import annotations

import asyncio
import enum
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import ssl

    from client.engine.ratelimit import Throttle

__all__ = ["DataStream", "MemorySink", "FileSink", "Sink", "ReadHold"]


class ReadHold(enum.Enum):
    """Why a download's reading is paused; it resumes when no reason is left."""

    DISK = "disk"  # every buffer waits for the writer thread
    LIMIT = "limit"  # the speed limit asks to wait


class Sink:
    """Where received bytes go. ``get_buffer`` returns writable memory; ``commit(n)``
    says ``n`` bytes of it were filled."""

    def get_buffer(self) -> memoryview:  # pragma: no cover - interface
        raise NotImplementedError

    def commit(self, n: int) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def finish(self) -> None:
        """Everything received is stored (called after the data connection closed)."""

    def discard(self) -> None:
        """Stop early (failure or cancel); what was written so far stays on disk."""


class MemorySink(Sink):
    """Collects a listing in memory (listings are small; files never use this)."""

    def __init__(self, limit: int = 512 * 1024 * 1024) -> None:
        self._scratch = bytearray(256 * 1024)
        self._view = memoryview(self._scratch)
        self._chunks: list[bytes] = []
        self._size = 0
        self._limit = limit

    def get_buffer(self) -> memoryview:
        return self._view

    def commit(self, n: int) -> None:
        self._chunks.append(bytes(self._view[:n]))
        self._size += n
        if self._size > self._limit:
            raise OSError(f"the listing is larger than {self._limit} bytes; refusing to keep it in memory")

    def data(self) -> bytes:
        return b"".join(self._chunks)


_BUFFER_SIZE = 4 * 1024 * 1024
#: the most plaintext one TLS record carries (RFC 8446 section 5.1)
_TLS_RECORD = 16 * 1024
_BUFFER_COUNT = 4
_MIN_FREE = 256 * 1024
_SMALLEST_BUFFER = 64 * 1024
#: at most this much is written from the event loop (a page-cache write of 256 KiB takes
#: well under a millisecond; more goes through the writer thread)
_INLINE_WRITE_LIMIT = 256 * 1024
#: a buffer goes to the file in writes of this size. The kernel sizes the new page-cache
#: folios by the write (ext4's large folios), and big folios cost up to five times as
#: much to fill from one run to the next on the test machine: a 1 GiB download used 0.5
#: to 2.3 s of CPU with one write per 4 MiB buffer, 0.8 to 1.1 s with writes under
#: 64 KiB (folios of 32 KiB at most), 32 KiB ones cheaper than 16 KiB ones
#: (``bench/HISTORY.md``, 6 December 11:00)
_WRITE_PIECE = 32 * 1024
#: received bytes wait at most this long in a buffer before they go to the file: a slow
#: transfer (a speed limit, a slow server) that dies with the process loses about a
#: second of data, not a whole buffer, and resumes from what is on disk
_HOLD_LIMIT = 1.0


class FileSink(Sink):
    """Writes to an open file descriptor through a writer thread.

    ``ascii_mode`` converts the network's CRLF line ends to LF (TYPE A downloads), with
    a carried CR so a CRLF split across two buffers converts correctly.
    """

    def __init__(self, fd: int, *, ascii_mode: bool = False, size_hint: int | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 pause: Callable[[], None] | None = None,
                 resume: Callable[[], None] | None = None) -> None:
        self._fd = fd
        self._ascii = ascii_mode
        #: what a data path that writes the file itself needs to know
        self.descriptor = fd
        self.ascii_mode = ascii_mode
        self.expected = size_hint
        self._loop = asyncio.get_running_loop()
        # Buffers are allocated on demand and sized for the file when its size is known:
        # four 4 MiB buffers cost ~8 ms to allocate, which would dominate small files.
        size = _BUFFER_SIZE
        if size_hint is not None:
            size = max(_SMALLEST_BUFFER, min(_BUFFER_SIZE, size_hint + 1))
        self._buffer_size = size
        self._min_free = min(_MIN_FREE, size // 4)
        self._allocated = 1
        self._free: list[bytearray] = []
        self._current = bytearray(size)
        self._view = memoryview(self._current)
        self._pos = 0
        self._held_since = 0.0  # when the current buffer received its first bytes
        self._queue: queue.SimpleQueue[tuple[bytearray, int] | None] = queue.SimpleQueue()
        self._done = self._loop.create_future()
        self._error: BaseException | None = None
        self.on_error = on_error
        self.pause_reading = pause
        self.resume_reading = resume
        self._paused = False
        self._stopped = False
        # The writer thread starts with the first full buffer: a file that fits in one
        # buffer (most files of a tree) is written from the loop in finish(), which
        # saves a thread start, three queue hand-offs and a join per file (the
        # 1,000-file tree benchmark spent most of its time there).
        self._thread: threading.Thread | None = None
        self._carry_cr = False
        # The descriptor is closed only when no writer thread can touch it any more: a
        # cancelled download must not close it under a thread that still writes (the
        # number would be reused — by a socket, by Qt's own wake-up descriptor — and
        # receive the file's bytes).
        self._fd_lock = threading.Lock()
        self._writer_running = False
        self._close_requested = False
        self._closed = False

    # --- loop side
    def get_buffer(self) -> memoryview:
        if self._view is None:  # every buffer is with the writer: spill into a fresh one
            self._current = bytearray(self._buffer_size)
            self._view = memoryview(self._current)
            self._pos = 0
        return self._view[self._pos:]

    def commit(self, n: int) -> None:
        if not self._pos:
            self._held_since = time.monotonic()
        self._pos += n
        if (self._buffer_size - self._pos < self._min_free
                or time.monotonic() - self._held_since > _HOLD_LIMIT):
            self._hand_over()

    def _start_writer(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._writer, name="ftp-download-writer",
                                            daemon=True)
            with self._fd_lock:
                self._writer_running = True
            self._thread.start()

    def close(self) -> None:
        """Close the file descriptor now, or — while the writer thread still has buffers
        to write — as soon as it is done (it is told to stop after them)."""
        with self._fd_lock:
            if self._closed or self._close_requested:
                return
            if self._writer_running:
                self._close_requested = True
                self._stopped = True
                self._queue.put(None)
                return
            self._closed = True
        os.close(self._fd)

    def _hand_over(self) -> None:
        if self._pos:
            self._start_writer()
            self._queue.put((self._current, self._pos))
        else:
            self._free.append(self._current)
        if self._free:
            self._current = self._free.pop()
            self._view = memoryview(self._current)
        elif self._allocated < _BUFFER_COUNT:
            self._allocated += 1
            self._current = bytearray(self._buffer_size)
            self._view = memoryview(self._current)
        else:
            self._view = None  # type: ignore[assignment]
            if self.pause_reading is not None and not self._paused:
                self._paused = True
                self.pause_reading()
        self._pos = 0

    def _returned(self, buffer: bytearray) -> None:
        if self._view is None:
            self._current = buffer
            self._view = memoryview(buffer)
            self._pos = 0
        elif len(self._free) < _BUFFER_COUNT and len(buffer) == self._buffer_size:
            self._free.append(buffer)
        if self._paused and self.resume_reading is not None and not self._stopped:
            self._paused = False
            self.resume_reading()

    def _writer_failed(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        if self.on_error is not None:
            self.on_error(error)

    async def finish(self) -> None:
        if self._thread is None and self._pos <= _INLINE_WRITE_LIMIT:
            # everything is in the current buffer, if anywhere, and small
            if self._view is not None and self._pos and self._error is None:
                try:
                    self._carry_cr = self._store(self._current, self._pos, self._carry_cr)
                    self._store_final_cr(self._carry_cr)
                except OSError as exc:
                    self._writer_failed(exc)
                self._pos = 0
            if self._error is not None:
                raise self._error
            return
        if self._view is not None and self._pos:
            self._start_writer()
            self._queue.put((self._current, self._pos))
            self._pos = 0
        self._queue.put(None)
        await self._done
        if self._error is not None:
            raise self._error

    def discard(self) -> None:
        self._stopped = True
        if self._thread is not None:
            self._queue.put(None)

    # --- writer thread
    def _writer(self) -> None:
        carry_cr = False
        error: BaseException | None = None
        while True:
            item = self._queue.get()
            if item is None:
                break
            buffer, length = item
            if error is None:
                try:
                    carry_cr = self._store(buffer, length, carry_cr)
                except BaseException as exc:  # noqa: BLE001 - reported to the loop
                    error = exc
                    self._call(self._writer_failed, exc)
            self._call(self._returned, buffer)
        if error is None:
            try:
                self._store_final_cr(carry_cr)
            except BaseException as exc:  # noqa: BLE001
                error = exc
                self._call(self._writer_failed, exc)
        with self._fd_lock:
            self._writer_running = False
            close_now = self._close_requested and not self._closed
            if close_now:
                self._closed = True
        if close_now:
            os.close(self._fd)
        self._call(self._finished)

    def _store(self, buffer: bytearray, length: int, carry_cr: bool) -> bool:
        """Write ``length`` bytes of ``buffer`` (CRLF -> LF in ASCII mode); returns
        whether a trailing CR is held back for the next buffer."""
        if not self._ascii:
            self._write_all(memoryview(buffer)[:length])
            return False
        data = bytes(buffer[:length])
        if carry_cr:
            data = b"\r" + data
        carry_cr = data.endswith(b"\r")
        if carry_cr:
            data = data[:-1]
        self._write_all(memoryview(data.replace(b"\r\n", b"\n")))
        return carry_cr

    def _store_final_cr(self, carry_cr: bool) -> None:
        if carry_cr:
            self._write_all(memoryview(b"\r"))

    def _finished(self) -> None:
        if not self._done.done():
            self._done.set_result(None)

    def _call(self, fn: Callable, *args: object) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # loop closed: nobody is waiting any more
            pass

    def _write_all(self, view: memoryview) -> None:
        fd = self._fd
        for start in range(0, len(view), _WRITE_PIECE):
            piece = view[start:start + _WRITE_PIECE]
            while len(piece):
                piece = piece[os.write(fd, piece):]


class DataStream(asyncio.BufferedProtocol):
    """One data connection's transport-facing protocol (both directions).

    ``closed`` resolves when the connection is gone: with None for a clean end, or with
    the exception that ended it (reset, or a failure the watchdog set).
    """

    #: Whether a worker thread owns the connection once it is open (the threaded TLS
    #: paths): it moves the bytes itself (an upload's thread reads the file, so no
    #: sender runs on the loop), its blocking send fails the moment the server drops the
    #: connection, and ``closed`` resolves only once the thread has stopped. The data
    #: command asks this instead of the stream's class.
    runs_in_thread: ClassVar[bool] = False

    def __init__(self, sink: Sink | None = None,
                 on_bytes: Callable[[int], None] | None = None,
                 on_connected: Callable[[DataStream], bool] | None = None,
                 throttle: Throttle | None = None) -> None:
        self.sink = sink
        #: The speed limit's pacing (None: as fast as the link goes).
        self.throttle = throttle
        self.on_bytes = on_bytes
        self.on_connected = on_connected
        self.transport: asyncio.Transport | None = None
        #: The task feeding an upload (see :meth:`abort`).
        self.sender: asyncio.Future[None] | None = None
        self.bytes = 0
        self.connected_at: float | None = None
        self.first_byte_at: float | None = None
        self.last_byte_at: float | None = None
        self.eof = False
        self.failure: BaseException | None = None
        self.local: tuple | None = None
        self.peer: tuple | None = None
        loop = asyncio.get_running_loop()
        self.closed: asyncio.Future[BaseException | None] = loop.create_future()
        self.first_byte: asyncio.Future[None] = loop.create_future()
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._fallback_buffer: bytearray | None = None  # made when bytes come without a sink
        self._spill: bytearray | None = None  # see get_buffer
        self._spilled = False  # the last buffer handed out was the spill buffer
        # Why reading is paused: the sink waits for the disk, the speed limit for time.
        # Reading resumes only when neither holds it.
        self._holds: set[ReadHold] = set()
        self._limit_timer: asyncio.TimerHandle | None = None
        self._pacing = False

    # --- connection
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.connected_at = time.monotonic()
        self.local = transport.get_extra_info("sockname")
        self.peer = transport.get_extra_info("peername")
        if self.on_connected is not None and not self.on_connected(self):
            transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._limit_timer is not None:
            self._limit_timer.cancel()
            self._limit_timer = None
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_exception(exc or ConnectionResetError("data connection closed"))
        if not self.closed.done():
            self.closed.set_result(self.failure or exc)

    def fail(self, error: BaseException) -> None:
        """Record why the connection is being torn down (watchdog, disk error)."""
        if self.failure is None:
            self.failure = error
        self.abort()
        if not self.closed.done():
            self.closed.set_result(self.failure)

    def abort(self) -> None:
        """Drop the connection now, stopping a running upload first.

        A ``sendfile`` blocked on this socket has a writer registered on it, and asyncio
        removes that writer when the send is cancelled — but only if the socket is still
        open by then. Cancelling the sender before the transport closes lets the removal
        run first; the other way round the loop would keep watching a closed descriptor
        (the next socket given that number breaks; under Qt a notifier fires on an
        invalid socket).
        """
        if self.sender is not None and not self.sender.done():
            self.sender.cancel()
        if self.transport is not None:
            self.transport.abort()

    # --- TLS and the start
    async def handshake(self, context: ssl.SSLContext,
                        server_hostname: str | None) -> asyncio.BaseTransport | None:
        """Protect the connection: asyncio's TLS layer over its transport, which is the
        TLS one from then on (None: the connection closed during the handshake)."""
        assert self.transport is not None
        transport = await asyncio.get_running_loop().start_tls(
            self.transport, self, context, server_side=False, server_hostname=server_hostname)
        if transport is not None:
            self.transport = transport  # type: ignore[assignment]
        return transport

    def start_receiving(self) -> None:
        """The bytes may move now (the certificate was accepted; for an upload the
        server's 150 arrived too). asyncio moves them as they come: nothing to do."""

    @property
    def local_failure(self) -> BaseException | None:
        """A local failure that ended the transfer while the connection itself ended
        cleanly (a threaded upload's file that shrank: the thread stops sending and
        reports it here, the channel raises it as it is)."""
        return None

    # --- pausing
    def hold(self, reason: ReadHold) -> None:
        """Stop reading for ``reason`` until :meth:`release`."""
        first = not self._holds
        self._holds.add(reason)
        if first and self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()

    def release(self, reason: ReadHold) -> None:
        if reason not in self._holds:
            return
        self._holds.discard(reason)
        if not self._holds and self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    @property
    def limited(self) -> bool:
        """Waiting for the speed limit (the watchdog does not call that a stall)."""
        return ReadHold.LIMIT in self._holds or self._pacing

    def chunk(self, default: int) -> int:
        """How many bytes to send before :meth:`pace` (uploads)."""
        return default if self.throttle is None else self.throttle.chunk(default)

    async def pace(self, count: int) -> None:
        """After sending ``count`` bytes: wait as long as the speed limit asks."""
        if self.throttle is None:
            return
        delay = self.throttle.moved(count)
        if delay > 0:
            self._pacing = True
            try:
                await asyncio.sleep(delay)
            finally:
                self._pacing = False

    def _limit_over(self) -> None:
        self._limit_timer = None
        self.release(ReadHold.LIMIT)

    # --- receiving
    def get_buffer(self, sizehint: int) -> memoryview:
        if self.sink is None:
            if self._fallback_buffer is None:  # (an upload's connection: rarely any)
                self._fallback_buffer = bytearray(64 * 1024)
            buffer = memoryview(self._fallback_buffer)
        else:
            buffer = self.sink.get_buffer()
        if self.throttle is not None:
            buffer = buffer[:self.throttle.chunk(len(buffer))]
        # asyncio's TLS layer asks for the encrypted bytes it holds (a plain socket asks
        # for -1). At the end of the stream it reads once into the buffer given and shuts
        # down, dropping what did not fit: a speed limit's small pieces or a nearly full
        # sink buffer lost the file's end. A buffer for all it holds keeps it: its bytes
        # plus the rest of a record already decrypted (at most one record).
        wanted = sizehint + _TLS_RECORD if sizehint > 0 else 0
        self._spilled = wanted > len(buffer)
        if self._spilled:
            if self._spill is None or len(self._spill) < wanted:
                self._spill = bytearray(wanted)
            return memoryview(self._spill)[:wanted]
        return buffer

    def _store_spilled(self, nbytes: int) -> None:
        """Bytes received into the spill buffer go to the sink in its own pieces."""
        assert self._spill is not None
        if self.sink is None:
            return
        spill = memoryview(self._spill)
        done = 0
        while done < nbytes:
            view = self.sink.get_buffer()
            count = min(len(view), nbytes - done)
            view[:count] = spill[done:done + count]
            self.sink.commit(count)
            done += count

    def buffer_updated(self, nbytes: int) -> None:
        if self._spilled:
            self._spilled = False
            try:
                self._store_spilled(nbytes)
            except OSError as exc:
                self.fail(exc)
                return
            self._counted(nbytes)
            return
        self._counted(nbytes, commit=True)

    def _counted(self, nbytes: int, *, commit: bool = False) -> None:
        now = time.monotonic()
        if self.first_byte_at is None:
            self.first_byte_at = now
            if not self.first_byte.done():
                self.first_byte.set_result(None)
        self.last_byte_at = now
        self.bytes += nbytes
        if commit and self.sink is not None:
            try:
                self.sink.commit(nbytes)
            except OSError as exc:
                self.fail(exc)
                return
        if self.on_bytes is not None:
            self.on_bytes(self.bytes)
        if self.throttle is not None and not self.closed.done():
            delay = self.throttle.moved(nbytes)
            if delay > 0 and self._limit_timer is None:
                self.hold(ReadHold.LIMIT)
                self._limit_timer = asyncio.get_running_loop().call_later(delay, self._limit_over)

    def eof_received(self) -> bool | None:
        self.eof = True
        return False

    # --- sending (uploads)
    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_result(None)

    async def drain(self) -> None:
        if self.closed.done():
            raise self.failure or ConnectionResetError("the data connection closed")
        if not self._write_paused:
            return
        self._drain_waiter = asyncio.get_running_loop().create_future()
        try:
            await self._drain_waiter
        finally:
            self._drain_waiter = None

    def sent(self, nbytes: int) -> None:
        now = time.monotonic()
        if self.first_byte_at is None:
            self.first_byte_at = now
            if not self.first_byte.done():
                self.first_byte.set_result(None)
        self.last_byte_at = now
        self.bytes += nbytes
        if self.on_bytes is not None:
            self.on_bytes(self.bytes)
