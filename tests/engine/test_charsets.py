"""Charsets against pyftpdlib serving each one: names listed, entered, downloaded,
uploaded, renamed and deleted in windows-1251, KOI8-R, Shift_JIS, GBK and ISO-8859-2;
the guess offered in "auto"; a name that is not valid in the chosen charset still
downloaded and deleted by its bytes."""

from __future__ import annotations

import os

import pytest

from client.engine.events import NoticeKind
from client.engine.session import FtpSession

from .conftest import Recorder

FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)

# (charset for the client, pyftpdlib's codec, a folder, a file, a new name)
CASES = [
    ("windows-1251", "cp1251", "Документы", "Отчёт за год.txt", "Новый файл.txt"),
    ("koi8-r", "koi8_r", "Музыка", "песня про ёжика.txt", "Переименовано.txt"),
    ("shift_jis", "shift_jis", "ドキュメント", "報告書ソ表.txt", "新しいファイル.txt"),
    ("gbk", "gbk", "我的文档", "报告二零二三.txt", "新建文件.txt"),
    ("iso-8859-2", "iso8859_2", "Dokumenty", "Sprawozdanie łódź.txt", "Příliš žluťoučký.txt"),
]


def _tree(root, folder: str, name: str) -> None:
    (root / folder).mkdir()
    (root / folder / name).write_bytes(b"payload of " + name.encode("utf-8"))


@pytest.mark.asyncio
@pytest.mark.parametrize("mlsd", [True, False], ids=["mlsd", "list"])
@pytest.mark.parametrize(("charset", "codec", "folder", "name", "new"), CASES,
                         ids=[case[0] for case in CASES])
async def test_round_trip_in_each_charset(make_ftp_server, tmp_path, bus, mlsd, charset,
                                          codec, folder, name, new):
    root = tmp_path / "root"
    root.mkdir()
    _tree(root, folder, name)
    server = make_ftp_server(root=root, encoding=codec, mlsd=mlsd)
    local = tmp_path / "local"
    local.mkdir()
    async with FtpSession(server.settings(encoding=charset, **FAST), bus=bus) as session:
        assert not session.features.utf8
        assert [e.name for e in (await session.list("/")).entries] == [folder]
        assert await session.cwd(folder) == f"/{folder}"  # CWD sent and PWD read in it
        assert [e.name for e in (await session.list()).entries] == [name]
        await session.download(f"/{folder}/{name}", local / name)
        assert (local / name).read_bytes() == b"payload of " + name.encode("utf-8")
        await session.upload(local / name, f"/{folder}/{new}")
        assert (root / folder / new).read_bytes() == (local / name).read_bytes()
        await session.rename(f"/{folder}/{new}", f"/{folder}/x {new}")
        made = await session.mkdir(f"/{folder}/{folder} 2")
        assert made == f"/{folder}/{folder} 2"
        await session.delete(f"/{folder}/{name}")
    assert sorted(os.listdir(root / folder)) == sorted([f"x {new}", f"{folder} 2"])


@pytest.mark.asyncio
async def test_auto_offers_the_charset_and_switching_shows_the_names(make_ftp_server,
                                                                     tmp_path, bus):
    recorder = Recorder(bus)
    root = tmp_path / "root"
    root.mkdir()
    for name in ("Документы", "Новая папка", "привет мир.txt"):
        (root / name).write_bytes(b"x")
    server = make_ftp_server(root=root, encoding="cp1251", mlsd=False)
    async with FtpSession(server.settings(**FAST), bus=bus) as session:
        assert session.charset == "auto"
        listed = await session.list()
        assert all("\udc80" <= ch <= "\udcff" or ch.isascii() for e in listed.entries
                   for ch in e.name)
        assert session.charset_guess is not None
        assert session.charset_guess.charset == "windows-1251"
        [notice] = recorder.notices(NoticeKind.CHARSET)
        assert "windows-1251" in notice.text
        session.set_charset("windows-1251")
        names = sorted(e.name for e in (await session.list()).entries)
        assert names == sorted(["Документы", "Новая папка", "привет мир.txt"])
        assert session.charset_guess is None


@pytest.mark.asyncio
@pytest.mark.parametrize(("charset", "codec", "raw"), [
    ("windows-1251", "cp1251", b"bad\x98name.txt"),  # 0x98 is not a windows-1251 character
    ("shift_jis", "shift_jis", b"bad\x81\x20name.txt"),  # a lead byte without its trail
    # a server passing the disk's bytes through (as vsftpd does): not UTF-8
    ("auto", "utf8", "Отчёт.txt".encode("cp1251")),
], ids=["windows-1251", "shift_jis", "auto"])
async def test_undecodable_name_is_shown_escaped_and_handled_by_its_bytes(
        make_ftp_server, tmp_path, bus, charset, codec, raw):
    root = tmp_path / "root"
    root.mkdir()
    with open(os.fsencode(root) + b"/" + raw, "wb") as handle:
        handle.write(b"the bytes")
    server = make_ftp_server(root=root, encoding=codec, mlsd=False)
    async with FtpSession(server.settings(encoding=charset, **FAST), bus=bus) as session:
        [entry] = (await session.list()).entries
        assert any("\udc80" <= ch <= "\udcff" for ch in entry.name)
        await session.download("/" + entry.name, tmp_path / "copy")
        assert (tmp_path / "copy").read_bytes() == b"the bytes"
        await session.delete("/" + entry.name)
    assert os.listdir(root) == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("charset", "name", "new"), [
    ("windows-1251", "Отчёт за год.txt", "Новый.txt"),
    ("koi8-r", "песня про ёжика.txt", "Переименовано.txt"),
    ("shift_jis", "報告書ソ表.txt", "新しいファイル.txt"),
    ("gbk", "报告二零二三.txt", "新建文件.txt"),
    ("iso-8859-2", "Sprawozdanie łódź.txt", "Příliš žluťoučký.txt"),
], ids=["windows-1251", "koi8-r", "shift_jis", "gbk", "iso-8859-2"])
@pytest.mark.parametrize("server_name", ["vsftpd", "pure-ftpd", "proftpd"])
async def test_servers_serving_the_bytes_of_their_disk(make_debian_server, tmp_path, bus,
                                                      server_name, charset, name, new):
    """vsftpd, pure-ftpd and ProFTPD send names as the bytes their filesystem holds:
    files created with names in each charset are listed, downloaded, uploaded beside,
    renamed and deleted."""
    vsftpd_server = make_debian_server(server_name)
    if server_name == "pure-ftpd":
        # pure-ftpd refuses any name with a backslash byte (553 Prohibited file name),
        # and Shift_JIS "ソ" and "表" end in 0x5C
        name = name.replace("ソ", "").replace("表", "")
        assert b"\\" not in name.encode(charset)
    root = os.fsencode(vsftpd_server.root)
    raw = name.encode(charset)
    with open(root + b"/" + raw, "wb") as handle:
        handle.write(b"on disk")
    os.chown(root + b"/" + raw, *vsftpd_server.owner)
    async with FtpSession(vsftpd_server.settings(encoding=charset, **FAST), bus=bus) as session:
        names = {e.name for e in (await session.list()).entries}
        assert name in names
        await session.download(name, tmp_path / "copy")
        assert (tmp_path / "copy").read_bytes() == b"on disk"
        await session.upload(tmp_path / "copy", f"upload/{new}")
        await session.rename(f"upload/{new}", f"upload/x {new}")
        await session.delete(name)
    assert os.path.exists(root + b"/upload/x " + new.encode(charset))
    assert not os.path.exists(root + b"/" + raw)


@pytest.mark.asyncio
@pytest.mark.parametrize(("charset", "sent"), [("auto", True), ("utf-8", True),
                                               ("windows-1251", False)])
async def test_opts_utf8_only_when_names_are_utf8(ftp_server, bus, charset, sent):
    from client.engine.events import LineSent

    recorder = Recorder(bus)
    async with FtpSession(ftp_server.settings(encoding=charset, **FAST), bus=bus) as session:
        assert session.features.utf8  # pyftpdlib announces UTF8
    lines = [event.text for event in recorder.of(LineSent)]
    assert ("OPTS UTF8 ON" in lines) is sent
