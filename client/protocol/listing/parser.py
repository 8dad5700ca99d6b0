"""Turning a whole listing (bytes or text, at once or in chunks) into a ListingResult.

Detection is per line, so a listing that mixes formats (or a STAT reply with a stray
line) still yields every entry it can. Each line parser recognises only its own format
(``ls -l`` lines start with a permission string, DOS lines with a date, EPLF with ``+``,
MLSD with ``fact=value;``), so the order in which they are tried cannot change a result;
the parser that matched last is simply tried first.

A line no parser recognises is kept in ``unparsed`` — unless no line at all was
recognised, in which case the listing is taken for a bare name list (NLST), except for
lines that look like a listing in a format this client does not know (a clock time or
a date among four or more columns), which stay in ``unparsed`` so a user is told rather
than shown a "file" named after a whole line.
"""

from __future__ import annotations

import functools
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime

from client.protocol.charsets import decode_name
from client.protocol.errors import ListingParseError
from client.protocol.listing import mlsd_fast
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
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = ["ListingParser", "parse_listing", "parse_stat_listing", "FORMATS"]

FORMATS = ("auto", "mlsd", "unix", "dos", "eplf", "names")
#: Longest listing line accepted (a name is at most a few KiB on any real filesystem).
DEFAULT_MAX_LINE_BYTES = 64 * 1024
_SHOWN_OF_LONG_LINE = 120
_GC_PAUSE_LINES = 2000
_SELF_OR_PARENT = frozenset([".", ".."])
_DIR = EntryKind.DIR
_LISTING_LIKE = re.compile(
    r"(?:^|\s)(?:\d{1,2}:\d{2}(?::\d{2})?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4})(?:[AaPp][Mm])?(?=\s|$)"
)


def _looks_like_unknown_listing(line: str) -> bool:
    return len(line.split(None, 4)) >= 4 and _LISTING_LIKE.search(line) is not None


class ListingParser:
    """Incremental listing parser: ``feed()`` bytes as they arrive, ``finish()`` once.

    Only complete lines are parsed before ``finish()``; how the bytes were chunked never
    changes the result. Bytes are decoded per line in ``encoding`` (the session's wire
    charset) with :func:`client.protocol.charsets.decode_name`, so a name's text always
    encodes back to the bytes the server sent; both line endings (CRLF, LF) accepted.
    ``now`` is the reference time for ``ls`` dates without a year; when None, the local
    clock is read once, and only if such a date occurs.
    """

    def __init__(
        self,
        *,
        fmt: str = "auto",
        now: datetime | None = None,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        encoding: str = "utf-8",
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown listing format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self._fmt = fmt
        self._encoding = encoding
        self._pending = bytearray()
        self._max_line = max_line_bytes
        self._discarding = False  # dropping the rest of an over-long line
        self._entries: list[ListingEntry] = []
        self._unparsed: list[str] = []
        # Auto mode: positions in _unparsed of the lines no format recognised (they
        # become NLST names at finish() if no line of the listing was recognised).
        self._candidates: list[int] = []
        self._counts: Counter[str] = Counter()
        self._finished = False
        self._mlsx_cache = _Cache()
        self._unix = UnixContext(now)
        # the line parsers hold the parser's state, not the parser: a bound method here
        # made a reference cycle that kept every entry alive until the cycle collector
        # ran (a full pass over them, long after the listing was dropped)
        self._order: list[tuple[str, Callable[[str], ListingEntry | None]]] = [
            ("unix", functools.partial(_try_unix, self._unix)),
            ("mlsd", functools.partial(_try_mlsx, self._mlsx_cache)),
            ("dos", parse_dos_line),
            ("eplf", parse_eplf_line),
        ]

    # --- input ---------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Add bytes from the data connection; complete lines are parsed now.

        A line longer than ``max_line_bytes`` is not buffered: it is reported in
        ``unparsed`` (its beginning and a note) as soon as it is too long, and the rest
        of it is skipped, so a server streaming an endless line cannot exhaust memory.
        """
        if self._finished:
            raise ListingParseError("feed() after finish(): a listing parser is used once")
        pending = self._pending
        block = None
        if not pending and not self._discarding and type(data) is bytes:
            # the whole listing at once (as the engine passes it): its complete lines
            # are parsed from the bytes given, without two copies of the listing
            end = data.rfind(b"\n") + 1
            if end:
                block = data if end == len(data) else data[:end]
            pending += data[end:]
        else:
            pending += data
            if self._discarding:
                newline = pending.find(b"\n")
                if newline < 0:
                    pending.clear()
                    return
                del pending[: newline + 1]
                self._discarding = False
            end = pending.rfind(b"\n")
            if end >= 0:
                block = bytes(pending[: end + 1])
                del pending[: end + 1]
        if block is not None:
            if len(block) > self._max_line and self._has_long_line(block):
                self._feed_checked(block)
            elif self._fmt == "mlsd":
                self._feed_mlsd(block)
            else:
                self.feed_lines(_decode_lines(block, self._encoding))
        content = len(pending) - (1 if pending.endswith(b"\r") else 0)
        if content > self._max_line:
            self._unparsed.append(self._too_long(bytes(pending[:_SHOWN_OF_LONG_LINE])))
            pending.clear()
            self._discarding = True

    def _feed_mlsd(self, block: bytes) -> None:
        """MLSD lines as text (see :func:`parse_mlsd_text`), decoded piece by piece (a
        listing's worth of text at once costs more in fresh memory than in decoding);
        a piece that does not decode cleanly goes line by line as every other format."""
        encoding = self._encoding
        size = len(block)
        piece_bytes = mlsd_fast.PIECE_CHARS
        pause_gc = size > _GC_PAUSE_LINES * 64 and gc.isenabled()
        if pause_gc:
            gc.disable()
        count = 0
        try:
            start = 0
            while start < size:
                end = block.find(b"\n", start + piece_bytes)
                end = size if end < 0 else end + 1
                piece = block[start:end] if start or end < size else block
                start = end
                text = _decode_text(piece, encoding)
                if text is None:
                    self.feed_lines(_decode_lines(piece, encoding))
                else:
                    count += parse_mlsd_text(text, self._mlsx_cache, self._entries,
                                             self._unparsed)
        finally:
            if pause_gc:
                gc.enable()
        if count:
            self._counts["mlsd"] += count

    def _has_long_line(self, block: bytes) -> bool:
        """Whether a part of ``block`` between two LFs is longer than ``max_line_bytes``.

        Window by window instead of line by line (splitting a large listing's block
        into lines only to measure them cost as much as a fifth of its parse): from a
        line start, a window of ``max_line_bytes + 1`` bytes without LF is a long
        line; otherwise every line before the window's last LF is short, and the next
        window starts after it."""
        window = self._max_line + 1
        start = 0
        size = len(block)
        while size - start >= window:
            newline = block.rfind(b"\n", start, start + window)
            if newline < 0:
                return True
            start = newline + 1
        return False

    def _feed_checked(self, block: bytes) -> None:
        """Line by line, so that an over-long line is reported in its place in the stream."""
        run: list[str] = []
        for raw in block.split(b"\n")[:-1]:
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if len(raw) > self._max_line:
                self.feed_lines(run)
                run = []
                self._unparsed.append(self._too_long(raw))
            else:
                run.append(decode_name(raw, self._encoding))
        self.feed_lines(run)

    def _too_long(self, line: bytes) -> str:
        # Only as much of the line as is certain to have arrived whatever the chunking.
        beginning = line[: min(_SHOWN_OF_LONG_LINE, self._max_line)]
        return f"{decode_name(beginning, self._encoding)}… [a line of more than {self._max_line} bytes, not parsed]"

    def feed_lines(self, lines: Iterable[str]) -> None:
        """Add already-decoded lines (without line endings)."""
        fmt = self._fmt
        # A large batch allocates one entry (and for MLSD one dict) per line, which
        # makes the cyclic garbage collector run again and again over objects that
        # cannot be cyclic garbage; pausing it for the batch saves 15-20 % of the time.
        # Reference counting still frees everything as usual.
        pause_gc = isinstance(lines, list) and len(lines) > _GC_PAUSE_LINES and gc.isenabled()
        if pause_gc:
            gc.disable()
        try:
            if fmt == "mlsd":
                self._mlsd_lines(lines)
            elif fmt == "auto":
                self._auto_lines(lines)
            else:
                self._fixed_lines(lines, fmt)
        finally:
            if pause_gc:
                gc.enable()

    def finish(self) -> ListingResult:
        """Parse what is left (a last line without a line ending) and return the result."""
        if not self._finished:
            if self._pending and not self._discarding:
                self.feed_lines([_strip_cr(decode_name(bytes(self._pending), self._encoding))])
            self._pending.clear()
            self._finished = True
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


def _strip_cr(line: str) -> str:
    return line[:-1] if line.endswith("\r") else line


def _decode_text(block: bytes, encoding: str) -> str | None:
    """``block`` decoded at once when it decodes cleanly and back to the same bytes
    (then every line decodes as :func:`decode_name` would decode it alone); else None."""
    try:
        text = block.decode(encoding)
    except UnicodeDecodeError:
        return None
    if encoding not in ("utf-8", "utf8") and text.encode(encoding) != block:
        return None
    return text


def _decode_lines(block: bytes, encoding: str) -> list[str]:
    """Complete lines of ``block`` (which ends with LF), decoded as :func:`decode_name`
    would decode each one: the whole block at once when it decodes cleanly and back to
    the same bytes (then every line does), line by line otherwise."""
    text = _decode_text(block, encoding)
    if text is None:
        return [_strip_cr(decode_name(raw, encoding)) for raw in block.split(b"\n")[:-1]]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    lines.pop()  # the empty string after the final LF
    return lines


def parse_listing(
    data: bytes | str,
    *,
    fmt: str = "auto",
    now: datetime | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    encoding: str = "utf-8",
) -> ListingResult:
    """Parse a complete listing. ``fmt`` forces a format ("mlsd" after MLSD, "names"
    after NLST); "auto" detects it per line (for LIST, whose format is the server's);
    ``encoding`` is the charset of the names (see :class:`ListingParser`)."""
    parser = ListingParser(fmt=fmt, now=now, max_line_bytes=max_line_bytes, encoding=encoding)
    if isinstance(data, str):
        if "\r" in data:
            data = data.replace("\r\n", "\n")
        parser.feed_lines(data.split("\n"))
    else:
        parser.feed(data)
    return parser.finish()


def parse_stat_listing(reply: Reply, *, now: datetime | None = None) -> ListingResult:
    """The listing inside a ``STAT path`` reply (211/212/213), sent over the control
    connection: the fallback when no data connection can be opened at all.

    Inner lines may carry a leading space (RFC 959 asks servers to indent lines that
    start with digits) or repeat the ``213-`` prefix; both are removed. A non-2xx reply
    raises :class:`ListingParseError`.
    """
    if not reply.is_success:
        raise ListingParseError(
            f"expected a 211/212/213 reply with a listing to STAT, got "
            f"{escape_control(reply.lines[0] if reply.lines else '')!r}"
        )
    prefix = f"{reply.code:03d}-"
    lines = []
    for line in reply.lines[1:-1]:
        if line.startswith(prefix):
            line = line[4:]
        elif line.startswith(" "):
            line = line[1:]
        lines.append(line)
    parser = ListingParser(fmt="auto", now=now)
    parser.feed_lines(lines)
    return parser.finish()
