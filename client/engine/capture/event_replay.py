"""A control conversation from a capture turned into the engine's own events.

The lines go through the same annotator as a live session (PORT/227 decoded with
``p1*256+p2``, PASS redacted by :func:`~client.protocol.annotate.render_line`), and each
data connection a PASV/EPSV/PORT/EPRT announced becomes a :class:`DataSetup` waiting to
be matched with the TCP connection that served it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from client.engine.capture.control_stream import ControlItem, ControlStream, ItemKind
from client.engine.events import (
    Endpoint,
    EngineEvent,
    LineSent,
    Notice,
    ReplyReceived,
    SessionState,
    SessionStateChanged,
)
from client.protocol.annotate import Annotation, AnnotationContext, Annotator, Severity, render_line
from client.protocol.replies import Reply

__all__ = ["DataSetup", "Conversation", "replay_conversation", "TRANSFER_VERBS"]

TRANSFER_VERBS = frozenset({"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"})
_ADDRESS_KINDS = ("pasv", "epsv", "port", "eprt")


@dataclass
class DataSetup:
    """One announced data connection and what the control connection said about it.
    ``t`` is capture time (seconds since the first packet)."""

    connection: str
    method: str
    t: float
    advertised: Endpoint
    host_given: bool  # False for 229, which names only a port
    client_host: str
    server_host: str
    command: str | None = None
    command_t: float | None = None
    replies: list[tuple[float, Reply]] = field(default_factory=list)
    refused: Reply | None = None  # the setup command itself was refused (5xx to PORT)

    @property
    def passive(self) -> bool:
        return self.method in ("PASV", "EPSV")

    @property
    def final(self) -> tuple[float, Reply] | None:
        """The completion reply to the transfer command (226, 425, 550 …)."""
        for t, reply in self.replies:
            if not reply.is_preliminary:
                return t, reply
        return None


@dataclass
class Conversation:
    """The events of one control connection and the data connections it announced."""

    name: str
    stream: ControlStream
    events: list[EngineEvent]
    setups: list[DataSetup]
    login_failed: Reply | None = None
    opaque_since: float | None = None

    @property
    def last_t(self) -> float:
        """The time of the conversation's last line (a data connection after it is not
        this conversation's)."""
        return self.events[-1].t if self.events else 0.0


def _address(notes: list[Annotation]) -> tuple[str | None, int] | None:
    for note in notes:
        if note.fields.get("kind") in _ADDRESS_KINDS:
            host = note.fields.get("host")
            port = note.fields.get("port")
            if isinstance(port, int):
                return (host if isinstance(host, str) else None), port
    return None


class _Replayer:
    def __init__(self, name: str, stream: ControlStream, origin: float) -> None:
        self.name = name
        self.stream = stream
        self.origin = origin
        self.events: list[EngineEvent] = []
        self.setups: list[DataSetup] = []
        self.annotator = Annotator(AnnotationContext(control_peer=stream.server.host,
                                                     control_local=stream.client.host))
        self.last_verb: str | None = None
        self.pending: DataSetup | None = None  # announced, waiting for its command
        self.serving: DataSetup | None = None  # its command sent, waiting for replies
        self.login_failed: Reply | None = None

    def run(self) -> Conversation:
        stream = self.stream
        start = stream.first_t - self.origin
        self.events.append(SessionStateChanged(
            t=start, connection=self.name, state=SessionState.CONNECTING, detail="connected",
            server=stream.server, local=stream.client))
        if not stream.from_start:
            self.notice(start, Severity.WARNING,
                         "the capture starts in the middle of this control connection (no "
                         "SYN, no 220 banner): what was said before is not in the capture")
        for item in stream.items:
            self._item(item)
        stream.items.clear()  # the events hold it all now; a long session is big
        if stream.missed:
            self.notice(self.events[-1].t, Severity.WARNING,
                         f"{stream.missed} bytes of this control connection are missing from "
                         "the capture (packets lost): some lines may be incomplete")
        opaque = None if stream.opaque_since is None else stream.opaque_since - self.origin
        return Conversation(self.name, stream, self.events, self.setups, self.login_failed,
                            opaque)

    def notice(self, t: float, severity: Severity, text: str, kind: str = "capture") -> None:
        self.events.append(Notice(t=t, connection=self.name, severity=severity, text=text,
                                  kind=kind))

    def _item(self, item: ControlItem) -> None:
        t = item.t - self.origin
        if item.kind is ItemKind.COMMAND:
            self._command(t, item.line)
        elif item.kind is ItemKind.REPLY and item.reply is not None:
            self._reply(t, item.reply)
        elif item.kind is ItemKind.OPAQUE:
            self.notice(t, Severity.WARNING,
                         "AUTH TLS accepted: from here the control connection is encrypted. "
                         "Its commands and replies (and the 227/229 addresses) cannot be read "
                         "from the capture; the data connections below are what TCP shows, "
                         "and which command each one served is a guess", kind="tls")
        else:
            self.notice(t, Severity.WARNING, f"not an FTP reply: {item.line}")

    def _command(self, t: float, line: str) -> None:
        notes = self.annotator.sent(line)
        self.events.append(LineSent(t=t, connection=self.name, text=render_line(line),
                                    annotations=tuple(notes)))
        verb = line.split(" ", 1)[0].upper()
        self.last_verb = verb
        if verb in ("PORT", "EPRT"):
            found = _address(notes)
            if found is not None:
                host, port = found
                self._setup(t, verb, host or self.stream.client.host, port, host is not None)
        elif verb in TRANSFER_VERBS and self.pending is not None:
            self.pending.command = render_line(line)
            self.pending.command_t = t
            self.serving, self.pending = self.pending, None

    def _setup(self, t: float, method: str, host: str, port: int, given: bool) -> None:
        if self.pending is not None and self.pending.method in ("PASV", "EPSV") and \
                method in ("PASV", "EPSV"):
            self.setups.remove(self.pending)  # superseded before use: a client dials the latest
        self.pending = DataSetup(self.name, method, t, Endpoint(host, port), given,
                                 self.stream.client.host, self.stream.server.host)
        self.setups.append(self.pending)

    def _reply(self, t: float, reply: Reply) -> None:
        notes = self.annotator.received(reply)
        self.events.append(ReplyReceived(t=t, connection=self.name, reply=reply,
                                         annotations=tuple(notes)))
        verb = self.last_verb
        if verb == "PASS" and reply.code == 530:
            self.login_failed = reply
        if reply.code in (227, 229) and verb in ("PASV", "EPSV"):
            found = _address(notes)
            if found is not None:
                host, port = found
                self._setup(t, verb, host or self.stream.server.host, port, host is not None)
        elif verb in ("PORT", "EPRT") and reply.is_error and self.pending is not None:
            self.pending.refused = reply
            self.pending = None
        elif self.serving is not None and verb in TRANSFER_VERBS:
            self.serving.replies.append((t, reply))
            if not reply.is_preliminary:
                self.serving = None


def replay_conversation(name: str, stream: ControlStream, origin: float) -> Conversation:
    """Events and data setups of one control connection (times relative to ``origin``)."""
    return _Replayer(name, stream, origin).run()
