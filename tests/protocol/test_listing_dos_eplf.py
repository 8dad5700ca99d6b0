"""DOS/IIS and EPLF listings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from client.protocol.listing import EntryKind, parse_listing
from client.protocol.listing.dos import parse_dos_line
from client.protocol.listing.eplf import parse_eplf_line


def test_iis_listing() -> None:
    data = (
        b"01-16-02  11:14AM       <DIR>          epsoftware\r\n"
        b"06-05-23  03:19PM              1234567 report 2023.pdf\r\n"
        b"12-31-99  12:00AM                    0 y2k.txt\r\n"
    )
    result = parse_listing(data)
    assert result.format == "dos" and result.unparsed == ()
    soft, report, y2k = result.entries
    assert (soft.name, soft.kind, soft.size) == ("epsoftware", EntryKind.DIR, None)
    assert soft.modified == datetime(2002, 1, 16, 11, 14) and soft.modified_precision == "minute"
    assert (report.name, report.size) == ("report 2023.pdf", 1234567)
    assert report.modified == datetime(2023, 6, 5, 15, 19)
    assert y2k.modified == datetime(1999, 12, 31, 0, 0)


@pytest.mark.parametrize(
    ("line", "modified", "size"),
    [
        ("01-16-2002  23:14          1,234 file.txt", datetime(2002, 1, 16, 23, 14), 1234),
        ("2002-01-16  11:14 PM          5 file.txt", datetime(2002, 1, 16, 23, 14), 5),
        ("01/16/2002  12:05PM          5 file.txt", datetime(2002, 1, 16, 12, 5), 5),
        ("01-16-68  12:05AM          5 file.txt", datetime(2068, 1, 16, 0, 5), 5),
        ("01-16-69  12:05AM          5 file.txt", datetime(1969, 1, 16, 0, 5), 5),
    ],
)
def test_date_and_time_forms(line: str, modified: datetime, size: int) -> None:
    entry = parse_dos_line(line)
    assert entry is not None
    assert (entry.name, entry.modified, entry.size) == ("file.txt", modified, size)


def test_junction_with_target() -> None:
    entry = parse_dos_line("04-27-21  09:09PM    <JUNCTION>     Application Data [C:\\Users\\x\\AppData]")
    assert entry is not None and entry.kind is EntryKind.LINK
    assert (entry.name, entry.target) == ("Application Data", "C:\\Users\\x\\AppData")


@pytest.mark.parametrize(
    "line",
    [
        "01-16-02  13:14PM  5 badhour",
        "13-45-02  11:14AM  5 baddate",
        "01-16-02  11:14AM  lots of words",
        "01-16-02  11:14AM  <DIR>",
        "16.01.2002",
        "1-16-002 11:14AM 5 x",
    ],
)
def test_not_dos_lines(line: str) -> None:
    entry = parse_dos_line(line)
    assert entry is None or entry.modified is None


def test_impossible_dos_date_keeps_the_entry() -> None:
    entry = parse_dos_line("02-30-21  09:09PM    5 feb30")
    assert entry is not None and entry.name == "feb30" and entry.modified is None


def test_eplf_examples() -> None:
    data = (
        b"+i8388621.29609,m824255902,/,\tdev\r\n"
        b"+i8388621.44468,m839956783,r,s10376,\tRFCEPLF\r\n"
        b"+m839956783,r,s0,up640,\twith perms\r\n"
    )
    result = parse_listing(data)
    assert result.format == "eplf" and result.unparsed == ()
    dev, rfc, perms = result.entries
    assert (dev.name, dev.kind, dev.size) == ("dev", EntryKind.DIR, None)
    assert dev.modified == datetime.fromtimestamp(824255902, UTC) and dev.modified_precision == "second"
    assert (rfc.name, rfc.kind, rfc.size) == ("RFCEPLF", EntryKind.FILE, 10376)
    assert perms.permissions == "rw-r-----" and perms.name == "with perms"


@pytest.mark.parametrize("line", ["+i1,m1,r,s5 no tab", "+\t", "i1,r,\tname", "+m99999999999999999999,r,\tx"])
def test_eplf_edge_lines(line: str) -> None:
    entry = parse_eplf_line(line)
    if entry is not None:
        assert entry.modified is None
        assert entry.name == "x"


def test_eplf_neither_dir_nor_file_is_other() -> None:
    entry = parse_eplf_line("+i1,m1,\tthing")
    assert entry is not None and entry.kind is EntryKind.OTHER
