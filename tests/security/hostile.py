"""A scripted server that puts terminal escape sequences and control characters in
every place a server controls (banner, replies, error texts, listings, file names),
and the check every output must pass."""

from __future__ import annotations

import re

from fixtures.scripted_faults import hostile_unix_listing
from fixtures.scripted_steps import transfer

# Clear screen, a window-title OSC, an OSC 52 clipboard write, cursor moves, a carriage
# return that would overwrite the line, backspaces, BEL, NUL, DEL, a C1 CSI, a
# right-to-left override and a Unicode line separator.
ESCAPES = ("\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "\x1b]52;c;ZWNobyBoaQ==\x07", "\x1b[5A",
           "\rFAKE OK", "\x08\x08\x08", "\x07", "\x00", "\x7f", "\u009b31m", "\u202egnp.exe",
           "\u2028forged line")
HOSTILE = "".join(ESCAPES)

# What no output may contain raw: C0 (tab and newline allowed as layout), DEL, C1, and
# the bidi/invisible characters escape_control escapes.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e"
                    "\u2060-\u2069\ufeff]")


def raw_controls(text: str) -> list[str]:
    """The unsafe characters in ``text`` with some context, for a readable failure."""
    return [repr(text[max(0, m.start() - 15): m.end() + 15]) for m in UNSAFE.finditer(text)]


def hostile_handlers() -> dict[str, object]:
    wire = HOSTILE.encode("utf-8")
    return {
        "SYST": b"215 UNIX " + wire + b"\r\n",
        "LIST": transfer(payload=hostile_unix_listing()),
        "MLSD": transfer(payload=hostile_unix_listing()),
        "RETR": b"550 No such file " + wire + b"\r\n",
        "CWD": b"550 Cannot change " + wire + b"\r\n",
        "SITE": b"200-" + wire + b"\r\n200 done " + wire + b"\r\n",
    }


def hostile_banner() -> bytes:
    wire = HOSTILE.encode("utf-8")
    return b"220-Welcome " + wire + b"\r\n220-\x1b[31mred\x1b[0m\r\n220 ready " + wire + b"\r\n"
