"""Snapshots of the two trees to compare. Neither walk follows a symbolic link (a link
is an entry of type LINK, which plans refuse), both stop at ``MAX_DEPTH`` and the remote
walk never lists a folder twice, so a server that lists a folder inside itself (or a
link loop on disk) ends the walk instead of looping.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import FtpError
from client.engine.sync.entries import (
    EntryType,
    Precision,
    Refusal,
    Side,
    TreeEntry,
    TreeSnapshot,
    name_problem,
)
from client.engine.tree import MAX_DEPTH
from client.protocol.listing import EntryKind
from client.protocol.paths import join_remote

if TYPE_CHECKING:
    from client.engine.remotefs import RemoteFileSystem
    from client.protocol.listing import ListingEntry

__all__ = ["snapshot_local", "snapshot_remote", "remote_entry", "local_entry"]

_KINDS = {EntryKind.FILE: EntryType.FILE, EntryKind.DIR: EntryType.DIR,
          EntryKind.LINK: EntryType.LINK}
_PRECISIONS = {"second": Precision.SECOND, "minute": Precision.MINUTE, "day": Precision.DAY}


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def remote_entry(relpath: str, entry: ListingEntry,
                 utc_offset: timedelta = timedelta(0)) -> TreeEntry:
    """A listing entry as a tree entry. A naive time (``ls -l``, DOS: the server's local
    time) is taken as UTC plus ``utc_offset``, the server's offset if the user knows it."""
    modified = entry.modified
    if modified is not None and modified.tzinfo is None:
        modified = (modified - utc_offset).replace(tzinfo=UTC)
    precision = _PRECISIONS.get(entry.modified_precision or "", Precision.UNKNOWN)
    if modified is None:
        precision = Precision.UNKNOWN
    return TreeEntry(relpath, _KINDS.get(entry.kind, EntryType.OTHER), entry.size, modified,
                     precision)


def local_entry(relpath: str, info: os.stat_result) -> TreeEntry:
    """A local ``lstat`` result as a tree entry (links are LINK: never followed)."""
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        kind = EntryType.LINK
    elif stat.S_ISDIR(mode):
        kind = EntryType.DIR
    elif stat.S_ISREG(mode):
        kind = EntryType.FILE
    else:
        kind = EntryType.OTHER
    return TreeEntry(relpath, kind, info.st_size if kind is EntryType.FILE else None,
                     datetime.fromtimestamp(info.st_mtime, UTC), Precision.SECOND)


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


async def snapshot_remote(fs: RemoteFileSystem, remote_root: str, *,
                          utc_offset: timedelta = timedelta(0),
                          max_depth: int = MAX_DEPTH,
                          case_insensitive: bool = False) -> TreeSnapshot:
    """List ``remote_root`` recursively. The root failing raises; a sub-folder failing
    is a refusal (its contents are then neither copied over nor deleted).
    ``case_insensitive``: the local folder does not tell ``A`` from ``a``, so the
    second of two names that differ only so is refused (both would be one file)."""
    snapshot = TreeSnapshot(Side.REMOTE, remote_root)
    pending: deque[tuple[str, str, int]] = deque([(remote_root, "", 0)])
    visited: set[str] = set()
    while pending:
        folder, relfolder, depth = pending.popleft()
        visited.add(folder.rstrip("/") or "/")
        try:
            listing = await fs.list(folder)
        except FtpError as exc:
            if not relfolder:
                raise
            snapshot.refused.append(Refusal(Side.REMOTE, relfolder, "",
                                            f"the folder could not be listed: {exc.message}"))
            _mark_unlisted(snapshot, relfolder)
            continue
        seen: dict[str, str] = {}
        for item in listing.entries:
            problem = name_problem(item.name)
            key = _fold(item.name) if case_insensitive else item.name
            if problem is None and key in seen:
                problem = ("the server listed this name twice" if seen[key] == item.name else
                           "it differs from another name here only in case, and the local "
                           "folder does not tell those apart")
            if problem is not None:
                snapshot.refused.append(Refusal(Side.REMOTE, relfolder, item.name, problem))
                continue
            seen[key] = item.name
            relpath = _join(relfolder, item.name)
            entry = remote_entry(relpath, item, utc_offset)
            if entry.type is EntryType.DIR:
                path = join_remote(folder, item.name)
                if depth + 1 > max_depth or (path.rstrip("/") or "/") in visited:
                    snapshot.refused.append(Refusal(
                        Side.REMOTE, relfolder, item.name,
                        "the server lists this folder inside itself or deeper than "
                        f"{max_depth} levels (a loop?); not entered"))
                    continue
                pending.append((path, relpath, depth + 1))
            snapshot.entries[relpath] = entry
    return snapshot


def _mark_unlisted(snapshot: TreeSnapshot, relfolder: str) -> None:
    """A folder whose contents are unknown must not look empty (a delete of everything
    on the other side would follow): it becomes an OTHER entry, which plans refuse."""
    old = snapshot.entries.get(relfolder)
    if old is not None:
        snapshot.entries[relfolder] = TreeEntry(relfolder, EntryType.OTHER)


def snapshot_local(local_root: Path, *, max_depth: int = MAX_DEPTH) -> TreeSnapshot:
    """Walk ``local_root`` (blocking: call through ``asyncio.to_thread``)."""
    snapshot = TreeSnapshot(Side.LOCAL, str(local_root))
    pending: deque[tuple[Path, str, int]] = deque([(local_root, "", 0)])
    while pending:
        folder, relfolder, depth = pending.popleft()
        try:
            with os.scandir(folder) as found:
                items = sorted(found, key=lambda e: e.name)
        except OSError as exc:
            if not relfolder:
                raise
            snapshot.refused.append(Refusal(Side.LOCAL, relfolder, "", "could not read the "
                                            f"folder: {exc.strerror or exc}"))
            _mark_unlisted(snapshot, relfolder)
            continue
        for item in items:
            problem = name_problem(item.name)
            if problem is not None:
                snapshot.refused.append(Refusal(Side.LOCAL, relfolder, item.name, problem))
                continue
            try:
                info = item.stat(follow_symlinks=False)
            except OSError as exc:
                snapshot.refused.append(Refusal(Side.LOCAL, relfolder, item.name,
                                                exc.strerror or str(exc)))
                continue
            relpath = _join(relfolder, item.name)
            entry = local_entry(relpath, info)
            if entry.type is EntryType.DIR:
                if depth + 1 > max_depth:
                    snapshot.refused.append(Refusal(Side.LOCAL, relfolder, item.name,
                                                    f"nested deeper than {max_depth} levels"))
                    continue
                pending.append((Path(item.path), relpath, depth + 1))
            snapshot.entries[relpath] = entry
    return snapshot
