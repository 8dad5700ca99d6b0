"""Turning a whole listing (bytes or text, at once or in chunks) into a ListingResult.

This module frames and decodes: bytes into complete lines, in the session's charset,
with over-long lines cut short. What each line is (its format, its entry, or nothing)
is decided in :mod:`client.protocol.listing.detect`. Detection is per line, so a
listing that mixes formats (or a STAT reply with a stray line) still yields every entry
it can; a listing no format recognises is read as a bare name list (NLST).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from client.protocol.charsets import decode_name
from client.protocol.errors import ListingParseError
from client.protocol.listing import mlsd_fast
from client.protocol.listing.collector import pause_collector, resume_collector
from client.protocol.listing.detect import FORMATS, GC_PAUSE_LINES, LineDetector
from client.protocol.listing.entry import ListingResult
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = ["ListingParser", "parse_listing", "parse_stat_listing", "FORMATS"]

#: Longest listing line accepted (a name is at most a few KiB on any real filesystem).
DEFAULT_MAX_LINE_BYTES = 64 * 1024
_SHOWN_OF_LONG_LINE = 120


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
        self._lines = LineDetector(fmt, now)  # raises ValueError for an unknown fmt
        self._fmt = fmt
        self._encoding = encoding
        self._pending = bytearray()
        self._max_line = max_line_bytes
        self._discarding = False  # dropping the rest of an over-long line
        self._finished = False

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
            self._lines.add_unparsed(self._too_long(bytes(pending[:_SHOWN_OF_LONG_LINE])))
            pending.clear()
            self._discarding = True

    def _feed_mlsd(self, block: bytes) -> None:
        """MLSD lines as text (see :func:`parse_mlsd_text`), decoded piece by piece (a
        listing's worth of text at once costs more in fresh memory than in decoding);
        a piece that does not decode cleanly goes line by line as every other format."""
        encoding = self._encoding
        size = len(block)
        piece_bytes = mlsd_fast.PIECE_CHARS
        paused = size > GC_PAUSE_LINES * 64 and pause_collector()  # see collector.py
        parsed = False
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
                    self._lines.add_mlsd_text(text)
            parsed = True
        finally:
            if paused:
                resume_collector(parsed)

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
                self._lines.add_unparsed(self._too_long(raw))
            else:
                run.append(decode_name(raw, self._encoding))
        self.feed_lines(run)

    def _too_long(self, line: bytes) -> str:
        # Only as much of the line as is certain to have arrived whatever the chunking.
        beginning = line[: min(_SHOWN_OF_LONG_LINE, self._max_line)]
        return f"{decode_name(beginning, self._encoding)}… [a line of more than {self._max_line} bytes, not parsed]"

    def feed_lines(self, lines: Iterable[str]) -> None:
        """Add already-decoded lines (without line endings)."""
        self._lines.add_lines(lines)

    def finish(self) -> ListingResult:
        """Parse what is left (a last line without a line ending) and return the result."""
        if not self._finished:
            if self._pending and not self._discarding:
                self.feed_lines([_strip_cr(decode_name(bytes(self._pending), self._encoding))])
            self._pending.clear()
            self._finished = True
        return self._lines.result()


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
