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

The knowledge of what each reply means lives in :mod:`client.protocol.reply_meanings`;
this module dispatches, keeps the conversation state and handles the address lines.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from client.protocol.addresses import (
    AddressClass,
    DataAddress,
    PasvPolicy,
    classify,
    decide_pasv_address,
    parse_227,
    parse_229,
    parse_eprt_argument,
    parse_port_argument,
)
from client.protocol.errors import AddressFormatError
from client.protocol.replies import Reply
from client.protocol.reply_meanings import explain_reply
from client.protocol.text import escape_control


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


@dataclass(frozen=True, slots=True)
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


# --------------------------------------------------------------------------- rendering

_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SECRET_VERBS = ("PASS", "ACCT")


_VERB_RE = re.compile(r"\s*([A-Za-z]+)")


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
    if _CONTROL_RE.search(line) is None:
        return line
    return escape_control(line)


def _control_character_note(line: str) -> list[Annotation]:
    stripped = line.rstrip("\r\n")
    if _CONTROL_RE.search(stripped) is None:
        return []
    return [
        Annotation(
            Severity.WARNING,
            "this line contains control characters (shown escaped, e.g. \\x1b); a server "
            "that sends them is broken or is trying to steer your terminal",
            {"kind": "control-characters"},
        )
    ]


# --------------------------------------------------------------------------- addresses

_UNREACHABLE = frozenset(
    {
        AddressClass.UNSPECIFIED,
        AddressClass.RESERVED,
        AddressClass.DOCUMENTATION,
        AddressClass.MULTICAST,
    }
)
_INTERNAL = frozenset(
    {
        AddressClass.LOOPBACK,
        AddressClass.PRIVATE,
        AddressClass.CGNAT,
        AddressClass.BENCHMARK,
        AddressClass.ULA,
        AddressClass.LINK_LOCAL,
    }
)


def _address_fields(kind: str, addr: DataAddress, initiator: str) -> dict[str, object]:
    fields: dict[str, object] = {
        "kind": kind,
        "host": addr.host,
        "port": addr.port,
        "initiator": initiator,
    }
    if addr.p1 is not None:
        fields.update(p1=addr.p1, p2=addr.p2, arithmetic=addr.arithmetic)
    if addr.host is not None:
        fields["address_class"] = classify(addr.host).value
    return fields


def _address_error(kind: str, error: AddressFormatError) -> list[Annotation]:
    return [
        Annotation(
            Severity.ERROR,
            f"cannot decode the address: {error}",
            {"kind": "address-error", "for": kind},
        )
    ]


def _port_sent(line: str, ctx: AnnotationContext, verb: str) -> list[Annotation]:
    """PORT/EPRT: the client listens; the server will dial the announced address."""
    kind = verb.lower()
    try:
        addr = parse_port_argument(line) if verb == "PORT" else parse_eprt_argument(line)
    except AddressFormatError as error:
        return _address_error(kind, error)
    assert addr.host is not None
    fields = _address_fields(kind, addr, "server")
    cls = classify(addr.host)
    how = f" ({addr.arithmetic})" if addr.arithmetic else ""
    notes = [
        Annotation(
            Severity.INFO,
            f"active mode: the client listens on {addr.endpoint}{how}; the server will "
            f"connect to it (usually from its port 20) when a transfer command is sent. "
            f"{addr.host} is {cls.description}",
            fields,
        )
    ]
    if cls in _UNREACHABLE:
        notes.append(
            Annotation(
                Severity.ERROR,
                f"the server cannot connect to {addr.host}: {cls.description}. The client "
                "announced the wrong address; use passive mode or fix the active-mode "
                "address setting",
                {"kind": "address-problem", "for": kind, "problem": "unreachable"},
            )
        )
        return notes
    peer = _known_address(ctx.control_peer)
    peer_cls = classify(peer) if peer else None
    if cls in _INTERNAL and peer_cls is not None and peer_cls is not cls:
        notes.append(
            Annotation(
                Severity.WARNING,
                f"{addr.host} is {cls.description} but the server is reached over "
                f"{ctx.control_peer} ({peer_cls.value}): it is not on your network and "
                "cannot connect back to this address unless a router rewrites PORT/EPRT "
                "(an FTP-aware NAT). Use passive mode, or set the external address for "
                "active mode",
                {"kind": "address-problem", "for": kind, "problem": "not-reachable-from-server"},
            )
        )
    if ctx.control_local and _same_host(ctx.control_local, addr.host) is False:
        notes.append(
            Annotation(
                Severity.WARNING,
                f"{verb} announces {addr.host} but the control connection leaves from "
                f"{ctx.control_local}: the server is asked to connect to a different "
                "address than the one it talks to. Many servers refuse that (vsftpd "
                "port_promiscuous=NO answers '500 Illegal PORT command') to stop FXP "
                "bounce attacks",
                {"kind": "address-problem", "for": kind, "problem": "differs-from-control-local"},
            )
        )
    return notes


def _known_address(host: str | None) -> str | None:
    """``host`` if it is an IP address; None for None or a name (the context may hold
    whatever a front end knew; only addresses can be judged)."""
    if host is None:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return host


def _same_host(a: str, b: str) -> bool | None:
    """Whether two addresses are the same host (IPv4-mapped IPv6 unwrapped); None if
    either is not an address."""
    try:
        ia, ib = ipaddress.ip_address(a), ipaddress.ip_address(b)
    except ValueError:
        return None
    if isinstance(ia, ipaddress.IPv6Address) and ia.ipv4_mapped:
        ia = ia.ipv4_mapped
    if isinstance(ib, ipaddress.IPv6Address) and ib.ipv4_mapped:
        ib = ib.ipv4_mapped
    return ia == ib


def _pasv_received(text: str, ctx: AnnotationContext) -> list[Annotation]:
    try:
        addr = parse_227(text)
    except AddressFormatError as error:
        return _address_error("pasv", error)
    assert addr.host is not None
    peer = _known_address(ctx.control_peer)
    decision = decide_pasv_address(addr.host, peer, ctx.pasv_policy)
    fields = _address_fields("pasv", addr, "client")
    fields.update(replaced=decision.replaced, use_host=decision.host, reason=decision.reason)
    dial = f"{decision.host}:{addr.port}"
    text_out = (
        f"passive mode: the server listens on {addr.endpoint} ({addr.arithmetic}); the "
        f"client will connect to {dial}. {decision.reason[0].upper()}{decision.reason[1:]}"
    )
    cls = classify(addr.host)
    if peer is None and cls in _INTERNAL:
        text_out += (
            ". That works only from inside the server's network; if you reach the server "
            "over another address, NAT is not configured on the server (vsftpd "
            "pasv_address, ProFTPD MasqueradeAddress, pure-ftpd ForcePassiveIP)"
        )
    severity = Severity.WARNING if decision.warning else Severity.INFO
    return [Annotation(severity, text_out, fields)]


def _epsv_received(text: str, ctx: AnnotationContext) -> list[Annotation]:
    try:
        addr = parse_229(text)
    except AddressFormatError as error:
        return _address_error("epsv", error)
    fields = _address_fields("epsv", addr, "client")
    fields["use_host"] = ctx.control_peer
    peer = ctx.control_peer or "the address of the control connection"
    return [
        Annotation(
            Severity.INFO,
            f"extended passive mode (RFC 2428): the server listens on port {addr.port} of "
            f"the address you already talk to; the client will connect to {peer} port "
            f"{addr.port}. No address is sent, so NAT cannot garble it; only the port "
            "must be open in the server's firewall",
            fields,
        )
    ]


# --------------------------------------------------------------------------- dispatch


def _sent(line: str, ctx: AnnotationContext) -> list[Annotation]:
    verb = _verb(line)
    if verb in ("PORT", "EPRT"):
        return _port_sent(line, ctx, verb)
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
    peer = _known_address(ctx.control_peer)
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
    handler = _HANDLERS.get(code)
    if handler is not None:
        return handler(line[4:], context) + notes
    meanings = explain_reply(code, line[4:], context)
    if not meanings:
        return notes
    return [Annotation(_SEVERITY[sev], text, fields) for sev, text, fields in meanings] + notes


_SEVERITY = {"info": Severity.INFO, "warning": Severity.WARNING, "error": Severity.ERROR}

_HANDLERS: dict[int, Callable[[str, AnnotationContext], list[Annotation]]] = {
    227: _pasv_received,
    229: _epsv_received,
}


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
        elif verb in ("PORT", "EPRT"):
            self.context.mode = "active"
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
            self._remember_endpoint(notes)
        return notes

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

