"""257 (PWD/MKD) parsing, remote path helpers, and safe local names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.protocol.errors import PathReplyError, ProtocolError, UnsafeNameError
from client.protocol.paths import (
    join_remote,
    parse_257,
    remote_basename,
    remote_parent,
    safe_local_name,
)
from client.protocol.replies import parse_replies


def reply(raw: bytes):
    (r,) = parse_replies(raw)
    return r


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'257 "/" is current directory.\r\n', "/"),
        (b'257 "/home/alice"\r\n', "/home/alice"),
        (b'257 "/a ""quoted"" dir" is current directory\r\n', '/a "quoted" dir'),
        (b'257 """"\r\n', '"'),
        (b'257 MKD command successful: "/new dir" created\r\n', "/new dir"),
        (b'257 "/with \'single\' quotes"\r\n', "/with 'single' quotes"),
        (b'257 "/caf\xc3\xa9"\r\n', "/caf\u00e9"),
        (b'257 "/latin\xe9"\r\n', "/latin\u00e9"),  # Latin-1 fallback, still a path
        (b"257 /legacy/server is current directory\r\n", "/legacy/server"),
        (b'257-"/multi" is current\r\n257 end\r\n', "/multi"),
        # pure-ftpd does not double quotes inside the name:
        (b'257 "with "quote"" : The directory was successfully created\r\n', 'with "quote"'),
        (b'257 "/a" b" : The directory was successfully created\r\n', '/a" b'),
    ],
)
def test_parse_257(raw: bytes, expected: str) -> None:
    assert parse_257(reply(raw)) == expected


def test_parse_257_accepts_text() -> None:
    assert parse_257('257 "/x" ok') == "/x"
    assert parse_257('"/y" ok') == "/y"


@pytest.mark.parametrize(
    "raw",
    [
        b'257 "/unclosed\r\n',
        b'257 "/ends in doubled ""\r\n',
        b'257 ""\r\n',
        b"257 is current directory\r\n",
        b"257\r\n",
        b'257 "/esc\x1b[31mred"\r\n',
        b'257 "/nul\x00byte"\r\n',
        b'257 "/del\x7f"\r\n',
    ],
)
def test_parse_257_rejects(raw: bytes) -> None:
    with pytest.raises(PathReplyError) as info:
        parse_257(reply(raw))
    assert "\x1b" not in str(info.value)
    assert "\x00" not in str(info.value)


@given(st.text())
def test_parse_257_never_raises_anything_else(text: str) -> None:
    try:
        parse_257(text)
    except ProtocolError:
        pass


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))).filter(bool))
def test_parse_257_round_trips_quoted_paths(path: str) -> None:
    quoted = '"' + path.replace('"', '""') + '" is current directory'
    assert parse_257("257 " + quoted) == path


@pytest.mark.parametrize(
    ("directory", "name", "expected"),
    [
        ("/", "a", "/a"),
        ("/pub", "a b", "/pub/a b"),
        ("/pub/", "x", "/pub/x"),
        ("", "x", "x"),
        ("rel", "x", "rel/x"),
        ("/pub", "/abs", "/abs"),
        ("/pub", "", "/pub"),
    ],
)
def test_join_remote(directory: str, name: str, expected: str) -> None:
    assert join_remote(directory, name) == expected


@pytest.mark.parametrize(
    ("path", "parent", "base"),
    [
        ("/a/b", "/a", "b"),
        ("/a/b/", "/a", "b"),
        ("/a", "/", "a"),
        ("/", "/", ""),
        ("//", "/", ""),
        ("a/b", "a", "b"),
        ("a", ".", "a"),
        ("", ".", ""),
        ("/a//b", "/a", "b"),
    ],
)
def test_parent_and_basename(path: str, parent: str, base: str) -> None:
    assert remote_parent(path) == parent
    assert remote_basename(path) == base


@pytest.mark.parametrize(
    "name", ["report.pdf", "a b", " leading", "ünïcödé", "..hidden", "x..y", "名前.txt", "C", "ab:c"]
)
def test_safe_local_name_accepts(name: str) -> None:
    assert safe_local_name(name) == name


@pytest.mark.parametrize(
    ("name", "reason_part"),
    [
        ("", "empty"),
        (".", "directory itself"),
        ("..", "directory itself"),
        ("../etc", "'/'"),
        ("/etc/passwd", "'/'"),
        ("a\\b", "'\\'"),
        ("..\\..\\x", "'\\'"),
        ("nul\x00x", "NUL"),
        ("esc\x1b[31m", "control"),
        ("tab\tname", "control"),
        ("nl\nname", "control"),
        ("c1\x85", "control"),
        ("photo\u202egpj.exe", "direction"),
        ("C:evil", "drive letter"),
        ("c:", "drive letter"),
        ("x" * 256, "255 bytes"),
        ("é" * 128, "255 bytes"),
    ],
)
def test_safe_local_name_refuses(name: str, reason_part: str) -> None:
    with pytest.raises(UnsafeNameError) as info:
        safe_local_name(name)
    assert reason_part in info.value.reason
    assert info.value.name == name
    assert "\x1b" not in str(info.value) and "\x00" not in str(info.value)


@pytest.mark.parametrize("name", ["CON", "con.txt", "LPT1", "a|b", "what?", "trail.", "trail "])
def test_safe_local_name_windows_rules(name: str) -> None:
    assert safe_local_name(name) == name
    with pytest.raises(UnsafeNameError):
        safe_local_name(name, windows=True)


@given(st.text())
def test_safe_local_name_result_is_a_single_component(name: str) -> None:
    try:
        result = safe_local_name(name)
    except UnsafeNameError:
        return
    assert result == name and "/" not in result and result not in ("", ".", "..")


#: The characters a local name may not contain besides '/', '\\' and NUL.
_REFUSED = [chr(c) for c in [*range(0x01, 0x20), *range(0x7F, 0xA0), 0x61C, 0x200E, 0x200F,
                             *range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@pytest.mark.parametrize("char", _REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_safe_local_name_refuses_every_control_and_direction_character(char: str) -> None:
    with pytest.raises(UnsafeNameError):
        safe_local_name(f"name{char}.txt")
