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
        ("lone\udcff", "lone\\xff"),
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


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_USER = st.text(alphabet="abcdefg.-_%0123456789", min_size=1, max_size=12)
# Letters nothing else in the URL uses, so "the password is not in the output" is exact.
_PASSWORD = st.text(alphabet="PQRSTUVWXYZ!#$&+;=~ ", min_size=4, max_size=20)


@given(scheme=st.sampled_from(["ftp://", "ftps://", "sftp://", "ftp//", "", "x:/"]),
       user=_USER, password=_PASSWORD,
       host=st.from_regex(r"[a-z0-9.]{1,20}", fullmatch=True),
       tail=st.sampled_from(["", "/", ":21/", "/path@x", ":99999"]))
def test_hide_url_password_never_shows_the_password(scheme, user, password, host, tail):
    from client.protocol.text import hide_url_password

    text = f"{scheme}{user}:{password}@{host}{tail}"
    hidden = hide_url_password(text)
    assert password not in hidden
    if scheme.endswith("://"):
        assert hidden == f"{scheme}{user}:****@{host}{tail}"


_ESCAPED = "\x00\t\n\r\x1b\x7f\x85\x9f\u061c\u180e\u200b\u200f\u2028\u2029\u202a\u202e\u2060\u2065\u2069\ufeff\ufff9\ufffb\udc98\ud800"


@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(_ESCAPED))),
       st.booleans())
def test_printable_text_shortcut_gives_what_the_escape_rules_give(text: str,
                                                                   keep_tabs: bool) -> None:
    """Text ``str.isprintable()`` accepts is returned without the regex: every escaped
    character is non-printable, so the rules' own result is the text itself."""
    from client.protocol.text import _control_pattern, _escape_char

    rules = _control_pattern(keep_tabs)
    assert escape_control(text, keep_tabs=keep_tabs) == rules.sub(_escape_char, text)
    if text.isprintable():
        assert rules.search(text) is None


def test_every_escaped_character_is_not_printable() -> None:
    """The shortcut's premise, over every code point the rules escape."""
    from client.protocol.text import _control_pattern

    rules = _control_pattern(False)
    escaped = [chr(code) for code in range(0x110000) if rules.match(chr(code))]
    assert len(escaped) > 2000 and not any(ch.isprintable() for ch in escaped)
def test_printable_text_is_never_escaped() -> None:
    """``escape_control`` returns printable text unsearched: none of the characters it
    escapes is one ``str.isprintable()`` accepts (every code point checked)."""
    printable = "".join(ch for ch in map(chr, range(0x110000)) if ch.isprintable())
    for keep_tabs in (False, True):
        assert escape_control(printable + "\x00", keep_tabs=keep_tabs) == printable + "\\x00"
