"""One download: ``RETR`` into ``NAME.part``, checked against the size the server
reports, renamed onto ``NAME`` when complete (see :mod:`client.engine.transfer`)."""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.data.channel import DataTransfer
from client.engine.data.stream import FileSink
from client.engine.errors import CommandFailedError, DataChannelError
from client.engine.events import DataFailure, DataPhase, NoticeKind, TransferProgress
from client.engine.localpaths import drop_empty_part, open_part_file, part_path
from client.engine.lost_reply import keep_despite_lost_reply
from client.engine.progress import ProgressReporter, next_transfer_id
from client.engine.ratelimit import Direction
from client.engine.settings import TransferMode
from client.engine.transfer import TransferResult, local_error, locked_in_type
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["Download"]


class Download:
    """Download ``remote`` to ``local`` (via ``local.part``); :meth:`run` does it, under
    the session's mode fallback, and the attributes hold what the attempts found out.

    ``known_size``: the size a listing just reported. It spares the ``SIZE`` round trip
    (one of four per file: it made a tree of small files a third slower); when the
    bytes received differ from it, the server is asked ``SIZE`` after all, so a file
    that changed since the listing is judged by its size now, not by the listing's.

    ``known_mtime``: the modification time a listing reported *to the second* (an
    aware datetime, e.g. MLSD's ``modify`` fact); it spares the ``MDTM`` round trip
    when the local time is preserved. Not used on resume, nor when the file turned out
    to have changed since the listing (then ``MDTM`` is asked, as without it)."""

    def __init__(self, session: FtpSession, remote: str, local: Path, *, resume: bool = False,
                 on_progress: Callable[[TransferProgress], None] | None = None,
                 ascii: bool = False, verify: bool = False, preserve_time: bool = True,
                 transfer_id: int | None = None, known_size: int | None = None,
                 known_mtime: _dt.datetime | None = None) -> None:
        self.session = session
        self.remote = remote
        self.local = local
        self.resume = resume
        self.on_progress = on_progress
        self.ascii = ascii
        self.verify = verify
        self.preserve_time = preserve_time
        self.known_size = known_size if known_size is not None and known_size >= 0 else None
        self.known_mtime = known_mtime
        self.command = session.path_command("RETR", remote)
        self.part = part_path(local)
        self.transfer_id = transfer_id if transfer_id is not None else next_transfer_id()
        # what the attempts found out
        self.total: int | None = None  # the remote file's size, when known
        self.offset = 0  # where this download started in the file (resume)
        self.received = 0  # bytes that arrived
        self.reply_lost = False  # every byte arrived, the control connection did not
        self.mtime: _dt.datetime | None = None  # the time to give the local file

    async def run(self) -> TransferResult:
        started = time.monotonic()
        try:
            await self.session.with_fallback(self.attempt)
        except BaseException:
            drop_empty_part(self.local)  # nothing arrived: nothing to resume or leave behind
            raise
        verified = None
        if self.verify and not self.ascii and not self.reply_lost:
            from client.engine.verify import verify_checksum  # only when asked (hashlib)

            verified = await verify_checksum(self.session, self.remote, self.part)
        self._put_in_place()
        return TransferResult(remote_path=self.remote, local_path=self.local,
                              bytes_transferred=self.received,
                              total_size=(self.total if self.total is not None
                                          else self.local.stat().st_size),
                              elapsed=time.monotonic() - started,
                              resumed_from=self.offset, verified=verified)

    async def attempt(self, mode: TransferMode) -> None:
        """One try in ``mode`` (the session's fallback may call it again in the other)."""
        async with locked_in_type(self.session, self.ascii):
            self.total = await self._remote_size()
            self.offset = self._resume_offset()
            self.received = 0
            if self.total is not None and self.offset == self.total and self.offset > 0:
                return  # the .part is complete: only the rename is left
            await self._transfer(mode)

    async def _remote_size(self) -> int | None:
        if self.ascii:
            return None
        if self.known_size is not None and not self.resume:
            return self.known_size
        total = await self.session.size_locked(self.remote)
        return total if total is not None else self.known_size  # no SIZE: the listing's

    def _resume_offset(self) -> int:
        """Where to continue: the ``.part``'s size, when that can be trusted."""
        part, total = self.part, self.total
        if not self.resume or not part.exists():
            return 0
        offset = part.stat().st_size
        if total is None and offset:
            # Without the remote size nothing can tell a server that honours REST from
            # one that says 350 and sends the file from byte 0: appending could corrupt
            # the file unnoticed. Start over.
            self.session.notice(
                f"the server does not report the size of {escape_control(self.remote)}, "
                "so a resumed download could not be checked: downloading it again from "
                "the start", NoticeKind.INFO, Severity.WARNING)
            return 0
        if total is not None and offset > total:
            self.session.notice(f"{part.name} is larger than the remote file; downloading "
                                "again from the start", NoticeKind.INFO)
            return 0
        return 0 if self.ascii else offset

    async def _transfer(self, mode: TransferMode) -> None:
        session, remote = self.session, self.remote
        try:
            self.received = await self._retrieve(mode, self.offset)
        except DataChannelError as exc:
            self.received = keep_despite_lost_reply(session, exc, self.part, self.offset,
                                                    self.total, remote)
            self.reply_lost = True
            return  # the control connection is gone: no MDTM, no size check
        except CommandFailedError as exc:
            if exc.step != "REST":
                raise
            session.notice(f"the server cannot resume ({exc.reply_code}); downloading "
                           f"{escape_control(remote)} again from the start", NoticeKind.INFO,
                           Severity.WARNING)
            self.offset = 0
            self.received = await self._retrieve(mode, 0)
        listed_mtime = (self.known_mtime if not self.resume and self.known_mtime is not None
                        and self.known_mtime.tzinfo is not None else None)
        if (self.total is not None and self.offset + self.received != self.total
                and not self.resume and self.total == self.known_size):
            self.total = await session.size_locked(remote)  # changed since the listing?
            listed_mtime = None  # the listing's time is as stale as its size
        if self.total is not None and self.offset + self.received != self.total:
            raise DataChannelError(
                f"the data connection closed after {self.offset + self.received} of "
                f"{self.total} bytes of {escape_control(remote)} although the server "
                f"reported success; {self.part.name} is kept for resume",
                failure=DataFailure.CLOSED_EARLY, phase=DataPhase.CLOSED, step="size-check")
        if self.preserve_time and listed_mtime is not None:
            self.mtime = listed_mtime
        elif self.preserve_time and session.features.mdtm:
            self.mtime = await session.mdtm_locked(remote)

    async def _retrieve(self, mode: TransferMode, offset: int) -> int:
        return await _retrieve(self.session, mode, self.command, self.part, offset, self.total,
                               self.ascii, self.transfer_id, self.on_progress, self.remote)

    def _put_in_place(self) -> None:
        """Rename the ``.part`` onto the target and give it the remote time."""
        try:
            os.replace(self.part, self.local)
        except OSError as exc:
            raise local_error("rename the finished download onto", self.local, exc) from None
        if self.mtime is not None:
            stamp = self.mtime.timestamp()
            try:
                os.utime(self.local, (stamp, stamp))
            except OSError:
                pass


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

