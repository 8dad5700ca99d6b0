"""Dates as listings print them: month names (English and the common localized
abbreviations ``ls`` prints under other locales), year inference for ``Mon DD HH:MM``,
and MLSD/MDTM ``YYYYMMDDHHMMSS[.sss]`` timestamps (RFC 3659 §2.3, always UTC).

Each parse call keeps a small cache (a dict passed in by the caller), because a directory
listing repeats the same timestamps and month tokens many times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = [
    "month_number",
    "infer_year",
    "parse_mlsx_time",
    "parse_hhmm",
]

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("jan", "january", "janv", "janvier", "ene", "enero", "gen", "gennaio", "jänner", "jän",
        "janeiro", "januari", "januar", "sty", "led", "янв"),
    2: ("feb", "february", "févr", "fevr", "février", "fev", "fevereiro", "februar", "febr",
        "febbraio", "febrero", "lut", "úno", "фев"),
    3: ("mar", "march", "mär", "märz", "mars", "marzo", "março", "mrt", "maart", "mrz",
        "bře", "мар"),
    4: ("apr", "april", "avr", "avril", "abr", "abril", "aprile", "kwi", "dub", "апр"),
    5: ("may", "mai", "mayo", "mag", "maggio", "maio", "mei", "maj", "kvě", "май", "мая"),
    6: ("jun", "june", "juin", "junio", "giu", "giugno", "junho", "juni", "cze", "čer", "июн"),
    7: ("jul", "july", "juil", "juillet", "julio", "lug", "luglio", "julho", "juli", "lip",
        "čvc", "июл"),
    8: ("aug", "august", "août", "aout", "ago", "agosto", "augustus", "sie", "srp", "авг"),
    9: ("sep", "sept", "september", "septembre", "septiembre", "set", "settembre", "setembro",
        "wrz", "zář", "сен"),
    10: ("oct", "october", "octobre", "octubre", "okt", "oktober", "ott", "ottobre", "out",
         "outubro", "paź", "říj", "окт"),
    11: ("nov", "november", "novembre", "noviembre", "novembro", "lis", "ноя"),
    12: ("dec", "december", "déc", "décembre", "dic", "diciembre", "dicembre", "dez",
         "dezember", "dezembro", "gru", "pro", "дек"),
}

#: Lower-cased month token (without a trailing dot) -> month number.
MONTHS: dict[str, int] = {name: number for number, names in _MONTH_NAMES.items() for name in names}
#: Exact tokens as most servers print them ("Jan"), for a lookup without lower().
MONTHS_EXACT: dict[str, int] = {name.capitalize(): n for name, n in MONTHS.items()} | MONTHS


def month_number(token: str) -> int | None:
    """The month a listing token names: ``Jan``, ``jan.``, ``Mär``, ``janv.``, ``1月``."""
    found = MONTHS_EXACT.get(token)
    if found is not None:
        return found
    low = token.lower().rstrip(".,")
    found = MONTHS.get(low)
    if found is not None:
        return found
    if low.endswith(("月", "월")) and low[:-1].isdecimal():  # CJK locales: "1月"
        number = int(low[:-1])
        if 1 <= number <= 12:
            return number
    return None


def parse_hhmm(token: str) -> tuple[int, int, int | None] | None:
    """``HH:MM`` or ``HH:MM:SS`` -> (hour, minute, second or None), or None."""
    parts = token.split(":")
    if len(parts) not in (2, 3) or not all(p.isdecimal() and len(p) <= 2 for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    second = int(parts[2]) if len(parts) == 3 else None
    if hour > 23 or minute > 59 or (second is not None and second > 59):
        return None
    return hour, minute, second


def infer_year(month: int, day: int, hour: int, minute: int, now: datetime) -> datetime | None:
    """The date ``ls`` meant by ``Mon DD HH:MM``: it prints a time instead of a year for
    files changed in the last six months, so the year is ``now``'s, unless that puts the
    date more than a day in the future (clock skew allowed), then the year before.
    Feb 29 walks back to the nearest leap year. None if the day cannot exist."""
    limit = now.replace(tzinfo=None) + timedelta(days=1)
    for year in range(now.year, now.year - 8, -1):
        try:
            candidate = datetime(year, month, day, hour, minute)
        except ValueError:
            if month == 2 and day == 29:
                continue
            return None
        if candidate <= limit:
            return candidate
    return None


def parse_mlsx_time(value: str) -> datetime | None:
    """``YYYYMMDDHHMMSS[.sss]`` (RFC 3659 time-val, UTC) -> aware datetime, or None.

    fromisoformat is C code and validates ranges; the string is only reshaped to its
    basic ISO 8601 form first. Anything else (wrong length, letters, month 13, leap
    second) gives None rather than a wrong date.
    """
    if len(value) < 14 or not value[:14].isdigit():
        return None
    fraction = value[14:]
    if fraction and not (fraction[0] == "." and 1 < len(fraction) <= 10 and fraction[1:].isdigit()):
        return None
    try:
        parsed = datetime.fromisoformat(value[:8] + "T" + value[8:14] + fraction[:7] + "+00:00")
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not UTC else parsed
