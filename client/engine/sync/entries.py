"""What a compared tree is made of: one :class:`TreeEntry` per path relative to the
chosen folder, and the names that were refused with the reason.

Relative paths use ``/`` on both sides and every component has passed
:func:`name_problem`, so a path can only ever name something inside the chosen folder.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from client.engine.localpaths import local_name_for
from client.protocol.errors import UnsafeNameError

__all__ = ["EntryType", "Precision", "Refusal", "Side", "TreeEntry", "TreeSnapshot",
           "name_problem", "path_problem", "PRECISION_SLACK"]


class Side(enum.Enum):
    LOCAL = "local"
    REMOTE = "remote"


class EntryType(enum.Enum):
    FILE = "file"
    DIR = "dir"
    LINK = "link"  # never followed, copied or deleted
    OTHER = "other"  # devices, sockets, what a listing could not classify


class Precision(enum.Enum):
    """How much of a modification time the source actually told."""

    SECOND = "second"  # MLSD ``modify``, MDTM, the local disk
    MINUTE = "minute"  # ``ls -l`` within the last half year
    DAY = "day"  # ``ls -l`` with a year, DOS listings without a time
    UNKNOWN = "unknown"


#: The uncertainty a time of each precision carries, in seconds.
PRECISION_SLACK: dict[Precision, float] = {
    Precision.SECOND: 0.0, Precision.MINUTE: 60.0, Precision.DAY: 86400.0,
    Precision.UNKNOWN: 0.0,
}


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One entry of a tree. ``modified`` is timezone-aware (UTC) or None."""

    relpath: str
    type: EntryType
    size: int | None = None
    modified: datetime | None = None
    precision: Precision = Precision.SECOND

    @property
    def name(self) -> str:
        return self.relpath.rsplit("/", 1)[-1]

    @property
    def depth(self) -> int:
        return self.relpath.count("/")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A name left out of comparison and synchronisation, with why (``name`` as found:
    escape it before showing it)."""

    side: Side
    folder: str  # the relative folder it was found in ("" for the top)
    name: str
    reason: str


@dataclass
class TreeSnapshot:
    """A tree as listed: entries by relative path, and the refused names."""

    side: Side
    root: str
    entries: dict[str, TreeEntry] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be one component of a path inside the chosen folder on
    either side (``.``/``..``, a separator, NUL, control or text-direction characters,
    a drive letter, too long), or None when it can."""
    if any(ch in name for ch in "\r\n"):
        return "it contains CR or LF, which cannot be sent in an FTP command"
    try:
        local_name_for(name)
    except UnsafeNameError as exc:
        return exc.reason
    return None


def path_problem(relpath: str) -> str | None:
    """:func:`name_problem` for each component of a relative path."""
    if not relpath or relpath.startswith("/"):
        return "it is not a path inside the chosen folder"
    for part in relpath.split("/"):
        problem = name_problem(part)
        if problem is not None:
            return problem
    return None
