"""What the queue does when a transfer's target already exists.

The policy is chosen per queue (or per question, through the ``ask_exists`` callback);
:func:`resolve` turns a policy and the facts about both files into one of the four
things the queue can actually do: overwrite, resume, skip or rename. Pure: no I/O, so
every rule is tested with literal values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["ExistsPolicy", "ExistsInfo", "ExistsDecision", "resolve", "skip_reason",
           "MTIME_TOLERANCE"]

#: MDTM has whole seconds (and some file systems two); times closer than this are equal.
MTIME_TOLERANCE = 2.0


class ExistsPolicy(enum.Enum):
    ASK = "ask"
    OVERWRITE = "overwrite"
    RESUME = "resume"
    SKIP = "skip"
    RENAME = "rename"
    OVERWRITE_IF_NEWER = "overwrite-if-newer"
    OVERWRITE_IF_DIFFERENT_SIZE = "overwrite-if-different-size"


@dataclass(frozen=True)
class ExistsInfo:
    """Both sides of a transfer whose target exists, as far as they are known.

    ``*_mtime`` are timezone-aware (MDTM is UTC; local times come from ``st_mtime``).
    A size or time the server could not tell is None.
    """

    direction: str  # "download" | "upload"
    local_path: Path
    remote_path: str
    local_size: int | None
    local_mtime: datetime | None
    remote_size: int | None
    remote_mtime: datetime | None

    @property
    def source_size(self) -> int | None:
        return self.remote_size if self.direction == "download" else self.local_size

    @property
    def target_size(self) -> int | None:
        return self.local_size if self.direction == "download" else self.remote_size

    @property
    def source_mtime(self) -> datetime | None:
        return self.remote_mtime if self.direction == "download" else self.local_mtime

    @property
    def target_mtime(self) -> datetime | None:
        return self.local_mtime if self.direction == "download" else self.remote_mtime


@dataclass(frozen=True)
class ExistsDecision:
    """The answer to one "the target exists" question. ``apply_to_all`` makes ``policy``
    the queue's policy for every later question (the dialog's "apply to all" box)."""

    policy: ExistsPolicy
    apply_to_all: bool = False

    def __post_init__(self) -> None:
        if self.policy is ExistsPolicy.ASK:
            raise ValueError("an answer to 'the target exists' cannot be ASK again")


def resolve(policy: ExistsPolicy, info: ExistsInfo) -> ExistsPolicy:
    """OVERWRITE, RESUME, SKIP or RENAME for ``policy`` (not ASK) and ``info``.

    - RESUME when the target is already as large as the source (or larger: it is not a
      prefix of it) cannot resume: complete -> SKIP, larger -> OVERWRITE.
    - OVERWRITE_IF_NEWER compares modification times; when either is unknown it falls
      back to the sizes (different -> overwrite), since guessing "newer" could destroy
      the newer file.
    - OVERWRITE_IF_DIFFERENT_SIZE overwrites when a size is unknown: equal sizes cannot
      be shown, and a stale copy is the worse outcome.
    """
    if policy is ExistsPolicy.ASK:
        raise ValueError("ASK must be answered by the ask_exists callback first")
    if policy in (ExistsPolicy.OVERWRITE, ExistsPolicy.SKIP, ExistsPolicy.RENAME):
        return policy
    source, target = info.source_size, info.target_size
    if policy is ExistsPolicy.RESUME:
        if source is None or target is None:
            return ExistsPolicy.RESUME
        if target == source:
            return ExistsPolicy.SKIP
        if target > source:
            return ExistsPolicy.OVERWRITE
        return ExistsPolicy.RESUME
    if policy is ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE:
        if source is not None and target is not None and source == target:
            return ExistsPolicy.SKIP
        return ExistsPolicy.OVERWRITE
    # OVERWRITE_IF_NEWER
    newer, older = info.source_mtime, info.target_mtime
    if newer is None or older is None:
        if source is not None and target is not None and source == target:
            return ExistsPolicy.SKIP
        return ExistsPolicy.OVERWRITE
    if newer.timestamp() - older.timestamp() >= MTIME_TOLERANCE:
        return ExistsPolicy.OVERWRITE
    return ExistsPolicy.SKIP


def skip_reason(policy: ExistsPolicy, info: ExistsInfo) -> str:
    """Why ``policy`` left the existing target of ``info`` alone, for the job's error
    column and the notice."""
    where = "locally" if info.direction == "download" else "on the server"
    if policy is ExistsPolicy.RESUME:
        return f"the file {where} is already complete ({info.target_size} bytes)"
    if policy is ExistsPolicy.OVERWRITE_IF_NEWER:
        if info.source_mtime is None or info.target_mtime is None:
            return f"the file {where} has the same size and a time could not be compared"
        return f"the file {where} is not older than the one being transferred"
    if policy is ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE:
        return f"the file {where} has the same size ({info.target_size} bytes)"
    return f"the file already exists {where}"
