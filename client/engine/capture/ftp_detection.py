"""Is this TCP connection an FTP control connection, and which side is the server?

Decided from the first bytes of both directions, on any port: the server's first line
is a reply (``220`` banner, or ``120`` "ready in n minutes") and the client's first line
is an FTP command; a capture that starts in the middle of a connection needs a command
line from one side and a reply line from the other. SMTP (also ``220``) is told apart by
its client's EHLO/HELO; a data connection by its first bytes not being a reply.
"""

from __future__ import annotations

import enum
import re

__all__ = ["Decision", "FTP_VERBS", "decide", "decide_at_end", "PEEK_LIMIT"]

PEEK_LIMIT = 4096  # bytes of each direction looked at before giving up

FTP_VERBS = frozenset("""
USER PASS ACCT CWD CDUP SMNT QUIT REIN PORT PASV TYPE STRU MODE RETR STOR STOU APPE ALLO
REST RNFR RNTO ABOR DELE RMD MKD PWD LIST NLST SITE SYST STAT HELP NOOP FEAT OPTS AUTH
PBSZ PROT CCC EPRT EPSV MDTM SIZE MLST MLSD LANG HOST XPWD XCWD XMKD XRMD CLNT MFMT CSID
ADAT MIC CONF ENC LPRT LPSV
""".split())

_REPLY = re.compile(rb"^[1-6]\d\d(?:[ -]|$)")
_COMMAND = re.compile(rb"^([A-Za-z]{3,4})(?:[ \r]|$)")


class Decision(enum.Enum):
    FTP_OPENER_IS_CLIENT = "ftp-opener-client"
    FTP_OPENER_IS_SERVER = "ftp-opener-server"
    NOT_FTP = "not-ftp"
    UNDECIDED = "undecided"


def _lines(data: bytes) -> list[bytes]:
    """The complete lines of ``data``, without their line endings."""
    parts = data.split(b"\n")
    return [p.rstrip(b"\r") for p in parts[:-1]]


def _is_command(line: bytes) -> bool:
    match = _COMMAND.match(line)
    return bool(match and match.group(1).upper().decode() in FTP_VERBS)


def _opening(server: bytes, client: bytes) -> Decision | None:
    """Both streams seen from their first byte: server banner, then a client command.
    An FTP client never speaks first."""
    if len(server) >= 4:
        if not (_REPLY.match(server[:4]) and server[:3] in (b"220", b"120")):
            return Decision.NOT_FTP
    elif server and not server.isdigit():
        return Decision.NOT_FTP
    if not server:
        return Decision.NOT_FTP if client else None
    client_lines = _lines(client)
    if client_lines:
        return (Decision.FTP_OPENER_IS_CLIENT if _is_command(client_lines[0])
                else Decision.NOT_FTP)
    return None


def _midway(one: bytes, other: bytes) -> bool:
    """``one`` sends commands and ``other`` replies (the first line may be partial)."""
    commands = _lines(one)[:4]
    replies = _lines(other)[:4]
    return any(_is_command(line) for line in commands) and any(
        _REPLY.match(line) for line in replies)


def decide(opener: bytes, answerer: bytes, *, from_start: bool) -> Decision:
    """Decide from what the two directions sent so far (``opener`` sent the SYN, or the
    first packet seen). ``from_start``: both streams are known from their first byte."""
    if from_start:
        verdict = _opening(answerer, opener)
        if verdict is not None:
            return verdict
        if len(answerer) >= PEEK_LIMIT or len(opener) >= PEEK_LIMIT:
            return Decision.NOT_FTP
        return Decision.UNDECIDED
    if _midway(opener, answerer):
        return Decision.FTP_OPENER_IS_CLIENT
    if _midway(answerer, opener):
        return Decision.FTP_OPENER_IS_SERVER
    if len(answerer) >= PEEK_LIMIT or len(opener) >= PEEK_LIMIT:
        return Decision.NOT_FTP
    return Decision.UNDECIDED


def decide_at_end(opener: bytes, answerer: bytes, *, from_start: bool) -> Decision:
    """The capture ended before the client said anything: a 220 banner that names FTP
    is taken as FTP (a session that hung right after connecting)."""
    if from_start and not opener and _REPLY.match(answerer[:4]) and b"FTP" in answerer.upper():
        return Decision.FTP_OPENER_IS_CLIENT
    return Decision.NOT_FTP
