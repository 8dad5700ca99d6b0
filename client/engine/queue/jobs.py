"""The values the queue shows: a job's state and the frozen snapshot of a job."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["JobState", "TransferJob", "ACTIVE_STATES", "FINISHED_STATES", "replace_job"]


class JobState(enum.Enum):
    QUEUED = "queued"  # waiting for a worker (also while waiting out a retry back-off)
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # the exists policy (or an unsafe target) left it out


#: States a worker still has to do something about (``wait_idle`` waits for these).
ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})
FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED,
                             JobState.SKIPPED})


@dataclass(frozen=True)
class TransferJob:
    """One file to move, as the views see it; every change is a new value emitted as
    ``QueueJobChanged``. ``error`` holds the last failure (also while a retry waits)
    or the reason a job was skipped; ``attempts`` counts started attempts."""

    job_id: int
    direction: str  # "download" | "upload"
    remote_path: str
    local_path: Path
    size: int | None = None
    state: JobState = JobState.QUEUED
    bytes_done: int = 0
    rate: float = 0.0
    error: str | None = None
    attempts: int = 0


_JOB_FIELDS = frozenset(f.name for f in fields(TransferJob))


def replace_job(job: TransferJob, **changes: object) -> TransferJob:
    """``dataclasses.replace`` for the queue's hot path (several times per file of a
    tree): the new value's fields are copied as a dict instead of going through the
    generated ``__init__`` with its frozen ``object.__setattr__`` per field."""
    unknown = changes.keys() - _JOB_FIELDS
    if unknown:
        raise TypeError(f"TransferJob has no field {sorted(unknown)[0]!r}")
    new = object.__new__(TransferJob)
    values = new.__dict__
    values.update(job.__dict__)
    values.update(changes)
    return new
