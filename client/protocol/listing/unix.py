"""Unix ``ls -l`` listing lines, as LIST returns them from most servers.

Handled: with and without the group column, without the link count, numeric owners,
a leading block count (``ls -s``), ``Mon DD HH:MM`` (year inferred from ``now``) and
``Mon DD YYYY``, day-before-month and localized month names (``15. Mär 12:00``),
ISO dates (``--time-style=long-iso`` / ``full-iso``), device files (``1, 3`` instead of
a size), ``name -> target`` for links, names with leading or repeated spaces, and the
ACL / extended-attribute / SELinux markers after the permissions (``+``, ``@``, ``.``).

The common nine-column line takes a fast path (one ``str.split``); anything else goes
through a tokenizer that finds the date first and reads the columns around it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from client.protocol.listing.dates import MONTHS_EXACT, infer_year, month_number, parse_hhmm
from client.protocol.listing.entry import NO_FACTS, EntryKind, ListingEntry, make_entry
from client.protocol.listing.entry import new_entry_class as new_entry

__all__ = ["UnixContext", "parse_unix_line", "is_total_line", "fast_line"]

FILE, DIR, LINK, OTHER = EntryKind.FILE, EntryKind.DIR, EntryKind.LINK, EntryKind.OTHER
_KIND_BY_TYPE_CHAR = {
    "-": FILE, "d": DIR, "l": LINK,
    "c": OTHER, "b": OTHER, "p": OTHER, "s": OTHER, "D": OTHER, "n": OTHER, "P": OTHER,
    "w": OTHER, "?": OTHER, "e": OTHER, "m": OTHER, "M": OTHER,
}
_PERMISSION_CHARS = "rwxsStTlL-"
_MARKERS = frozenset(["", "+", "@", ".", "+@", "@+"])
_TOTAL_WORDS = frozenset(["total", "insgesamt", "totale", "totalt", "итого", "合計", "合计", "celkem", "razem", "totaal"])
_TOKEN = re.compile(r"\S+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_ISO_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\Z")
_TZ_OFFSET = re.compile(r"[+-]\d{4}\Z")
_LINK_ARROW = " -> "
_MISSING = object()


class UnixContext:
    """What the parse of one listing shares between lines: the reference time for year
    inference and memo tables (permission tokens and dates repeat in a listing)."""

    __slots__ = ("_now", "_limit", "now_factory", "permissions", "dates")

    def __init__(self, now: datetime | None, now_factory=datetime.now) -> None:  # noqa: ANN001
        self._now = now
        self._limit: tuple[int, tuple[int, int, int, int]] | None = None
        self.now_factory = now_factory
        self.permissions: dict[str, tuple[EntryKind, str] | None] = {}
        self.dates: dict[tuple[str, str, str], tuple[datetime | None, str] | None] = {}

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = self.now_factory()
        return self._now

    def recent(self, month: int, day: int, hour: int, minute: int) -> datetime | None:
        """``Mon DD HH:MM`` -> a datetime, by the rule of :func:`infer_year`, with the
        comparison done on tuples (no datetime built for the year that loses)."""
        if self._limit is None:
            limit = self.now.replace(tzinfo=None) + timedelta(days=1)
            self._limit = (limit.year, (limit.month, limit.day, limit.hour, limit.minute))
        year, limit_key = self._limit
        if (month, day, hour, minute) > limit_key:
            year -= 1
        try:
            return datetime(year, month, day, hour, minute)
        except ValueError:
            return infer_year(month, day, hour, minute, self.now)


def is_total_line(line: str) -> bool:
    """``total 48`` (and its translations): the block count ``ls -l`` prints first."""
    word, _, number = line.strip().partition(" ")
    return word.lower() in _TOTAL_WORDS and number.strip().replace(",", "").replace(".", "").isdecimal()


def _permission_token(token: str, ctx: UnixContext) -> tuple[EntryKind, str] | None:
    cache = ctx.permissions
    if token in cache:
        return cache[token]
    found = None
    if 10 <= len(token) <= 12:
        kind = _KIND_BY_TYPE_CHAR.get(token[0])
        bits = token[1:10]
        if kind is not None and not bits.strip(_PERMISSION_CHARS) and token[10:] in _MARKERS:
            found = (kind, bits)
    if len(cache) < 256:
        cache[token] = found
    return found


#: What month/day and clock tokens mean, learnt from the listings parsed so far and
#: shared by all of them (a listing repeats a few hundred of each; a large one has a
#: distinct date on most lines, where the per-listing memo of whole dates misses).
#: Bounded, since a hostile listing may send any tokens.
_MONTH_DAYS: dict[str, dict[str, tuple[int, int] | None]] = {}
_CLOCKS: dict[str, tuple[int, int, int | None] | None] = {}
_MEMO_LIMIT = 4096
_DAYS_PER_MONTH_TOKEN = 64


def _month_day(month_token: str, day_token: str) -> tuple[int, int] | None:
    """``("Jan", "5")`` -> ``(1, 5)``; None when the tokens are not a month and a day."""
    month = MONTHS_EXACT.get(month_token) or month_number(month_token)
    day_text = day_token if day_token.isdecimal() else day_token.rstrip(".")
    found = None
    if month is not None and day_text.isdecimal() and len(day_text) <= 2:
        found = (month, int(day_text))
    days = _MONTH_DAYS.get(month_token)
    if days is None and len(_MONTH_DAYS) < _MEMO_LIMIT:
        days = _MONTH_DAYS[month_token] = {}
    if days is not None and len(days) < _DAYS_PER_MONTH_TOKEN:
        days[day_token] = found
    return found


def _clock(last: str) -> tuple[int, int, int | None] | None:
    """``"12:05"`` -> ``(12, 5, None)`` (``HH:MM:SS`` with its seconds); None if no time."""
    if len(last) == 5 and last[2] == ":" and last[:2].isdecimal() and last[3:].isdecimal():
        hour, minute = int(last[:2]), int(last[3:])
        found = (hour, minute, None) if hour < 24 and minute < 60 else None
    else:
        found = parse_hhmm(last)
    if len(_CLOCKS) < _MEMO_LIMIT:
        _CLOCKS[last] = found
    return found


def _month_day_date(
    month_token: str, day_token: str, last: str, ctx: UnixContext
) -> tuple[datetime | None, str] | None:
    """``Jan 5 12:00`` / ``Jan 5 2023`` (also day-first: caller swaps) -> (date, precision)."""
    key = (month_token, day_token, last)
    cache = ctx.dates
    if key in cache:
        return cache[key]
    days = _MONTH_DAYS.get(month_token)
    month_day = _MISSING if days is None else days.get(day_token, _MISSING)
    if month_day is _MISSING:
        month_day = _month_day(month_token, day_token)
    result: tuple[datetime | None, str] | None = None
    if month_day is not None:
        month, day = month_day  # type: ignore[misc]
        if ":" in last:
            hm = _CLOCKS.get(last, _MISSING)
            if hm is _MISSING:
                hm = _clock(last)
            if hm is not None:
                when = ctx.recent(month, day, hm[0], hm[1])  # type: ignore[index]
                if hm[2] is None:  # type: ignore[index]
                    result = (when, "minute")
                else:
                    result = (when.replace(second=hm[2]) if when else None, "second")  # type: ignore[index]
        elif last.isdecimal() and len(last) == 4:
            try:
                result = (datetime(int(last), month, day), "day")
            except ValueError:
                result = (None, "day")
    if len(cache) < 16384:
        cache[key] = result
    return result


def _fast(line: str, ctx: UnixContext) -> ListingEntry | None:
    """The nine-column line every mainstream server prints (memo hits inlined: this
    runs once per line of a large listing)."""
    parts = line.split(None, 8)
    if len(parts) != 9:
        return None
    perm_token, links, owner, group, size_token, month_token, day_token, last, rest = parts
    if not (size_token.isdecimal() and links.isdecimal()):
        return None
    kind_bits = ctx.permissions.get(perm_token, _MISSING)
    if kind_bits is _MISSING:
        kind_bits = _permission_token(perm_token, ctx)
    if kind_bits is None:
        return None
    key = (month_token, day_token, last)
    date = ctx.dates.get(key, _MISSING)
    if date is _MISSING:
        date = _month_day_date(month_token, day_token, last, ctx)
    if date is None:
        return None
    start = len(line) - len(rest)
    name = rest if line[start - 2] not in " \t" else line[len(line[:start].rstrip()) + 1 :]
    kind, bits = kind_bits
    target = None
    if kind is LINK and _LINK_ARROW in name:
        name, _, target = name.partition(_LINK_ARROW)
    if not name:
        return None
    modified, precision = date
    entry = new_entry(name, kind, int(size_token), modified,
                      precision if modified is not None else None,
                      bits, owner, group, target, NO_FACTS, line)
    entry.__class__ = ListingEntry
    return entry


#: The nine-column line alone, for the listing loop (which tries the rest itself).
fast_line = _fast


def _finish(
    line: str,
    kind_bits: tuple[EntryKind, str],
    size: int | None,
    date: tuple[datetime | None, str],
    owner: str | None,
    group: str | None,
    name: str,
) -> ListingEntry | None:
    kind, bits = kind_bits
    target = None
    if kind is LINK and _LINK_ARROW in name:
        name, _, target = name.partition(_LINK_ARROW)
    if not name:
        return None
    modified, precision = date
    return make_entry(
        name, kind, size, modified, precision if modified is not None else None,
        bits, owner, group, target, NO_FACTS, line,
    )


def _date_at(tokens: list[re.Match[str]], i: int, ctx: UnixContext) -> tuple[tuple[datetime | None, str], int] | None:
    """A date starting at token ``i``: (date and precision, index of its last token)."""
    n = len(tokens)
    if i + 1 >= n:
        return None
    first = tokens[i].group()
    second = tokens[i + 1].group()
    iso = _ISO_DATE.match(first)
    if iso is not None:
        t = _ISO_TIME.match(second)
        if t is None:
            return None
        end = i + 1
        if end + 2 < n and _TZ_OFFSET.match(tokens[end + 1].group()):
            end += 1
        year, month, day = (int(g) for g in iso.groups())
        hour, minute = int(t.group(1)), int(t.group(2))
        second_value = t.group(3)
        try:
            when = datetime(year, month, day, hour, minute, int(second_value or 0))
        except ValueError:
            when = None
        return (when, "second" if second_value else "minute"), end
    if i + 2 >= n:
        return None
    third = tokens[i + 2].group()
    if first[:1].isdecimal():  # day before month: "15. Mär 12:00", "15 Jan 2023"
        date = _month_day_date(second, first, third, ctx)
    else:
        date = _month_day_date(first, second, third, ctx)
    if date is None:
        return None
    return date, i + 2


def _general(line: str, ctx: UnixContext) -> ListingEntry | None:
    tokens = []
    for match in _TOKEN.finditer(line):
        tokens.append(match)
        if len(tokens) >= 14:
            break
    if len(tokens) < 4:
        return None
    p = 0
    kind_bits = _permission_token(tokens[0].group(), ctx)
    if kind_bits is None and tokens[0].group().isdecimal():  # "ls -s": block count first
        p = 1
        kind_bits = _permission_token(tokens[1].group(), ctx)
    if kind_bits is None:
        return None
    for i in range(p + 2, min(len(tokens) - 1, p + 9)):
        found = _date_at(tokens, i, ctx)
        if found is None:
            continue
        date, end = found
        size_text = tokens[i - 1].group()
        middle_end = i - 1
        size: int | None
        if size_text.isdecimal():
            size = int(size_text)
            if i - 2 > p and tokens[i - 2].group().endswith(","):  # device "1, 3"
                size = None
                middle_end = i - 2
        elif "," in size_text and size_text.replace(",", "").isdecimal():  # device "1,3"
            size = None
        else:
            continue
        middle = [t.group() for t in tokens[p + 1 : middle_end]]
        owner = group = None
        if len(middle) == 2:
            owner, group = (middle[1], None) if middle[0].isdecimal() else (middle[0], middle[1])
        elif len(middle) == 1:
            owner = None if middle[0].isdecimal() else middle[0]
        elif len(middle) >= 3:
            first = 1 if middle[0].isdecimal() else 0
            owner = line[tokens[p + 1 + first].start() : tokens[middle_end - 2].end()]
            group = middle[-1]
        name = line[tokens[end].end() + 1 :]
        return _finish(line, kind_bits, size, date, owner, group, name)
    return None


def parse_unix_line(line: str, ctx: UnixContext) -> ListingEntry | None:
    """Parse one ``ls -l`` line, or return None if it is not one."""
    try:
        entry = _fast(line, ctx)
        if entry is None:
            entry = _general(line, ctx)
    except (ValueError, OverflowError):  # e.g. a size of more than 4300 digits
        return None
    return entry
