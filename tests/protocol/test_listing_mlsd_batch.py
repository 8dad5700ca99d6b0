"""The batch MLSD loop (``parse_mlsd_lines``) against the careful one-line parser
(``parse_mlsx``): for any lines, the same entries, the same unparsed lines, the same
order — the loop only decides faster which lines it may build itself."""

from __future__ import annotations

from dataclasses import astuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.protocol.errors import ListingParseError
from client.protocol.listing import ListingEntry, parse_listing
from client.protocol.listing.mlsx import (
    _Cache,
    is_self_or_parent,
    looks_like_mlsx,
    parse_mlsd_lines,
    parse_mlsx,
)

KEYS = ["type", "size", "sizd", "modify", "perm", "unix.mode", "unix.owner", "unix.group",
        "unix.ownername", "unix.groupname", "unix.uid", "unix.gid", "unique", "Type", "UNIX.mode",
        "", "x"]
VALUES = ["file", "dir", "cdir", "pdir", "CDIR", "Pdir", "File", "OS.unix=slink:/t", "os.unix=symlink", "DIR", "", "12",
          "0", "-1", "20240102030405", "20240102030405.5", "20241302030405", "2024010203040x",
          "0644", "4755", "999999999999", "abc", "alice", "Bob", "=", "a=b"]
NAMES = ["f", ".", "..", "a/.", "b/..", " lead", "with space", "semi;colon", "é", ""]


@st.composite
def mlsd_line(draw: st.DrawFn) -> str:
    facts = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)), max_size=7))
    text = "".join(f"{key}={value};" for key, value in facts)
    if draw(st.booleans()) and text:
        text = text[:-1]  # no ';' before the name
    if draw(st.integers(0, 9)) == 0:
        text = text.replace(";", ";;", 1)  # an empty fact
    prefix = " " if draw(st.integers(0, 9)) == 0 else ""
    separator = draw(st.sampled_from([" ", " ", " ", ""]))
    return prefix + text + separator + draw(st.sampled_from(NAMES))


@st.composite
def server_line(draw: st.DrawFn) -> str:
    """The shape servers send (lower-case names and values, every fact ending in ';'):
    the lines the loop builds itself."""
    keys = [key for key in KEYS if key and key.islower()]
    values = [value for value in VALUES if value.islower() or value.isdigit()]
    facts = draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(values)),
                          min_size=1, max_size=9))
    return "".join(f"{key}={value};" for key, value in facts) + " " + draw(
        st.sampled_from(NAMES))


@st.composite
def listing_lines(draw: st.DrawFn) -> list[str]:
    """A listing as servers send it: one or two fact sequences repeated line after line
    (values of any case), mixed with odd lines."""
    keys = [key for key in KEYS if key and key.islower() and key != "type"]
    shapes = draw(st.lists(st.lists(st.sampled_from(keys), max_size=6, unique=True).map(
        lambda rest: ["type", *rest]), min_size=1, max_size=2))
    shaped = st.builds(
        lambda shape, values, name: "".join(f"{k}={v};" for k, v in zip(shape, values,
                                                                         strict=False))
        + " " + name,
        st.sampled_from(shapes), st.lists(st.sampled_from(VALUES), min_size=7, max_size=7),
        st.sampled_from(NAMES))
    return draw(st.lists(st.one_of(shaped, shaped, server_line(), mlsd_line(),
                                   st.sampled_from(["", "  ", "garbage"])), max_size=14))


def reference(lines: list[str]) -> tuple[list[ListingEntry], list[str]]:
    """One line at a time through parse_mlsx, skipping what a listing never shows."""
    entries: list[ListingEntry] = []
    unparsed: list[str] = []
    cache = _Cache()
    for line in lines:
        if not line or line.isspace():
            continue
        if line[0] == " " and looks_like_mlsx(line[1:]):
            line = line[1:]
        try:
            entry = parse_mlsx(line, cache)
        except ListingParseError:
            unparsed.append(line)
            continue
        if (entry.kind.value == "dir" and is_self_or_parent(entry)) or entry.name in (".", ".."):
            continue
        entries.append(entry)
    return entries, unparsed


def fields(entry: ListingEntry) -> tuple:
    return (*astuple(entry)[:-2], dict(entry.facts), entry.raw)


@settings(max_examples=400, deadline=None)
@given(listing_lines())
def test_batch_loop_equals_line_by_line(lines: list[str]) -> None:
    entries: list[ListingEntry] = []
    unparsed: list[str] = []
    added = parse_mlsd_lines(lines, _Cache(), entries, unparsed)
    expected_entries, expected_unparsed = reference(lines)
    assert [fields(e) for e in entries] == [fields(e) for e in expected_entries]
    assert unparsed == expected_unparsed
    assert added == len(entries)


def test_built_entries_are_ordinary_frozen_entries() -> None:
    result = parse_listing(
        b"type=file;size=5;modify=20240102030405;perm=r;unix.mode=0640;unix.owner=al;"
        b"unix.group=staff; notes.txt\r\n", fmt="mlsd")
    (entry,) = result.entries
    assert type(entry) is ListingEntry and entry.permissions == "rw-r-----"
    assert (entry.owner, entry.group, entry.size, entry.name) == ("al", "staff", 5, "notes.txt")
    assert entry == parse_mlsx(entry.raw, _Cache())
    assert hash(entry) == hash(parse_mlsx(entry.raw, _Cache()))
    with pytest.raises(AttributeError):
        entry.size = 6  # type: ignore[misc]


def test_upper_case_fact_values_keep_the_fast_path() -> None:
    """pyftpdlib sends ``perm=radfwMT``: upper-case letters in a value (not a fact name)
    must not send every line of its listings through the careful parser. The loop learns
    the line's shape, and the entries are the careful parser's."""
    lines = [f"modify=20261206023243;perm=radfwMT;size={n};type=file;unique=fe00g2662{n}; "
             f"entry-{n:06d} report.txt" for n in range(5)]
    cache = _Cache()
    entries: list[ListingEntry] = []
    assert parse_mlsd_lines(lines, cache, entries, []) == 5
    assert [keys for _match, keys in cache.shapes] == [
        ("modify", "perm", "size", "type", "unique")]
    assert [astuple(e) for e in entries] == [astuple(parse_mlsx(line, _Cache())) for line in lines]
    assert entries[0].permissions == "radfwMT" and entries[4].size == 4
