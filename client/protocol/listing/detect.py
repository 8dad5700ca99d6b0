"""Decoded listing lines into entries: the format of each line detected (or forced),
what no format recognises kept in ``unparsed``, and the listing's dominant format.

This is the text half of :class:`client.protocol.listing.parser.ListingParser`, which
frames and decodes the bytes. Each line parser recognises only its own format (``ls -l``
lines start with a permission string, DOS lines with a date, EPLF with ``+``, MLSD with
``fact=value;``), so the order in which they are tried cannot change a result; the
parser that matched last is simply tried first.

When no line at all was recognised, the listing is taken for a bare name list (NLST),
except for lines that look like a listing in a format this client does not know (a
clock time or a date among four or more columns): they stay in ``unparsed`` so a user is
told rather than shown a "file" named after a whole line.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime

from client.protocol.errors import ListingParseError
from client.protocol.listing.collector import pause_collector, resume_collector
from client.protocol.listing.dos import parse_dos_line
from client.protocol.listing.entry import (
    NO_FACTS,
    EntryKind,
    ListingEntry,
    ListingResult,
    make_entry,
)
from client.protocol.listing.eplf import parse_eplf_line
from client.protocol.listing.mlsd_fast import parse_mlsd_list, parse_mlsd_text
from client.protocol.listing.mlsx import (
    _Cache,
    is_self_or_parent,
    looks_like_mlsx,
    parse_mlsd_lines,
    parse_mlsx,
)
from client.protocol.listing.unix import UnixContext, is_total_line, parse_unix_line
from client.protocol.listing.unix import fast_line as unix_fast_line

__all__ = ["FORMATS", "GC_PAUSE_LINES", "LineDetector"]

FORMATS = ("auto", "mlsd", "unix", "dos", "eplf", "names")
#: A batch of more lines than this is parsed with the cyclic garbage collector paused.
GC_PAUSE_LINES = 2000
_SELF_OR_PARENT = frozenset([".", ".."])
_DIR = EntryKind.DIR
_LISTING_LIKE = re.compile(
    r"(?:^|\s)(?:\d{1,2}:\d{2}(?::\d{2})?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4})(?:[AaPp][Mm])?(?=\s|$)"
)


def _looks_like_unknown_listing(line: str) -> bool:
    return len(line.split(None, 4)) >= 4 and _LISTING_LIKE.search(line) is not None


class LineDetector:
    """Collects the entries of one listing's decoded lines (without line endings).

    ``fmt`` is "auto" (detected per line) or one format; ``now`` is the reference time
    for ``ls`` dates without a year (the local clock, read once and only if needed,
    when None)."""

    def __init__(self, fmt: str = "auto", now: datetime | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown listing format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self._fmt = fmt
        self._entries: list[ListingEntry] = []
        self._unparsed: list[str] = []
        # Auto mode: positions in _unparsed of the lines no format recognised (they
        # become NLST names in result() if no line of the listing was recognised).
        self._candidates: list[int] = []
        self._counts: Counter[str] = Counter()
        self._mlsx_cache = _Cache()
        self._unix = UnixContext(now)
        # the line parsers hold the detector's state, not the detector: a bound method
        # here made a reference cycle that kept every entry alive until the cycle
        # collector ran (a full pass over them, long after the listing was dropped)
        self._order: list[tuple[str, Callable[[str], ListingEntry | None]]] = [
            ("unix", functools.partial(_try_unix, self._unix)),
            ("mlsd", functools.partial(_try_mlsx, self._mlsx_cache)),
            ("dos", parse_dos_line),
            ("eplf", parse_eplf_line),
        ]

    def add_lines(self, lines: Iterable[str]) -> None:
        """Add decoded lines (without line endings)."""
        fmt = self._fmt
        # A large batch allocates one entry (and for MLSD one dict) per line, which
        # makes the cyclic garbage collector run again and again over objects that
        # cannot be cyclic garbage; pausing it for the batch saves 15-20 % of the time,
        # and what the batch made then skips the young generations (see collector.py).
        # Reference counting still frees everything as usual.
        paused = isinstance(lines, list) and len(lines) > GC_PAUSE_LINES and pause_collector()
        parsed = False
        try:
            if fmt == "mlsd":
                self._mlsd_lines(lines)
            elif fmt == "auto":
                self._auto_lines(lines)
            else:
                self._fixed_lines(lines, fmt)
            parsed = True
        finally:
            if paused:
                resume_collector(parsed)

    def add_mlsd_text(self, text: str) -> None:
        """MLSD lines as one text, each ending with LF (see :func:`parse_mlsd_text`)."""
        count = parse_mlsd_text(text, self._mlsx_cache, self._entries, self._unparsed)
        if count:
            self._counts["mlsd"] += count

    def add_unparsed(self, note: str) -> None:
        """A line reported as it is, never parsed (the beginning of an over-long line)."""
        self._unparsed.append(note)

    def result(self) -> ListingResult:
        """The entries so far, with the NLST reading of a listing no format recognised."""
        entries = self._entries
        unparsed = self._unparsed
        counts = self._counts
        if self._fmt == "auto" and self._candidates and not entries:
            candidates = set(self._candidates)
            entries = []
            kept = []
            for index, line in enumerate(unparsed):
                if index not in candidates or _looks_like_unknown_listing(line):
                    kept.append(line)
                elif line not in _SELF_OR_PARENT:
                    entries.append(_name_entry(line))
            unparsed = kept
            if entries:
                counts = Counter(names=len(entries))
        if counts:
            fmt = counts.most_common(1)[0][0] if self._fmt == "auto" else self._fmt
        elif unparsed:
            fmt = "unknown"
        else:
            fmt = "empty"
        return ListingResult(tuple(entries), tuple(unparsed), fmt)

    # --- per format ------------------------------------------------------------------
    def _mlsd_lines(self, lines: Iterable[str]) -> None:
        parse = parse_mlsd_list if isinstance(lines, list) else parse_mlsd_lines
        count = parse(lines, self._mlsx_cache, self._entries, self._unparsed)
        if count:
            self._counts["mlsd"] += count

    def _fixed_lines(self, lines: Iterable[str], fmt: str) -> None:
        parse: Callable[[str], ListingEntry | None] = {
            "unix": functools.partial(_try_unix, self._unix),
            "dos": parse_dos_line,
            "eplf": parse_eplf_line,
            "names": _name_entry,
        }[fmt]
        for line in lines:
            if not line or line.isspace():
                continue
            if fmt == "unix" and is_total_line(line):
                continue
            entry = parse(line)
            if entry is None:
                self._unparsed.append(line)
            elif entry.name not in _SELF_OR_PARENT:
                self._entries.append(entry)
                self._counts[fmt] += 1

    def _auto_lines(self, lines: Iterable[str]) -> None:
        """Each line in the order of the formats seen last; but first, inline, the
        nine-column ``ls -l`` line (nearly every line of a LIST listing), without the
        calls of the general loop. The formats exclude each other (a permission
        string is never a fact, a date or ``+``), so the order cannot change a result.
        """
        fast_unix = unix_fast_line
        ctx = self._unix
        append = self._entries.append
        counts = self._counts
        unix_count = 0
        for line in lines:
            try:
                entry = fast_unix(line, ctx)
            except (ValueError, OverflowError):
                entry = None
            if entry is None:
                self._auto_line(line)
                continue
            if entry.name in _SELF_OR_PARENT or (entry.kind is _DIR and is_self_or_parent(entry)):
                continue
            if not unix_count and "unix" not in counts:
                counts["unix"] = 0  # the format counted first stays first among equals
            append(entry)
            unix_count += 1
        if unix_count:
            counts["unix"] += unix_count

    def _auto_line(self, line: str) -> None:
        """One line of any format (see :meth:`_auto_lines`)."""
        order = self._order
        if not line or line.isspace():
            return
        entry = None
        matched = ""
        for index, (fmt, parse) in enumerate(order):
            entry = parse(line)
            if entry is not None:
                matched = fmt
                if index:
                    order.insert(0, order.pop(index))
                break
        if entry is None and line[0].isspace():
            stripped = line.lstrip()
            for fmt, parse in order:
                entry = parse(stripped)
                if entry is not None:
                    matched = fmt
                    break
        if entry is None:
            if is_total_line(line):
                return
            self._candidates.append(len(self._unparsed))
            self._unparsed.append(line)
            return
        if entry.name in _SELF_OR_PARENT or (entry.kind is _DIR and is_self_or_parent(entry)):
            return
        self._entries.append(entry)
        self._counts[matched] += 1


def _try_unix(ctx: UnixContext, line: str) -> ListingEntry | None:
    return parse_unix_line(line, ctx)


def _try_mlsx(cache: _Cache, line: str) -> ListingEntry | None:
    if not looks_like_mlsx(line):
        return None
    try:
        return parse_mlsx(line, cache)
    except ListingParseError:
        return None


def _name_entry(line: str) -> ListingEntry:
    """A bare NLST name: the kind is not known from the listing."""
    return make_entry(line, EntryKind.OTHER, None, None, None, None, None, None, None, NO_FACTS, line)
