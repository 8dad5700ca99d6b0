"""Entry-by-entry comparison of two trees (or two folders' listings).

Times are compared with a tolerance widened by the precision the remote listing gave:
MLSD's ``modify`` is exact to the second, an ``ls -l`` time only to the minute, and an
``ls -l`` date with a year only to the day. A difference inside that uncertainty is no
difference, so a LIST-only server does not make every file look changed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from client.engine.sync.entries import PRECISION_SLACK, EntryType, Side, TreeEntry

__all__ = ["CompareRule", "DiffKind", "Difference", "compare_entries", "compare_trees",
           "DEFAULT_TOLERANCE"]

#: Seconds two times may differ and still count as equal (FAT stores 2-second times).
DEFAULT_TOLERANCE = 2.0


class CompareRule(enum.Enum):
    SIZE = "size"
    TIME = "time"
    BOTH = "both"  # size first, then time
    CHECKSUM = "checksum"  # size first, then the server's checksum of same-size files


class DiffKind(enum.Enum):
    ONLY_LOCAL = "only-local"
    ONLY_REMOTE = "only-remote"
    SIZE_DIFFERS = "size-differs"
    LOCAL_NEWER = "local-newer"
    REMOTE_NEWER = "remote-newer"
    CONTENT_DIFFERS = "content-differs"  # same size, different checksum
    TYPE_DIFFERS = "type-differs"  # a file on one side, a folder (or link) on the other
    IDENTICAL = "identical"


@dataclass(frozen=True, slots=True)
class Difference:
    """How one relative path compares. ``newer`` is the side with the later time when
    both times are known and differ by more than the tolerance (whatever the rule);
    ``reason`` is a sentence for a tooltip, a preview row or a dry run."""

    relpath: str
    kind: DiffKind
    local: TreeEntry | None
    remote: TreeEntry | None
    newer: Side | None
    reason: str


def _newer(local: TreeEntry, remote: TreeEntry, tolerance: float) -> tuple[Side | None, float]:
    if local.modified is None or remote.modified is None:
        return None, 0.0
    slack = tolerance + max(PRECISION_SLACK[local.precision], PRECISION_SLACK[remote.precision])
    delta = (local.modified - remote.modified).total_seconds()
    if abs(delta) <= slack:
        return None, delta
    return (Side.LOCAL if delta > 0 else Side.REMOTE), delta


def _size_text(size: int | None) -> str:
    return "unknown size" if size is None else f"{size:,} bytes"


def compare_entries(local: TreeEntry | None, remote: TreeEntry | None, rule: CompareRule,
                    tolerance: float = DEFAULT_TOLERANCE,
                    same_content: bool | None = None) -> Difference:
    """Compare one path. ``same_content`` is the checksum verdict for the CHECKSUM rule
    (None: not known, then sizes decide)."""
    relpath = (local or remote).relpath  # type: ignore[union-attr]
    if remote is None:
        return Difference(relpath, DiffKind.ONLY_LOCAL, local, None, None, "only on this computer")
    if local is None:
        return Difference(relpath, DiffKind.ONLY_REMOTE, None, remote, None, "only on the server")
    if local.type is not remote.type:
        return Difference(relpath, DiffKind.TYPE_DIFFERS, local, remote, None,
                          f"a {local.type.value} here, a {remote.type.value} on the server")
    newer, delta = _newer(local, remote, tolerance)
    if local.type is not EntryType.FILE:
        return Difference(relpath, DiffKind.IDENTICAL, local, remote, newer, "on both sides")
    size_differs = (local.size is not None and remote.size is not None
                    and local.size != remote.size)
    sizes = f"{_size_text(local.size)} here, {_size_text(remote.size)} on the server"
    if rule is not CompareRule.TIME and size_differs:
        return Difference(relpath, DiffKind.SIZE_DIFFERS, local, remote, newer,
                          f"sizes differ: {sizes}")
    if rule is CompareRule.CHECKSUM and same_content is False:
        return Difference(relpath, DiffKind.CONTENT_DIFFERS, local, remote, newer,
                          "same size, different checksum")
    if rule in (CompareRule.TIME, CompareRule.BOTH) and newer is not None:
        kind = DiffKind.LOCAL_NEWER if newer is Side.LOCAL else DiffKind.REMOTE_NEWER
        where = "here" if newer is Side.LOCAL else "on the server"
        return Difference(relpath, kind, local, remote, newer,
                          f"newer {where} by {_duration(abs(delta))}")
    return Difference(relpath, DiffKind.IDENTICAL, local, remote, newer,
                      _identical_reason(rule, same_content))


def _identical_reason(rule: CompareRule, same_content: bool | None) -> str:
    if rule is CompareRule.SIZE:
        return "same size"
    if rule is CompareRule.TIME:
        return "same time (within the tolerance)"
    if rule is CompareRule.CHECKSUM:
        return "same checksum" if same_content else "same size (no checksum known)"
    return "same size and time"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def compare_trees(local: Mapping[str, TreeEntry], remote: Mapping[str, TreeEntry],
                  rule: CompareRule, tolerance: float = DEFAULT_TOLERANCE,
                  same_content: Mapping[str, bool] | None = None) -> list[Difference]:
    """Every path of either side, in sorted order (a folder before what is in it)."""
    verdicts = same_content or {}
    paths = sorted(local.keys() | remote.keys())
    return [compare_entries(local.get(path), remote.get(path), rule, tolerance,
                            verdicts.get(path)) for path in paths]
