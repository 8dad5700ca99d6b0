"""Names on the wire in any charset: decoding always encodes back to the same bytes (in
names, commands, listings and 257 replies), undecodable bytes are shown as \\xNN, and
the guess reads the script the names are written in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.protocol.charset_guess import guess_charset
from client.protocol.charsets import (
    AUTO,
    CHOICES,
    CharsetError,
    decode_name,
    encode_name,
    normalize_charset,
)
from client.protocol.commands import Command
from client.protocol.errors import CommandArgumentError, PathReplyError
from client.protocol.listing import parse_listing
from client.protocol.paths import parse_257
from client.protocol.replies import parse_replies
from client.protocol.text import escape_control

CHARSETS = [choice.name for choice in CHOICES]
# Bytes a name can hold in a listing line: no CR, LF, NUL, and no space (the line's
# columns are split on spaces, so the name here is a single word).
NAME_BYTES = st.binary(min_size=1, max_size=40).filter(
    lambda raw: not any(b in raw for b in b"\r\n\x00 \t\x0b\x0c"))


@given(raw=st.binary(max_size=64), charset=st.sampled_from(CHARSETS))
def test_decode_then_encode_gives_the_same_bytes(raw: bytes, charset: str) -> None:
    assert encode_name(decode_name(raw, charset), charset) == raw


@given(raw=NAME_BYTES, charset=st.sampled_from(CHARSETS))
def test_a_command_for_a_listed_name_sends_the_listed_bytes(raw: bytes, charset: str) -> None:
    line = b"-rw-r--r-- 1 ftp ftp 5 Jan 01 2024 " + raw + b"\r\n"
    entries = parse_listing(line, fmt="unix", encoding=charset.replace(AUTO, "utf-8")).entries
    if not entries:  # "." and ".." are left out of listings
        assert raw in (b".", b"..")
        return
    [entry] = entries
    wire = "utf-8" if charset == AUTO else charset
    assert Command.with_path("RETR", entry.name).to_bytes(wire) == b"RETR " + raw + b"\r\n"


@given(raw=NAME_BYTES, charset=st.sampled_from(CHARSETS))
def test_mlsd_names_round_trip(raw: bytes, charset: str) -> None:
    wire = "utf-8" if charset == AUTO else charset
    entries = parse_listing(b"type=file;size=5; " + raw + b"\r\n", fmt="mlsd",
                            encoding=wire).entries
    for entry in entries:
        assert encode_name(entry.name, wire) == raw


@given(raw=NAME_BYTES.filter(lambda raw: b'"' not in raw), charset=st.sampled_from(CHARSETS))
def test_a_257_path_round_trips(raw: bytes, charset: str) -> None:
    wire = "utf-8" if charset == AUTO else charset
    [reply] = parse_replies(b'257 "/' + raw + b'" is the current directory\r\n')
    try:
        path = parse_257(reply.decoded(wire))
    except PathReplyError:
        return  # control characters in the path are refused, whatever the charset
    assert encode_name(path, wire) == b"/" + raw


def test_undecodable_bytes_are_shown_as_bytes() -> None:
    name = decode_name(b"bad\x98.txt", "windows-1251")
    assert name == "bad\udc98.txt"
    assert escape_control(name) == "bad\\x98.txt"
    assert decode_name("Документы".encode("cp1251"), "windows-1251") == "Документы"


def test_a_name_the_charset_cannot_write_is_refused_before_sending() -> None:
    with pytest.raises(CommandArgumentError, match="cannot be written in koi8-r"):
        Command.with_path("STOR", "名前.txt").to_bytes("koi8-r")


@pytest.mark.parametrize(("given_name", "stored"), [
    ("cp1251", "windows-1251"), ("KOI8_R", "koi8-r"), ("sjis", "shift_jis"),
    ("latin2", "iso-8859-2"), ("GBK", "gbk"), ("", AUTO), ("Auto", AUTO), ("utf8", "utf-8"),
])
def test_charset_names_are_stored_one_way(given_name: str, stored: str) -> None:
    assert normalize_charset(given_name) == stored


@pytest.mark.parametrize("bad", ["utf-16", "cp037", "no-such-charset"])
def test_charsets_that_cannot_carry_commands_are_refused(bad: str) -> None:
    with pytest.raises(CharsetError):
        normalize_charset(bad)


LISTINGS = {
    "windows-1251": ["Документы", "Отчёт за 2023.doc", "фото", "Новая папка"],
    "koi8-r": ["Документы", "Отчёт за 2023.doc", "фото", "Новая папка"],
    "shift_jis": ["ドキュメント", "写真.jpg", "新しいフォルダー", "音楽"],
    "gbk": ["文档", "照片.jpg", "新建文件夹", "音乐", "我的项目"],
    "big5": ["文件", "照片.jpg", "新資料夾", "音樂", "我的專案"],
    "euc-kr": ["문서", "사진.jpg", "새 폴더", "음악", "내 프로젝트"],
    "iso-8859-2": ["Zdjęcia.jpg", "Sprawozdanie łódź.xlsx", "Příliš žluťoučký kůň"],
    "windows-1252": ["Données", "Résumé.doc", "Photos été"],
    "iso-8859-7": ["Έγγραφα", "φωτογραφίες.jpg", "μουσική"],
}


@pytest.mark.parametrize("charset", sorted(LISTINGS))
def test_the_guess_reads_a_listing_in_its_charset(charset: str) -> None:
    lines = [f"-rw-r--r-- 1 ftp ftp 12 Jan 01 12:00 {name}" for name in LISTINGS[charset]]
    guess = guess_charset("\r\n".join(lines).encode(normalize_charset(charset)))
    assert guess is not None and guess.charset == charset
    assert guess.sample in " ".join(LISTINGS[charset]).split()


def test_no_guess_for_utf8_or_ascii() -> None:
    assert guess_charset("Документы".encode()) is None
    assert guess_charset(b"plain.txt") is None
