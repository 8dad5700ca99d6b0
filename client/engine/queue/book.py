"""The queue's jobs in order, and the one place their changes happen and are announced.

Every change of a job goes through :meth:`JobBook.update`, which also keeps the count of
jobs still to do (for ``wait_idle``) and emits ``QueueJobChanged``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from client.engine.events import EventBus, QueueJobChanged
from client.engine.queue.jobs import ACTIVE_STATES, JobState, TransferJob, replace_job
from client.engine.queue.runner import JobRecord

__all__ = ["JobBook"]


#: job numbers are unique in the process, not per queue: the window shows the jobs of
#: several queues (one per connection tab, and a new one per site) in one list
_JOB_IDS = itertools.count(1)


class JobBook:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._records: dict[int, JobRecord] = {}
        self._order: list[int] = []
        self._ids = _JOB_IDS
        # Jobs before this index are known not to be QUEUED (a job becoming QUEUED again,
        # or a move, resets it): picking the next job does not rescan thousands of
        # finished ones.
        self._scan_from = 0
        self._active = 0
        self._running = 0
        self.idle = asyncio.Event()
        self.idle.set()
        #: set while no job is RUNNING (what a queue that stopped processing waits for)
        self.quiet = asyncio.Event()
        self.quiet.set()

    @property
    def active(self) -> int:
        """Jobs QUEUED or RUNNING."""
        return self._active

    @property
    def running(self) -> int:
        """Jobs RUNNING."""
        return self._running

    def add(self, direction: str, remote_path: str, local_path: Path, size: int | None,
            root: Path, *, listed_mtime: datetime | None = None) -> JobRecord:
        job = TransferJob(job_id=next(self._ids), direction=direction,
                          remote_path=remote_path, local_path=local_path, size=size)
        record = JobRecord(job=job, root=root, listed_mtime=listed_mtime)
        self._records[job.job_id] = record
        self._order.append(job.job_id)
        self._active += 1
        self.idle.clear()
        self.emit(job)
        return record

    def record(self, job_id: int) -> JobRecord:
        try:
            return self._records[job_id]
        except KeyError:
            raise KeyError(f"no transfer job {job_id} in this queue") from None

    def jobs(self) -> list[TransferJob]:
        return [self._records[job_id].job for job_id in self._order]

    def any_queued(self) -> bool:
        return any(r.job.state is JobState.QUEUED for r in self._records.values())

    def move(self, job_id: int, new_index: int) -> None:
        record = self.record(job_id)
        self._order.remove(job_id)
        self._order.insert(max(0, min(new_index, len(self._order))), job_id)
        self._scan_from = 0
        self.emit(record.job)

    def remove(self, job_id: int) -> None:
        """Drop a job from the book (a finished one the person cleared from the list)."""
        self.record(job_id)
        del self._records[job_id]
        self._order.remove(job_id)
        self._scan_from = 0

    def update(self, record: JobRecord, **changes: object) -> None:
        state = record.job.state
        before = state in ACTIVE_STATES
        if changes.get("state") is JobState.QUEUED:
            self._scan_from = 0
        record.job = replace_job(record.job, **changes)
        after = record.job.state
        self._active += int(after in ACTIVE_STATES) - int(before)
        if self._active:
            self.idle.clear()
        else:
            self.idle.set()
        if after is not state:
            self._running += int(after is JobState.RUNNING) - int(state is JobState.RUNNING)
            if self._running:
                self.quiet.clear()
            else:
                self.quiet.set()
        self.emit(record.job)

    def emit(self, job: TransferJob) -> None:
        if self.bus.wants(QueueJobChanged):
            self.bus.emit(QueueJobChanged(t=self.bus.now(), connection="queue", job=job))

    def upcoming(self) -> Iterator[JobRecord]:
        """The QUEUED jobs in queue order."""
        for job_id in itertools.islice(self._order, self._scan_from, None):
            record = self._records[job_id]
            if record.job.state is JobState.QUEUED:
                yield record

    def next_queued(self, now: float, blocked: Callable[[JobRecord], bool],
                    ) -> tuple[JobRecord | None, float | None]:
        """The first QUEUED job in order whose back-off ended (at loop time ``now``)
        and that is not ``blocked``; else the seconds until a back-off ends (None: no
        job waits on one)."""
        order = self._order
        while (self._scan_from < len(order)
               and self._records[order[self._scan_from]].job.state is not JobState.QUEUED):
            self._scan_from += 1
        soonest: float | None = None
        for job_id in itertools.islice(order, self._scan_from, None):
            record = self._records[job_id]
            if record.job.state is not JobState.QUEUED or blocked(record):
                continue
            if record.not_before <= now:
                return record, None
            wait = record.not_before - now
            soonest = wait if soonest is None else min(soonest, wait)
        return None, soonest
