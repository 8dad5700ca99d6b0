"""Display of untrusted text, and lossless decoding of wire bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.protocol.text import decode_line, escape_control


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("bell\x07", "bell\\x07"),
        ("nul\x00", "nul\\x00"),
        ("tab\there", "tab\\there"),
        ("line\nbreak\r", "line\\nbreak\\r"),
        ("del\x7f", "del\\x7f"),
        ("c1 csi\x9b", "c1 csi\\x9b"),
        ("bidi\u202egnp.exe", "bidi\\u202egnp.exe"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("forged\u2028line", "forged\\u2028line"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("bom\ufeff", "bom\\ufeff"),
        ("lone\udcff", "lone\\udcff"),
        ("caf\u00e9 名前", "caf\u00e9 名前"),
    ],
)
def test_escape_control(raw: str, shown: str) -> None:
    assert escape_control(raw) == shown


def test_keep_tabs() -> None:
    assert escape_control("a\tb\x1b", keep_tabs=True) == "a\tb\\x1b"
    assert escape_control("a\nb", keep_tabs=True) == "a\\nb"


@given(st.text())
def test_escaped_text_has_no_control_characters_and_prints(text: str) -> None:
    shown = escape_control(text)
    assert all(not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) for c in shown)
    assert "\u2028" not in shown and "\u202e" not in shown
    shown.encode("utf-8")  # no lone surrogates left


def test_decode_line_utf8_then_latin1() -> None:
    assert decode_line("caf\u00e9".encode()) == "caf\u00e9"
    assert decode_line(b"caf\xe9") == "caf\u00e9"
    assert decode_line(b"\xff\xfe\x00") == "\xff\xfe\x00"


@given(st.binary())
def test_decode_line_is_lossless(raw: bytes) -> None:
    text = decode_line(raw)
    try:
        assert text.encode("utf-8") == raw
    except (AssertionError, UnicodeEncodeError):
        assert text.encode("latin-1") == raw
