"""TransferQueue: jobs, workers with their own connections, retries, user controls.

Each worker owns one session from ``session_factory`` and keeps it across files; it
takes the first QUEUED job in queue order, runs one attempt (:mod:`.runner`) in a task
of its own (so pause/cancel stop the transfer, not the worker), and on a transient
failure puts the job back with an exponential back-off, to be resumed from its
``.part`` (or from what the server has, for uploads). A failure that leaves the control
connection in doubt makes the worker start over with a fresh session. The workers'
side lives in :mod:`.working`; this module holds the jobs' entry and the person's
controls (pause, move, Process queue, concurrency).

The jobs and every change to them live in :class:`.book.JobBook`, which emits
``QueueJobChanged``; per-file progress arrives as ``TransferProgress`` with
``transfer_id == job_id``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.events import EventBus, Notice, NoticeKind
from client.engine.exists import ExistsPolicy
from client.engine.localpaths import as_path
from client.engine.queue import batch, trees
from client.engine.queue.asking import AskExists, ExistsArbiter
from client.engine.queue.book import JobBook
from client.engine.queue.jobs import FINISHED_STATES, JobState, TransferJob
from client.engine.queue.prepare import TargetPreparer
from client.engine.queue.sessions import SessionPool
from client.engine.queue.working import Worker, Workers
from client.protocol.annotate import Severity

if TYPE_CHECKING:
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["TransferQueue", "MIN_CONCURRENCY", "MAX_CONCURRENCY"]

log = logging.getLogger(__name__)

MIN_CONCURRENCY, MAX_CONCURRENCY = 1, 10


class TransferQueue(Workers):
    """A queue of file transfers run by ``concurrency`` workers (see the module doc and
    docs/guide/queue.md). ``retry_delay`` is the first back-off in seconds;
    ``case_insensitive`` overrides the probe of download destinations (None: probe)."""

    def __init__(self, session_factory: Callable[[], Awaitable[RemoteFileSystem]], *,
                 bus: EventBus, concurrency: int = 2, retries: int = 3,
                 exists_policy: ExistsPolicy = ExistsPolicy.ASK,
                 ask_exists: AskExists | None = None, retry_delay: float = 1.0,
                 case_insensitive: bool | None = None) -> None:
        self._check_concurrency(concurrency)
        self.session_factory = session_factory
        self.bus = bus
        self.retries = retries
        self.exists = ExistsArbiter(exists_policy, ask_exists)
        self.retry_delay = retry_delay
        self.case_insensitive = case_insensitive
        self._concurrency = concurrency
        self._book = JobBook(bus)
        self._writing: set[str] = set()  # local files running downloads write
        self._workers: list[Worker] = []
        self._worker_numbers = itertools.count(1)
        self.sessions = SessionPool(session_factory)
        self._preparer = TargetPreparer()
        #: runs of small plain downloads go to a worker thread (see .batch)
        self.batching = True
        self._batch_hooks = batch.BatchHooks(
            started=self._batch_started, done=self._batch_done, failed=self._batch_failed,
            stopped=self._batch_stopped, back=self._batch_back,
            released=self._batch_released, closed=lambda: self._closed)
        self._wake = asyncio.Event()
        self._closed = False
        #: False: workers take no queued job (see set_processing)
        self._processing = True
        self._processing_flipped = asyncio.Event()
        #: FTP: the charset names of jobs added from now on were read in (see set_charset)
        self.charset: str | None = None

    # ------------------------------------------------------------------ adding jobs
    def add_download(self, remote_path: str, local_path: Path, size: int | None = None, *,
                     root: Path | None = None, modified: datetime | None = None,
                     exists_policy: ExistsPolicy | None = None, resume: bool = False) -> int:
        """Queue one file; ``local_path`` is the target. Folders between ``root``
        (default: the target's folder) and the target are created, and none of them may
        be a symbolic link (see :mod:`client.engine.localpaths`). ``size`` and
        ``modified`` (aware, exact to the second) are what a listing reported; they
        spare SIZE and MDTM (see :class:`client.engine.download.Download`).
        ``exists_policy`` decides for this job alone when its target exists (a
        synchronisation's preview has decided already), instead of the queue's policy.
        ``resume``: continue from the ``.part`` an earlier run left (a restored queue)."""
        local_path = as_path(local_path)
        return self._add("download", remote_path, local_path, size,
                         as_path(root) if root is not None else local_path.parent,
                         listed_mtime=modified, exists_policy=exists_policy, resume=resume)

    def add_upload(self, local_path: Path, remote_path: str, *,
                   exists_policy: ExistsPolicy | None = None, resume: bool = False) -> int:
        local_path = Path(local_path)
        try:
            size: int | None = local_path.stat().st_size
        except OSError:
            size = None  # reported by the attempt, with the reason
        return self._add("upload", remote_path, local_path, size, local_path.parent,
                         exists_policy=exists_policy, resume=resume)

    async def add_download_tree(self, remote_dir: str, local_dir: Path) -> list[int]:
        """Queue every file below ``remote_dir`` into ``local_dir`` (folders created now);
        unsafe or unusable names are skipped, each reported as a Notice."""
        return await trees.add_download_tree(self, remote_dir, Path(local_dir))

    async def add_upload_tree(self, local_dir: Path, remote_dir: str) -> list[int]:
        """Queue every file below ``local_dir``; remote folders are made (MKD) now."""
        return await trees.add_upload_tree(self, Path(local_dir), remote_dir)

    def _add(self, direction: str, remote_path: str, local_path: Path, size: int | None,
             root: Path, *, listed_mtime: datetime | None = None,
             exists_policy: ExistsPolicy | None = None, resume: bool = False) -> int:
        if self._closed:
            raise RuntimeError("the transfer queue is closed")
        record = self._book.add(direction, remote_path, local_path, size, root,
                                listed_mtime=listed_mtime)
        record.decision = exists_policy
        record.resume_next = resume
        record.charset = self.charset
        self._spawn_workers()
        return record.job.job_id

    def set_charset(self, name: str) -> None:
        """Names of jobs added from now on are in ``name`` ("auto" or a charset): each
        job is sent in the charset its names were read in, on whichever connection runs
        it (a connection opened before the change included)."""
        self.charset = name

    # ------------------------------------------------------------------ user controls
    def jobs(self) -> list[TransferJob]:
        """Every job in queue order."""
        return self._book.jobs()

    def root_of(self, job_id: int) -> Path:
        """The folder a download may not write outside of (what a saved queue keeps)."""
        return self._book.record(job_id).root

    def job(self, job_id: int) -> TransferJob:
        return self._book.record(job_id).job

    def pause(self, job_id: int) -> None:
        """A queued job waits; a running one is stopped (ABOR) and later resumed from
        where it stopped. A batch that claimed it and has not reached it lets it go."""
        record = self._book.record(job_id)
        self._settle(record)
        if record.job.state is JobState.QUEUED:
            self._book.update(record, state=JobState.PAUSED)
        elif record.job.state is JobState.RUNNING:
            self._stop(record, JobState.PAUSED)

    def resume(self, job_id: int) -> None:
        record = self._book.record(job_id)
        if record.job.state is JobState.PAUSED:
            record.not_before = 0.0
            self._book.update(record, state=JobState.QUEUED)
            self._start_workers()

    def cancel(self, job_id: int) -> None:
        """Stop or drop a job. A download's ``.part`` stays (``retry`` resumes it)."""
        record = self._book.record(job_id)
        self._settle(record)
        if record.job.state is JobState.RUNNING:
            self._stop(record, JobState.CANCELLED)
        elif record.job.state in (JobState.QUEUED, JobState.PAUSED):
            self._preparer.forget(record)
            self._book.update(record, state=JobState.CANCELLED, rate=0.0)

    def retry(self, job_id: int) -> None:
        """Queue a failed, cancelled or skipped job again (a fresh set of retries; the
        exists question is asked again for a skipped one)."""
        record = self._book.record(job_id)
        if record.job.state not in FINISHED_STATES or record.job.state is JobState.DONE:
            return
        if record.job.state is JobState.SKIPPED:
            record.decision = None
        else:
            record.resume_next = True
        record.failures = 0
        record.not_before = 0.0
        self._book.update(record, state=JobState.QUEUED)
        self._start_workers()

    def move(self, job_id: int, new_index: int) -> None:
        """Put a job at ``new_index`` in the queue order (clamped); workers take QUEUED
        jobs in this order (a batch that claimed it and has not reached it lets it go)."""
        self._settle(self._book.record(job_id))
        self._book.move(job_id, new_index)

    def remove_finished(self, job_ids: list[int]) -> list[int]:
        """Take finished jobs off the list (done, failed, cancelled, skipped; others
        stay). A failed one is cancelled first, so a saved queue forgets it too.
        Returns the ids removed."""
        removed = []
        for job_id in job_ids:
            try:
                record = self._book.record(job_id)
            except KeyError:
                continue
            if record.job.state not in FINISHED_STATES:
                continue
            if record.job.state is JobState.FAILED:
                self._book.update(record, state=JobState.CANCELLED, rate=0.0)
            self._book.remove(job_id)
            removed.append(job_id)
        return removed

    @property
    def exists_policy(self) -> ExistsPolicy:
        """The policy for targets that exist (an "apply to all" answer replaces ASK)."""
        return self.exists.policy

    @exists_policy.setter
    def exists_policy(self, policy: ExistsPolicy) -> None:
        self.exists.policy = policy

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def set_concurrency(self, n: int) -> None:
        """1..10 workers. More start at once (taking also the files a running batch
        claimed and has not reached, so they share the rest); extra ones stop after
        their current file."""
        self._check_concurrency(n)
        more = n > self._concurrency
        self._concurrency = n
        if more:
            self._release_claims()
        self._start_workers()
        self._wake.set()

    @property
    def processing(self) -> bool:
        """Whether the workers take queued jobs."""
        return self._processing

    def set_processing(self, on: bool) -> None:
        """Start or stop taking queued jobs (a person lines up transfers first, or holds
        the rest of a queue). Stopping lets running transfers finish; the waiting jobs
        a batch claimed and has not reached stay queued."""
        if on == self._processing:
            return
        self._processing = on
        flipped, self._processing_flipped = self._processing_flipped, asyncio.Event()
        flipped.set()
        if on:
            self._start_workers()
            self._wake.set()
        else:
            self._release_claims()

    def _release_claims(self) -> None:
        """Running batches let go of the waiting files they have not reached."""
        for record in list(self._book.upcoming()):
            self._settle(record)

    async def wait_idle(self) -> None:
        """Return when no job is queued or running (paused jobs do not count); while
        the queue does not process, when no job is running."""
        book = self._book
        while book.active and not self._closed:
            if self._processing:
                await _first_of(book.idle, self._processing_flipped)
            elif book.running:
                await _first_of(book.quiet, self._processing_flipped)
            else:
                return

    async def __aenter__(self) -> TransferQueue:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the workers (running transfers are cancelled: ABOR, ``.part`` kept) and
        close every connection. Idempotent."""
        if self._closed:
            return
        self._closed = True
        workers = [w.task for w in self._workers if w.task is not None]
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await self._preparer.close()
        await self.sessions.close()
        self._book.idle.set()

    def notice(self, text: str, *, kind: NoticeKind = NoticeKind.QUEUE,
               severity: Severity = Severity.INFO) -> None:
        self.bus.emit(Notice(t=self.bus.now(), connection="queue", severity=severity,
                             text=text, kind=kind))

    # ------------------------------------------------------------------ bookkeeping
    @staticmethod
    def _check_concurrency(n: int) -> None:
        if not MIN_CONCURRENCY <= n <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be {MIN_CONCURRENCY}..{MAX_CONCURRENCY}, "
                             f"not {n}")


async def _first_of(*events: asyncio.Event) -> None:
    """Wait until any of ``events`` is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
