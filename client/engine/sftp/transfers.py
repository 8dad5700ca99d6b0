"""SFTP downloads and uploads with many READ/WRITE requests in flight.

Download: the file is written to ``NAME.part`` (opened without following links, see
:mod:`client.engine.localpaths`) at the offset each block belongs to, since answers to
parallel READs may arrive out of order. Only the contiguous prefix counts: when the
transfer breaks, the ``.part`` is cut back to it, so a resume never skips a hole. The
``.part`` becomes ``NAME`` only when every byte of the size STAT announced is there.

Upload: WRITE requests carry their offsets; the server applies them in the order they
arrive on the channel, so what reached it is a prefix and its size is where a resume
(``resume=True``) continues.

READ/WRITE requests are reported as one coalesced event per transfer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import asyncssh

from client.engine.errors import ConnectionLostError, FtpError, LocalError
from client.engine.events import TransferProgress
from client.engine.localpaths import open_part_file, part_path
from client.engine.progress import ProgressReporter, next_transfer_id
from client.engine.ratelimit import Direction, Throttle
from client.engine.sftp.attrs import kind_of
from client.engine.sftp.requests import translate
from client.engine.transfer import TransferResult
from client.protocol.listing.entry import EntryKind
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.sftp.session import SftpSession

__all__ = ["download", "upload", "BlockReader", "as_engine_error", "block_size",
           "close_handle", "open_handle", "paced", "report_reads",
           "stat_file"]


def block_size(session: SftpSession) -> int:
    """Bytes per READ/WRITE: the setting, never above what the server says it takes
    (limits@openssh.com: OpenSSH closes the channel on a longer WRITE); without a
    setting the server's limit, or 32 KiB (what every server must take) without one."""
    wanted = session.settings.block_size
    limits = session.sftp.limits
    ceiling = min((n for n in (limits.max_read_len, limits.max_write_len) if n), default=0)
    if wanted <= 0:
        return ceiling or 32768
    return min(wanted, ceiling) if ceiling else wanted


async def open_handle(session: SftpSession, remote: str, mode: str, step: str) -> asyncssh.SFTPClientFile:
    return await session.requests.run(
        "OPEN", f"{remote} ({mode})",
        # block_size 0: each read/write call is one request; the requests in flight
        # are scheduled here (asyncssh's own parallel reader leaves its tasks running
        # when a transfer stops early)
        session.sftp.open(remote, mode, block_size=0),
        step=step, result="handle")


async def close_handle(session: SftpSession, handle: asyncssh.SFTPClientFile, remote: str) -> None:
    with contextlib.suppress(asyncssh.Error, OSError, FtpError):
        await session.requests.run("CLOSE", remote, handle.close(), step="close")


async def stat_file(session: SftpSession, remote: str) -> asyncssh.SFTPAttrs:
    """STAT of a file to download; a folder is refused with a clear error."""
    attrs = await session.requests.run("STAT", remote, session.sftp.stat(remote),
                                       step="download", result="attrs")
    if kind_of(attrs) is EntryKind.DIR:
        raise LocalError(f"{escape_control(remote)} is a folder on the server, not a file",
                         step="download")
    return attrs


async def download(session: SftpSession, remote: str, local: Path, *, resume: bool,
                   on_progress: Callable[[TransferProgress], None] | None,
                   preserve_time: bool, transfer_id: int | None) -> TransferResult:
    attrs = await stat_file(session, remote)
    total = attrs.size
    part = part_path(local)
    fd = await asyncio.to_thread(open_part_file, part, truncate=not resume)
    started = time.monotonic()
    try:
        offset = os.fstat(fd).st_size if resume else 0
        if total is not None and offset > total:  # the remote file shrank: start again
            os.ftruncate(fd, 0)
            offset = 0
        done = await _receive(session, remote, fd, offset, total, on_progress, transfer_id)
    finally:
        os.close(fd)
    if total is not None and done != total:
        raise ConnectionLostError(
            f"{escape_control(remote)}: the server sent {done} of {total} bytes and then "
            "reported the end of the file (did it change during the transfer?); the part "
            "received is kept for a resume", step="download")
    try:
        os.replace(part, local)
        if preserve_time and attrs.mtime is not None:
            os.utime(local, (attrs.mtime, attrs.mtime))
    except OSError as exc:
        raise LocalError(f"could not finish {local}: {exc.strerror or exc}",
                         step="local") from None
    return TransferResult(remote_path=remote, local_path=local, bytes_transferred=done - offset,
                          total_size=done, elapsed=time.monotonic() - started,
                          resumed_from=offset)


async def _receive(session: SftpSession, remote: str, fd: int, offset: int,
                   total: int | None, on_progress: Callable[[TransferProgress], None] | None,
                   transfer_id: int | None) -> int:
    """Read ``remote`` from ``offset`` into ``fd``; returns the end of the contiguous
    data written (the ``.part`` is cut back to it when something fails)."""
    handle = await open_handle(session, remote, "rb", "download")
    reporter = ProgressReporter(
        session.bus, session.connection,
        transfer_id=transfer_id if transfer_id is not None else next_transfer_id(),
        direction="download", remote_path=remote, total=total, offset=offset,
        on_progress=on_progress)
    throttle = session.limiter.throttle(Direction.DOWNLOAD)
    block, in_flight = paced(throttle, block_size(session), session.settings.max_requests)
    reader = BlockReader(handle, offset, total, block, in_flight)
    done, pending, count, moved = offset, {}, 0, 0
    started = time.monotonic()
    failure: BaseException | None = None
    patience = session.settings.request_timeout
    loop = asyncio.get_running_loop()
    try:
        blocks = reader.blocks()
        async with contextlib.aclosing(blocks), asyncio.timeout(patience) as deadline:
            async for block_offset, data in blocks:
                deadline.reschedule(loop.time() + patience)  # a stall, not a slow file
                os.pwrite(fd, data, block_offset)
                count += 1
                moved += len(data)
                end = block_offset + len(data)
                if block_offset == done:
                    done = end
                    while done in pending:
                        done = pending.pop(done)
                else:
                    pending[block_offset] = end
                reporter.update(moved)
                # the next READs are asked for only when the loop comes back for a block:
                # waiting here paces the requests to the speed limit
                delay = throttle.moved(len(data))
                if delay > 0:
                    await asyncio.sleep(delay)
                    deadline.reschedule(loop.time() + patience)
    except BaseException as exc:
        failure = exc
        raise as_engine_error(exc, f"READ {remote}", "download", patience) from None
    finally:
        await reader.stop()
        report_reads(session, remote, failure, count=count, nbytes=moved, started=started)
        if pending or failure is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, done)
        await close_handle(session, handle, remote)
    reporter.update(done - offset)
    reporter.finish()
    return done


def report_reads(session: SftpSession, remote: str, failure: BaseException | None, *,
                 count: int, nbytes: int, started: float) -> None:
    """The READs of one download as one coalesced request event (or their failure)."""
    elapsed = time.monotonic() - started
    if failure is None:
        session.requests.emit("READ", remote, "data, then STATUS 1 SSH_FX_EOF",
                              count=count, nbytes=nbytes, elapsed=elapsed)
    else:
        session.requests.failed("READ", remote, failure, count=count, nbytes=nbytes,
                                elapsed=elapsed)


#: with a speed limit: the READ/WRITE bytes kept in flight, in seconds of the limit (more
#: would arrive as one burst at the start and overshoot the limit over a short transfer)
_LIMITED_AHEAD_SECONDS = 0.25


def paced(throttle: Throttle, block: int, in_flight: int) -> tuple[int, int]:
    """Block size and requests in flight for a transfer: as configured without a speed
    limit; with one, blocks of the limiter's chunk and about a quarter second of the
    limit in flight (never less than one request)."""
    limit = throttle.limit
    if limit is None:
        return block, in_flight
    block = min(block, throttle.chunk(block))
    return block, max(1, min(in_flight, int(limit * _LIMITED_AHEAD_SECONDS) // block))


class BlockReader:
    """READ requests kept ``in_flight`` at once from ``offset`` to ``total`` (to the end
    of the file when None); blocks come back in the order the answers arrive. A short
    answer is asked again for the rest; an empty one is the end of the file."""

    def __init__(self, handle: asyncssh.SFTPClientFile, offset: int, total: int | None,
                 block: int, in_flight: int) -> None:
        self.handle = handle
        self.next = offset
        self.total = total
        self.block = block
        self.in_flight = max(1, in_flight)
        self.tasks: dict[asyncio.Future, tuple[int, int]] = {}
        self.eof = False

    def _ask(self, offset: int, size: int) -> None:
        self.tasks[asyncio.ensure_future(self.handle.read(size, offset))] = (offset, size)

    def _fill(self) -> None:
        while not self.eof and len(self.tasks) < self.in_flight and (
                self.total is None or self.next < self.total):
            size = self.block if self.total is None else min(self.block,
                                                             self.total - self.next)
            self._ask(self.next, size)
            self.next += size

    async def blocks(self):  # noqa: ANN201 - an async iterator of (offset, bytes)
        self._fill()
        while self.tasks:
            finished, _ = await asyncio.wait(tuple(self.tasks),
                                             return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                offset, size = self.tasks.pop(task)
                data = task.result()
                if len(data) < size:
                    if data:
                        self._ask(offset + len(data), size - len(data))
                    else:
                        self.eof = True
                if data:
                    yield offset, data
            self._fill()

    async def stop(self) -> None:
        """Cancel what is still in flight and collect every outcome (no task is left
        with an exception nobody looked at)."""
        tasks = tuple(self.tasks)
        self.tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def as_engine_error(exc: BaseException, request: str, step: str,
                     timeout: float | None = None) -> BaseException:
    if isinstance(exc, OSError) and not isinstance(exc, (ConnectionError, TimeoutError)):
        return LocalError(f"could not write the download: {exc.strerror or exc}",
                          step="local")
    return translate(exc, request, step, timeout) or exc


async def upload(session: SftpSession, local: Path, remote: str, *, resume: bool,
                 on_progress: Callable[[TransferProgress], None] | None,
                 preserve_time: bool, transfer_id: int | None) -> TransferResult:
    try:
        source = open(local, "rb")  # noqa: SIM115 - closed in the finally below
        info = os.fstat(source.fileno())
    except OSError as exc:
        raise LocalError(f"could not read {local}: {exc.strerror or exc}", step="local") from None
    started = time.monotonic()
    try:
        offset = 0
        if resume:
            entry = await session.stat(remote)
            if entry is not None and entry.size is not None and entry.size <= info.st_size:
                offset = entry.size
        handle = await open_handle(session, remote, "r+b" if offset else "wb", "upload")
        try:
            sent = await _send(session, handle, remote, source, offset, info.st_size,
                               on_progress, transfer_id)
            if preserve_time:
                await session.requests.run(
                    "FSETSTAT", f"{remote} mtime", handle.utime((info.st_atime, info.st_mtime)),
                    step="upload")
        finally:
            await close_handle(session, handle, remote)
    finally:
        source.close()
    return TransferResult(remote_path=remote, local_path=local, bytes_transferred=sent,
                          total_size=offset + sent, elapsed=time.monotonic() - started,
                          resumed_from=offset)


#: WRITE bytes worth keeping in flight: twice the 2 MiB window OpenSSH's sshd (and
#: asyncssh) grant a channel. More only waits in asyncssh's buffer for the window, in
#: memory (64 x 255 KiB held 97 MiB at peak), without going faster.
_WRITE_AHEAD = 4 * 1024 * 1024


def _writes_in_flight(max_requests: int, block: int) -> int:
    return max(1, min(max_requests, -(-_WRITE_AHEAD // block)))


async def _send(session: SftpSession, handle: asyncssh.SFTPClientFile, remote: str,
                source, offset: int, total: int,  # noqa: ANN001 - a binary file
                on_progress: Callable[[TransferProgress], None] | None,
                transfer_id: int | None) -> int:
    reporter = ProgressReporter(
        session.bus, session.connection,
        transfer_id=transfer_id if transfer_id is not None else next_transfer_id(),
        direction="upload", remote_path=remote, total=total, offset=offset,
        on_progress=on_progress)
    throttle = session.limiter.throttle(Direction.UPLOAD)
    block = block_size(session)
    ahead = _writes_in_flight(session.settings.max_requests, block)
    block, ahead = paced(throttle, block, ahead)
    slots = asyncio.Semaphore(ahead)
    tasks: set[asyncio.Task] = set()
    sent, count = 0, 0
    failure: BaseException | None = None
    started = time.monotonic()

    def finished(task: asyncio.Task) -> None:
        nonlocal sent, failure
        slots.release()
        tasks.discard(task)
        if task.cancelled():
            return
        if task.exception() is not None:
            failure = failure or task.exception()
        else:
            sent += task.result()
            reporter.update(sent)

    async def write(data: bytes, position: int) -> int:
        await handle.write(data, position)
        return len(data)

    position = offset
    source.seek(offset)
    patience = session.settings.request_timeout
    loop = asyncio.get_running_loop()
    answered = [sent]
    try:
        async with asyncio.timeout(patience) as deadline:
            while failure is None:
                data = source.read(block)
                if not data:
                    break
                delay = throttle.moved(len(data))  # the speed limit, if any
                if delay > 0:
                    await asyncio.sleep(delay)
                    deadline.reschedule(loop.time() + patience)
                await slots.acquire()
                if sent != answered[0]:  # a WRITE was answered since: not stalled
                    answered[0] = sent
                    deadline.reschedule(loop.time() + patience)
                task = asyncio.ensure_future(write(data, position))
                task.add_done_callback(finished)
                tasks.add(task)
                position += len(data)
                count += 1
            while tasks:
                await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
                deadline.reschedule(loop.time() + patience)
    except BaseException as exc:
        failure = failure or exc
    finally:
        for task in tuple(tasks):
            task.cancel()
    elapsed = time.monotonic() - started
    if failure is not None:
        session.requests.failed("WRITE", remote, failure, count=count, nbytes=sent,
                                elapsed=elapsed)
        raise as_engine_error(failure, f"WRITE {remote}", "upload", patience) from None
    session.requests.emit("WRITE", remote, "STATUS 0 SSH_FX_OK", count=count, nbytes=sent,
                          elapsed=elapsed)
    reporter.finish()
    return sent
