"""Big FTPS downloads with the TLS layer in a worker thread, as command-line clients do.

asyncio's TLS layer wakes the loop for every socket read, copies it into a memory BIO,
calls back into Python once per 16 KiB record, and the writer thread then copies cold
4 MiB buffers into the page cache. Here one thread receives 256 KiB at a time, decrypts
each record into a 16 KiB buffer and writes it at once, while it is still in the CPU's
cache (each of those calls releases the GIL); the loop hears from it ten times a second.

What stays: the phases come from the loop (TLS_ESTABLISHED only once the certificate
was checked, before any byte is read), the watchdog judges silence and stalls by the
times the thread records, closing the socket from the loop (abort, cancel, timeout, a
426) stops the thread at once and what arrived stays in the ``.part``, a speed limit
set during the transfer paces it, the control connection's TLS session is resumed (as
vsftpd requires), and the TLS ending follows asyncio's rules (a close_notify is
answered; an end without one is a TLS failure). :func:`wants_threaded_tls` picks the
path: protected, passive, binary, to a file, no limit at the start, and at least
:data:`THRESHOLD` bytes or of unknown size (a thread per small file costs more than it
saves).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from client.engine.data.stream import DataStream, FileSink, Sink
from client.engine.settings import TransferMode

if TYPE_CHECKING:
    from client.engine.data.tracking import ChannelSetup
    from client.engine.ratelimit import Throttle

__all__ = ["THRESHOLD", "ThreadedTlsStream", "wants_threaded_tls"]

#: Downloads at least this big (or of unknown size) take the threaded path.
THRESHOLD = 16 * 1024 * 1024
#: Bytes asked of the socket per read (loopback and fast links deliver this much at once).
_RECEIVE_SIZE = 256 * 1024
#: Decrypted bytes per read and per write to the file: one TLS record (RFC 8446 5.1),
#: written as soon as it is decrypted, as curl does. Small on purpose: the kernel copies
#: each write into the page cache and sizes the new folios by the write (ext4 with
#: large folios); on the test machine aligned writes of 64 KiB and more sometimes cost
#: two to five times as much kernel time per GiB as 16 KiB writes, which cost the same
#: every time (``bench/HISTORY.md``, 6 December 11:00).
_WRITE_SIZE = 16 * 1024
#: How often the loop is told how many bytes arrived (progress, the inspector's bytes).
_REPORT_INTERVAL = 0.1


def wants_threaded_tls(setup: ChannelSetup, sink: Sink | None, throttle: Throttle | None) -> bool:
    """The rule that picks the threaded path for a data command."""
    if setup.tls_context is None or setup.mode is not TransferMode.PASSIVE:
        return False
    if not isinstance(sink, FileSink) or sink.ascii_mode:
        return False
    if throttle is not None and throttle.limit is not None:
        return False
    return sink.expected is None or sink.expected >= THRESHOLD


class _SocketView:
    """What the channel and its watchdog ask of a transport, for a socket the worker
    thread owns (addresses, the socket for TCP facts, closing)."""

    def __init__(self, stream: ThreadedTlsStream, sock: socket.socket) -> None:
        self._stream = stream
        self._extra = {"socket": sock, "sockname": sock.getsockname(),
                       "peername": sock.getpeername()}

    def get_extra_info(self, name: str, default: object = None) -> object:
        return self._extra.get(name, default)

    def set_ssl_object(self, ssl_object: ssl.SSLObject) -> None:
        self._extra["ssl_object"] = ssl_object

    def is_closing(self) -> bool:
        return self._stream.stopping

    def close(self) -> None:
        self._stream.abort()

    def abort(self) -> None:
        self._stream.abort()

    def pause_reading(self) -> None:  # the thread reads as fast as the file takes it
        pass

    def resume_reading(self) -> None:
        pass


class ThreadedTlsStream(DataStream):
    """A download's data connection whose TLS and file writes run in a worker thread.

    The socket comes from the dial (taken from asyncio in :meth:`connection_made`);
    :meth:`handshake` starts the thread,
    which shakes hands and waits; :meth:`start_receiving` lets it read. ``closed``
    resolves once the thread has ended (its last write is done, its socket closed).
    """

    runs_in_thread = True

    def __init__(self, sink: FileSink | None, on_bytes: Callable[[int], None] | None = None,
                 throttle: Throttle | None = None) -> None:
        super().__init__(sink, on_bytes, None, throttle=throttle)
        self._file = sink
        self._loop = asyncio.get_running_loop()
        self._sock: socket.socket | None = None
        self._ssl: ssl.SSLObject | None = None
        self._thread: threading.Thread | None = None
        self._go = threading.Event()
        self._stop = threading.Event()
        self._handshaken: asyncio.Future[None] | None = None
        self._received = 0  # written by the thread; read by the loop after it ended
        self._released: asyncio.BaseTransport | None = None

    # --- loop side
    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """The dial hands the connected socket to asyncio like any other; this stream
        takes it over before asyncio reads from it (a duplicate descriptor keeps the
        connection while the transport lets go of its own)."""
        super().connection_made(transport)
        original = transport.get_extra_info("socket")
        try:
            sock = socket.socket(fileno=os.dup(original.fileno()))
        except OSError as exc:
            self.failure = exc
            transport.abort()
            return
        self._released = transport
        transport.abort()  # closes asyncio's descriptor only: no FIN, no reset
        self.adopt(sock)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._released is not None and self._sock is not None:
            return  # the transport let go of its descriptor; the thread has the connection
        super().connection_lost(exc)

    def adopt(self, sock: socket.socket) -> None:
        """Take the connected socket (instead of an asyncio transport)."""
        self._sock = sock
        view = _SocketView(self, sock)
        self.transport = view  # type: ignore[assignment]
        self.connected_at = time.monotonic()
        self.local = view.get_extra_info("sockname")  # type: ignore[assignment]
        self.peer = view.get_extra_info("peername")  # type: ignore[assignment]

    async def handshake(self, context: ssl.SSLContext,
                        server_hostname: str | None) -> asyncio.BaseTransport | None:
        """The TLS handshake, done by the worker thread; resumes the control
        connection's session (the context supplies it). Returns the socket's view,
        which carries the TLS object from then on."""
        if self._sock is None or self.closed.done():
            raise self.failure or ConnectionResetError("the data connection closed before "
                                                       "the TLS handshake")
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        # created here, on the loop: the context reads the control connection's session
        self._ssl = context.wrap_bio(incoming, outgoing, server_side=False,
                                     server_hostname=server_hostname)
        return await self._run_thread(
            self._ssl, "ftp-tls-download", self._run,
            (self._sock, self._ssl, incoming, outgoing,
             os.dup(self._file.descriptor)))  # type: ignore[union-attr]

    async def _run_thread(self, tls: ssl.SSLObject, name: str, target: Callable[..., None],
                          args: tuple) -> _SocketView:
        """Start the connection's thread and wait for its handshake (a failure stops it);
        the view then answers for the TLS object."""
        self._handshaken = self._loop.create_future()
        self._thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._thread.start()
        try:
            await self._handshaken
        except BaseException:
            self.abort()
            raise
        self.transport.set_ssl_object(tls)  # type: ignore[union-attr]
        return self.transport  # type: ignore[return-value]

    def start_receiving(self) -> None:
        """The certificate was accepted: the thread may read and write the file."""
        self._go.set()

    def abort(self) -> None:
        """Stop the thread now: shutting the socket down wakes a blocked read or send.
        The thread closes the socket itself (closing it under a blocked call could hand
        its number to another socket)."""
        self._stop.set()
        self._go.set()
        sock = self._sock
        if self._thread is None:  # no thread to stop: the connection ends here
            self._sock = None
            if sock is not None:
                sock.close()
            self._resolve(None)
            return
        assert sock is not None
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def fail(self, error: BaseException) -> None:
        if self.failure is None:
            self.failure = error
        self.abort()
        if self._thread is None:
            self._resolve(None)

    def _resolve(self, outcome: BaseException | None) -> None:
        if self.closed.done():
            return
        if self._handshaken is not None and not self._handshaken.done():
            self._handshaken.set_exception(
                outcome or ConnectionResetError("the data connection closed during the TLS handshake"))
        self.closed.set_result(self.failure or outcome)

    def _handshake_done(self) -> None:
        if self._handshaken is not None and not self._handshaken.done():
            self._handshaken.set_result(None)

    def _report(self, received: int) -> None:
        if self.closed.done():
            return
        if self.first_byte_at is not None and not self.first_byte.done():
            self.first_byte.set_result(None)
        self.bytes = received
        if self.on_bytes is not None and received:
            self.on_bytes(received)

    def _ended(self, received: int, outcome: BaseException | None) -> None:
        self._report(received)
        self._resolve(outcome)

    def _pace_delay(self, count: int) -> float:
        """Runs on the loop: the speed limit's buckets belong to it."""
        assert self.throttle is not None
        return self.throttle.moved(count)

    # --- worker thread
    def _call(self, fn: Callable, *args: object) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop is gone: nobody waits for this transfer
            self._stop.set()

    def _run(self, sock: socket.socket, tls: ssl.SSLObject, incoming: ssl.MemoryBIO,
             outgoing: ssl.MemoryBIO, fd: int) -> None:
        def handshake() -> None:
            sock.setblocking(True)
            self._shake_hands(sock, tls, incoming, outgoing)

        def close() -> None:
            os.close(fd)
            sock.close()

        self._work_in_thread(handshake, lambda: self._receive(sock, tls, incoming, outgoing, fd),
                             close)

    def _work_in_thread(self, handshake: Callable[[], None], work: Callable[[], None],
                        close: Callable[[], None]) -> None:
        """The worker thread's life, for either direction: the handshake, the loop's "go"
        (certificate accepted), the work, and the end reported to the loop — where a stop
        the loop asked for is the failure, whatever the socket then raised."""
        outcome: BaseException | None = None
        try:
            handshake()
            self._call(self._handshake_done)
            self._go.wait()
            if not self._stop.is_set():
                work()
            if self._stop.is_set():
                outcome = ConnectionAbortedError("the data connection was closed")
        except BaseException as exc:  # noqa: BLE001 - reported to the loop
            outcome = exc
            if self._stop.is_set():  # the loop closed it: its reason is the failure
                outcome = ConnectionAbortedError("the data connection was closed")
        finally:
            close()
        self._call(self._ended, self._received, outcome)

    def _shake_hands(self, sock: socket.socket, tls: ssl.SSLObject, incoming: ssl.MemoryBIO,
                     outgoing: ssl.MemoryBIO) -> None:
        buffer = bytearray(64 * 1024)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pending = outgoing.read()
                if pending:
                    sock.sendall(pending)
                count = sock.recv_into(buffer)
                if not count or self._stop.is_set():
                    raise ConnectionResetError("the data connection closed during the TLS "
                                               "handshake") from None
                incoming.write(memoryview(buffer)[:count])
        pending = outgoing.read()
        if pending:
            sock.sendall(pending)

    def _receive(self, sock: socket.socket, tls: ssl.SSLObject, incoming: ssl.MemoryBIO,
                 outgoing: ssl.MemoryBIO, fd: int) -> None:
        raw = bytearray(_RECEIVE_SIZE)
        raw_view = memoryview(raw)
        plain = bytearray(_WRITE_SIZE)
        plain_view = memoryview(plain)
        received = 0  # decrypted and written: a failure keeps all of it in the file
        next_report = 0.0
        throttle = self.throttle
        closing = False
        try:
            while not closing:
                want = _RECEIVE_SIZE
                if throttle is not None and throttle.limit is not None:
                    want = throttle.chunk(_RECEIVE_SIZE)
                try:
                    count = sock.recv_into(raw_view, want)
                except OSError as exc:
                    if isinstance(exc, ConnectionError):
                        raise
                    raise ConnectionResetError(str(exc) or type(exc).__name__) from None
                if self._stop.is_set():
                    return
                if count:
                    incoming.write(raw_view[:count])
                else:
                    incoming.write_eof()
                before = received
                while True:
                    try:
                        got = tls.read(_WRITE_SIZE, plain)
                    except ssl.SSLWantReadError:
                        break
                    if not got:  # close_notify: answered below, as asyncio does
                        closing = True
                        break
                    self._write(fd, plain_view, got)
                    received += got
                now = time.monotonic()
                if received != before:
                    self._received = received
                    if self.first_byte_at is None:
                        self.first_byte_at = now
                        self._call(self._report, received)
                        next_report = now + _REPORT_INTERVAL
                    self.last_byte_at = now
                if now >= next_report and received != before:
                    next_report = now + _REPORT_INTERVAL
                    self._call(self._report, received)
                if throttle is not None and received != before and throttle.limit is not None:
                    self._pace(received - before)
                if not count and not closing:
                    # EOF without close_notify: tls.read raised SSLEOFError above; a
                    # server that sent nothing at all lands here
                    raise ConnectionResetError("the data connection closed without a TLS "
                                               "close_notify")
        finally:
            self._received = received
        try:
            tls.unwrap()
        except ssl.SSLError:
            pass
        pending = outgoing.read()
        if pending:
            try:
                sock.sendall(pending)
            except OSError:
                pass

    def _write(self, fd: int, view: memoryview, length: int) -> None:
        piece = view[:length]
        while len(piece):
            piece = piece[os.write(fd, piece):]

    def _pace(self, count: int) -> None:
        """Wait as the speed limit asks (a limit set during the transfer)."""
        asked: concurrent.futures.Future[float] = concurrent.futures.Future()

        def ask() -> None:
            try:
                asked.set_result(self._pace_delay(count))
            except BaseException as exc:  # noqa: BLE001 - the thread raises it
                asked.set_exception(exc)

        self._call(ask)
        while not asked.done():
            if self._stop.is_set():
                return
            try:
                asked.result(timeout=0.5)
            except TimeoutError:
                continue
        delay = asked.result()
        if delay > 0:
            self._pacing = True
            try:
                self._stop.wait(delay)
            finally:
                self._pacing = False
