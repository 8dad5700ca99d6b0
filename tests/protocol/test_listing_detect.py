"""Per-line detection, NLST names, STAT listings, and incremental parsing."""

from __future__ import annotations

from datetime import datetime

import pytest

from client.protocol.charsets import encode_name
from client.protocol.errors import ListingParseError
from client.protocol.listing import (
    EntryKind,
    ListingParser,
    ListingResult,
    parse_listing,
    parse_stat_listing,
)
from client.protocol.replies import parse_replies

NOW = datetime(2024, 6, 15, 12, 0)


def test_mixed_formats_are_each_detected() -> None:
    data = (
        b"-rw-r--r-- 1 a b 5 Jan 1 12:00 unix.txt\r\n"
        b"01-16-02  11:14AM       <DIR>          dosdir\r\n"
        b"+m824255902,r,s3,\teplf.txt\r\n"
        b"type=file;size=9; mlsd.txt\r\n"
        b"-rw-r--r-- 1 a b 5 Jan 1 12:00 unix2.txt\r\n"
    )
    result = parse_listing(data, now=NOW)
    assert [e.name for e in result.entries] == ["unix.txt", "dosdir", "eplf.txt", "mlsd.txt", "unix2.txt"]
    assert result.format == "unix"
    assert result.unparsed == ()


def test_unrecognised_lines_in_a_listing_are_reported() -> None:
    data = b"-rw-r--r-- 1 a b 5 Jan 1 12:00 f\r\nWARNING: quota exceeded\r\n\r\n   \r\n"
    result = parse_listing(data, now=NOW)
    assert [e.name for e in result.entries] == ["f"]
    assert result.unparsed == ("WARNING: quota exceeded",)


def test_nlst_names() -> None:
    result = parse_listing(b"readme.txt\r\nmy file.bin\r\n.\r\n..\r\nsub/dir\r\n", now=NOW)
    assert result.format == "names"
    assert [e.name for e in result.entries] == ["readme.txt", "my file.bin", "sub/dir"]
    assert all(e.kind is EntryKind.OTHER and e.size is None for e in result.entries)
    forced = parse_listing(b"-rw-r--r-- 1 a b 5 Jan 1 12:00 f\n", fmt="names")
    assert forced.entries[0].name == "-rw-r--r-- 1 a b 5 Jan 1 12:00 f"


def test_unknown_listing_format_is_not_mistaken_for_names() -> None:
    vms = b"FOO.TXT;1    2/3   1-JAN-2024 12:00:00 [USER]    (RWED,RWED,RE,)\r\nREADME\r\n"
    result = parse_listing(vms, now=NOW)
    assert result.unparsed == ("FOO.TXT;1    2/3   1-JAN-2024 12:00:00 [USER]    (RWED,RWED,RE,)",)
    assert [e.name for e in result.entries] == ["README"]


def test_formats_of_empty_and_unknown_results() -> None:
    assert parse_listing(b"") == ListingResult((), (), "empty")
    assert parse_listing(b"\r\n\r\n").format == "empty"
    assert parse_listing(b"total 0\r\n").format == "empty"
    only_garbage = parse_listing(b"nothing here\n", fmt="unix")
    assert only_garbage.format == "unknown" and only_garbage.unparsed == ("nothing here",)


def test_bare_lf_crlf_and_final_line_without_newline() -> None:
    a = parse_listing(b"-rw-r--r-- 1 a b 5 Jan 1 12:00 x\n-rw-r--r-- 1 a b 5 Jan 1 12:00 y", now=NOW)
    b = parse_listing(b"-rw-r--r-- 1 a b 5 Jan 1 12:00 x\r\n-rw-r--r-- 1 a b 5 Jan 1 12:00 y\r\n", now=NOW)
    assert [e.name for e in a.entries] == [e.name for e in b.entries] == ["x", "y"]


def test_non_utf8_names_survive_per_line() -> None:
    data = b"-rw-r--r-- 1 a b 5 Jan 1 12:00 caf\xe9\r\n-rw-r--r-- 1 a b 5 Jan 1 12:00 caf\xc3\xa9\r\n"
    latin, utf8 = parse_listing(data, now=NOW).entries
    # Not UTF-8: the byte stays a byte (shown as \xe9) and goes back as itself, so RETR
    # names this file (a Latin-1 reading would have been sent as the UTF-8 c3 a9).
    assert latin.name == "caf\udce9" and encode_name(latin.name, "utf-8") == b"caf\xe9"
    assert utf8.name == "caf\u00e9"
    latin, mojibake = parse_listing(data, now=NOW, encoding="iso-8859-1").entries
    assert latin.name == "caf\u00e9" and mojibake.name == "caf\u00c3\u00a9"


def test_text_input_equals_bytes_input() -> None:
    text = "-rw-r--r-- 1 a b 5 Jan 1 12:00 x\r\ntype=file; y\r\n"
    assert parse_listing(text, now=NOW) == parse_listing(text.encode(), now=NOW)


def test_incremental_feed_equals_whole() -> None:
    data = b"".join(b"-rw-r--r-- 1 a b %d Jan 1 12:00 file %d\r\n" % (i, i) for i in range(100))
    parser = ListingParser(now=NOW)
    for i in range(0, len(data), 7):
        parser.feed(data[i : i + 7])
    assert parser.finish() == parse_listing(data, now=NOW)
    with pytest.raises(ListingParseError):
        parser.feed(b"more")


def test_unknown_format_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        ListingParser(fmt="vms")


def test_stat_listing_vsftpd_style() -> None:
    (reply,) = parse_replies(
        b"213-Status follows:\r\n"
        b"drwxr-xr-x    2 1000     1000         4096 Jun 10 09:15 .\r\n"
        b"drwxr-xr-x    3 1000     1000         4096 Jun 10 09:15 ..\r\n"
        b"-rw-r--r--    1 1000     1000           42 Jun 10 09:15 a.txt\r\n"
        b"213 End of status\r\n"
    )
    result = parse_stat_listing(reply, now=NOW)
    assert [e.name for e in result.entries] == ["a.txt"] and result.unparsed == ()


def test_stat_listing_with_indented_and_prefixed_lines() -> None:
    (reply,) = parse_replies(
        b"211-status of /pub:\r\n"
        b" total 8\r\n"
        b" -rw-r--r--   1 ftp  ftp   7 Jan 01 00:00 indented.txt\r\n"
        b"211--rw-r--r--   1 ftp  ftp   8 Jan 01 00:00 prefixed.txt\r\n"
        b" 1-rw: a line that is nothing\r\n"
        b"211 End of status\r\n"
    )
    result = parse_stat_listing(reply, now=NOW)
    assert [(e.name, e.size) for e in result.entries] == [("indented.txt", 7), ("prefixed.txt", 8)]
    assert result.unparsed == ("1-rw: a line that is nothing",)


def test_stat_listing_error_reply() -> None:
    (reply,) = parse_replies(b"550 No such file\r\n")
    with pytest.raises(ListingParseError):
        parse_stat_listing(reply)
    (single,) = parse_replies(b"213 nothing\r\n")
    assert parse_stat_listing(single).entries == ()


def test_entries_are_frozen_and_hashable() -> None:
    (entry,) = parse_listing(b"type=file;size=1; a\r\n", fmt="mlsd").entries
    with pytest.raises(AttributeError):
        entry.name = "b"  # type: ignore[misc]
    assert hash(entry) == hash(parse_listing(b"type=file;size=1; a\r\n", fmt="mlsd").entries[0])
    assert parse_listing(b"type=file;size=1; a\r\n", fmt="mlsd").by_name()["a"] == entry


def test_endless_line_is_reported_and_not_buffered() -> None:
    parser = ListingParser(now=NOW, max_line_bytes=1000)
    parser.feed(b"-rw-r--r-- 1 a b 5 Jan 1 12:00 before\r\n")
    for _ in range(1000):  # 10 MB of one line
        parser.feed(b"x" * 10_000)
        assert len(parser._pending) <= 10_000
    parser.feed(b"still the same line\r\n-rw-r--r-- 1 a b 5 Jan 1 12:00 after\r\n")
    result = parser.finish()
    assert [e.name for e in result.entries] == ["before", "after"]
    (note,) = result.unparsed
    assert note.startswith("x" * 100) and "more than 1000 bytes" in note


def test_long_line_inside_one_block_is_reported_in_place() -> None:
    data = b"type=file; a\r\n" + b"type=file; " + b"y" * 2000 + b"\r\ngarbage\r\ntype=file; b\r\n"
    result = parse_listing(data, fmt="mlsd", max_line_bytes=1000)
    assert [e.name for e in result.entries] == ["a", "b"]
    assert len(result.unparsed) == 2
    assert "more than 1000 bytes" in result.unparsed[0] and result.unparsed[1] == "garbage"


def test_garbage_collector_state_is_restored() -> None:
    import gc

    data = b"type=file;size=1; f\r\n" * 5000
    # whatever the process had (the window collects on its own thread, with the
    # automatic collector off), the parser leaves it as it found it
    before = gc.isenabled()
    try:
        gc.enable()
        parse_listing(data, fmt="mlsd")
        assert gc.isenabled()
        gc.disable()
        parse_listing(data, fmt="mlsd")
        assert not gc.isenabled()
    finally:
        (gc.enable if before else gc.disable)()


def test_unparsed_lines_keep_stream_order_with_long_line_notes() -> None:
    data = b"first garbage\n" + b"z" * 50 + b"\n-rw-r--r-- 1 a b 5 Jan 1 12:00 f\nlast garbage\n"
    result = parse_listing(data, now=NOW, max_line_bytes=40)
    assert [e.name for e in result.entries] == ["f"]
    assert result.unparsed[0] == "first garbage"
    assert result.unparsed[1].startswith("z" * 40) and "more than 40 bytes" in result.unparsed[1]
    assert result.unparsed[2] == "last garbage"


def test_long_line_note_never_becomes_a_name() -> None:
    result = parse_listing(b"name-one\n" + b"z" * 50 + b"\n", max_line_bytes=40)
    assert [e.name for e in result.entries] == ["name-one"]
    assert len(result.unparsed) == 1 and "more than 40 bytes" in result.unparsed[0]


@pytest.mark.parametrize("fmt", ["auto", "mlsd", "unix"])
def test_a_finished_parser_is_freed_with_its_entries_when_dropped(fmt: str) -> None:
    """No reference cycle: a parser (and the list of every entry it holds) is freed
    as soon as it is dropped, not when the cycle collector comes round."""
    import gc
    import weakref

    parser = ListingParser(fmt=fmt, now=NOW)
    parser.feed(b"-rw-r--r-- 1 a b 5 Jan 1 12:00 unix.txt\r\ntype=file;size=9; m.txt\r\n")
    parser.finish()
    gone = weakref.ref(parser)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del parser
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()
