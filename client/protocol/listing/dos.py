"""DOS / IIS listing lines: ``01-16-02  11:14AM       <DIR>          epsoftware``.

Dates as ``MM-DD-YY`` (two-digit years as POSIX reads them: 00-68 are 20xx, 69-99 19xx),
``MM-DD-YYYY`` or ``YYYY-MM-DD`` (``/`` and ``.`` separators too); times in 12-hour form
with AM/PM (attached or a separate word) or 24-hour form; ``<DIR>``, a size (thousands
separators allowed), or ``<JUNCTION>``/``<SYMLINK>``/``<SYMLINKD>`` with ``[target]``.
"""

from __future__ import annotations

from datetime import datetime

from client.protocol.listing.entry import NO_FACTS, EntryKind, ListingEntry, make_entry

__all__ = ["parse_dos_line"]

_LINK_MARKERS = frozenset(["<JUNCTION>", "<SYMLINK>", "<SYMLINKD>"])


def _date(token: str) -> tuple[int, int, int] | None:
    for sep in "-/.":
        if sep in token:
            parts = token.split(sep)
            break
    else:
        return None
    if len(parts) != 3 or not all(p.isdecimal() for p in parts):
        return None
    if len(parts[0]) == 4:
        year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
    else:
        if len(parts[0]) > 2 or len(parts[1]) > 2 or len(parts[2]) not in (2, 4):
            return None
        month, day, year = int(parts[0]), int(parts[1]), int(parts[2])
        if len(parts[2]) == 2:
            year += 2000 if year < 69 else 1900
    return year, month, day


def _time(token: str, meridiem: str | None) -> tuple[int, int] | None:
    upper = token.upper()
    if meridiem is None and upper.endswith(("AM", "PM")):
        meridiem, upper = upper[-2:], upper[:-2]
    hh, sep, mm = upper.partition(":")
    if not sep or not hh.isdecimal() or not mm.isdecimal() or len(hh) > 2 or len(mm) != 2:
        return None
    hour, minute = int(hh), int(mm)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def parse_dos_line(line: str) -> ListingEntry | None:
    """Parse one DOS/IIS line, or return None if it is not one."""
    parts = line.split(None, 3)
    if len(parts) != 4 or not parts[0][:1].isdecimal():
        return None
    date = _date(parts[0])
    if date is None:
        return None
    if parts[2].upper() in ("AM", "PM"):  # "11:14 AM" with a space
        parts = line.split(None, 4)
        if len(parts) != 5:
            return None
        clock = _time(parts[1], parts[2].upper())
        size_token, name = parts[3], parts[4]
    else:
        clock = _time(parts[1], None)
        size_token, name = parts[2], parts[3]
    if clock is None:
        return None
    upper = size_token.upper()
    target = None
    size: int | None = None
    if upper == "<DIR>":
        kind = EntryKind.DIR
    elif upper in _LINK_MARKERS:
        kind = EntryKind.LINK
        if name.endswith("]") and " [" in name:
            name, _, target = name[:-1].rpartition(" [")
    else:
        digits = size_token.replace(",", "").replace(".", "")
        if not digits.isdecimal():
            return None
        try:
            size = int(digits)
        except ValueError:  # more digits than int() accepts
            return None
        kind = EntryKind.FILE
    if not name:
        return None
    try:
        modified: datetime | None = datetime(date[0], date[1], date[2], clock[0], clock[1])
    except ValueError:
        modified = None
    return make_entry(
        name, kind, size, modified, "minute" if modified is not None else None,
        None, None, None, target, NO_FACTS, line,
    )
