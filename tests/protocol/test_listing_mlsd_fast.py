"""The whole-buffer MLSD path (``mlsd_fast``) against the careful one-line parser
(``parse_mlsx``): for any bytes of an MLSD listing — hostile names with spaces, ';',
'=', CR, non-UTF-8 bytes, upper-case fact names and values, missing and duplicate facts
— the same entries (every field, the lazily read ones included), the same unparsed
lines, in the same order; and entries built lazily are ordinary entries for every
reader (equality, hashing, pickling, dataclass functions, frozen)."""

from __future__ import annotations

import dataclasses
import gc
import pickle
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from client.protocol.charsets import decode_name
from client.protocol.errors import ListingParseError
from client.protocol.listing import EntryKind, ListingEntry, ListingParser, mlsd_fast, parse_listing
from client.protocol.listing.entry import LAZY_FIELDS, SLOT_MEMBERS
from client.protocol.listing.mlsd_fast import PIECE_LINES, parse_mlsd_list
from client.protocol.listing.mlsx import _Cache, is_self_or_parent, looks_like_mlsx, parse_mlsx

KEYS = [b"type", b"size", b"sizd", b"modify", b"perm", b"unix.mode", b"unix.owner",
        b"unix.group", b"unix.ownername", b"unix.uid", b"unique", b"Type", b"TYPE", b"UNIX.mode",
        b"UNIX.owner", b"Size", b"", b"x-y_z", b"a b", b"k\xff", b"t\xc3\xa9"]
VALUES = [b"file", b"dir", b"cdir", b"pdir", b"File", b"DIR", b"OS.unix=slink:/t",
          b"os.unix=symlink", b"", b"12", b"0", b"-1", b"007", b"20240102030405",
          b"20240102030405.5", b"20241302030405", b"0644", b"4755", b"radfwMT", b"Bob",
          b"=", b"a=b", b"x y", b"\r", b"\xff", b"\xc3\xa9", b"\xe2\x80\xa8", b"\x0c"]
NAMES = [b"f", b"report.txt", b".", b"..", b"a/.", b"b/..", b"file.", b" lead", b"with space",
         b"semi;colon", b"eq=ual", b"type=dir;", b"cr\rin", b"crend\r", b"\xff\xfe",
         b"caf\xc3\xa9", b"line\xe2\x80\xa8sep", b"nel\xc2\x85", b"ff\x0c", b"tab\t", b""]
ENDINGS = [b"\r\n", b"\r\n", b"\n", b"\r\r\n"]


@st.composite
def mlsd_line(draw: st.DrawFn) -> bytes:
    facts = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)), max_size=7))
    text = b"".join(key + b"=" + value + b";" for key, value in facts)
    if draw(st.integers(0, 7)) == 0 and text:
        text = text[:-1]  # no ';' before the name
    if draw(st.integers(0, 9)) == 0:
        text = text.replace(b";", b";;", 1)  # an empty fact
    prefix = b" " if draw(st.integers(0, 9)) == 0 else b""
    separator = draw(st.sampled_from([b" ", b" ", b" ", b"", b"  "]))
    return prefix + text + separator + draw(st.sampled_from(NAMES))


@st.composite
def usual_line(draw: st.DrawFn) -> bytes:
    """A line of the shape servers send (the fast path's lines), values of any case."""
    keys = draw(st.permutations([b"type", b"size", b"modify", b"perm", b"unique", b"UNIX.mode"]))
    kind = draw(st.sampled_from([b"file", b"dir", b"cdir"]))
    values = {b"type": kind, b"size": b"123", b"modify": b"20240102030405",
              b"perm": b"radfwMT", b"unique": b"FE00U1", b"UNIX.mode": b"0755"}
    keys = keys[:draw(st.integers(1, len(keys)))]
    return b"".join(k + b"=" + values[k] + b";" for k in keys) + b" " + draw(
        st.sampled_from(NAMES[:8] + [b"x" * 40]))


@st.composite
def near_usual_line(draw: st.DrawFn) -> bytes:
    """A usual line with one hostile byte put anywhere: the border of the fast path."""
    line = draw(usual_line())
    at = draw(st.integers(0, len(line)))
    odd = draw(st.sampled_from([b" ", b";", b"=", b"\r", b"\xff", b".", b"T", b"E", b"/",
                                b"\xe2\x80\xa8", b"\xc2\x85", b"\x0b", b"\t", b"\x00"]))
    return line[:at] + odd + line[at:]


@st.composite
def listing(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.one_of(usual_line(), usual_line(), near_usual_line(),
                                    near_usual_line(), mlsd_line(),
                                    st.sampled_from([b"", b"  ", b"garbage"])), max_size=40))
    body = b"".join(line + draw(st.sampled_from(ENDINGS)) for line in lines)
    return body if draw(st.integers(0, 5)) else body + draw(mlsd_line())


def reference(data: bytes, encoding: str) -> tuple[list[ListingEntry], list[str]]:
    """Line by line through the careful parser, as the parser did before the fast path."""
    raws = data.split(b"\n")
    entries: list[ListingEntry] = []
    unparsed: list[str] = []
    cache = _Cache()
    for raw in raws:
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        line = decode_name(raw, encoding)
        if not line or line.isspace():
            continue
        if line[0] == " " and looks_like_mlsx(line[1:]):
            line = line[1:]
        try:
            entry = parse_mlsx(line, cache)
        except ListingParseError:
            unparsed.append(line)
            continue
        if (entry.kind is EntryKind.DIR and is_self_or_parent(entry)) or entry.name in (".", ".."):
            continue
        entries.append(entry)
    return entries, unparsed


def every_field(entry: ListingEntry) -> tuple:
    return tuple(getattr(entry, f.name) for f in dataclasses.fields(entry))


def is_lazy(entry: ListingEntry) -> bool:
    try:
        SLOT_MEMBERS["size"].__get__(entry, ListingEntry)
    except AttributeError:
        return True
    return False


@contextmanager
def pieces_of(size: int) -> Iterator[None]:
    """Pieces of about ``size`` characters (and lines): with small pieces most lines of
    a generated listing take the fast path even when a few lines next to them cannot."""
    saved = mlsd_fast.PIECE_CHARS, mlsd_fast.PIECE_LINES
    mlsd_fast.PIECE_CHARS, mlsd_fast.PIECE_LINES = size, max(1, size // 64)
    try:
        yield
    finally:
        mlsd_fast.PIECE_CHARS, mlsd_fast.PIECE_LINES = saved


PIECE_SIZES = st.sampled_from([1, 1, 1, 100, 16 * 1024])


@settings(max_examples=600, deadline=None)
@given(data=listing(), encoding=st.sampled_from(["utf-8", "utf-8", "latin-1", "cp1251"]),
       cuts=st.lists(st.integers(0, 2000), max_size=6), piece=PIECE_SIZES)
def test_fast_path_equals_careful_parser(data: bytes, encoding: str, cuts: list[int],
                                         piece: int) -> None:
    parser = ListingParser(fmt="mlsd", encoding=encoding)
    bounds = [0, *sorted(c for c in cuts if c <= len(data)), len(data)]
    with pieces_of(piece):
        for start, end in zip(bounds, bounds[1:], strict=False):
            parser.feed(data[start:end])
        result = parser.finish()
    expected, expected_unparsed = reference(data, encoding)
    assert [type(e) for e in result.entries] == [ListingEntry] * len(expected)
    assert [every_field(e) for e in result.entries] == [every_field(e) for e in expected]
    assert list(result.unparsed) == expected_unparsed
    assert list(result.entries) == expected
    assert [hash(e) for e in result.entries] == [hash(e) for e in expected]


@settings(max_examples=400, deadline=None)
@given(data=listing(), piece=PIECE_SIZES)
# a fact name repeated in another case: the careful parser's value, not the last one
@example(data=b"  f\r\ntype=file; f\r\n\r\nsize=file;Size=file;size=dir; f\r\n", piece=1)
def test_lines_given_as_text_equal_careful_parser(data: bytes, piece: int) -> None:
    """``parse_listing(str)`` and ``feed_lines``: a CR left at a line's end is part of
    the name there, and the fast path must not take it for a line end."""
    text = data.decode("utf-8", "surrogateescape")
    lines = text.replace("\r\n", "\n").split("\n")
    entries: list[ListingEntry] = []
    unparsed: list[str] = []
    with pieces_of(piece):
        parse_mlsd_list(lines, _Cache(), entries, unparsed)
    careful: list[ListingEntry] = []
    careful_unparsed: list[str] = []
    cache = _Cache()
    for line in lines:
        if not line or line.isspace():
            continue
        if line[0] == " " and looks_like_mlsx(line[1:]):
            line = line[1:]
        try:
            entry = parse_mlsx(line, cache)
        except ListingParseError:
            careful_unparsed.append(line)
            continue
        if not ((entry.kind is EntryKind.DIR and is_self_or_parent(entry))
                or entry.name in (".", "..")):
            careful.append(entry)
    assert [every_field(e) for e in entries] == [every_field(e) for e in careful]
    assert unparsed == careful_unparsed


PYFTPDLIB = ("modify=20261206023243;perm=radfwMT;size={n};type=file;unique=fe00g2662{n}; "
             "entry-{n:06d} report.txt\r\n")


def lazy_entries(count: int = 3) -> list[ListingEntry]:
    data = "".join(PYFTPDLIB.format(n=n) for n in range(count)).encode()
    return list(parse_listing(data, fmt="mlsd").entries)


def test_usual_lines_take_the_fast_path_and_read_the_rest_on_first_access() -> None:
    """pyftpdlib's lines (type not first, upper-case letters in a value) and ProFTPD's
    (upper-case ``UNIX.`` fact names) are built lazily, and read whole on demand."""
    proftpd = (b"modify=20240102030405;perm=adfr;size=7;type=file;unique=FD00U1;"
               b"UNIX.group=0;UNIX.groupname=root;UNIX.mode=0644;UNIX.owner=0;"
               b"UNIX.ownername=root; notes.txt\r\n")
    entries = lazy_entries() + list(parse_listing(proftpd, fmt="mlsd").entries)
    assert all(is_lazy(e) for e in entries)
    first, proft = entries[0], entries[-1]
    assert (first.name, first.kind, first.size, first.permissions) == (
        "entry-000000 report.txt", EntryKind.FILE, 0, "radfwMT")
    assert not is_lazy(first)
    assert (proft.permissions, proft.owner, proft.group, proft.facts["unix.mode"]) == (
        "rw-r--r--", "root", "root", "0644")


def test_lazy_entries_are_ordinary_entries() -> None:
    for field in LAZY_FIELDS:  # every lazy field fills the entry on its own
        (entry,) = lazy_entries(1)
        getattr(entry, field)
        assert not is_lazy(entry)
    lazy, other = lazy_entries(2)
    whole = parse_mlsx(lazy.raw, _Cache())
    assert not is_lazy(whole)
    assert hash(lazy) == hash(whole)  # hash first: it must fill the lazy entry itself
    assert lazy == whole and whole == lazy and lazy != other
    assert repr(lazy) == repr(whole)
    assert dataclasses.astuple(lazy) == dataclasses.astuple(whole)
    assert dataclasses.replace(lazy_entries(1)[0], name="x").size == 0
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        (fresh,) = lazy_entries(1)
        copy = pickle.loads(pickle.dumps(fresh, protocol))
        assert copy == whole and type(copy) is ListingEntry and not is_lazy(copy)


@pytest.mark.parametrize("field", ["name", "kind", *LAZY_FIELDS, "raw"])
def test_lazy_entries_stay_frozen(field: str) -> None:
    (entry,) = lazy_entries(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(entry, field, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(entry, field)
    assert entry == parse_mlsx(entry.raw, _Cache())


def test_an_odd_line_sends_only_its_piece_the_careful_way() -> None:
    lines = [PYFTPDLIB.format(n=n).rstrip("\r\n") for n in range(PIECE_LINES * 3)]
    lines[PIECE_LINES + 5] = "type=OS.unix=slink:/etc; link"
    lines.insert(0, "type=cdir;modify=20240101000000; /home/me")
    entries: list[ListingEntry] = []
    assert parse_mlsd_list(lines, _Cache(), entries, []) == PIECE_LINES * 3
    lazy = [is_lazy(e) for e in entries]
    assert lazy.count(False) == PIECE_LINES * 2 - 1  # the first two pieces
    assert entries[PIECE_LINES + 5].kind is EntryKind.LINK
    assert entries[PIECE_LINES + 5].target == "/etc"


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.integers(0, 40), max_size=12), bound=st.integers(1, 30),
       cr=st.booleans())
def test_long_line_check_by_windows_equals_measuring_every_line(
        parts: list[int], bound: int, cr: bool) -> None:
    block = b"".join(b"x" * n + (b"\r\n" if cr else b"\n") for n in parts)
    parser = ListingParser(max_line_bytes=bound)
    expected = bool(block) and max(map(len, block.split(b"\n"))) > bound
    assert parser._has_long_line(block) == expected


def test_entries_built_by_keywords_or_position_as_the_dataclass_says() -> None:
    """``ListingEntry.__init__`` stores into the slots directly (not through the lazy
    fields' descriptors); it keeps the dataclass's parameters, defaults and errors."""
    import inspect

    from client.protocol.listing.entry import NO_FACTS

    names = [p for p in inspect.signature(ListingEntry).parameters]
    assert names == [f.name for f in dataclasses.fields(ListingEntry)]
    short = ListingEntry("a", EntryKind.FILE)
    assert (short.size, short.modified, short.facts, short.raw) == (None, None, NO_FACTS, "")
    full = ListingEntry(name="a", kind=EntryKind.LINK, size=3, permissions="rwx", owner="o",
                        group="g", target="/t", facts={"type": "x"}, raw="r")
    assert full == ListingEntry("a", EntryKind.LINK, 3, None, None, "rwx", "o", "g", "/t",
                                {"type": "x"}, "r")
    assert dataclasses.replace(full, size=4).size == 4 and full.size == 3
    assert pickle.loads(pickle.dumps(full)) == full
    with pytest.raises(TypeError):
        ListingEntry("a")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ListingEntry("a", EntryKind.FILE, sise=3)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        full.size = 5  # type: ignore[misc]


TYPE_FIRST = ("type={kind};size={n};modify=20240102030405;perm=adfrw;unix.mode=0644;"
              "unix.owner=bob;unix.group=staff; {name}")
ODD_LINES = [
    # a space in a value: the careful parser's name starts after it
    "type=file;size=1 2;modify=20240102030405;perm=adfrw;unix.mode=0644;unix.owner=bob;"
    "unix.group=staff; spaced value",
    "type=file;size=3;modify=20240102030405;perm=adfrw;unix.mode=0644;unix.owner=b b;"
    "unix.group=staff; spaced owner",
    "type=file;size=3;modify=20240102030405;perm=adfrw;unix.mode=0644;unix.owner=bob;"
    "unix.group=staff;  two spaces",
    TYPE_FIRST.format(kind="file", n=4, name="cr\rinside"),
    TYPE_FIRST.format(kind="dir", n=5, name="ends."),
    TYPE_FIRST.format(kind="file", n=6, name="line\u2028separator"),
    TYPE_FIRST.format(kind="cdir", n=7, name="/home"),
    TYPE_FIRST.format(kind="file", n=8, name=""),
    TYPE_FIRST.format(kind="file", n=9, name="x").replace("size=9;", "size=9;size=10;"),
    TYPE_FIRST.format(kind="file", n=10, name="x").replace("perm=", "Type=dir;perm="),
]


@pytest.mark.parametrize("ending", ["\r\n", "\n", "mixed"])
@pytest.mark.parametrize("odd", ODD_LINES)
def test_a_type_first_listing_with_one_odd_line_equals_careful_parser(odd: str,
                                                                       ending: str) -> None:
    """The usual shape of ProFTPD and pure-ftpd (type first) is scanned with its
    values read loosely and the kind read from the line: one odd line sends its piece
    the careful way, every other piece stays on the fast path."""
    lines = [TYPE_FIRST.format(kind="dir" if n % 7 == 0 else "file", n=n, name=f"entry {n}")
             for n in range(600)]
    lines[300] = odd
    if ending == "mixed":  # one line ends in LF alone
        data = "".join(line + ("\n" if n == 450 else "\r\n") for n, line in enumerate(lines))
    else:
        data = "".join(line + ending for line in lines)
    result = parse_listing(data.encode(), fmt="mlsd")
    lazy = [is_lazy(e) for e in result.entries]
    expected, unparsed = reference(data.encode(), "utf-8")
    assert [every_field(e) for e in result.entries] == [every_field(e) for e in expected]
    assert list(result.unparsed) == unparsed
    assert lazy.count(True) > 400
    assert [e.kind for e in result.entries[:8]] == [EntryKind.DIR] + [EntryKind.FILE] * 6 + [
        EntryKind.DIR]


def test_a_missing_attribute_is_still_an_attribute_error() -> None:
    (entry,) = lazy_entries(1)
    with pytest.raises(AttributeError, match="nmae"):
        entry.nmae  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(entry, "nmae") and getattr(entry, "nmae", 7) == 7
    assert is_lazy(entry)  # asking for something else did not read the line


@st.composite
def type_first_line(draw: st.DrawFn) -> bytes:
    """A line of ProFTPD's or pure-ftpd's shape (type first, then the facts a folder or
    a file has), with a name of any bytes servers send and values of any case; now and
    then a fact left out, repeated, spelt in upper case, or a value holding a space."""
    kind = draw(st.sampled_from([b"file", b"file", b"dir", b"cdir", b"pdir", b"File",
                                 b"OS.unix=slink:/x"]))
    facts = [(b"type", kind)]
    if kind != b"dir" or draw(st.booleans()):
        facts.append((b"size", draw(st.sampled_from([b"0", b"123", b"", b"1 2", b"x"]))))
    facts += [(b"modify", draw(st.sampled_from([b"20240102030405", b"20240102030405.123",
                                                b"2024", b""]))),
              (b"perm", draw(st.sampled_from([b"adfrw", b"flcdmpe", b"RADFW", b""]))),
              (b"unix.mode", draw(st.sampled_from([b"0644", b"0755", b"4755", b"9", b""]))),
              (b"unix.owner", draw(st.sampled_from([b"bob", b"1000", b"b b", b"\xff"]))),
              (b"unix.group", draw(st.sampled_from([b"staff", b"", b"caf\xc3\xa9"])))]
    odd = draw(st.integers(0, 11))
    if odd == 0:
        del facts[draw(st.integers(1, len(facts) - 1))]
    elif odd == 1:
        facts.insert(draw(st.integers(1, len(facts))), draw(st.sampled_from(
            [(b"size", b"7"), (b"Type", b"dir"), (b"UNIX.mode", b"0600"), (b"x", b"y")])))
    elif odd == 2:
        facts[0] = (b"TYPE", kind)
    name = draw(st.one_of(
        st.sampled_from(NAMES),
        st.binary(min_size=0, max_size=12).filter(lambda b: b"\n" not in b),
        st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n"),
                max_size=12).map(lambda t: t.encode())))
    return b"".join(key + b"=" + value + b";" for key, value in facts) + b" " + name


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(type_first_line(), min_size=1, max_size=60),
       ending=st.sampled_from([b"\r\n", b"\n"]), odd_ending=st.booleans(),
       encoding=st.sampled_from(["utf-8", "latin-1"]), piece=st.sampled_from([1, 300, 16 * 1024]),
       collector=st.booleans())
def test_type_first_listings_equal_careful_parser(lines: list[bytes], ending: bytes,
                                                  odd_ending: bool, encoding: str, piece: int,
                                                  collector: bool) -> None:
    """The type-first shape's own scan (names alone, the kind read from the line's
    sixth character, values read loosely and their spaces counted) against the
    careful parser, line by line; with the collector on (paused and settled by the
    parse) or off."""
    endings = [ending] * len(lines)
    if odd_ending:
        endings[len(lines) // 2] = b"\n" if ending == b"\r\n" else b"\r\n"
    data = b"".join(line + end for line, end in zip(lines, endings, strict=True))
    was_enabled = gc.isenabled()
    (gc.enable if collector else gc.disable)()
    try:
        with pieces_of(piece):
            result = parse_listing(data, fmt="mlsd", encoding=encoding)
        assert gc.isenabled() is collector
    finally:
        (gc.enable if was_enabled else gc.disable)()
    expected, expected_unparsed = reference(data, encoding)
    assert [type(e) for e in result.entries] == [ListingEntry] * len(expected)
    assert [every_field(e) for e in result.entries] == [every_field(e) for e in expected]
    assert list(result.unparsed) == expected_unparsed
