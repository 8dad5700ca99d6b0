"""Search a remote folder tree by name pattern, size and date, one listing at a time.

:func:`search_remote` is an async iterator: it yields each match as soon as the folder
holding it is listed, the folder it enters next (so a front end can say where it is),
and a folder that could not be listed (permission denied) without stopping. Cancelling
the task that iterates stops the walk (an ABOR ends a listing in flight, see
``FtpSession``). Links are matched by name but never followed, and a folder listed
once is not listed again, so a loop on the server cannot keep the search going.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from client.engine.errors import CommandFailedError, DataChannelError
from client.protocol.listing import EntryKind, ListingEntry, ListingResult
from client.protocol.paths import join_remote, remote_basename

__all__ = ["parse_size", "SearchCriteria", "SearchMatch", "FolderEntered", "FolderFailed", "SearchItem",
           "search_remote", "DEFAULT_DEPTH"]

#: How deep a search goes by default (0: the start folder only).
DEFAULT_DEPTH = 5


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_UNIT = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}


def parse_size(text: str) -> int | None:
    """``"1500"``, ``"10K"``, ``"2.5 MB"``, ``"1G"`` as bytes (K = 1024, as curl and ls
    -h count); an empty text is None. Raises ValueError for anything else."""
    if not text.strip():
        return None
    found = _SIZE.match(text)
    if found is None:
        raise ValueError(f"{text.strip()!r} is not a size: write bytes or a number with "
                         "K, M, G or T (e.g. 500K, 2.5M)")
    return int(float(found.group(1)) * _UNIT[found.group(2).lower()])


class Lister(Protocol):
    """What the search needs of a remote filesystem (RemoteFileSystem has it)."""

    async def list(self, path: str | None = None) -> ListingResult: ...


@functools.lru_cache(maxsize=32)
def _name_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(fnmatch.translate(pattern or "*"), flags | re.DOTALL)


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    """What to find. ``pattern`` is a shell glob (``*.log``, ``report-202?-*``) matched
    against the whole name; sizes are bytes, both ends included; dates are days of the
    entry's listed time, both included; ``max_depth`` counts folders below the start."""

    pattern: str = "*"
    case_sensitive: bool = False
    min_size: int | None = None
    max_size: int | None = None
    modified_from: date | None = None
    modified_to: date | None = None
    max_depth: int = DEFAULT_DEPTH
    folders: bool = True  # folders whose name matches are results too

    def __post_init__(self) -> None:
        if self.max_depth < 0:
            raise ValueError("the search depth must be 0 (the folder only) or more")
        _name_regex(self.pattern, self.case_sensitive)  # a broken pattern fails here

    @property
    def sized(self) -> bool:
        return self.min_size is not None or self.max_size is not None

    @property
    def dated(self) -> bool:
        return self.modified_from is not None or self.modified_to is not None

    def matches(self, entry: ListingEntry) -> bool:
        """``entry`` passes every filter given (a size or date filter excludes entries
        whose listing has no size or date, and folders when sizes are asked for)."""
        if entry.kind is EntryKind.DIR and not self.folders:
            return False
        if not _name_regex(self.pattern, self.case_sensitive).match(entry.name):
            return False
        if self.sized:
            if entry.kind is EntryKind.DIR or entry.size is None:
                return False
            if self.min_size is not None and entry.size < self.min_size:
                return False
            if self.max_size is not None and entry.size > self.max_size:
                return False
        if self.dated:
            if entry.modified is None:
                return False
            day = entry.modified.date()
            if self.modified_from is not None and day < self.modified_from:
                return False
            if self.modified_to is not None and day > self.modified_to:
                return False
        return True


@dataclass(frozen=True, slots=True)
class SearchMatch:
    folder: str
    entry: ListingEntry

    @property
    def path(self) -> str:
        return join_remote(self.folder, self.entry.name)


@dataclass(frozen=True, slots=True)
class FolderEntered:
    """The search is listing ``folder`` now (``depth`` below the start)."""

    folder: str
    depth: int


@dataclass(frozen=True, slots=True)
class FolderFailed:
    """``folder`` could not be listed; the search goes on without it."""

    folder: str
    message: str
    reply_code: int | None = None


SearchItem = SearchMatch | FolderEntered | FolderFailed


def _lists_itself(folder: str, listing: ListingResult) -> bool:
    """vsftpd lists a folder it may not open as that folder alone (as ``ls -ld`` would):
    one entry, named as the folder, a folder nobody may read."""
    if len(listing.entries) != 1:
        return False
    entry = listing.entries[0]
    return (entry.kind is EntryKind.DIR and entry.name == remote_basename(folder)
            and entry.permissions is not None and "r" not in entry.permissions)


async def search_remote(fs: Lister, root: str, criteria: SearchCriteria) -> AsyncIterator[SearchItem]:
    """Walk ``root`` breadth first (nearer matches come first) down to
    ``criteria.max_depth``, yielding what is found as it is found. A folder the server
    refuses to list (4xx/5xx) or whose data connection fails is yielded as
    :class:`FolderFailed`; a lost control connection ends the search with its error."""
    pending: deque[tuple[str, int]] = deque([(root, 0)])
    visited: set[str] = set()
    while pending:
        folder, depth = pending.popleft()
        key = folder.rstrip("/") or "/"
        if key in visited:
            continue
        visited.add(key)
        yield FolderEntered(folder, depth)
        try:
            listing = await fs.list(folder)
        except CommandFailedError as exc:
            yield FolderFailed(folder, exc.message, exc.reply_code)
            continue
        except DataChannelError as exc:
            yield FolderFailed(folder, exc.message)
            continue
        if _lists_itself(folder, listing):
            yield FolderFailed(folder, "the server listed the folder itself instead of its "
                               "contents: it may not be read (permission denied)")
            continue
        for entry in listing.entries:
            if criteria.matches(entry):
                yield SearchMatch(folder, entry)
            if entry.kind is EntryKind.DIR and depth < criteria.max_depth:
                pending.append((join_remote(folder, entry.name), depth + 1))
