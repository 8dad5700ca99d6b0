"""MLSD / MLST lines (RFC 3659 §7) from literal server output."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from client.protocol.errors import ListingParseError, ProtocolError
from client.protocol.listing import EntryKind, parse_listing, parse_mlsx_line
from client.protocol.replies import parse_replies


def test_rfc3659_example_listing() -> None:
    data = (
        b"type=cdir;sizd=4096;modify=19990929011440;perm=fle; /\r\n"
        b"type=pdir;sizd=4096;modify=19990929011440;perm=fle; ..\r\n"
        b"type=file;size=4356;modify=19990929011440;perm=r; TEST.TXT\r\n"
        b"type=dir;sizd=512;modify=20010505101010;perm=flcdmpe; Sub Dir\r\n"
    )
    result = parse_listing(data, fmt="mlsd")
    assert result.format == "mlsd" and result.unparsed == ()
    assert [e.name for e in result.entries] == ["TEST.TXT", "Sub Dir"]
    test, sub = result.entries
    assert test.kind is EntryKind.FILE and test.size == 4356
    assert test.modified == datetime(1999, 9, 29, 1, 14, 40, tzinfo=UTC)
    assert test.modified_precision == "second"
    assert test.permissions == "r"
    assert test.facts["perm"] == "r"
    assert sub.kind is EntryKind.DIR and sub.size == 512 and sub.is_dir


def test_unix_facts_proftpd_style_uppercase() -> None:
    entry = parse_mlsx_line(
        "modify=20240102030405;perm=adfrw;size=10;type=file;unique=FD00U1;"
        "UNIX.group=1000;UNIX.groupname=staff;UNIX.mode=0644;UNIX.owner=1000;"
        "UNIX.ownername=alice; notes.txt"
    )
    assert entry.owner == "alice" and entry.group == "staff"
    assert entry.permissions == "rw-r--r--"
    assert entry.facts["unix.mode"] == "0644"  # keys lower-cased, values as sent
    assert entry.facts["unique"] == "FD00U1"


def test_numeric_owner_and_uid_fallback() -> None:
    e = parse_mlsx_line("type=file;size=1;unix.uid=1001;unix.gid=100;unix.mode=4755; suid")
    assert (e.owner, e.group, e.permissions) == ("1001", "100", "rwsr-xr-x")
    e = parse_mlsx_line("type=dir;unix.mode=1777; tmp")
    assert e.permissions == "rwxrwxrwt"


def test_names_with_spaces_and_semicolons_after_the_first_space() -> None:
    e = parse_mlsx_line("type=file;size=3; a name; with=semis and  spaces ")
    assert e.name == "a name; with=semis and  spaces "
    e = parse_mlsx_line("type=file;size=3;  leading space")
    assert e.name == " leading space"


def test_symlinks_and_os_specific_types() -> None:
    e = parse_mlsx_line("type=OS.unix=slink:/etc/hosts;size=10; hosts")
    assert e.kind is EntryKind.LINK and e.target == "/etc/hosts" and e.is_link
    e = parse_mlsx_line("type=OS.unix=symlink;size=10; link")
    assert e.kind is EntryKind.LINK and e.target is None
    e = parse_mlsx_line("type=OS.unix=chr-13/29; tty")
    assert e.kind is EntryKind.OTHER
    assert parse_mlsx_line("Type=DIR; upper").kind is EntryKind.DIR


def test_fractional_seconds_and_bad_times() -> None:
    e = parse_mlsx_line("type=file;modify=20240102030405.123; f")
    assert e.modified == datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    for bad in ("20241302030405", "2024010203040", "2024010203046x", "20240230000000", "20240101235960"):
        e = parse_mlsx_line(f"type=file;modify={bad}; f")
        assert e.modified is None and e.modified_precision is None
        assert e.name == "f"


def test_size_values() -> None:
    assert parse_mlsx_line("type=file;size=abc; f").size is None
    assert parse_mlsx_line("type=file;size=-1; f").size is None
    assert parse_mlsx_line("type=file;size=" + "9" * 5000 + "; f").size is None
    assert parse_mlsx_line("type=file;size=18446744073709551616; big").size == 2**64
    assert parse_mlsx_line("type=dir;sizd=4096; d").size == 4096


def test_facts_without_trailing_semicolon_and_no_facts() -> None:
    assert parse_mlsx_line("type=file;size=5 f").size == 5
    e = parse_mlsx_line(" nofacts")
    assert e.name == "nofacts" and e.kind is EntryKind.OTHER and e.facts == {}


def test_mlst_reply_inner_line() -> None:
    (reply,) = parse_replies(
        b"250-Listing /pub/file.txt\r\n"
        b" type=file;size=42;modify=20200101000000; /pub/file.txt\r\n"
        b"250 End\r\n"
    )
    e = parse_mlsx_line(reply.lines[1])
    assert e.name == "/pub/file.txt" and e.size == 42


@pytest.mark.parametrize(
    "line",
    ["", "nospace", "type=file;size=1;", "=file; x", "type=file;garbage; x", "type=file; "],
)
def test_garbage_raises_listing_parse_error(line: str) -> None:
    with pytest.raises(ListingParseError):
        parse_mlsx_line(line)
    assert issubclass(ListingParseError, ProtocolError)


def test_mlsd_garbage_lines_are_reported_not_dropped() -> None:
    result = parse_listing(b"type=file;size=1; ok\r\nthis is not mlsd\r\ntype=file; fine\r\n", fmt="mlsd")
    assert [e.name for e in result.entries] == ["ok", "fine"]
    assert result.unparsed == ("this is not mlsd",)


def test_dot_entries_dropped_in_every_spelling() -> None:
    data = b"type=dir; .\r\ntype=dir; ..\r\ntype=CDIR; /pub\r\ntype=Pdir; /\r\ntype=file; real\r\n"
    assert [e.name for e in parse_listing(data, fmt="mlsd").entries] == ["real"]
