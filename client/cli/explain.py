"""``ftp-inspector explain LINE...``: paste lines from any FTP log, get them explained.

Lines come from the arguments or, when there are none, from standard input. Each line
may be bare (``227 Entering Passive Mode (10,0,0,5,195,80)``, ``PORT 127,0,0,1,4,1``) or
carry a common log prefix: curl -v's ``> ``/``< ``, lftp's ``---> ``/``<--- ``,
FileZilla's ``Command:``/``Response:``, WinSCP's ``> ``/``< `` followed by a timestamp,
vsftpd's protocol log (``FTP command: Client "…", "PASV"``), and simple timestamps in
front. The lines are fed
through one :class:`~client.protocol.annotate.Annotator` in order, so ``PASV`` followed
by ``227`` and ``150`` is explained as one conversation.

Exit status: 0 when every line made sense; 1 when at least one did not (each such line
gets a message on standard error; the other lines are still explained).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import sys
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from client.protocol.addresses import PasvPolicy
from client.protocol.annotate import (
    Annotation,
    AnnotationContext,
    Annotator,
    Direction,
    render_line,
)
from client.protocol.replies import Reply
from client.protocol.text import decode_line

#: ``typing`` is imported by type checkers only: loading it costs ``explain`` ~3 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

# RFC 959 and its extensions (RFC 2228, 2389, 2428, 2640, 3659, 7151, drafts in use).
FTP_VERBS = frozenset(
    """ABOR ACCT ADAT ALLO APPE AUTH AVBL CCC CDUP CLNT CONF CSID CWD DELE DSIZ ENC EPRT
    EPSV FEAT HASH HELP HOST LANG LIST LPRT LPSV MDTM MFCT MFF MFMT MIC MKD MLSD MLST MODE
    NLST NOOP OPTS PASS PASV PBSZ PORT PROT PWD QUIT REIN REST RETR RMD RMDA RNFR RNTO SITE
    SIZE SMNT SPSV STAT STOR STOU STRU SYST THMB TYPE USER XCUP XCWD XMKD XPWD XRMD""".split()
)

# Timestamps and bracketed tags in front of a log line: "[12:00:01]", "12:00:01.123",
# "2024-05-01 12:00:01", "2024-05-01T12:00:01.5Z".
_TIMESTAMP_RE = re.compile(
    r"^(?:\s*(?:\[[^\]]{1,40}\]"
    r"|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?)(?=\s)\s*)+"
)
# Direction markers, longest first so that "<--- " is not read as "< ".
_MARKERS: tuple[tuple[str, Direction | None], ...] = (
    ("---> ", Direction.SENT),
    ("<--- ", Direction.RECEIVED),
    ("**** ", None),  # lftp's own remarks
    ("---- ", None),  # lftp's own remarks (debug)
    ("-> ", Direction.SENT),
    ("<- ", Direction.RECEIVED),
    ("> ", Direction.SENT),
    ("< ", Direction.RECEIVED),
    ("* ", None),  # curl -v's own remarks
    ("{ ", None),  # curl -v: data received ("{ [62 bytes data]")
    ("} ", None),  # curl -v: data sent
    (". ", None),  # WinSCP's own remarks
)
# vsftpd with log_ftp_protocol=YES, after its date and [pid] [user]:
# FTP command: Client "127.0.0.1", "PASV"  /  FTP response: Client "127.0.0.1", "227 …"
_VSFTPD_RE = re.compile(r'FTP (command|response): Client "[^"]*", "(.*)"\s*$')
_VSFTPD_OTHER_RE = re.compile(r"\[pid \d+\] (?:\[[^\]]*\] )?[A-Z]+[ A-Z]*: Client ")
# FileZilla ("Command:\tPASV"), optionally after its process and session numbers.
_LABEL_RE = re.compile(
    r"^(?:\d+\s+\d+\s+)?(Command|Response|Status|Trace|Error|Warning|Listing):\s?", re.I
)
_LABEL_DIRECTION = {"command": Direction.SENT, "response": Direction.RECEIVED}
_REPLY_RE = re.compile(r"^\d{3}(?:[ -]|$)")
_VERB_RE = re.compile(r"^([A-Za-z]{3,4})(?:\s|$)")


@dataclass(frozen=True, slots=True)
class LogLine:
    """One input line after its log prefix was taken off.

    ``direction`` is None for a log's own remark (lftp ``****``, curl ``*``, FileZilla
    ``Status:``): shown, not annotated. ``problem`` says why a line made no sense.
    """

    text: str
    direction: Direction | None
    problem: str | None = None


def classify_line(raw: str, *, in_multiline_reply: bool = False) -> LogLine:
    """Take a log prefix off ``raw`` and decide whether it was sent or received."""
    line = raw.rstrip("\r\n")
    stamped = _TIMESTAMP_RE.match(line)
    if stamped:
        line = line[stamped.end() :]
    server_log = _VSFTPD_RE.search(line)
    if server_log:
        direction = Direction.SENT if server_log.group(1) == "command" else Direction.RECEIVED
        return _checked(server_log.group(2), direction, in_multiline_reply)
    if _VSFTPD_OTHER_RE.search(line):  # CONNECT, OK LOGIN, OK DOWNLOAD …: shown as is
        return LogLine(line, None)
    for marker, direction in _MARKERS:
        if line.startswith(marker):
            body = line[len(marker) :]
            stamped = _TIMESTAMP_RE.match(body)  # WinSCP: "> 2024-05-01 12:00:01.123 PASV"
            if stamped:
                body = body[stamped.end() :]
            if direction is None:
                return LogLine(body, None)
            return _checked(body, direction, in_multiline_reply)
    label = _LABEL_RE.match(line)
    if label:
        body = line[label.end() :].lstrip()
        direction = _LABEL_DIRECTION.get(label.group(1).lower())
        if direction is None:
            return LogLine(body, None)
        return _checked(body, direction, in_multiline_reply)
    stripped = line.strip()
    if _REPLY_RE.match(stripped):
        return LogLine(stripped, Direction.RECEIVED)
    if in_multiline_reply:
        # Inside "211-Features:" … "211 End", " EPSV" is a feature, not a command.
        return LogLine(line, Direction.RECEIVED)
    verb = _VERB_RE.match(stripped)
    if verb and verb.group(1).upper() in FTP_VERBS:
        return LogLine(stripped, Direction.SENT)
    if stripped.startswith("SSH-"):
        return LogLine(line, None, "an SSH server's greeting, not FTP: the port belongs to an "
                                   "SSH server; you probably want SFTP (file transfer over "
                                   "SSH), or the server's FTP port (usually 21)")
    return LogLine(
        line,
        None,
        "not an FTP control line: expected a reply ('227 Entering Passive Mode "
        "(10,0,0,5,195,80)'), a command ('PORT 127,0,0,1,4,1') or one of them behind a "
        "log prefix ('> ', '< ', '---> ', '<--- ', 'Command:', 'Response:')",
    )


def _checked(body: str, direction: Direction, in_multiline_reply: bool) -> LogLine:
    if direction is Direction.RECEIVED:
        if _REPLY_RE.match(body) or in_multiline_reply:
            return LogLine(body, direction)
        return LogLine(
            body,
            direction,
            "marked as a server reply but it does not start with a three-digit reply code",
        )
    if _VERB_RE.match(body.strip()):
        return LogLine(body.strip(), direction)
    return LogLine(body, direction, "marked as a command but it does not start with a command verb")


@dataclass(frozen=True, slots=True)
class Explained:
    """One line with what it means (or why it made no sense)."""

    line: LogLine
    shown: str
    annotations: tuple[Annotation, ...]

    @property
    def problem(self) -> str | None:
        if self.line.problem:
            return self.line.problem
        for note in self.annotations:
            if note.fields.get("kind") == "address-error":
                return note.text
        return None


def explain_lines(lines: Iterable[str], context: AnnotationContext | None = None) -> Iterator[Explained]:
    """Explain log lines in order as one conversation. Blank lines are skipped.

    The lines of a multi-line reply are annotated together, as the one reply they are
    (an address may sit on any of its lines); the annotations go with its last line.
    """
    annotator = Annotator(context)
    pending: list[LogLine] = []  # the open multi-line reply

    def flush() -> Iterator[Explained]:
        code = int(pending[0].text[:3])
        notes = annotator.received(Reply(code, tuple(line.text for line in pending)))
        last = len(pending) - 1
        for index, line in enumerate(pending):
            yield Explained(line, render_line(line.text), tuple(notes) if index == last else ())
        pending.clear()

    for raw in lines:
        if not raw.strip():
            continue
        line = classify_line(raw, in_multiline_reply=bool(pending))
        if pending:
            if line.direction is Direction.RECEIVED and not line.problem:
                pending.append(line)
                if _closes(line.text, pending[0].text):
                    yield from flush()
                continue
            yield from flush()
        if line.problem or line.direction is None:
            notes: list[Annotation] = []
        elif line.direction is Direction.SENT:
            notes = annotator.sent(line.text)
        elif line.text[3:4] == "-":
            pending.append(line)
            continue
        else:
            notes = annotator.received(line.text)
        yield Explained(line, render_line(line.text), tuple(notes))
    if pending:
        yield from flush()


def _closes(text: str, opening: str) -> bool:
    """RFC 959 §4.2: a multi-line reply ends with a line of the opening code and a space."""
    return text[:3] == opening[:3] and text[3:4] in (" ", "")


_SIGIL = {Direction.SENT: "> ", Direction.RECEIVED: "< ", None: "  "}
_WRAP = 100


def write_text(item: Explained, out: TextIO) -> None:
    sigil = "? " if item.line.problem else _SIGIL[item.line.direction]
    out.write(sigil + item.shown + "\n")
    for note in item.annotations:
        out.write(
            textwrap.fill(
                f"[{note.severity.value}] {note.text}",
                width=_WRAP,
                initial_indent="    ",
                subsequent_indent="      ",
                break_on_hyphens=False,
                break_long_words=False,
            )
            + "\n"
        )


def to_json(item: Explained) -> dict[str, object]:
    """The JSON object for one line: what ``--json`` prints, one per line."""
    direction = item.line.direction
    obj: dict[str, object] = {
        "line": item.shown,
        "direction": direction.value if direction else None,
        "annotations": [
            {"severity": n.severity.value, "text": n.text, "fields": dict(n.fields)}
            for n in item.annotations
        ],
    }
    if item.problem:
        obj["error"] = item.problem
    return obj


def _as_text(line: str) -> str:
    """Undo Python's surrogateescape (non-UTF-8 bytes in argv or stdin) the way the
    engine decodes the wire: UTF-8, else Latin-1, so every byte shows as a character and
    the output stays valid UTF-8 (also in ``--json``)."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return decode_line(line.encode("utf-8", "surrogateescape"))
    return line


def _input_lines(args_lines: list[str], stdin: TextIO) -> Iterator[str]:
    """Lines from the arguments (an argument may hold several, split at LF only), or
    from ``stdin`` when there are no arguments."""
    if args_lines:
        for arg in args_lines:
            for line in arg.split("\n"):
                yield _as_text(line)
    else:
        for line in stdin:
            yield _as_text(line)


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    """Explain the lines named by ``args``; returns the exit status."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    context = AnnotationContext(
        control_peer=args.peer,
        control_local=args.local,
        pasv_policy=PasvPolicy(args.pasv_policy),
        tls=args.tls,
    )
    if not args.lines and stdin.isatty():
        stderr.write("ftp-inspector explain: reading lines from standard input "
                     "(end with Ctrl-D; or pass lines as arguments)\n")
    if args.json:
        from json import dumps as _dumps  # loaded for --json only
    status = 0
    try:
        for number, item in enumerate(explain_lines(_input_lines(args.lines, stdin), context), 1):
            if args.json:
                stdout.write(_dumps(to_json(item), ensure_ascii=False) + "\n")
            else:
                write_text(item, stdout)
            if item.problem:
                status = 1
                stderr.write(
                    f"ftp-inspector explain: line {number}: '{item.shown}': {item.problem}\n"
                )
        stdout.flush()
    except BrokenPipeError:
        # The reader went away (``explain … | head``): stop quietly, as cat does, and
        # keep the interpreter from failing again when it flushes stdout at exit.
        if stdout is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    return status


def _address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IPv4 or IPv6 address") from None


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "explain",
        help="explain FTP control lines (227, PORT, 425, …) pasted from any log",
        description=(
            "Explain FTP control lines: the address and port arithmetic of 227/229/PORT/"
            "EPRT, who connects to whom, and what replies such as 150, 425, 426 and 522 "
            "mean for the data connection. Lines come from the arguments or, without "
            "arguments, from standard input; log prefixes ('> ', '< ', '---> ', '<--- ', "
            "'Command:', 'Response:', timestamps) are understood."
        ),
    )
    parser.add_argument("lines", nargs="*", metavar="LINE", help="a control line (quote it)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per line with its annotations")
    parser.add_argument("--peer", type=_address, metavar="ADDRESS",
                        help="the server address the control connection went to (lets "
                             "explain judge a 227 address against it)")
    parser.add_argument("--local", type=_address, metavar="ADDRESS",
                        help="the client's own address on the control connection (lets "
                             "explain judge a PORT/EPRT address against it)")
    parser.add_argument("--pasv-policy", choices=[p.value for p in PasvPolicy],
                        default=PasvPolicy.AUTO.value,
                        help="which address to dial after 227 (default: auto)")
    parser.add_argument("--tls", action="store_true",
                        help="the conversation was protected by TLS (AUTH TLS / implicit)")
    parser.set_defaults(func=run)
