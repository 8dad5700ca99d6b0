"""Big FTPS uploads with the file reads and TLS in a worker thread.

On the loop an FTPS upload hops to a thread for each read, then asyncio encrypts every
write into a memory BIO, copies it out and sends it: three Python-level copies and a
loop wake-up per piece. Here one thread reads the file into one preallocated buffer and
writes it through a blocking ``SSLSocket``, whose OpenSSL encrypts straight from that
buffer into its record buffer and sends each record (the GIL is released for the read
and for every encrypt-and-send), as command-line clients do. The loop hears from it ten
times a second.

What stays as on the loop's path (see :mod:`client.engine.data.threaded_tls`, whose
stream this one extends): the phases come from the loop, the first byte is sent only
after the certificate was accepted and the server's 150 arrived, the watchdog judges
stalls by the times the thread records, closing the socket from the loop (abort,
cancel, timeout, a 426) stops the thread at once, a speed limit set during the upload
paces it, the control connection's TLS session is resumed (vsftpd requires it), the
upload ends with a close_notify, and a local file that shrank is a :class:`LocalError`.
:func:`wants_threaded_upload` picks the path with the download side's rule: protected,
passive, binary, no limit at the start, at least ``THRESHOLD`` bytes.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from client.engine.data import threaded_tls
from client.engine.data.threaded_tls import ThreadedTlsStream
from client.engine.errors import LocalError
from client.engine.settings import TransferMode

if TYPE_CHECKING:
    from client.engine.data.stream import DataStream
    from client.engine.data.tracking import ChannelSetup
    from client.engine.ratelimit import Throttle

__all__ = ["FileSource", "ThreadedTlsUpload", "wants_threaded_upload"]

#: Bytes read from the file and handed to TLS per call: big enough that the per-call
#: cost vanishes, small enough to stay in the CPU's cache between read and encrypt.
_READ_SIZE = 256 * 1024
#: How often the loop is told how many bytes left (progress, the inspector's bytes).
_REPORT_INTERVAL = 0.1


class FileSource:
    """An upload's source that is a regular file read from ``offset`` for ``count``
    bytes in binary mode: the loop's path runs ``send``; the threaded path reads the
    descriptor itself."""

    def __init__(self, handle, offset: int, count: int,
                 send: Callable[[DataStream], Awaitable[None]]) -> None:
        self.handle = handle
        self.offset = offset
        self.count = count
        self._send = send

    def __call__(self, stream: DataStream) -> Awaitable[None]:
        return self._send(stream)


def wants_threaded_upload(setup: ChannelSetup, source: object, throttle: Throttle | None) -> bool:
    """The rule that picks the threaded path for an upload (the download side's)."""
    if setup.tls_context is None or setup.mode is not TransferMode.PASSIVE:
        return False
    if not isinstance(source, FileSource):
        return False
    if throttle is not None and throttle.limit is not None:
        return False
    return source.count >= threaded_tls.THRESHOLD


def _shrank(handle, expected: int) -> LocalError | None:
    try:
        now = os.fstat(handle.fileno()).st_size
    except OSError:
        return None
    if now >= expected:
        return None
    return LocalError(f"{handle.name} shrank from {expected} to {now} bytes while it was "
                      "being uploaded (another program changed it); the upload is "
                      "incomplete", step="local")


class ThreadedTlsUpload(ThreadedTlsStream):
    """An upload's data connection whose file reads and TLS run in a worker thread.

    :meth:`handshake` starts the thread, which shakes hands and waits;
    :meth:`start_receiving` (the channel's "go") lets it send. ``closed`` resolves once
    the thread has ended (close_notify sent, socket closed)."""

    def __init__(self, source: FileSource, on_bytes: Callable[[int], None] | None = None,
                 throttle: Throttle | None = None) -> None:
        super().__init__(None, on_bytes, throttle=throttle)
        self.source = source
        self._shrunk: LocalError | None = None

    @property
    def local_failure(self) -> LocalError | None:
        """Set when the local file ended early (the channel raises it as it is)."""
        return self._shrunk

    async def handshake(self, context: ssl.SSLContext,
                        server_hostname: str | None) -> asyncio.BaseTransport | None:
        """The TLS handshake, done by the worker thread on a blocking ``SSLSocket``
        that resumes the control connection's session (the socket's view carries it
        from then on)."""
        if self._sock is None or self.closed.done():
            raise self.failure or ConnectionResetError("the data connection closed before "
                                                       "the TLS handshake")
        source = getattr(context, "session_source", None)
        session = None
        if source is not None:
            try:  # read here, on the loop, which owns the control connection's TLS
                session = source()
            except Exception:  # noqa: BLE001 - no session means a full handshake
                session = None
        # A second descriptor for TLS: the loop shuts the plain one down to stop the
        # thread, whatever the TLS object is doing.
        plain = socket.socket(fileno=os.dup(self._sock.fileno()))
        plain.setblocking(True)
        try:
            tls = context.wrap_socket(plain, server_side=False, do_handshake_on_connect=False,
                                      server_hostname=server_hostname, session=session)
        except BaseException:
            plain.close()
            raise
        try:
            fd = os.dup(self.source.handle.fileno())  # the caller closes its own
        except BaseException:
            tls.close()
            raise
        return await self._run_thread(tls, "ftp-tls-upload", self._send_run,  # type: ignore[arg-type]
                                      (self._sock, tls, fd))

    def _ended(self, received: int, outcome: BaseException | None) -> None:
        if isinstance(outcome, LocalError):
            self._shrunk = outcome
            outcome = None  # the channel raises it; the connection itself ended cleanly
        super()._ended(received, outcome)

    # --- worker thread
    def _send_run(self, sock: socket.socket, tls: ssl.SSLSocket, fd: int) -> None:
        def close() -> None:
            os.close(fd)
            tls.close()
            sock.close()

        self._work_in_thread(tls.do_handshake, lambda: self._send(tls, fd), close)

    def _send(self, tls: ssl.SSLSocket, fd: int) -> None:
        source = self.source
        buffer = bytearray(_READ_SIZE)
        view = memoryview(buffer)
        position, remaining = source.offset, source.count
        sent = 0
        next_report = 0.0
        throttle = self.throttle
        try:
            while remaining > 0:
                want = min(_READ_SIZE, remaining)
                if throttle is not None and throttle.limit is not None:
                    want = min(throttle.chunk(want), want)
                count = os.preadv(fd, [view[:want]], position)
                if not count:
                    shrunk = _shrank(source.handle, source.offset + source.count)
                    if shrunk is not None:
                        raise shrunk
                    raise ConnectionResetError("the data connection stopped accepting data")
                try:
                    tls.sendall(view[:count])
                except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError) as exc:
                    # the peer went away: a reset, as on the loop's path
                    raise ConnectionResetError(str(exc) or type(exc).__name__) from None
                if self._stop.is_set():
                    return
                position += count
                remaining -= count
                sent += count
                self._received = sent
                now = time.monotonic()
                if self.first_byte_at is None:
                    self.first_byte_at = now
                    self._call(self._report, sent)
                    next_report = now + _REPORT_INTERVAL
                self.last_byte_at = now
                if now >= next_report:
                    next_report = now + _REPORT_INTERVAL
                    self._call(self._report, sent)
                if throttle is not None and throttle.limit is not None:
                    self._pace(count)
        finally:
            self._received = sent
        self._close_notify(tls)

    def _close_notify(self, tls: ssl.SSLSocket) -> None:
        """End TLS as asyncio does: send close_notify and wait for the server's answer
        (or its end of the connection: either ends the upload for the server)."""
        try:
            tls.unwrap()
        except (ssl.SSLError, OSError):
            pass
