"""Render untrusted text (server replies, file names) so that it cannot steer a terminal
or a console: control characters and escape sequences become visible escapes."""

from __future__ import annotations

import functools
import re

__all__ = ["escape_control", "decode_line", "hide_url_password"]

# C0 controls, DEL, and C1 controls (U+0080..U+009F, which some terminals honour); the
# Unicode bidi marks, overrides and isolates that can make a name read differently from
# what it is; zero-width and invisible format characters; U+2028/U+2029, which Qt and
# many viewers treat as line breaks (a forged console line); and lone surrogates, which
# cannot be printed or encoded at all.
_INVISIBLE = (
    "\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
    "\ud800-\udfff"
)


@functools.cache
def _control_pattern(keep_tabs: bool) -> re.Pattern[str]:
    """Compiled on first need: most text is printable and never needs it, and the two
    character classes cost ~1 ms to compile at every start of the program."""
    low = "\x00-\x08\x0a-\x1f" if keep_tabs else "\x00-\x1f"
    return re.compile("[" + low + "\x7f-\x9f" + _INVISIBLE + "]")


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        # A byte the charset could not decode (surrogateescape): shown as that byte.
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def escape_control(text: str, *, keep_tabs: bool = False) -> str:
    """Return ``text`` with every control character shown as a visible escape.

    ``\\x1b[31m`` from a hostile server is displayed as the six characters ``\\x1b[31m``
    instead of turning the user's terminal red. Tabs are kept only when asked, since
    listings sometimes use them for alignment.

    Text that ``str.isprintable()`` accepts is returned as it is, without the regex
    (most names and lines; the window escapes every name of a listing): every character
    escaped here is a control (Cc), format (Cf), separator (Zl, Zp), surrogate (Cs) or
    unassigned (Cn) code point, none of which is printable.
    """
    if text.isprintable():
        return text  # every character escaped below is one str.isprintable() rejects
    return _control_pattern(keep_tabs).sub(_escape_char, text)


def decode_line(raw: bytes) -> str:
    """Decode bytes from the wire: UTF-8 (RFC 2640) first, Latin-1 as a lossless fallback.

    Latin-1 maps every byte to one code point, so no byte is ever lost and the original
    bytes can always be recovered with ``text.encode("latin-1")`` when UTF-8 failed.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def hide_url_password(text: str) -> str:
    """``ftp://alice:secret@host/`` -> ``ftp://alice:****@host/``, for quoting a URL the
    user typed in an error message. Also for malformed URLs (``ftp//a:b@h``, an unknown
    scheme): whatever sits between the first ``:`` of the user information and its
    ``@`` is hidden. Over-hiding is harmless here; showing a password is not."""
    scheme_end = text.find("://")
    if scheme_end >= 0:
        start = scheme_end + 3
        slash = text.find("/", start)
        end = len(text) if slash < 0 else slash
        at = text.rfind("@", start, end)
    else:
        start = 0
        at = text.rfind("@")
    if at < 0:
        return text
    colon = text.find(":", start, at)
    if scheme_end < 0:
        colon = text.rfind(":", start, at)
    if colon < 0:
        return text
    return text[: colon + 1] + "****" + text[at:]
