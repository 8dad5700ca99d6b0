"""TransferQueue: jobs, workers with their own connections, retries, user controls.

Each worker owns one session from ``session_factory`` and keeps it across files; it
takes the first QUEUED job in queue order, runs one attempt (:mod:`.runner`) in a task
of its own (so pause/cancel stop the transfer, not the worker), and on a transient
failure puts the job back with an exponential back-off, to be resumed from its
``.part`` (or from what the server has, for uploads). A failure that leaves the control
connection in doubt makes the worker start over with a fresh session.

The jobs and every change to them live in :class:`.book.JobBook`, which emits
``QueueJobChanged``; per-file progress arrives as ``TransferProgress`` with
``transfer_id == job_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import FtpError
from client.engine.events import EventBus, Notice, NoticeKind, SessionState, TransferProgress
from client.engine.exists import ExistsPolicy
from client.engine.localpaths import as_path
from client.engine.queue import batch, trees
from client.engine.queue import sessions as pool
from client.engine.queue.asking import AskExists, ExistsArbiter
from client.engine.queue.book import JobBook
from client.engine.queue.jobs import FINISHED_STATES, JobState, TransferJob
from client.engine.queue.prepare import TargetPreparer
from client.engine.queue.retry import (
    backoff_delay,
    is_transient,
    needs_new_connection,
    refused_restart,
)
from client.engine.queue.runner import JobRecord, run_attempt
from client.engine.queue.sessions import SessionPool, still_answers, usable
from client.protocol.annotate import Severity
from client.protocol.charsets import normalize_charset
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["TransferQueue", "MIN_CONCURRENCY", "MAX_CONCURRENCY"]

log = logging.getLogger(__name__)

MIN_CONCURRENCY, MAX_CONCURRENCY = 1, 10


class _Worker:
    def __init__(self, number: int) -> None:
        self.number = number
        self.session: RemoteFileSystem | None = None
        self.task: asyncio.Task | None = None
        self.last_used = 0.0  # monotonic time the session last finished an attempt


class TransferQueue:
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
        self._workers: list[_Worker] = []
        self._worker_numbers = itertools.count(1)
        self.sessions = SessionPool(session_factory)
        self._preparer = TargetPreparer()
        #: runs of small plain downloads go to a worker thread (see .batch)
        self.batching = True
        self._batch_hooks = batch.BatchHooks(
            started=self._batch_started, done=self._batch_done, failed=self._batch_failed,
            stopped=self._batch_stopped, back=self._batch_back,
            released=lambda _record: self._wake.set(), closed=lambda: self._closed)
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
        """1..10 workers. More start at once; extra ones stop after their current file."""
        self._check_concurrency(n)
        self._concurrency = n
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
            return
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

    # ------------------------------------------------------------------ workers
    def _start_workers(self) -> None:
        if self._book.any_queued():
            self._spawn_workers()

    def _spawn_workers(self) -> None:
        if self._closed:
            return
        while len(self._workers) < self._concurrency:
            worker = _Worker(next(self._worker_numbers))
            worker.task = asyncio.ensure_future(self._work(worker))
            self._workers.append(worker)
        self._wake.set()

    async def _work(self, worker: _Worker) -> None:
        try:
            while not self._closed:
                if len(self._workers) > self._concurrency:
                    break
                if not self._processing:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                record, wait = self._book.next_queued(asyncio.get_running_loop().time(),
                                                      self._collides)
                if record is None:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._wake.wait()
                    continue
                if await self._try_batch(worker, record):
                    continue
                await self._run(worker, record)
        finally:
            if worker in self._workers:
                self._workers.remove(worker)
            session, worker.session = worker.session, None
            if session is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(session.close())

    def _collides(self, record: JobRecord) -> bool:
        """A download that would write a file (or ``.part``) another running download
        is writing waits for it: two writers on one file would corrupt both. A job a
        batch claimed is its batch's."""
        return record.batch is not None or (
            record.job.direction == "download"
            and not self._writing.isdisjoint(_written_by(record.job)))

    @staticmethod
    def _settle(record: JobRecord) -> None:
        if record.batch is not None:
            record.batch.settle(record)

    # ------------------------------------------------------------------ batches
    async def _try_batch(self, worker: _Worker, record: JobRecord) -> bool:
        """Run ``record`` and the next few like it in a batch (see .batch); False when
        the normal path must run it."""
        session = worker.session
        if (not self.batching or not usable(session)
                or time.monotonic() - worker.last_used >= pool.CHECK_AFTER):
            return False
        plain = batch.plain_session(session)
        overwrite = self.exists.policy is ExistsPolicy.OVERWRITE
        if (plain is None or not batch.fits(record, plain, overwrite=overwrite)
                or not batch.safe_target(record)):
            return False
        records, writes = batch.claim(
            record, self._book.upcoming(), plain, overwrite=overwrite,
            share=self._concurrency, now=asyncio.get_running_loop().time(),
            writing=self._writing, written_by=_written_by)
        run = batch.TransferBatch(plain, records, self._batch_hooks)
        self._writing |= writes
        task = asyncio.current_task()
        assert task is not None
        try:
            ran = await run.run()
        except asyncio.CancelledError:
            if self._closed:
                raise
            self._forget_stop(task)  # the user's pause or cancel, handled by the batch
            ran = True
        except Exception as exc:  # noqa: BLE001 - a fault here must not end the worker
            log.exception("a batch of downloads failed unexpectedly")
            plain.set_state(SessionState.FAILED, detail=str(exc))
            for other in records:
                if other.job.state is JobState.RUNNING:
                    other.task = None
                    self._failed(None, other, exc)
            ran = True
        finally:
            worker.last_used = time.monotonic()
            self._writing -= writes
            self._wake.set()
            if not usable(plain):
                self.sessions.discard(plain)
                worker.session = None
        return ran

    def _batch_started(self, record: JobRecord, task: asyncio.Task | None) -> None:
        record.stop_as = None
        record.resuming = False
        record.task = task
        self._book.update(record, state=JobState.RUNNING, error=None, rate=0.0,
                          attempts=record.job.attempts + 1)

    def _batch_done(self, record: JobRecord, size: int) -> None:
        record.task = None
        record.failures = 0
        record.resume_next = False
        self._book.update(record, state=JobState.DONE, bytes_done=size, size=size,
                          error=None, rate=0.0)

    def _batch_failed(self, record: JobRecord, exc: Exception | asyncio.CancelledError) -> None:
        record.task = None
        if isinstance(exc, asyncio.CancelledError):
            self._book.update(record, state=JobState.CANCELLED, rate=0.0,
                              error="the transfer queue was closed")
        else:
            self._failed(None, record, exc)

    def _batch_stopped(self, record: JobRecord) -> None:
        record.task = None
        self._stopped(record)

    def _batch_back(self, record: JobRecord) -> None:
        record.task = None
        self._book.update(record, state=JobState.QUEUED, rate=0.0,
                          attempts=max(0, record.job.attempts - 1))
        self._wake.set()

    async def _run(self, worker: _Worker, record: JobRecord) -> None:
        record.stop_as = None
        self._book.update(record, state=JobState.RUNNING, error=None, rate=0.0,
                          attempts=record.job.attempts + 1)
        writes = frozenset()
        if record.job.direction == "download":
            writes = _written_by(record.job)
            # the next targets' files are made in a thread while this one runs
            self._preparer.top_up(self._book.upcoming())
        self._writing |= writes
        try:
            await self._run_attempt(worker, record)
        finally:
            worker.last_used = time.monotonic()
            self._writing -= writes
            self._wake.set()  # a download waiting for these paths may go now

    async def _run_attempt(self, worker: _Worker, record: JobRecord) -> None:
        # The attempt runs in the worker's own task (a task per file cost a start, a
        # shield and a wake-up of the worker): pause/cancel cancel this task, and the
        # worker takes that cancellation back (``uncancel``) when it was the user's.
        task = asyncio.current_task()
        assert task is not None
        if record.stop_as is not None:  # paused/cancelled by an observer of RUNNING
            self._stopped(record)
            return
        record.task = task
        try:
            outcome = await self._attempt(worker, record)
        except asyncio.CancelledError:
            if record.stop_as is not None and not self._closed:
                self._forget_stop(task)  # the user's stop, not the worker's end
                self._stopped(record)
                return
            self._book.update(record, state=JobState.CANCELLED, rate=0.0,
                              error="the transfer queue was closed")
            raise
        except Exception as exc:  # noqa: BLE001 - every failure ends in the job's state
            if record.stop_as is not None and not self._closed:
                # the failure raced the user's pause/cancel: the user's word wins
                if worker.session is not None and needs_new_connection(exc):
                    self.sessions.discard(worker.session)
                    worker.session = None
                self._stopped(record)
                return
            self._failed(worker, record, exc)
            return
        finally:
            record.task = None
        if record.stop_as is not None and not self._closed:
            # Stopped while the attempt ran, without the cancellation landing in it (an
            # observer answering it from inside, or it came as the attempt ended): the
            # user's word wins, as with a task of its own, and the cancellation still
            # on its way to this task lands here, never in the next file.
            try:
                await asyncio.sleep(0)
            except asyncio.CancelledError:
                if self._closed:
                    raise
            self._forget_stop(task)
            self._stopped(record)
            return
        record.failures = 0
        record.resume_next = False
        if outcome.reason is not None:
            self.notice(f"skipped {escape_control(record.job.remote_path)}: {outcome.reason}",
                        kind=NoticeKind.SKIPPED)
        self._book.update(record, **_fields(outcome.job), state=outcome.state,
                          error=outcome.reason, rate=0.0)

    @staticmethod
    def _forget_stop(task: asyncio.Task) -> None:
        """Take back the cancellations a pause or cancel asked of the worker's task."""
        while task.cancelling():
            task.uncancel()

    async def _attempt(self, worker: _Worker, record: JobRecord):  # -> Outcome
        if (usable(worker.session) and worker.session is not None
                and time.monotonic() - worker.last_used >= pool.CHECK_AFTER
                and not await still_answers(worker.session)):
            self.sessions.discard(worker.session)
            worker.session = None
        if not usable(worker.session):
            if worker.session is not None:
                self.sessions.discard(worker.session)
                worker.session = None
                self.notice(f"worker {worker.number}: reconnecting", kind=NoticeKind.RECONNECT)
            worker.session = await self.sessions.borrow()
        session = worker.session
        _speak_charset(session, record.charset)

        def progress(event: TransferProgress) -> None:
            if session.bus is not self.bus:
                self.bus.emit(event)
            if record.job.state is JobState.RUNNING and not (
                    event.done and event.bytes_done == event.total):
                # (a complete transfer's last progress is followed by the job's DONE,
                # which carries the same bytes: one job change per file fewer)
                total = event.total if event.total is not None else record.job.size
                self._book.update(record, bytes_done=event.bytes_done, rate=event.rate,
                                  size=total)

        return await run_attempt(record, session, policy=self.exists.policy,
                                 decide=self.exists.decide, on_progress=progress)

    def _stop(self, record: JobRecord, state: JobState) -> None:
        record.stop_as = state
        if record.task is not None:
            record.task.cancel()

    def _stopped(self, record: JobRecord) -> None:
        state = record.stop_as or JobState.CANCELLED
        record.resume_next = True
        record.stop_as = None
        self._book.update(record, state=state, rate=0.0)

    def _failed(self, worker: _Worker | None, record: JobRecord, exc: Exception) -> None:
        message = exc.message if isinstance(exc, FtpError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, (FtpError, OSError)):
            log.exception("transfer job %s failed unexpectedly", record.job.job_id)
        if worker is not None and worker.session is not None and needs_new_connection(exc):
            session, worker.session = worker.session, None
            self.sessions.discard(session)
        if (record.job.direction == "upload" and record.resuming
                and not record.restart_refused and refused_restart(exc)):
            record.restart_refused = True
            self.notice(f"the server would not continue {escape_control(record.job.remote_path)}"
                        f" ({message}); sending it again from the start", kind=NoticeKind.RETRY,
                        severity=Severity.WARNING)
            self._book.update(record, state=JobState.QUEUED, error=message, rate=0.0)
            self._wake.set()
            return
        if is_transient(exc) and record.failures < self.retries and not self._closed:
            record.failures += 1
            record.resume_next = True
            delay = backoff_delay(record.failures, self.retry_delay)
            record.not_before = asyncio.get_running_loop().time() + delay
            self.notice(f"{escape_control(record.job.remote_path)}: {message}; retry "
                        f"{record.failures} of {self.retries} in {delay:.1f} s",
                        kind=NoticeKind.RETRY, severity=Severity.WARNING)
            self._book.update(record, state=JobState.QUEUED, error=message, rate=0.0)
            self._wake.set()
            return
        self._book.update(record, state=JobState.FAILED, error=message, rate=0.0)

    # ------------------------------------------------------------------ bookkeeping
    @staticmethod
    def _check_concurrency(n: int) -> None:
        if not MIN_CONCURRENCY <= n <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be {MIN_CONCURRENCY}..{MAX_CONCURRENCY}, "
                             f"not {n}")


def _speak_charset(session: RemoteFileSystem, charset: str | None) -> None:
    """An FTP session sends the job's names in the charset they were read in."""
    if charset is None or not hasattr(session, "set_charset"):
        return  # SFTP: names are the server's bytes
    if getattr(session, "charset", None) != normalize_charset(charset):
        session.set_charset(charset)


def _written_by(job: TransferJob) -> frozenset[str]:
    """The files a download writes (``NAME`` and ``NAME.part``, see
    :func:`client.engine.localpaths.part_path`), as the local system compares names:
    strings, not paths, since every job asks at least twice."""
    local = os.path.normcase(os.fspath(job.local_path))
    return frozenset((local, local + ".part"))


def _fields(job: TransferJob) -> dict[str, object]:
    return {"local_path": job.local_path, "remote_path": job.remote_path,
            "bytes_done": job.bytes_done, "size": job.size}


async def _first_of(*events: asyncio.Event) -> None:
    """Wait until any of ``events`` is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
