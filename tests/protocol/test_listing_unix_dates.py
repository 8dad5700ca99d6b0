"""The date columns of an ``ls -l`` line (``Jan 5 12:00``, ``Jan 5 2023``) read through
the memos of month/day and clock tokens shared by all listings: the same dates as
reading every token afresh, whatever tokens came before (valid, odd or hostile)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from client.protocol.listing.dates import MONTHS_EXACT, month_number, parse_hhmm
from client.protocol.listing.unix import UnixContext, _month_day_date

MONTH_TOKENS = ["Jan", "jan", "JAN", "Feb", "Dec", "Mär", "mär.", "janv.", "1月", "May",
                "", "Foo", "13"]
DAY_TOKENS = ["1", "5", "05", "29", "30", "31", "0", "00", "32", "5.", "15.", "٥", "x", ""]
LAST_TOKENS = ["12:05", "00:00", "23:59", "24:00", "12:60", "1:05", "12:5", "12:05:09",
               "12:05:60", "٠٩:٠٥", "2023", "1999", "0000", "٢٠٢٣", "20233", "12:05 ", ":",
               ""]
NOW = datetime(2024, 6, 15, 12, 0)


def fresh(month_token: str, day_token: str, last: str,
          ctx: UnixContext) -> tuple[datetime | None, str] | None:
    """Every token read afresh, no memo (the rules of ``_month_day_date``)."""
    month = MONTHS_EXACT.get(month_token) or month_number(month_token)
    day_text = day_token if day_token.isdecimal() else day_token.rstrip(".")
    if month is None or not day_text.isdecimal() or len(day_text) > 2:
        return None
    day = int(day_text)
    if ":" in last:
        if len(last) == 5 and last[2] == ":" and last[:2].isdecimal() and last[3:].isdecimal():
            hour, minute = int(last[:2]), int(last[3:])
            hm = (hour, minute, None) if hour < 24 and minute < 60 else None
        else:
            hm = parse_hhmm(last)
        if hm is None:
            return None
        when = ctx.recent(month, day, hm[0], hm[1])
        if hm[2] is None:
            return (when, "minute")
        return (when.replace(second=hm[2]) if when else None, "second")
    if last.isdecimal() and len(last) == 4:
        try:
            return (datetime(int(last), month, day), "day")
        except ValueError:
            return (None, "day")
    return None


TOKENS = st.tuples(
    st.one_of(st.sampled_from(MONTH_TOKENS), st.text(max_size=4)),
    st.one_of(st.sampled_from(DAY_TOKENS), st.text(max_size=3)),
    st.one_of(st.sampled_from(LAST_TOKENS), st.text(max_size=6)))


@settings(max_examples=500, deadline=None)
@given(columns=st.lists(TOKENS, min_size=1, max_size=30))
def test_dates_equal_reading_every_token_afresh(
        columns: list[tuple[str, str, str]]) -> None:
    memo_ctx = UnixContext(NOW)
    for month_token, day_token, last in columns + columns[::-1]:
        expected = fresh(month_token, day_token, last, UnixContext(NOW))
        assert _month_day_date(month_token, day_token, last, memo_ctx) == expected
