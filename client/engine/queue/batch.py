"""Runs of small plain-FTP transfers in a worker thread, seen by the loop in batches.

Why: on the event loop each small file of a tree costs ~1 ms of CPU, flat across
replies, transports, trackers, the queue and the local checks (bench/HISTORY.md), where
lftp needs ~0.3 ms. A worker whose session is plain FTP (no TLS, proxy or speed limit,
passive mode with ``PASV``, binary) claims the next few queued downloads that need
nothing but ``PASV`` and ``RETR`` (size and time known from the listing, a new target,
no resume, no exists question) — or uploads the queue overwrites without asking
(``STOR``, then ``SIZE`` and ``MFMT``) — and lends its control socket to a thread
(:mod:`.batch_wire`). The thread records what it does; the loop, a few milliseconds
later, shows every line through the control connection's annotator, replays every
data connection's phases through a :class:`ChannelTracker` with the times they
happened, and moves the jobs QUEUED → RUNNING → DONE/FAILED as the normal path does.

What falls back: a file the thread gives back (an unexpected reply, a target that
exists, an unsafe ``.part``, a connect that failed, a short file) runs on the normal
path next, which decides and reports; a refused ``RETR`` fails the job with the normal
path's own error (built by :meth:`DataTransfer.refused_by_server`); a timeout or a
broken connection fails the job in flight with the error the normal path names and
the session is replaced. Pause, cancel and closing the queue shut the thread's sockets
from the loop: the connection is then closed (no ``ABOR``) and the worker reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from client.engine.data.channel import DataTransfer
from client.engine.data.opening import extended_only
from client.engine.errors import (
    FtpError,
)
from client.engine.events import (
    SessionState,
)
from client.engine.localpaths import drop_empty_part, relative_parts
from client.engine.queue.batch_records import BatchFile
from client.engine.queue.batch_replay import Replay, Tracker
from client.engine.queue.batch_wire import BatchWire
from client.engine.queue.prepare import BY_DESCRIPTOR, claim_prepared
from client.engine.settings import TlsMode, TransferMode
from client.protocol.charsets import normalize_charset

if TYPE_CHECKING:
    from client.engine.queue.jobs import TransferJob
    from client.engine.queue.runner import JobRecord
    from client.engine.session import FtpSession

__all__ = ["BatchHooks", "TransferBatch", "MAX_FILES", "MAX_SIZE", "claim", "plain_session",
           "fits", "safe_target"]

#: threads at most (one per connection of the largest queue)
MAX_CONCURRENCY = 10
#: files one batch claims at most (fewer when the queue is short, see core)
MAX_FILES = 16
#: seconds between the loop's own looks at what a batch recorded
TICK = 0.05
#: larger files take the normal path, with its progress events and stall watchdog
MAX_SIZE = 1024 * 1024


def claim(record: JobRecord, upcoming: Iterable[JobRecord], session: FtpSession, *,
          overwrite: bool, share: int, now: float, writing: set[str],
          written_by: Callable[[TransferJob], frozenset[str]],
          ) -> tuple[list[JobRecord], frozenset[str]]:
    """``record`` and the next queued transfers of ``upcoming`` a batch can take with it
    (same direction; downloads into the same root, writing no file another download
    writes), fewer when the queue is short: each of the ``share`` workers gets its part
    of the last files. Returns them and the local files they write."""
    direction = record.job.direction
    uploading = direction == "upload"
    candidates = []
    for other in upcoming:
        if len(candidates) >= MAX_FILES * share:
            break
        if (other is not record and other.job.direction == direction
                and (uploading or other.root == record.root)
                and other.not_before <= now and other.batch is None
                and fits(other, session, overwrite=overwrite)):
            candidates.append(other)
    take = min(MAX_FILES - 1, len(candidates) // share)
    if uploading:  # nothing local is written
        return [record, *candidates[:take]], frozenset()
    records = [record]
    writes = set(written_by(record.job))
    for other in candidates[:take]:
        names = written_by(other.job)
        if writes.isdisjoint(names) and writing.isdisjoint(names) and safe_target(other):
            writes |= names
            records.append(other)
    return records, frozenset(writes)


@dataclass(frozen=True)
class BatchHooks:
    """What a batch changes in its queue (bound methods of the queue's)."""

    started: Callable[[JobRecord, asyncio.Task | None], None]
    done: Callable[[JobRecord, int], None]
    failed: Callable[[JobRecord, Exception], None]
    stopped: Callable[[JobRecord], None]
    back: Callable[[JobRecord], None]
    released: Callable[[JobRecord, TransferBatch], None]
    closed: Callable[[], bool]


def plain_session(session: object) -> FtpSession | None:
    """``session`` when a batch may borrow its connection, else None."""
    from client.engine.session import FtpSession

    if not isinstance(session, FtpSession) or not BY_DESCRIPTOR:
        return None
    settings = session.settings
    control = session.control
    if (session.state is not SessionState.READY or session.closed or session.data_protected
            or settings.tls is not TlsMode.OFF or settings.proxy is not None
            or session.mode is not TransferMode.PASSIVE or settings.use_epsv
            or session.memory.pasv_broken or not session.binary
            or not session.limiter.unlimited or control.server is None
            or extended_only(control.server.host)):
        return None
    return session


def fits(record: JobRecord, session: FtpSession, *, overwrite: bool) -> bool:
    """A transfer the thread can run alone: a download whose size and (when the time is
    kept) time the listing gave, or an upload the queue overwrites without asking;
    nothing to resume or decide (see also :func:`safe_target`). ``overwrite``: the
    queue's exists policy is OVERWRITE (an upload asks nothing first)."""
    job = record.job
    if (record.no_batch or record.batch is not None or record.resume_next
            or record.decision is not None or record.stop_as is not None
            or job.size is None or not 0 <= job.size <= MAX_SIZE):
        return False
    if job.direction == "upload":
        if not overwrite:
            return False
    elif record.listed_mtime is None and session.features.mdtm:
        return False  # the normal path asks MDTM
    return record.charset is None or normalize_charset(record.charset) == session.charset


def safe_target(record: JobRecord) -> bool:
    """A download's target passes :func:`relative_parts` (else the normal path refuses
    it, with the reason)."""
    if record.job.direction == "upload":
        return True
    try:
        return bool(relative_parts(record.root, record.job.local_path))
    except FtpError:
        return False  # the normal path refuses it, with the reason


class TransferBatch(Replay):
    """One run of claimed transfers on one session (see the module doc)."""

    def __init__(self, session: FtpSession, records: list[JobRecord], hooks: BatchHooks) -> None:
        self.session = session
        self.records = records
        self.hooks = hooks
        self.by_id = {record.job.job_id: record for record in records}
        self.items: dict[int, BatchFile] = {}
        self.wire: BatchWire | None = None
        self.trackers: dict[int, Tracker] = {}
        self.xfers: dict[int, DataTransfer] = {}
        self.current: JobRecord | None = None
        self.in_step = True
        #: the worker's task running the batch: a pause or cancel of its job cancels it
        self.task: asyncio.Task | None = None
        self._ticker: asyncio.TimerHandle | None = None
        #: jobs whose empty .part the queue made ahead (removed if they leave unrun)
        self.made_ahead: set[int] = set()
        #: the local files the batch's downloads write (each leaves with its job)
        self.writes: set[str] = set()
        for record in records:
            record.batch = self
            if claim_prepared(record):  # the thread opens the .part itself
                self.made_ahead.add(record.job.job_id)

    # ------------------------------------------------------------------ queue side
    def settle(self, record: JobRecord) -> None:
        """Before a pause or cancel: a job the thread has not taken leaves the batch;
        one it took has its state brought up to date (RUNNING, or finished)."""
        item = self.items.get(record.job.job_id)
        wire = self.wire
        if wire is None or item is None:
            self._release(record)
            return
        with wire.lock:
            taken = item.started
            if not taken:
                item.withdrawn = True
        if taken:
            self.apply()
        else:
            self._release(record)

    def _release(self, record: JobRecord) -> None:
        if record.batch is self:
            record.batch = None
            if record.job.job_id in self.made_ahead:
                drop_empty_part(record.job.local_path)
            self.hooks.released(record, self)

    # ------------------------------------------------------------------ running
    async def run(self) -> bool:
        """False when the connection could not be lent (nothing was done)."""
        session = self.session
        loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        try:
            async with session.locked(busy=True) as control:
                try:
                    files = self._files()
                except FtpError:
                    return False  # a name no command can carry: the normal path says so
                lent = control.lend_socket()
                if lent is None:
                    return False
                sock, parser = lent
                wire = self.wire = self._wire(sock, parser, files, loop)
                for item in wire.files:
                    self.items[item.job_id] = item

                finished = loop.run_in_executor(_executor(), wire.run)
                self._ticker = loop.call_later(TICK, self._tick, loop)
                try:
                    await asyncio.shield(finished)
                except asyncio.CancelledError:
                    wire.stop()
                    while not finished.done():
                        with contextlib.suppress(asyncio.CancelledError):
                            await asyncio.shield(finished)
                    self.apply()
                    self._end_in_flight()
                    raise
                finally:
                    if self._ticker is not None:
                        self._ticker.cancel()
                    self.apply()
                    control.take_back(in_step=self.in_step and not wire.stopping)
                    if not self.in_step or wire.stopping:
                        session.set_state(SessionState.FAILED,
                                          detail="the control connection was closed")
            return True
        finally:
            session.bus.hold_clock(None)
            for record in self.records:
                self._release(record)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        """Records the thread has not handed over yet (it hands them over between files,
        not while it waits for one): a job blocked on the wire shows as RUNNING."""
        self.apply()
        self._ticker = loop.call_later(TICK, self._tick, loop)

    def _files(self) -> list[BatchFile]:
        """What the thread needs of each job (the commands in the session's charset)."""
        session = self.session
        encoding = session.control.encoding
        files = []
        for record in self.records:
            job = record.job
            if job.direction == "upload":
                command = session.path_command("STOR", job.remote_path)
                files.append(BatchFile(job.job_id, command.to_bytes(encoding), command.display,
                                       "", "", job.size or 0, None,
                                       source=str(job.local_path),
                                       check_size=session.features.size,
                                       remote=job.remote_path))
                continue
            command = session.path_command("RETR", job.remote_path)
            local = str(job.local_path)
            folder, name = os.path.split(local)
            mtime = record.listed_mtime
            files.append(BatchFile(job.job_id, command.to_bytes(encoding), command.display,
                                   folder, name, job.size or 0,
                                   mtime.timestamp() if mtime is not None else None))
        return files

    def _wire(self, sock: object, parser: object, files: list[BatchFile],
              loop: asyncio.AbstractEventLoop) -> BatchWire:
        session = self.session
        settings = session.settings
        encoding = session.control.encoding
        assert session.control.server is not None
        return BatchWire(sock, parser, files, root=str(self.records[0].root),  # type: ignore[arg-type]
                         peer=session.control.server.host, policy=settings.pasv_policy,
                         data_timeout=settings.data_timeout,
                         post=lambda: loop.call_soon_threadsafe(self.apply),
                         encoding=encoding, stamp_times=session.features.mfmt)



_EXECUTOR: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    """The batches' threads, kept between batches: starting a thread waits for it to
    run, and on a busy interpreter that wait cost ~2 ms per batch."""
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=MAX_CONCURRENCY,
                                       thread_name_prefix="ftp-batch")
    return _EXECUTOR
