"""The annotator: ``(line, direction, context) -> annotations``.

One annotator feeds the GUI console, the CLI's ``-v`` output, the transcript export and
``ftp-inspector explain``.

CONTRACT (implemented in this module; other modules rely on these names):

- ``Direction`` (Enum: SENT, RECEIVED); ``Severity`` (Enum: INFO, WARNING, ERROR,
  ordered so that ``max()`` works via ``Severity.rank``).
- ``Annotation`` (frozen dataclass): ``severity``, ``text`` (human text, for the person
  debugging the link), ``fields`` (Mapping[str, object]: structured data, e.g.
  ``{"kind": "pasv", "host": "10.0.0.5", "port": 50000, "p1": 195, "p2": 80,
  "arithmetic": "195*256+80 = 50000", "address_class": "private", "replaced": True,
  "use_host": "203.0.113.7", "initiator": "client"}``).
- ``AnnotationContext`` (dataclass): ``control_peer`` (str | None), ``control_local``
  (str | None), ``mode`` ("passive" | "active" | None), ``last_command`` (str | None, the
  verb of the command the next reply answers), ``pasv_policy`` (PasvPolicy),
  ``tls`` (bool), ``data_endpoint`` (str | None: where the last announced data
  connection goes, ``host:port``; kept by ``Annotator``).
- ``annotate(line, direction, context) -> list[Annotation]`` (pure);
- ``Annotator`` (stateful helper for a conversation): ``sent(line) -> list[Annotation]``
  (updates ``last_command``), ``received(reply_or_line) -> list[Annotation]``.
- ``render_line(line) -> str``: the line with control characters escaped, PASS redacted.

Every annotation's ``fields`` holds JSON-ready values (str, int, bool, None) and always a
``"kind"``: pasv, epsv, epsv-all, port, eprt, address-error, address-problem,
data-channel, data-error, closing, fallback, tls, login, credentials, control-characters.
Exactly one annotation of a line carries the address (kind pasv/epsv/port/eprt); warnings
about that address are separate ``address-problem`` annotations (``for``, ``problem``).

The knowledge lives in :mod:`client.protocol.address_meanings` (PORT/EPRT/227/229) and
:mod:`client.protocol.reply_meanings` (every other reply); this module renders lines,
dispatches, handles PASS/ACCT, and keeps the conversation state.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from client.protocol.address_meanings import (
    epsv_received,
    known_address,
    pasv_received,
    port_sent,
)
from client.protocol.addresses import AddressClass, PasvPolicy, classify
from client.protocol.replies import Reply
from client.protocol.reply_meanings import Meaning, explain_reply
from client.protocol.text import escape_control
from client.protocol.values import value


class Direction(enum.Enum):
    SENT = "sent"
    RECEIVED = "received"


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@value(slots=True)
class Annotation:
    """What one line means, for the person debugging the link, plus structured fields."""

    severity: Severity
    text: str
    fields: Mapping[str, object] = field(default_factory=dict)


@dataclass
class AnnotationContext:
    """What the conversation knows when a line is annotated."""

    control_peer: str | None = None
    control_local: str | None = None
    mode: str | None = None
    last_command: str | None = None
    pasv_policy: PasvPolicy = PasvPolicy.AUTO
    tls: bool = False
    data_endpoint: str | None = None
    #: the last PASV/EPSV/PORT/EPRT sent: EPSV carries no address, so no NAT setting
    #: can be to blame for its connection
    data_command: str | None = None


# --------------------------------------------------------------------------- rendering

_SECRET_VERBS = ("PASS", "ACCT")


_VERB_RE = re.compile(r"\s*([A-Za-z]+)")


@functools.cache
def _control_re() -> re.Pattern[str]:
    """Compiled on first need (a line that is not all printable): ~0.5 ms at start-up."""
    return re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _has_control(line: str) -> bool:
    """Whether ``line`` holds a character that must be shown escaped; every one of them
    is a character ``str.isprintable()`` rejects, so printable lines skip the search."""
    return not line.isprintable() and _control_re().search(line) is not None


def _verb(line: str) -> str:
    """The command verb, upper case ('' when the line does not start with letters).

    Ends at any non-letter, so ``PASS\tsecret`` is still recognised as PASS.
    """
    match = _VERB_RE.match(line)
    return match.group(1).upper() if match else ""


def render_line(line: str) -> str:
    """The line as it may be shown: secrets redacted, control characters escaped.

    ``PASS`` and ``ACCT`` always become a fixed ``PASS ****`` / ``ACCT ****`` whatever
    the length of the secret, so not even its length leaks. A trailing CR LF is dropped.
    """
    verb = _verb(line)
    if verb in _SECRET_VERBS:
        return f"{verb} ****"
    line = line.rstrip("\r\n")
    if not _has_control(line):
        return line
    return escape_control(line)


def _control_character_note(line: str) -> list[Annotation]:
    stripped = line.rstrip("\r\n")
    if not _has_control(stripped):
        return []
    return [
        Annotation(
            Severity.WARNING,
            "this line contains control characters (shown escaped, e.g. \\x1b); a server "
            "that sends them is broken or is trying to steer your terminal",
            {"kind": "control-characters"},
        )
    ]


# --------------------------------------------------------------------------- dispatch


def _sent(line: str, ctx: AnnotationContext) -> list[Annotation]:
    verb = _verb(line)
    if verb in ("PORT", "EPRT"):
        return _wrap(port_sent(line, ctx, verb))
    if verb in _SECRET_VERBS:
        return [_secret_sent(verb, ctx)]
    if verb == "EPSV" and line.split()[1:2] == ["ALL"]:
        return [
            Annotation(
                Severity.INFO,
                "EPSV ALL (RFC 2428): the client promises to use only EPSV from now on; "
                "the server will refuse PORT, EPRT and PASV on this connection (a hint for "
                "NAT devices that they need not rewrite anything)",
                {"kind": "epsv-all"},
            )
        ]
    return _control_character_note(line)


def _secret_sent(verb: str, ctx: AnnotationContext) -> Annotation:
    """PASS/ACCT: never shown; say when it crossed a network unencrypted."""
    text = f"{verb} carries a secret; it is never shown"
    severity = Severity.INFO
    peer = known_address(ctx.control_peer)
    if not ctx.tls and peer and classify(peer) is not AddressClass.LOOPBACK:
        text += (
            ". This control connection is not encrypted, so it crossed the network in "
            "clear text; use FTPS (AUTH TLS) where the server offers it"
        )
        severity = Severity.WARNING
    return Annotation(severity, text, {"kind": "credentials"})


def _reply_code(line: str) -> int | None:
    if len(line) >= 3 and line[:3].isdigit() and (len(line) == 3 or line[3] in " -"):
        return int(line[:3])
    return None


def annotate(line: str, direction: Direction, context: AnnotationContext) -> list[Annotation]:
    """Annotations for one control line (pure; ``context`` is only read).

    A received multi-line reply may be passed as its first line; continuation lines
    without a code get only the control-character check.
    """
    if direction is Direction.SENT:
        return _sent(line, context)
    code = _reply_code(line)
    notes = _control_character_note(line)
    if code is None:
        return notes
    if code == 227:
        meanings = pasv_received(line[4:], context)
    elif code == 229:
        meanings = epsv_received(line[4:], context)
    else:
        meanings = explain_reply(code, line[4:], context)
    if not meanings:
        return notes
    return _wrap(meanings) + notes


_SEVERITY = {"info": Severity.INFO, "warning": Severity.WARNING, "error": Severity.ERROR}


def _wrap(meanings: list[Meaning]) -> list[Annotation]:
    return [Annotation(_SEVERITY[sev], text, fields) for sev, text, fields in meanings]


class Annotator:
    """Annotates one conversation, keeping what the lines so far have taught it.

    Updates ``context.last_command`` on every sent line, ``mode`` on PASV/EPSV/PORT/EPRT
    and ``data_endpoint`` on each decoded data address.
    """

    def __init__(self, context: AnnotationContext | None = None) -> None:
        self.context = context if context is not None else AnnotationContext()

    def sent(self, line: str) -> list[Annotation]:
        notes = annotate(line, Direction.SENT, self.context)
        verb = _verb(line)
        self.context.last_command = verb or None
        if verb in ("PASV", "EPSV"):
            self.context.mode = "passive"
            self.context.data_command = verb
        elif verb in ("PORT", "EPRT"):
            self.context.mode = "active"
            self.context.data_command = verb
            self._remember_endpoint(notes)
        return notes

    def received(self, reply_or_line: Reply | str) -> list[Annotation]:
        """Accepts a complete :class:`~client.protocol.replies.Reply` or one line.

        A multi-line reply is annotated as one line (its lines joined with spaces), so
        an address on a later line is still found.
        """
        if isinstance(reply_or_line, Reply):
            code: int | None = reply_or_line.code
            line = f"{code} " + " ".join(reply_or_line.text.split("\n"))
        else:
            line = reply_or_line
            code = _reply_code(line)
        notes = annotate(line, Direction.RECEIVED, self.context)
        if code == 234:
            self.context.tls = True
        if code in (227, 229):
            self.context.mode = "passive"
            self.context.data_command = "PASV" if code == 227 else "EPSV"
            self._remember_endpoint(notes)
        return notes

    def track_sent(self, line: str) -> None:
        """What :meth:`sent` learns from ``line``, without annotating it (nobody shows
        this line): the next lines are still explained in the right context."""
        verb = _verb(line)
        self.context.last_command = verb or None
        if verb in ("PASV", "EPSV", "PORT", "EPRT"):
            self.context.mode = "passive" if verb in ("PASV", "EPSV") else "active"
            self.context.data_command = verb
            self.context.data_endpoint = None  # decoded only when annotated

    def track_received(self, reply: Reply) -> None:
        """What :meth:`received` learns from ``reply``, without annotating it."""
        code = reply.code
        if code == 234:
            self.context.tls = True
        elif code in (227, 229):
            self.context.mode = "passive"
            self.context.data_command = "PASV" if code == 227 else "EPSV"
            self.context.data_endpoint = None

    def _remember_endpoint(self, notes: list[Annotation]) -> None:
        for note in notes:
            kind = note.fields.get("kind")
            if kind in ("pasv", "epsv", "port", "eprt"):
                host = note.fields.get("use_host") or note.fields.get("host")
                port = note.fields.get("port")
                if host is None:
                    self.context.data_endpoint = f"<control peer>:{port}"
                elif ":" in str(host):
                    self.context.data_endpoint = f"[{host}]:{port}"
                else:
                    self.context.data_endpoint = f"{host}:{port}"
                return

