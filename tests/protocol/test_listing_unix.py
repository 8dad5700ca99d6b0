"""Unix ``ls -l`` listings as real servers send them."""

from __future__ import annotations

from datetime import datetime

import pytest

from client.protocol.listing import EntryKind, parse_listing
from client.protocol.listing.unix import UnixContext, parse_unix_line

NOW = datetime(2024, 6, 15, 12, 0)


def one(line: str, now: datetime = NOW):
    result = parse_listing(line.encode() + b"\r\n", now=now)
    assert result.unparsed == (), result
    (entry,) = result.entries
    return entry


def test_vsftpd_style_listing() -> None:
    data = (
        b"drwxr-xr-x    2 1000     1000         4096 Jun 10 09:15 docs\r\n"
        b"-rw-r--r--    1 1000     1000      1048576 Dec 25  2023 big.bin\r\n"
        b"lrwxrwxrwx    1 0        0               7 Jan 01 00:00 latest -> big.bin\r\n"
    )
    result = parse_listing(data, now=NOW)
    assert result.format == "unix" and result.unparsed == ()
    docs, big, latest = result.entries
    assert (docs.name, docs.kind, docs.size, docs.owner, docs.group) == ("docs", EntryKind.DIR, 4096, "1000", "1000")
    assert docs.modified == datetime(2024, 6, 10, 9, 15) and docs.modified_precision == "minute"
    assert big.modified == datetime(2023, 12, 25) and big.modified_precision == "day"
    assert big.permissions == "rw-r--r--" and big.facts == {}
    assert (latest.kind, latest.name, latest.target) == (EntryKind.LINK, "latest", "big.bin")


def test_year_inference_around_new_year() -> None:
    now = datetime(2024, 1, 3, 10, 0)
    assert one("-rw-r--r-- 1 a b 1 Dec 30 23:00 x", now).modified == datetime(2023, 12, 30, 23, 0)
    assert one("-rw-r--r-- 1 a b 1 Jan 03 09:00 x", now).modified == datetime(2024, 1, 3, 9, 0)
    assert one("-rw-r--r-- 1 a b 1 Jan 04 09:00 x", now).modified == datetime(2024, 1, 4, 9, 0)  # skew
    assert one("-rw-r--r-- 1 a b 1 Jan 05 09:00 x", now).modified == datetime(2023, 1, 5, 9, 0)
    assert one("-rw-r--r-- 1 a b 1 Feb 29 09:00 x", datetime(2025, 3, 1)).modified == datetime(2024, 2, 29, 9, 0)


def test_without_group_and_without_link_count() -> None:
    e = one("-rw-r--r-- 1 ftp 12 Jan 5 2020 nogroup.txt")
    assert (e.owner, e.group, e.size) == ("ftp", None, 12)
    e = one("-rw-r--r-- ftp ftp 12 Jan 5 2020 nolinks.txt")
    assert (e.owner, e.group, e.size) == ("ftp", "ftp", 12)
    e = one("-rw-r--r-- 12 Jan 5 2020 bare.txt")
    assert (e.owner, e.group, e.size, e.name) == (None, None, 12, "bare.txt")


def test_device_files_have_no_size() -> None:
    e = one("crw-rw-rw-   1 root     root       1,   3 Jan  1 12:00 null")
    assert (e.kind, e.size, e.name, e.owner, e.group) == (EntryKind.OTHER, None, "null", "root", "root")
    e = one("brw-rw----   1 root     disk       8,0 Jan  1 12:00 sda")
    assert (e.size, e.name, e.group) == (None, "sda", "disk")


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("-rw-r--r-- 1 a b 5 Jan  1 12:00 two words", "two words"),
        ("-rw-r--r-- 1 a b 5 Jan  1 12:00  leading space", " leading space"),
        ("-rw-r--r-- 1 a b 5 Jan  1  2020   three leading", "  three leading"),
        ("-rw-r--r-- 1 a b 5 Jan  1 12:00 inner   runs  ", "inner   runs  "),
        ("-rw-r--r-- 1 a b 5 Jan  1 12:00 -> not a link", "-> not a link"),
        ("-rw-r--r-- 1 a b 5 Jan  1 12:00 Jan  1 12:00", "Jan  1 12:00"),
        ("-rw-r--r-- 1 a b 5 Jan  1 12:00 caf\u00e9 \u540d\u524d", "caf\u00e9 \u540d\u524d"),
    ],
)
def test_names(line: str, name: str) -> None:
    assert one(line).name == name


def test_acl_xattr_selinux_markers_and_special_bits() -> None:
    assert one("-rw-r--r--+ 1 a b 5 Jan 1 12:00 acl").permissions == "rw-r--r--"
    assert one("-rw-r--r--@ 1 a b 5 Jan 1 12:00 xattr").name == "xattr"
    assert one("-rw-r--r--. 1 a b 5 Jan 1 12:00 selinux").name == "selinux"
    assert one("-rwsr-sr-t 1 a b 5 Jan 1 12:00 bits").permissions == "rwsr-sr-t"
    assert one("drwxrwxrwT 1 a b 5 Jan 1 12:00 sticky").kind is EntryKind.DIR
    assert one("prw-r--r-- 1 a b 0 Jan 1 12:00 fifo").kind is EntryKind.OTHER
    assert one("srwxr-xr-x 1 a b 0 Jan 1 12:00 sock").kind is EntryKind.OTHER


def test_iso_dates() -> None:
    e = one("-rw-r--r-- 1 a b 5 2024-01-02 13:14 long iso")
    assert (e.name, e.modified, e.modified_precision) == ("long iso", datetime(2024, 1, 2, 13, 14), "minute")
    e = one("-rw-r--r-- 1 a b 5 2024-01-02 13:14:15.123456789 +0100 full iso")
    assert (e.name, e.modified, e.modified_precision) == ("full iso", datetime(2024, 1, 2, 13, 14, 15), "second")


@pytest.mark.parametrize(
    ("line", "month", "year"),
    [
        ("-rw-r--r-- 1 a b 5 15. M\u00e4r 12:00 de", 3, 2024),
        ("-rw-r--r-- 1 a b 5 15 okt 2023 nl", 10, 2023),
        ("-rw-r--r-- 1 a b 5 janv. 15 2023 fr", 1, 2023),
        ("-rw-r--r-- 1 a b 5 d\u00e9c. 15 2023 fr2", 12, 2023),
        ("-rw-r--r-- 1 a b 5 ene 15 2023 es", 1, 2023),
        ("-rw-r--r-- 1 a b 5 mag 15 2023 it", 5, 2023),
        ("-rw-r--r-- 1 a b 5 1\u6708 15 12:00 ja", 1, 2024),
        ("-rw-r--r-- 1 a b 5 \u0430\u0432\u0433 15 2023 ru", 8, 2023),
    ],
)
def test_localized_months(line: str, month: int, year: int) -> None:
    e = one(line)
    assert e.modified is not None and (e.modified.month, e.modified.year) == (month, year)
    assert e.name == line.rsplit(" ", 1)[1]


def test_block_count_column() -> None:
    e = one("   8 -rw-r--r-- 1 a b 5 Jan 1 12:00 counted")
    assert (e.name, e.size) == ("counted", 5)


def test_total_lines_dot_entries_and_impossible_dates() -> None:
    data = (
        b"total 12\r\n"
        b"drwxr-xr-x 2 a b 4096 Jan 1 12:00 .\r\n"
        b"drwxr-xr-x 9 a b 4096 Jan 1 12:00 ..\r\n"
        b"-rw-r--r-- 1 a b 5 Feb 30 12:00 impossible\r\n"
        b"insgesamt 3\r\n"
    )
    result = parse_listing(data, now=NOW)
    (entry,) = result.entries
    assert entry.name == "impossible" and entry.modified is None and entry.modified_precision is None
    assert result.unparsed == ()


@pytest.mark.parametrize(
    "line",
    [
        "-rw-r--r-- 1 a b 5 Xyz 1 12:00 notamonth",
        "-rw-r--r-- 1 a b five Jan 1 12:00 nosize",
        "-rw-r--r-- 1 a b 5 Jan 1 25:00 badtime",
        "-rw-r--r-- 1 a b 5 Jan 1 12:00",
        "-rw-r--r-- 1 a b 5 Jan 1 12:00 ",
        "zrw-r--r-- 1 a b 5 Jan 1 12:00 badtype",
        "-rw-r--r--x 1 a b 5 Jan 1 12:00 toolong",
        "-rw-r--r-- 1 a b " + "9" * 5000 + " Jan 1 12:00 hugesize",
    ],
)
def test_not_ls_lines(line: str) -> None:
    assert parse_unix_line(line, UnixContext(NOW)) is None


def test_fixed_unix_format_reports_other_lines() -> None:
    result = parse_listing(b"total 1\n-rw-r--r-- 1 a b 5 Jan 1 12:00 f\nnot a line\n", fmt="unix", now=NOW)
    assert [e.name for e in result.entries] == ["f"] and result.unparsed == ("not a line",)


def test_now_defaults_to_the_clock_only_when_needed() -> None:
    calls = []
    ctx = UnixContext(None, now_factory=lambda: calls.append(1) or NOW)
    assert parse_unix_line("-rw-r--r-- 1 a b 5 Jan 1 2020 f", ctx) is not None
    assert calls == []
    assert parse_unix_line("-rw-r--r-- 1 a b 5 Jan 1 12:00 f", ctx) is not None
    assert calls == [1]


def test_times_with_seconds() -> None:
    e = one("-rw-r--r-- 1 a b 5 Jan  5 12:00:33 with seconds")
    assert (e.name, e.modified, e.modified_precision) == ("with seconds", datetime(2024, 1, 5, 12, 0, 33), "second")
