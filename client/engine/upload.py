"""One upload: ``STOR`` (or ``APPE``/``REST`` to resume) from a regular local file,
then ``SIZE`` and ``MFMT`` together (see :mod:`client.engine.transfer`). Big FTPS
uploads are sent by a worker thread (:mod:`client.engine.data.threaded_upload`); the
sources here serve the rest."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import stat as _stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.data.channel import DataTransfer
from client.engine.data.stream import DataStream
from client.engine.data.threaded_upload import FileSource
from client.engine.errors import DataChannelError, LocalError
from client.engine.events import DataFailure, DataPhase, TransferProgress
from client.engine.progress import ProgressReporter, next_transfer_id
from client.engine.ratelimit import Direction
from client.engine.settings import TransferMode
from client.engine.transfer import TransferResult, local_error, locked_in_type
from client.engine.verify import verify_checksum
from client.protocol.commands import Command
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["Upload"]

_SENDFILE_SLICE = 8 * 1024 * 1024
#: ``sendfile`` hands the file's pages to the socket without copying them through this
#: process: a plain gain when the bytes leave the machine. To a server on the same
#: machine (loopback) the server then copies every page cold from memory, and reading
#: and writing here was faster (1 GiB on a quiet machine: vsftpd 1.13× curl -T's speed
#: against 0.84× with sendfile, pyftpdlib 1.02× against 0.73×; bench/HISTORY.md). True
#: sends with sendfile to loopback too (tests of the sendfile path).
SENDFILE_TO_LOOPBACK = False
_ASCII_CHUNK = 1024 * 1024
#: Read size per hop to the worker thread when not using sendfile (see _send_read_ahead).
_TLS_CHUNK = 2 * 1024 * 1024
#: Plaintext handed to the TLS layer per write: each write is encrypted, copied out of
#: asyncio's memory BIO and sent before the next, so this bounds every one of those
#: copies (a cache-sized piece instead of the whole read).
_TLS_WRITE = 128 * 1024


class Upload:
    """Upload ``local`` to ``remote``; with ``resume``, continue after what the server
    already has (REST+STOR, or APPE when REST STREAM is not offered). :meth:`run` does
    it under the session's mode fallback; the attributes hold what the attempts did."""

    def __init__(self, session: FtpSession, local: Path, remote: str, *, resume: bool = False,
                 on_progress: Callable[[TransferProgress], None] | None = None,
                 ascii: bool = False, verify: bool = False, preserve_time: bool = True,
                 transfer_id: int | None = None) -> None:
        try:
            stat = local.stat()
        except OSError as exc:
            raise local_error("read", local, exc) from None
        if not _stat.S_ISREG(stat.st_mode):  # a FIFO or device would block, or never end
            raise LocalError(f"{escape_control(str(local))} is not a regular file; only "
                             "files can be uploaded", step="local")
        session.path_command("STOR", remote)  # refuse CR/LF/NUL before anything is sent
        self.session = session
        self.local = local
        self.remote = remote
        self.resume = resume
        self.on_progress = on_progress
        self.ascii = ascii
        self.verify = verify
        self.preserve_time = preserve_time
        self.size = stat.st_size
        self.local_mtime = stat.st_mtime
        self.transfer_id = transfer_id if transfer_id is not None else next_transfer_id()
        # what the attempts did
        self.offset = 0  # where this upload started in the file (resume)
        self.sent = 0  # bytes sent

    async def run(self) -> TransferResult:
        started = time.monotonic()
        await self.session.with_fallback(self.attempt)
        verified = None
        if self.verify and not self.ascii:
            verified = await verify_checksum(self.session, self.remote, self.local)
        return TransferResult(remote_path=self.remote, local_path=self.local,
                              bytes_transferred=self.sent, total_size=self.size,
                              elapsed=time.monotonic() - started, resumed_from=self.offset,
                              verified=verified)

    async def attempt(self, mode: TransferMode) -> None:
        """One try in ``mode`` (the session's fallback may call it again in the other)."""
        session = self.session
        async with locked_in_type(session, self.ascii):
            self.offset = await self._resume_offset()
            if self.offset == self.size and self.offset > 0:
                return
            await self._send(mode)
            features = session.features
            await _check_and_stamp(session, self.remote, self.size, self.local_mtime,
                                   check=not self.ascii and features.size,
                                   stamp=self.preserve_time and features.mfmt)

    async def _resume_offset(self) -> int:
        """What the server already has of the file, when continuing it."""
        if not self.resume or self.ascii:
            return 0
        remote_size = await self.session.size_locked(self.remote)
        if remote_size is not None and 0 < remote_size <= self.size:
            return remote_size
        return 0

    def _command(self) -> tuple[Command, int | None]:
        """STOR, REST+STOR or APPE, and the REST offset."""
        session, offset = self.session, self.offset
        if offset and session.features.rest_stream:
            return session.path_command("STOR", self.remote), offset
        if offset:
            return session.path_command("APPE", self.remote), None
        return session.path_command("STOR", self.remote), None

    async def _send(self, mode: TransferMode) -> None:
        session, offset = self.session, self.offset
        command, rest = self._command()
        progress = ProgressReporter(session.bus, session.connection_id,
                                    transfer_id=self.transfer_id, direction="upload",
                                    remote_path=self.remote, total=self.size, offset=offset,
                                    on_progress=self.on_progress)
        try:
            # unbuffered: sendfile reads the descriptor itself, and a buffered reader
            # (with its terminal check) cost a system call and an object per file
            handle = open(self.local, "rb", buffering=0)  # noqa: SIM115 - closed in finally
        except OSError as exc:
            raise local_error("read", self.local, exc) from None
        try:
            source = _ascii_source(handle) if self.ascii else FileSource(
                handle, offset, self.size - offset,
                _sendfile_source(handle, offset, self.size - offset))
            result = await DataTransfer(session.channel_setup(mode), command, source=source,
                                        rest=rest, on_bytes=progress.update,
                                        throttle=session.limiter.throttle(
                                            Direction.UPLOAD)).run()
        finally:
            handle.close()
        progress.bytes = result.bytes
        progress.finish()
        self.sent = result.bytes


async def _check_and_stamp(session: FtpSession, remote: str, size: int, mtime: float, *,
                           check: bool, stamp: bool) -> None:
    """After an upload: ``SIZE`` (did the server keep every byte?) and ``MFMT`` (keep the
    local time), sent together when both are due — one round trip per file, not two."""
    commands = []
    if check:
        commands.append(session.path_command("SIZE", remote))
    if stamp:
        when = time.strftime("%Y%m%d%H%M%S", time.gmtime(mtime))
        commands.append(session.path_command("MFMT", f"{when} {remote}"))
    control = session.control
    control.send_many(commands)  # one write: one wake-up of the server
    replies = []
    for command in commands:
        reply = await control.read_reply(step=command.verb.lower())
        while reply.is_preliminary:
            reply = await control.read_reply(step=command.verb.lower())
        replies.append(reply)
    if check:
        reply = replies[0]
        remote_size = None
        if reply.code == 213:
            with contextlib.suppress(ValueError, IndexError):
                remote_size = int(reply.first_line_text.strip().split()[0])
        if remote_size is not None and remote_size != size:
            raise DataChannelError(
                f"the server has {remote_size} bytes of {escape_control(remote)} "
                f"after the upload, the local file has {size}",
                failure=DataFailure.CLOSED_EARLY, phase=DataPhase.CLOSED,
                step="size-check")
    if stamp and not replies[-1].is_success:
        session.notice(f"could not preserve the modification time ({replies[-1].code})")



def _sendfile_source(handle, offset: int, count: int):
    async def send(stream: DataStream) -> None:
        loop = asyncio.get_running_loop()
        position = offset
        remaining = count
        assert stream.transport is not None
        if stream.transport.get_extra_info("ssl_object") is not None \
                or not _wants_sendfile(stream.transport):
            await _send_read_ahead(stream, handle, offset, count)
            return
        while remaining > 0:
            piece = min(stream.chunk(_SENDFILE_SLICE), remaining)
            transport = stream.transport
            # asyncio refuses a closing transport with a bare RuntimeError: the server
            # (or a reset) closed the data connection under the upload.
            if transport is None or transport.is_closing():
                raise ConnectionResetError("the data connection was closed before the "
                                           "upload finished")
            try:
                sent = await loop.sendfile(transport, handle, position, piece, fallback=True)
            except RuntimeError:
                if not transport.is_closing():
                    raise
                raise ConnectionResetError("the data connection was closed before the "
                                           "upload finished") from None
            if sent <= 0:
                _raise_if_source_shrank(handle, offset + count)
                raise ConnectionResetError("the data connection stopped accepting data")
            position += sent
            remaining -= sent
            stream.sent(sent)
            await stream.pace(sent)
    return send


def _wants_sendfile(transport: asyncio.BaseTransport) -> bool:
    """Whether the data connection leaves the machine (see SENDFILE_TO_LOOPBACK)."""
    if SENDFILE_TO_LOOPBACK:
        return True
    peer = transport.get_extra_info("peername")
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
    except (TypeError, ValueError, IndexError):
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_loopback


async def _send_read_ahead(stream: DataStream, handle, offset: int, count: int) -> None:
    """Read and write instead of ``sendfile``: a TLS data connection cannot use it
    (every byte passes through the TLS layer), and to a server on this machine it is
    slower (see SENDFILE_TO_LOOPBACK); asyncio's own fallback reads 16 KiB per hop to a
    worker thread. Here the file is read 2 MiB per hop, the next piece while the
    previous one is (encrypted and) sent.

    Each piece goes to the transport in 128 KiB writes. Over TLS asyncio encrypts a write
    whole into a memory BIO, copies it out and sends it, and whatever the socket does
    not take is copied once more into the transport's buffer. With one write per piece
    those copies were a whole megabyte each; measured, 128 KiB writes cut the upload's
    CPU time per byte by about a third."""

    def read_at(position: int, size: int) -> bytes:
        handle.seek(position)
        return handle.read(size)

    def read_ahead(position: int, remaining: int) -> asyncio.Future[bytes] | None:
        if remaining <= 0:
            return None
        return asyncio.ensure_future(asyncio.to_thread(read_at, position,
                                                       min(stream.chunk(_TLS_CHUNK), remaining)))

    position, remaining = offset, count
    pending = read_ahead(position, remaining)
    try:
        while pending is not None:
            chunk = await pending
            pending = None
            if not chunk:
                _raise_if_source_shrank(handle, offset + count)
                raise ConnectionResetError("the data connection stopped accepting data")
            position += len(chunk)
            remaining -= len(chunk)
            pending = read_ahead(position, remaining)  # one read in flight at a time
            view = memoryview(chunk)
            for start in range(0, len(view), _TLS_WRITE):
                assert stream.transport is not None
                stream.transport.write(view[start:start + _TLS_WRITE])
                await stream.drain()
            stream.sent(len(chunk))
            await stream.pace(len(chunk))
    finally:
        if pending is not None:  # the file is closed after this returns: let the read end
            await asyncio.wait([pending])
            if not pending.cancelled():
                pending.exception()  # retrieved: an error of an unused read is no news


def _raise_if_source_shrank(handle, expected: int) -> None:
    """sendfile sends nothing at end of file: when the local file got shorter during the
    upload, that is the cause, not the data connection."""
    try:
        now = os.fstat(handle.fileno()).st_size
    except OSError:
        return
    if now < expected:
        raise LocalError(f"{handle.name} shrank from {expected} to {now} bytes while it was "
                         "being uploaded (another program changed it); the upload is "
                         "incomplete", step="local")


def _ascii_source(handle):
    async def send(stream: DataStream) -> None:
        last_cr = False
        while True:
            chunk = await asyncio.to_thread(handle.read, stream.chunk(_ASCII_CHUNK))
            if not chunk:
                return
            # LF -> CRLF, leaving existing CRLF alone (also across chunk borders).
            converted = chunk.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            if last_cr and chunk.startswith(b"\n"):
                converted = converted[1:]
            last_cr = chunk.endswith(b"\r")
            assert stream.transport is not None
            stream.transport.write(converted)
            stream.sent(len(converted))
            await stream.drain()
            await stream.pace(len(converted))
    return send

