"""Charsets for names on the wire: decode bytes to text that always encodes back to the
same bytes, and the names of the charsets a user can choose.

FTP (RFC 959) sends names as bytes; RFC 2640 says UTF-8, but many servers send whatever
their filesystem holds (windows-1251, KOI8-R, Shift_JIS, GBK…). A name is decoded with
the site's charset and Python's ``surrogateescape``: a byte that the charset cannot
decode becomes a lone surrogate (U+DC80..U+DCFF), shown as ``\\xNN`` by
:func:`client.protocol.text.escape_control`, and encoding the text with the same charset
gives back the original bytes, so a command for that name names the very same file.
:func:`decode_name` checks that round trip and falls back to a form that always keeps
it (a charset whose decoding is not one-to-one could otherwise turn two byte strings
into the same text).
"""

from __future__ import annotations

import codecs

from client.protocol.values import value

__all__ = [
    "AUTO",
    "CharsetChoice",
    "CHOICES",
    "CharsetError",
    "normalize_charset",
    "decode_name",
    "encode_name",
    "wire_charset",
    "show_undecodable",
]

#: Let the client choose: UTF-8 (RFC 2640), with a guess offered when names are not UTF-8.
AUTO = "auto"


class CharsetError(ValueError):
    """A charset name Python does not know, or one that cannot carry FTP commands."""


@value(slots=True)
class CharsetChoice:
    """A charset offered in the site manager and named in the docs."""

    name: str  # the name stored in sites and given to --charset
    label: str  # what the choice says to a person


CHOICES: tuple[CharsetChoice, ...] = (
    CharsetChoice(AUTO, "Auto (UTF-8; suggest another from the names)"),
    CharsetChoice("utf-8", "UTF-8"),
    CharsetChoice("windows-1251", "Cyrillic (windows-1251)"),
    CharsetChoice("koi8-r", "Cyrillic (KOI8-R)"),
    CharsetChoice("koi8-u", "Ukrainian (KOI8-U)"),
    CharsetChoice("cp866", "Cyrillic DOS (CP866)"),
    CharsetChoice("iso-8859-5", "Cyrillic (ISO-8859-5)"),
    CharsetChoice("shift_jis", "Japanese (Shift_JIS)"),
    CharsetChoice("cp932", "Japanese (Windows-31J)"),
    CharsetChoice("euc-jp", "Japanese (EUC-JP)"),
    CharsetChoice("gbk", "Chinese simplified (GBK)"),
    CharsetChoice("gb18030", "Chinese simplified (GB18030)"),
    CharsetChoice("big5", "Chinese traditional (Big5)"),
    CharsetChoice("euc-kr", "Korean (EUC-KR)"),
    CharsetChoice("windows-1250", "Central European (windows-1250)"),
    CharsetChoice("iso-8859-2", "Central European (ISO-8859-2)"),
    CharsetChoice("windows-1252", "Western (windows-1252)"),
    CharsetChoice("iso-8859-1", "Western (ISO-8859-1)"),
    CharsetChoice("iso-8859-15", "Western (ISO-8859-15)"),
    CharsetChoice("iso-8859-7", "Greek (ISO-8859-7)"),
    CharsetChoice("windows-1253", "Greek (windows-1253)"),
    CharsetChoice("iso-8859-9", "Turkish (ISO-8859-9)"),
    CharsetChoice("windows-1254", "Turkish (windows-1254)"),
    CharsetChoice("iso-8859-8", "Hebrew (ISO-8859-8)"),
    CharsetChoice("windows-1256", "Arabic (windows-1256)"),
    CharsetChoice("cp874", "Thai (windows-874)"),
    CharsetChoice("windows-1258", "Vietnamese (windows-1258)"),
)

_PROBE = b"CWD /a-Z_0.9 ~\\\r\n"


def normalize_charset(name: str | None) -> str:
    """``name`` checked and spelled as stored: ``"auto"``, or a charset Python knows that
    writes ASCII as ASCII (FTP verbs, spaces, CR LF and ``/`` must stay single bytes, so
    UTF-16 or EBCDIC cannot be used). Raises :class:`CharsetError` otherwise."""
    text = (name or "").strip()
    if not text or text.lower() == AUTO:
        return AUTO
    try:
        info = codecs.lookup(text)
    except LookupError:
        known = ", ".join(choice.name for choice in CHOICES)
        raise CharsetError(f"unknown charset {text!r}; known ones include {known}") from None
    try:
        ascii_safe = _PROBE.decode("ascii").encode(info.name) == _PROBE
    except (UnicodeError, LookupError):
        ascii_safe = False
    if not ascii_safe:
        raise CharsetError(f"the charset {text!r} does not write ASCII as single bytes, so "
                           "FTP commands cannot be sent in it; choose an ASCII-compatible one")
    for choice in CHOICES[1:]:
        if codecs.lookup(choice.name).name == info.name:
            return choice.name
    return text.lower()


def wire_charset(name: str) -> str:
    """The charset that commands and names use for the stored choice ``name``: UTF-8
    for ``auto`` (RFC 2640) until another charset is chosen."""
    return "utf-8" if name == AUTO else name


def decode_name(raw: bytes, charset: str) -> str:
    """``raw`` as text such that ``encode_name(result, charset) == raw`` always.

    Strict decoding when it succeeds and round-trips; else ``surrogateescape`` (the
    undecodable bytes become ``\\udcNN``); else every non-ASCII byte escaped."""
    charset = wire_charset(charset)
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError:
        text = raw.decode(charset, "surrogateescape")
    try:
        if text.encode(charset, "surrogateescape") == raw:
            return text
    except UnicodeEncodeError:
        pass
    return raw.decode("ascii", "surrogateescape")


def show_undecodable(text: str) -> str:
    """``text`` with each byte kept by :func:`decode_name` written as ``\\xNN``: for
    output that must be valid Unicode (JSON), where a lone surrogate cannot go."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return "".join(f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else ch
                   for ch in text)


def encode_name(text: str, charset: str) -> bytes:
    """``text`` as bytes in ``charset``; lone surrogates from :func:`decode_name` become
    their original bytes again. Raises :class:`UnicodeEncodeError` for a character the
    charset has no bytes for (a name typed by the user)."""
    return text.encode(wire_charset(charset), "surrogateescape")
