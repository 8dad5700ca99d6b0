"""The values the queue shows: a job's state and the frozen snapshot of a job."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

__all__ = ["JobState", "TransferJob", "ACTIVE_STATES", "FINISHED_STATES"]


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
