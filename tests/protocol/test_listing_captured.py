"""Listings captured from real servers (Debian packages and pyftpdlib), kept as literal
bytes so these cases run everywhere, also where the server binaries are missing."""

from __future__ import annotations

from datetime import UTC, datetime

from client.protocol.listing import EntryKind, parse_listing, parse_stat_listing
from client.protocol.replies import parse_replies

NOW = datetime(2026, 11, 25, 12, 0)

PROFTPD_MLSD = (
    b"modify=20261125114827;perm=adfrw;size=30;type=file;unique=FE00U215B46;UNIX.group=995;"
    b"UNIX.groupname=alice;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=alice; name with spaces.txt\r\n"
    b"modify=20261125114827;perm=flcdmpe;type=cdir;unique=FE00U215B3B;UNIX.group=995;"
    b"UNIX.groupname=alice;UNIX.mode=0755;UNIX.owner=999;UNIX.ownername=alice; .\r\n"
    b"modify=20261125114827;perm=flcdmpe;type=dir;unique=FE00U215B4C;UNIX.group=995;"
    b"UNIX.groupname=alice;UNIX.mode=0755;UNIX.owner=999;UNIX.ownername=alice; upload\r\n"
)

PUREFTPD_MLSD = (
    b"type=file;size=30;modify=20261125114827;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00g215b47; name with spaces.txt\r\n"
    b"type=cdir;sizd=4096;modify=20261125114827;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00g215b3e; .\r\n"
    b"type=dir;sizd=4096;modify=20261125114827;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00g215b4d; upload\r\n"
    b"type=pdir;sizd=4096;modify=20261125114827;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00g215b3e; ..\r\n"
)

PYFTPDLIB_MLSD = (
    b"modify=20261125114827;perm=radfwMT;size=30;type=file;unique=fe00g215b57; name with spaces.txt\r\n"
    b"modify=20261125114827;perm=eldfmMTcp;size=4096;type=dir;unique=fe00g215b51; upload\r\n"
)

WHEN = datetime(2026, 11, 25, 11, 48, 27, tzinfo=UTC)


def test_proftpd_mlsd() -> None:
    result = parse_listing(PROFTPD_MLSD, fmt="mlsd")
    spaces, upload = result.entries
    assert (spaces.name, spaces.kind, spaces.size, spaces.modified) == ("name with spaces.txt", EntryKind.FILE, 30, WHEN)
    assert (spaces.owner, spaces.group, spaces.permissions) == ("alice", "alice", "rw-r--r--")
    assert spaces.facts["perm"] == "adfrw" and spaces.facts["unix.owner"] == "999"
    assert (upload.kind, upload.size, upload.permissions) == (EntryKind.DIR, None, "rwxr-xr-x")


def test_pureftpd_mlsd() -> None:
    spaces, upload = parse_listing(PUREFTPD_MLSD, fmt="mlsd").entries
    assert (spaces.owner, spaces.group, spaces.permissions, spaces.size) == ("999", "995", "rw-r--r--", 30)
    assert (upload.name, upload.kind, upload.size) == ("upload", EntryKind.DIR, 4096)


def test_pyftpdlib_mlsd() -> None:
    spaces, upload = parse_listing(PYFTPDLIB_MLSD, fmt="mlsd").entries
    assert spaces.permissions == "radfwMT" and spaces.owner is None
    assert upload.kind is EntryKind.DIR and upload.size == 4096


def test_pureftpd_list_mixed_numeric_owner_and_group_name() -> None:
    data = (
        b"drwxr-xr-x    3 999        alice            4096 Nov 25 11:48 docs\r\n"
        b"-rw-r--r--    1 999        alice              30 Nov 25 11:48 name with spaces.txt\r\n"
    )
    docs, spaces = parse_listing(data, now=NOW).entries
    assert (docs.owner, docs.group, docs.kind) == ("999", "alice", EntryKind.DIR)
    assert spaces.name == "name with spaces.txt" and spaces.modified == datetime(2026, 11, 25, 11, 48)


def test_proftpd_stat_212_with_indented_lines() -> None:
    (reply,) = parse_replies(
        b"212-Status of .:\r\n"
        b" drwxr-xr-x   4 alice    alice        4096 Nov 25 11:48 .\r\n"
        b" drwxr-xr-x   4 alice    alice        4096 Nov 25 11:48 ..\r\n"
        b" drwxr-xr-x   3 alice    alice        4096 Nov 25 11:48 docs\r\n"
        b" -rw-r--r--   1 alice    alice          30 Nov 25 11:48 name with spaces.txt\r\n"
        b"212 End of status\r\n"
    )
    result = parse_stat_listing(reply, now=NOW)
    assert [e.name for e in result.entries] == ["docs", "name with spaces.txt"]
    assert result.unparsed == ()


def test_vsftpd_and_pyftpdlib_stat() -> None:
    for raw in (
        b"213-Status follows:\r\n"
        b"drwxr-xr-x    4 999      995          4096 Nov 25 11:48 .\r\n"
        b"-rw-r--r--    1 999      995            56 Nov 25 11:48 hello.txt\r\n"
        b"213 End of status\r\n",
        b'213-Status of "/":\r\n'
        b"-rw-r--r--   1 root     root           56 Nov 25 11:48 hello.txt\r\n"
        b"213 End of status.\r\n",
    ):
        (reply,) = parse_replies(raw)
        (entry,) = parse_stat_listing(reply, now=NOW).entries
        assert (entry.name, entry.size) == ("hello.txt", 56)
