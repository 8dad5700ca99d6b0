"""The queue's workers: each takes the next QUEUED job, runs it (alone, or with the next
few small ones in a batch, see :mod:`.batch`) on its own connection, and settles the
job's state - done, stopped by the person, retried later or failed.

Mixed into :class:`.core.TransferQueue`, which holds the state named below and the
person's controls; kept apart so the scheduling reads on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import TYPE_CHECKING

from client.engine.errors import FtpError
from client.engine.events import EventBus, NoticeKind, SessionState, TransferProgress
from client.engine.exists import ExistsPolicy
from client.engine.queue import batch
from client.engine.queue import sessions as pool
from client.engine.queue.jobs import JobState, TransferJob
from client.engine.queue.retry import (
    backoff_delay,
    is_transient,
    needs_new_connection,
    refused_restart,
)
from client.engine.queue.runner import JobRecord, run_attempt
from client.engine.queue.sessions import still_answers, usable
from client.protocol.annotate import Severity
from client.protocol.charsets import normalize_charset
from client.protocol.text import escape_control

if TYPE_CHECKING:
    import itertools

    from client.engine.queue.asking import ExistsArbiter
    from client.engine.queue.book import JobBook
    from client.engine.queue.prepare import TargetPreparer
    from client.engine.queue.sessions import SessionPool
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["Worker", "Workers", "written_by"]

log = logging.getLogger(__name__)


class Worker:
    """One connection's worker: its session is kept across files."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.session: RemoteFileSystem | None = None
        self.task: asyncio.Task | None = None
        self.last_used = 0.0  # monotonic time the session last finished an attempt


class Workers:
    """The worker side of :class:`.core.TransferQueue` (see the module doc)."""

    if TYPE_CHECKING:
        bus: EventBus
        retries: int
        retry_delay: float
        batching: bool
        exists: ExistsArbiter
        sessions: SessionPool
        _book: JobBook
        _workers: list[Worker]
        _worker_numbers: itertools.count
        _concurrency: int
        _closed: bool
        _processing: bool
        _wake: asyncio.Event
        _writing: set[str]
        _preparer: TargetPreparer
        _batch_hooks: batch.BatchHooks

        def notice(self, text: str, *, kind: NoticeKind = ...,
                   severity: Severity = ...) -> None: ...

    # ------------------------------------------------------------------ workers
    def _start_workers(self) -> None:
        if self._book.any_queued():
            self._spawn_workers()

    def _spawn_workers(self) -> None:
        if self._closed:
            return
        while len(self._workers) < self._concurrency:
            worker = Worker(next(self._worker_numbers))
            worker.task = asyncio.ensure_future(self._work(worker))
            self._workers.append(worker)
        self._wake.set()

    async def _work(self, worker: Worker) -> None:
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
            and not self._writing.isdisjoint(written_by(record.job)))

    @staticmethod
    def _settle(record: JobRecord) -> None:
        if record.batch is not None:
            record.batch.settle(record)

    # ------------------------------------------------------------------ batches
    async def _try_batch(self, worker: Worker, record: JobRecord) -> bool:
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
            writing=self._writing, written_by=written_by)
        run = batch.TransferBatch(plain, records, self._batch_hooks)
        run.writes |= writes
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
            self._writing -= run.writes
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

    def _batch_released(self, record: JobRecord, run: batch.TransferBatch) -> None:
        """A job left its batch: its files are no longer the batch's to write (another
        worker may take it now)."""
        if record.job.direction == "download":
            names = written_by(record.job)
            if names <= run.writes:
                run.writes -= names
                self._writing -= names
        self._wake.set()

    def _batch_back(self, record: JobRecord) -> None:
        record.task = None
        self._book.update(record, state=JobState.QUEUED, rate=0.0,
                          attempts=max(0, record.job.attempts - 1))
        self._wake.set()

    async def _run(self, worker: Worker, record: JobRecord) -> None:
        record.stop_as = None
        self._book.update(record, state=JobState.RUNNING, error=None, rate=0.0,
                          attempts=record.job.attempts + 1)
        writes = frozenset()
        if record.job.direction == "download":
            writes = written_by(record.job)
            # the next targets' files are made in a thread while this one runs
            self._preparer.top_up(self._book.upcoming())
        self._writing |= writes
        try:
            await self._run_attempt(worker, record)
        finally:
            worker.last_used = time.monotonic()
            self._writing -= writes
            self._wake.set()  # a download waiting for these paths may go now

    async def _run_attempt(self, worker: Worker, record: JobRecord) -> None:
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

    async def _attempt(self, worker: Worker, record: JobRecord):  # -> Outcome
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

    def _failed(self, worker: Worker | None, record: JobRecord, exc: Exception) -> None:
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


def _speak_charset(session: RemoteFileSystem, charset: str | None) -> None:
    """An FTP session sends the job's names in the charset they were read in."""
    if charset is None or not hasattr(session, "set_charset"):
        return  # SFTP: names are the server's bytes
    if getattr(session, "charset", None) != normalize_charset(charset):
        session.set_charset(charset)


def written_by(job: TransferJob) -> frozenset[str]:
    """The files a download writes (``NAME`` and ``NAME.part``, see
    :func:`client.engine.localpaths.part_path`), as the local system compares names:
    strings, not paths, since every job asks at least twice."""
    local = os.path.normcase(os.fspath(job.local_path))
    return frozenset((local, local + ".part"))


def _fields(job: TransferJob) -> dict[str, object]:
    return {"local_path": job.local_path, "remote_path": job.remote_path,
            "bytes_done": job.bytes_done, "size": job.size}
