"""Hypothesis: random bytes and random line splits into every listing parser.

Properties: nothing but ProtocolError escapes (parse_listing itself raises nothing: bad
lines land in ``unparsed``), no line is lost, and chunking never changes the result.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from client.protocol.errors import ProtocolError
from client.protocol.listing import (
    FORMATS,
    ListingParser,
    parse_listing,
    parse_mlsx_line,
    parse_stat_listing,
)
from client.protocol.replies import Reply

NOW = datetime(2024, 6, 15, 12, 0)

FRAGMENTS = st.sampled_from(
    [
        b"-rw-r--r--", b"drwxr-xr-x", b"lrwxrwxrwx", b"crw-r--r--", b" 1 ", b"root ", b"4096 ",
        b"Jan ", b"Feb 29 ", b" 1 ", b"12:00 ", b"2023 ", b"2024-01-02 ", b"13:14 ", b" -> ",
        b"1, 3 ", b"total 5", b"01-16-02  ", b"11:14AM ", b"<DIR> ", b"<JUNCTION> ", b"+i1,m1,r,s5,\t",
        b"type=file;", b"type=dir;", b"size=12;", b"modify=20240102030405;", b"unix.mode=0644;",
        b"type=OS.unix=slink:/x;", b"perm=r;", b" ", b"name", b"\r\n", b"\n", b"\r", b"\t", b"\x00",
        b"\xff", b"\xc3\xa9", b".", b"..", b"=", b";", b"99999999999999999999",
    ]
)
LISTING = st.one_of(st.binary(max_size=300), st.lists(FRAGMENTS, max_size=40).map(b"".join))


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted(set(cuts))
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


@settings(max_examples=250, deadline=None)
@given(data=LISTING, fmt=st.sampled_from(FORMATS), cuts=st.lists(st.integers(0, 300), max_size=12))
def test_any_bytes_any_chunking_same_result_no_exception(data: bytes, fmt: str, cuts: list[int]) -> None:
    whole = parse_listing(data, fmt=fmt, now=NOW)
    parser = ListingParser(fmt=fmt, now=NOW)
    for chunk in split(data, [c for c in cuts if c <= len(data)]):
        parser.feed(chunk)
    assert parser.finish() == whole
    bytewise = ListingParser(fmt=fmt, now=NOW)
    for i in range(len(data)):
        bytewise.feed(data[i : i + 1])
    assert bytewise.finish() == whole


@settings(max_examples=250, deadline=None)
@given(data=LISTING, fmt=st.sampled_from(FORMATS))
def test_every_nonblank_line_is_accounted_for(data: bytes, fmt: str) -> None:
    result = parse_listing(data, fmt=fmt, now=NOW)
    lines = [line for line in data.replace(b"\r\n", b"\n").split(b"\n") if line.strip()]
    # Each line is an entry, an unparsed line, or one of the lines deliberately skipped
    # ("total N", ".", "..", cdir/pdir): never more results than lines.
    assert len(result.entries) + len(result.unparsed) <= len(lines)
    for entry in result.entries:
        assert entry.name not in (".", "..") and entry.name != ""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parse_mlsx_line_raises_only_protocol_errors(line: str) -> None:
    try:
        parse_mlsx_line(line)
    except ProtocolError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=80).filter(lambda t: "\n" not in t and "\r" not in t), max_size=8),
       st.sampled_from([211, 212, 213, 550]))
def test_stat_listing_raises_only_protocol_errors(inner: list[str], code: int) -> None:
    lines = (f"{code}-Status", *inner, f"{code} End")
    try:
        parse_stat_listing(Reply(code, lines), now=NOW)
    except ProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["file", "dir"]),
            st.integers(0, 10**15),
            st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30)
            .filter(lambda n: n not in (".", "..") and n.strip() != "" and not n.endswith(("/.", "/.."))),
        ),
        max_size=20,
    )
)
def test_generated_mlsd_round_trips(rows: list[tuple[str, int, str]]) -> None:
    data = "".join(f"type={t};size={s};modify=20240102030405; {n}\r\n" for t, s, n in rows).encode()
    result = parse_listing(data, fmt="mlsd")
    assert result.unparsed == ()
    assert [(e.kind.value, e.size, e.name) for e in result.entries] == list(rows)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**12),
            st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Zs")), min_size=1, max_size=20)
            .filter(lambda n: n not in (".", "..")),
        ),
        max_size=20,
    )
)
def test_generated_unix_listing_round_trips(rows: list[tuple[int, str]]) -> None:
    data = "".join(f"-rw-r--r--    1 alice    staff {s:>12} Mar  7 10:11 {n}\r\n" for s, n in rows).encode()
    result = parse_listing(data, now=NOW)
    assert result.unparsed == ()
    assert [(e.size, e.name) for e in result.entries] == list(rows)
    assert all(e.modified == datetime(2024, 3, 7, 10, 11) for e in result.entries)


@settings(max_examples=250, deadline=None)
@given(data=LISTING, fmt=st.sampled_from(FORMATS), cuts=st.lists(st.integers(0, 300), max_size=12),
       bound=st.sampled_from([4, 16, 40]))
def test_line_bound_is_independent_of_chunking(data: bytes, fmt: str, cuts: list[int], bound: int) -> None:
    whole = ListingParser(fmt=fmt, now=NOW, max_line_bytes=bound)
    whole.feed(data)
    expected = whole.finish()
    chunked = ListingParser(fmt=fmt, now=NOW, max_line_bytes=bound)
    for chunk in split(data, [c for c in cuts if c <= len(data)]):
        chunked.feed(chunk)
    assert chunked.finish() == expected
    bytewise = ListingParser(fmt=fmt, now=NOW, max_line_bytes=bound)
    for i in range(len(data)):
        bytewise.feed(data[i : i + 1])
    assert bytewise.finish() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["-", "d", "l"]),
            st.integers(0, 10**12),
            st.text(alphabet=st.sampled_from("ab Z.\u00e9\u540d-_"), min_size=1, max_size=20)
            .filter(lambda n: n.strip() not in ("", ".", "..") and " -> " not in n),
            st.sampled_from(["10:11", " 2019"]),
        ),
        max_size=20,
    )
)
def test_unix_names_with_spaces_anywhere_round_trip(rows: list[tuple[str, int, str, str]]) -> None:
    data = "".join(
        f"{t}rw-r--r--    1 alice    staff {s:>12} Mar  7 {when} {n}\n" for t, s, n, when in rows
    ).encode()
    result = parse_listing(data, now=NOW)
    assert result.unparsed == ()
    expected = [(n, s) for t, s, n, when in rows if n not in (".", "..")]
    assert [(e.name, e.size) for e in result.entries] == expected


LINE_TEXT = st.one_of(
    st.text(max_size=120),
    st.lists(FRAGMENTS, max_size=25).map(lambda parts: b"".join(parts).decode("latin-1")),
)


@settings(max_examples=400, deadline=None)
@given(LINE_TEXT)
def test_each_line_parser_returns_an_entry_or_none_for_any_text(line: str) -> None:
    from client.protocol.listing.dos import parse_dos_line
    from client.protocol.listing.eplf import parse_eplf_line
    from client.protocol.listing.unix import UnixContext, parse_unix_line

    for entry in (parse_unix_line(line, UnixContext(NOW)), parse_dos_line(line), parse_eplf_line(line)):
        if entry is not None:
            assert entry.name != "" and entry.raw == line
            assert entry.size is None or entry.size >= 0
