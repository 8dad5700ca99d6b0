"""File transfers: streaming download to ``NAME.part`` and upload from disk.

Downloads land in ``NAME.part`` and are renamed onto ``NAME`` only after the server's
226 *and* a size check, so the target is never truncated or replaced by a partial file;
after a failure the ``.part`` stays for resume (REST). Uploads use ``loop.sendfile``
(the kernel copies file to socket on plain connections; asyncio falls back to chunked
writes under TLS) and resume with REST+STOR when the server offers REST STREAM, else
APPE. TYPE A converts line ends; HASH/X* verification and time preservation (MDTM in,
MFMT out) are used when the server offers them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import hashlib
import os
import stat as _stat
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.data.channel import DataTransfer
from client.engine.data.stream import DataStream, FileSink
from client.engine.errors import CommandFailedError, DataChannelError, FtpError, LocalError
from client.engine.events import DataFailure, DataPhase, NoticeKind, TransferProgress
from client.engine.localpaths import drop_empty_part, open_part_file, part_path
from client.engine.lost_reply import keep_despite_lost_reply
from client.engine.progress import ProgressReporter, next_transfer_id
from client.engine.ratelimit import Direction
from client.engine.settings import TransferMode
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["TransferResult", "download", "upload", "part_path"]

_SENDFILE_SLICE = 8 * 1024 * 1024
_ASCII_CHUNK = 1024 * 1024
#: Read size for uploads over TLS (see _send_through_tls).
_TLS_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class TransferResult:
    remote_path: str
    local_path: Path
    bytes_transferred: int
    total_size: int | None
    elapsed: float
    resumed_from: int
    verified: str | None = None


def _local_error(action: str, path: Path, exc: OSError) -> LocalError:
    return LocalError(f"could not {action} {path}: {exc.strerror or exc}", step="local")


async def _set_type(session: FtpSession, ascii: bool) -> None:
    if session.binary == (not ascii):
        return
    await session.command_locked(Command.type_(not ascii), step="type")
    session.binary = not ascii


# ---------------------------------------------------------------------------- download
async def download(session: FtpSession, remote: str, local: Path, *, resume: bool = False,
                   on_progress: Callable[[TransferProgress], None] | None = None,
                   ascii: bool = False, verify: bool = False, preserve_time: bool = True,
                   transfer_id: int | None = None,
                   known_size: int | None = None,
                   known_mtime: _dt.datetime | None = None) -> TransferResult:
    """Download ``remote`` to ``local`` (via ``local.part``).

    ``known_size``: the size a listing just reported. It spares the ``SIZE`` round trip
    (one of four per file: it made a tree of small files a third slower); when the
    bytes received differ from it, the server is asked ``SIZE`` after all, so a file
    that changed since the listing is judged by its size now, not by the listing's.

    ``known_mtime``: the modification time a listing reported *to the second* (an
    aware datetime, e.g. MLSD's ``modify`` fact); it spares the ``MDTM`` round trip
    when the local time is preserved. Not used on resume, nor when the file turned out
    to have changed since the listing (then ``MDTM`` is asked, as without it)."""
    command = session.path_command("RETR", remote)
    part = part_path(local)
    tid = transfer_id if transfer_id is not None else next_transfer_id()
    started = time.monotonic()
    outcome: dict[str, object] = {}

    async def attempt(mode: TransferMode) -> None:
        async with session.locked(busy=True):
            try:
                await _set_type(session, ascii)
                if ascii:
                    total = None
                elif known_size is not None and known_size >= 0 and not resume:
                    total = known_size
                else:
                    total = await session.size_locked(remote)
                    if total is None and known_size is not None and known_size >= 0:
                        total = known_size  # no SIZE: the listing's size is the next best
                offset = 0
                if resume and part.exists():
                    offset = part.stat().st_size
                    if total is None and offset:
                        # Without the remote size nothing can tell a server that honours
                        # REST from one that says 350 and sends the file from byte 0:
                        # appending could corrupt the file unnoticed. Start over.
                        session.notice(
                            f"the server does not report the size of {escape_control(remote)}, "
                            "so a resumed download could not be checked: downloading it "
                            "again from the start", NoticeKind.INFO, Severity.WARNING)
                        offset = 0
                    if total is not None and offset > total:
                        session.notice(f"{part.name} is larger than the remote file; "
                                        "downloading again from the start", NoticeKind.INFO)
                        offset = 0
                    if ascii:
                        offset = 0
                outcome.update(total=total, offset=offset, bytes=0)
                if total is not None and offset == total and offset > 0:
                    return  # the .part is complete: only the rename is left
                try:
                    received = await _retrieve(session, mode, command, part, offset, total,
                                               ascii, tid, on_progress, remote)
                except DataChannelError as exc:
                    received = keep_despite_lost_reply(session, exc, part, offset, total,
                                                       remote)
                    outcome["bytes"] = received
                    outcome["reply_lost"] = True
                    return  # the control connection is gone: no MDTM, no size check
                except CommandFailedError as exc:
                    if exc.step != "REST":
                        raise
                    session.notice(f"the server cannot resume ({exc.reply_code}); downloading "
                                    f"{escape_control(remote)} again from the start", NoticeKind.INFO,
                                    Severity.WARNING)
                    offset = 0
                    outcome["offset"] = 0
                    received = await _retrieve(session, mode, command, part, 0, total,
                                               ascii, tid, on_progress, remote)
                outcome["bytes"] = received
                listed_mtime = (known_mtime if not resume and known_mtime is not None
                                and known_mtime.tzinfo is not None else None)
                if (total is not None and offset + received != total and not resume
                        and total == known_size):
                    total = await session.size_locked(remote)  # changed since the listing?
                    outcome["total"] = total
                    listed_mtime = None  # the listing's time is as stale as its size
                if total is not None and offset + received != total:
                    raise DataChannelError(
                        f"the data connection closed after {offset + received} of {total} "
                        f"bytes of {escape_control(remote)} although the server reported "
                        f"success; {part.name} is kept for resume",
                        failure=DataFailure.CLOSED_EARLY, phase=DataPhase.CLOSED,
                        step="size-check")
                if preserve_time and listed_mtime is not None:
                    outcome["mtime"] = listed_mtime
                elif preserve_time and session.features.mdtm:
                    outcome["mtime"] = await session.mdtm_locked(remote)
            finally:
                if ascii:
                    await _set_type(session, False)

    try:
        await session.with_fallback(attempt)
    except BaseException:
        drop_empty_part(local)  # nothing arrived: nothing to resume, nothing left behind
        raise
    verified = None
    if verify and not ascii and not outcome.get("reply_lost"):
        verified = await _verify(session, remote, part)
    try:
        os.replace(part, local)
    except OSError as exc:
        raise _local_error("rename the finished download onto", local, exc) from None
    mtime = outcome.get("mtime")
    if mtime is not None:
        stamp = mtime.timestamp()  # type: ignore[attr-defined]
        try:
            os.utime(local, (stamp, stamp))
        except OSError:
            pass
    total = outcome.get("total")
    return TransferResult(remote_path=remote, local_path=local,
                          bytes_transferred=int(outcome.get("bytes", 0)),  # type: ignore[arg-type]
                          total_size=total if isinstance(total, int) else local.stat().st_size,
                          elapsed=time.monotonic() - started,
                          resumed_from=int(outcome.get("offset", 0)),  # type: ignore[arg-type]
                          verified=verified)


async def _retrieve(session: FtpSession, mode: TransferMode, command: Command, part: Path,
                    offset: int, total: int | None, ascii: bool, tid: int,
                    on_progress: Callable[[TransferProgress], None] | None,
                    remote: str) -> int:
    # The .part is never truncated up front: if the server then refuses the transfer,
    # what an earlier attempt left there (bytes to resume from) must still be there.
    # Writes start at ``offset``; once new bytes have arrived — success or failure —
    # the file is cut at the end of them, so it always holds one valid prefix.
    fd = open_part_file(part, truncate=False)
    sink: FileSink | None = None
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        progress = ProgressReporter(session.bus, session.connection_id, transfer_id=tid,
                                    direction="download", remote_path=remote, total=total,
                                    offset=offset, on_progress=on_progress)
        sink = FileSink(fd, ascii_mode=ascii,
                        size_hint=None if total is None else total - offset)
        transfer = DataTransfer(session.channel_setup(mode), command, sink=sink,
                                rest=offset or None, on_bytes=progress.update,
                                throttle=session.limiter.throttle(Direction.DOWNLOAD))
        try:
            result = await transfer.run()
        except BaseException:
            _cut_after_new_bytes(fd, offset)
            raise
        _cut_after_new_bytes(fd, offset, always=True)
        progress.bytes = result.bytes
        progress.finish()
        return result.bytes
    finally:
        if sink is not None:
            sink.close()  # waits for its writer thread, if one still has buffers
        else:
            os.close(fd)


def _cut_after_new_bytes(fd: int, offset: int, *, always: bool = False) -> None:
    """Truncate the .part at the end of what this attempt wrote (the descriptor's
    position: the sink has finished by now). Without new bytes, a failed attempt leaves
    the file exactly as it found it."""
    end = os.lseek(fd, 0, os.SEEK_CUR)
    if always or end > offset:
        os.ftruncate(fd, end)


# ---------------------------------------------------------------------------- upload
async def upload(session: FtpSession, local: Path, remote: str, *, resume: bool = False,
                 on_progress: Callable[[TransferProgress], None] | None = None,
                 ascii: bool = False, verify: bool = False, preserve_time: bool = True,
                 transfer_id: int | None = None) -> TransferResult:
    """Upload ``local`` to ``remote``; with ``resume``, continue after what the server
    already has (REST+STOR, or APPE when REST STREAM is not offered)."""
    try:
        stat = local.stat()
    except OSError as exc:
        raise _local_error("read", local, exc) from None
    if not _stat.S_ISREG(stat.st_mode):  # a FIFO or device would block the loop, or never end
        raise LocalError(f"{escape_control(str(local))} is not a regular file; only files "
                         "can be uploaded", step="local")
    size = stat.st_size
    tid = transfer_id if transfer_id is not None else next_transfer_id()
    started = time.monotonic()
    outcome: dict[str, object] = {"offset": 0, "bytes": 0}
    session.path_command("STOR", remote)  # refuse CR/LF/NUL before anything is sent

    async def attempt(mode: TransferMode) -> None:
        async with session.locked(busy=True):
            try:
                await _set_type(session, ascii)
                offset = 0
                if resume and not ascii:
                    remote_size = await session.size_locked(remote)
                    if remote_size is not None and 0 < remote_size <= size:
                        offset = remote_size
                outcome["offset"] = offset
                if offset == size and offset > 0:
                    return
                if offset and session.features.rest_stream:
                    command, rest = session.path_command("STOR", remote), offset
                elif offset:
                    command, rest = session.path_command("APPE", remote), None
                else:
                    command, rest = session.path_command("STOR", remote), None
                progress = ProgressReporter(session.bus, session.connection_id,
                                            transfer_id=tid, direction="upload",
                                            remote_path=remote, total=size, offset=offset,
                                            on_progress=on_progress)
                try:
                    handle = open(local, "rb")  # noqa: SIM115 - closed in finally
                except OSError as exc:
                    raise _local_error("read", local, exc) from None
                try:
                    source = _ascii_source(handle) if ascii else _sendfile_source(
                        handle, offset, size - offset)
                    result = await DataTransfer(session.channel_setup(mode), command,
                                                source=source, rest=rest,
                                                on_bytes=progress.update,
                                                throttle=session.limiter.throttle(
                                                    Direction.UPLOAD)).run()
                finally:
                    handle.close()
                progress.bytes = result.bytes
                progress.finish()
                outcome["bytes"] = result.bytes
                await _check_and_stamp(session, remote, size, stat.st_mtime,
                                       check=not ascii and session.features.size,
                                       stamp=preserve_time and session.features.mfmt)
            finally:
                if ascii:
                    await _set_type(session, False)

    await session.with_fallback(attempt)
    verified = None
    if verify and not ascii:
        verified = await _verify(session, remote, local)
    return TransferResult(remote_path=remote, local_path=local,
                          bytes_transferred=int(outcome["bytes"]),  # type: ignore[arg-type]
                          total_size=size, elapsed=time.monotonic() - started,
                          resumed_from=int(outcome["offset"]),  # type: ignore[arg-type]
                          verified=verified)


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
    for command in commands:
        control.send(command)
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
        if stream.transport.get_extra_info("ssl_object") is not None:
            await _send_through_tls(stream, handle, offset, count)
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


async def _send_through_tls(stream: DataStream, handle, offset: int, count: int) -> None:
    """A TLS data connection cannot use ``sendfile`` (every byte passes through the TLS
    layer), and asyncio's fallback reads 16 KiB per hop to a worker thread. Here the file
    is read 1 MiB per hop, the next piece while the previous one is encrypted and sent."""

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
            assert stream.transport is not None
            stream.transport.write(chunk)
            stream.sent(len(chunk))
            await stream.drain()
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


# ---------------------------------------------------------------------------- verify
def _local_digest(path: Path, algorithm: str) -> str:
    if algorithm == "CRC32":
        crc = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(4 * 1024 * 1024):
                crc = zlib.crc32(chunk, crc)
        return f"{crc & 0xFFFFFFFF:08x}"
    digest = hashlib.new(algorithm.replace("-", "").lower())
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _hex_token(text: str, length: int | None) -> str | None:
    for token in text.replace("\n", " ").split():
        cleaned = token.lower()
        if all(c in "0123456789abcdef" for c in cleaned) and (length is None or len(cleaned) == length):
            return cleaned
    return None


_DIGEST_LENGTH = {"SHA-512": 128, "SHA-256": 64, "SHA-1": 40, "MD5": 32, "CRC32": 8}


async def _verify(session: FtpSession, remote: str, local: Path) -> str | None:
    """Compare the server's checksum of ``remote`` with ``local``'s; the algorithm name
    when they match, None when the server offers no checksum. Mismatch raises."""
    choice = session.features.hash_choice()
    if choice is None:
        session.notice("the server offers no checksum command (HASH, XSHA256, XMD5, …); "
                        "the transfer was checked by size only", NoticeKind.INFO)
        return None
    async with session.locked():
        if choice.needs_opts:
            reply = await session.control.execute(Command("OPTS", f"HASH {choice.algorithm}"),
                                                   step="verify")
            if not reply.is_success:
                session.notice(f"OPTS HASH {choice.algorithm} refused ({reply.code}); not verified")
                return None
        reply = await session.control.execute(session.path_command(choice.command, remote),
                                               step="verify")
    if not reply.is_success:
        session.notice(f"{choice.command} answered {reply.code}; the transfer was not verified")
        return None
    expected = _hex_token(reply.text, _DIGEST_LENGTH.get(choice.algorithm))
    if expected is None:
        session.notice(f"could not read a checksum in the {choice.command} reply")
        return None
    actual = await asyncio.to_thread(_local_digest, local, choice.algorithm)
    if choice.algorithm == "CRC32":
        expected = expected.rjust(8, "0")
    if actual != expected:
        raise FtpError(f"{choice.algorithm} of {escape_control(remote)} differs: the server has "
                       f"{expected}, the local copy {actual}; the file is corrupt",
                       step="verify")
    return choice.algorithm
