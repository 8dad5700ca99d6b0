"""Walking folder trees for recursive transfers: the remote one through the session's
listings, the local one with ``os.scandir`` (in a thread: large folders must not stall
the event loop).

A walk produces a :class:`TreePlan`: the folders to create, the files to transfer and
every name that was left out with the reason. Nothing is written here; remote names
only become local paths through :func:`client.engine.localpaths.local_name_for`.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import ConnectionLostError, FtpError
from client.engine.localpaths import local_name_for
from client.protocol.errors import UnsafeNameError
from client.protocol.listing import EntryKind
from client.protocol.paths import join_remote
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["PlannedFile", "SkippedName", "TreePlan", "walk_remote", "walk_local", "MAX_DEPTH"]

#: Deeper than this is a loop (a server that lists a folder inside itself) or hostile.
MAX_DEPTH = 48

_REMOTE_UNSENDABLE = ("\r", "\n", "\x00")

#: Downloads are written to ``NAME.part`` first (:func:`client.engine.localpaths.part_path`).
PART_SUFFIX = ".part"


@dataclass(frozen=True)
class PlannedFile:
    remote_path: str
    local_path: Path
    size: int | None
    #: The listed modification time when the listing gave it to the second (MLSD
    #: ``modify``): it spares MDTM. None for minute- or day-precise LIST times.
    modified: datetime | None = None


@dataclass(frozen=True)
class SkippedName:
    """A name left out of a folder transfer. ``name`` is as listed (escape it to show it)."""

    folder: str
    name: str
    reason: str

    def describe(self) -> str:
        if not self.name:
            return f"skipped the folder {escape_control(self.folder)}: {self.reason}"
        return (f"skipped '{escape_control(self.name)}' in {escape_control(self.folder)}: "
                f"{self.reason}")


@dataclass
class TreePlan:
    directories: list[Path] = field(default_factory=list)  # local folders (download)
    remote_directories: list[str] = field(default_factory=list)  # remote folders (upload)
    files: list[PlannedFile] = field(default_factory=list)
    skipped: list[SkippedName] = field(default_factory=list)


def _fold(name: str) -> str:
    """One key for names a case-insensitive file system stores as one: case folded, and
    NFC-normalised (macOS and Windows also treat composed and decomposed accents alike)."""
    return unicodedata.normalize("NFC", name).casefold()


class _NameGuard:
    """Per folder: refuses a name listed twice, and on a case-insensitive destination
    a name that differs from an earlier one only in case (both would be one file)."""

    def __init__(self, case_insensitive: bool) -> None:
        self.case_insensitive = case_insensitive
        self.seen: dict[str, str] = {}

    def clash(self, name: str) -> str | None:
        key = _fold(name) if self.case_insensitive else name
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = name
            return None
        if earlier == name:
            return "the server listed this name twice; only the first is transferred"
        return (f"it differs from '{escape_control(earlier)}' only in case or accent "
                "composition, and the destination folder does not tell those apart (one "
                "would overwrite the other)")


async def walk_remote(session: RemoteFileSystem, remote_dir: str, local_dir: Path, *,
                      case_insensitive: bool = False,
                      on_skip: Callable[[SkippedName], None] | None = None,
                      exact_times: bool = False) -> TreePlan:
    """List ``remote_dir`` recursively through ``session``. The root's listing failing
    raises; a sub-folder's failing is a skipped name (the rest still arrives).

    ``exact_times``: for files whose listing gave no time to the second (``ls -l``
    dates), ask MDTM for all of a folder's files at once (pipelined), so the downloads
    that preserve times need no MDTM round trip each."""
    plan = TreePlan(directories=[local_dir])

    def skip(folder: str, name: str, reason: str) -> None:
        item = SkippedName(folder, name, reason)
        plan.skipped.append(item)
        if on_skip is not None:
            on_skip(item)

    pending: deque[tuple[str, Path, int]] = deque([(remote_dir, local_dir, 0)])
    visited: set[str] = set()
    while pending:
        folder, local, depth = pending.popleft()
        visited.add(folder.rstrip("/") or "/")
        try:
            listing = await session.list(folder)
        except FtpError as exc:
            if folder == remote_dir:
                raise
            skip(folder, "", f"the folder could not be listed: {exc.message}")
            continue
        first_of_folder = len(plan.files)
        guard = _NameGuard(case_insensitive)
        fold = _fold if case_insensitive else str
        files_here = {fold(e.name) for e in listing.entries if e.kind is EntryKind.FILE}
        for entry in listing.entries:
            name = entry.name
            try:
                local_name = local_name_for(name)
            except UnsafeNameError as exc:
                skip(folder, name, exc.reason)
                continue
            if any(ch in name for ch in _REMOTE_UNSENDABLE):
                skip(folder, name, "it contains CR, LF or NUL, which cannot be sent in a command")
                continue
            clash = guard.clash(local_name)
            if clash is not None:
                skip(folder, name, clash)
                continue
            key = fold(local_name)
            if key.endswith(PART_SUFFIX) and key[: -len(PART_SUFFIX)] in files_here:
                skip(folder, name, f"it would be the temporary file of "
                                   f"'{escape_control(name[: -len(PART_SUFFIX)])}' while that "
                                   "downloads (the two would overwrite each other)")
                continue
            remote_path = join_remote(folder, name)
            if entry.kind is EntryKind.LINK:
                target = f" (-> {escape_control(entry.target)})" if entry.target else ""
                skip(folder, name, f"it is a symbolic link on the server{target}; links are "
                                   "not followed in folder transfers")
            elif entry.kind is EntryKind.DIR:
                if depth + 1 > MAX_DEPTH:
                    skip(folder, name, f"the folder is nested deeper than {MAX_DEPTH} levels "
                                       "(a loop on the server?)")
                elif (remote_path.rstrip("/") or "/") in visited:
                    skip(folder, name, "the server lists a folder already transferred (a loop)")
                else:
                    plan.directories.append(local / local_name)
                    pending.append((remote_path, local / local_name, depth + 1))
            elif entry.kind is EntryKind.FILE:
                exact = (entry.modified if entry.modified_precision == "second"
                         and entry.modified is not None
                         and entry.modified.tzinfo is not None else None)
                plan.files.append(PlannedFile(remote_path, local / local_name, entry.size,
                                              exact))
            else:
                skip(folder, name, "it is not a regular file or folder")
        if exact_times and session.answers_mtime:
            await _add_exact_times(session, plan.files, first_of_folder)
    return plan


async def _add_exact_times(session: RemoteFileSystem, files: list[PlannedFile], first: int) -> None:
    """MDTM, pipelined, for the files from ``first`` on that have no exact time yet. A
    refused MDTM leaves that time unknown (its download then asks MDTM itself), and so
    does a server that hung up after the listing (an idle timeout: the listing stands,
    the queue replaces the connection). A timeout fails the walk as a listing's would."""
    wanted = [index for index in range(first, len(files)) if files[index].modified is None]
    if not wanted:
        return
    try:
        times = await session.mdtm_many([files[index].remote_path for index in wanted])
    except ConnectionLostError:
        return
    for index, moment in zip(wanted, times, strict=True):
        if moment is not None:
            planned = files[index]
            files[index] = PlannedFile(planned.remote_path, planned.local_path, planned.size,
                                       moment)


def walk_local(local_dir: Path, remote_dir: str) -> TreePlan:
    """Walk ``local_dir`` (blocking: call through ``asyncio.to_thread``). Symbolic links
    are not followed (they could lead out of the folder or into a loop)."""
    plan = TreePlan(remote_directories=[remote_dir])
    pending: deque[tuple[Path, str, int]] = deque([(local_dir, remote_dir, 0)])
    while pending:
        folder, remote, depth = pending.popleft()
        try:
            with os.scandir(folder) as entries:
                found = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            plan.skipped.append(SkippedName(str(folder), "", f"could not read the folder: "
                                                             f"{exc.strerror or exc}"))
            continue
        for entry in found:
            name = entry.name
            if any(ch in name for ch in _REMOTE_UNSENDABLE) or name.isspace():
                plan.skipped.append(SkippedName(str(folder), name, "the name contains CR or "
                                                "LF (or is blank) and cannot be sent"))
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                plan.skipped.append(SkippedName(str(folder), name, exc.strerror or str(exc)))
                continue
            target = join_remote(remote, name)
            if stat.S_ISLNK(mode):
                plan.skipped.append(SkippedName(str(folder), name, "it is a symbolic link; "
                                                "links are not followed in folder uploads"))
            elif stat.S_ISDIR(mode):
                if depth + 1 > MAX_DEPTH:
                    plan.skipped.append(SkippedName(str(folder), name,
                                                    f"nested deeper than {MAX_DEPTH} levels"))
                    continue
                plan.remote_directories.append(target)
                pending.append((Path(entry.path), target, depth + 1))
            elif stat.S_ISREG(mode):
                plan.files.append(PlannedFile(target, Path(entry.path), entry.stat(
                    follow_symlinks=False).st_size))
            else:
                plan.skipped.append(SkippedName(str(folder), name,
                                                "it is not a regular file or folder"))
    return plan
