"""Engine events -> console lines (no Qt): what the protocol console shows and exports.

One :class:`ConsoleLine` per control line (a multi-line reply gives one line per wire
line, the annotations attached to its last line), per data-channel phase, per notice and
per session milestone. Text is already safe to show: control characters escaped, PASS
and ACCT arguments redacted (the engine redacts too; this is the second lock).
PORT/EPRT/227/229 lines carry ``inline``: the decoded address and the port arithmetic.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from client.engine.events import (
    DataChannelEvent,
    DataPhase,
    EngineEvent,
    LineSent,
    Notice,
    ProxyEvent,
    ProxyPhase,
    ReplyReceived,
    SessionStateChanged,
    TlsEstablished,
    TransferProgress,
)
from client.engine.sftp.events import SFTP_EVENT_TYPES
from client.engine.transcript import proxy_text
from client.protocol.addresses import (
    parse_227,
    parse_229,
    parse_eprt_argument,
    parse_port_argument,
)
from client.protocol.annotate import Annotation, Severity, render_line
from client.protocol.text import escape_control


def sftp_lines(event: EngineEvent, base: dict[str, object]) -> list[ConsoleLine] | None:
    """SSH/SFTP events (:mod:`client.ui.console.sftp_lines`, imported late: it builds
    on this module's ConsoleLine)."""
    from client.ui.console.sftp_lines import sftp_lines as lines_of

    return lines_of(event, base)


__all__ = ["ConsoleKind", "ConsoleLine", "lines_from_event", "redact_command", "inline_address"]


class ConsoleKind(enum.Enum):
    COMMAND = "command"
    REPLY = "reply"
    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"
    DATA = "data"


@dataclass(frozen=True, slots=True)
class ConsoleLine:
    """One row of the console. ``t`` is seconds since the session's origin, ``wall`` the
    wall-clock time (epoch seconds) for timestamps and exports."""

    kind: ConsoleKind
    text: str
    t: float
    wall: float
    connection: str
    inline: str = ""
    annotations: tuple[tuple[str, str], ...] = ()  # (severity value, escaped text)
    channel: int | None = None

    @property
    def severity(self) -> str:
        if self.kind is ConsoleKind.ERROR:
            return "error"
        if self.kind is ConsoleKind.WARNING:
            return "warning"
        return max((a[0] for a in self.annotations), key=_rank, default="info")


def _rank(severity: str) -> int:
    return {"info": 0, "warning": 1, "error": 2}.get(severity, 0)


def redact_command(text: str) -> str:
    """``PASS hunter2`` -> ``PASS ****`` (also ACCT, also ``PASS\x00secret``), control
    characters escaped: the protocol layer's one rendering rule for sent lines."""
    return render_line(text)


def inline_address(annotations: tuple[Annotation, ...], line: str = "") -> str:
    """The decoded address of a PORT/EPRT/227/229 line with its arithmetic, e.g.
    ``→ 10.0.0.5:50000  (195*256+80 = 50000)``; empty for other lines. A 229 names no
    host: the address dialled is the control connection's peer, which the annotator
    knows once connected (``use_host``): ``→ 127.0.0.1:47981  (the control
    connection's host)``."""
    for annotation in annotations:
        fields: Mapping[str, object] = annotation.fields or {}
        if "port" not in fields or fields.get("kind") not in (
            "pasv", "epsv", "port", "eprt", "227", "229", "PASV", "EPSV", "PORT", "EPRT"
        ):
            continue
        text = _address_text(fields.get("host"), fields.get("use_host"), fields["port"])
        if fields.get("arithmetic"):
            text += f"  ({fields['arithmetic']})"
        if fields.get("replaced") and fields.get("use_host"):
            text += f"  dialling {fields['use_host']} instead"
        return escape_control(text)
    return _decode_fallback(line)


def _hostport(host: str, port: object) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _address_text(host: object, peer: object, port: object) -> str:
    """``→ host:port``; for a line without a host (229), the control connection's peer
    when it is known, else the port alone."""
    if host:
        return f"→ {_hostport(str(host), port)}"
    if peer:
        return f"→ {_hostport(str(peer), port)}  (the control connection's host)"
    return f"→ port {port} on the control connection's host"


def _decode_fallback(line: str) -> str:
    """Decode with the protocol layer when the engine sent no structured annotation."""
    upper = line.upper()
    try:
        if upper.startswith("227"):
            address = parse_227(line[4:])
        elif upper.startswith("229"):
            address = parse_229(line[4:])
        elif upper.startswith("PORT "):
            address = parse_port_argument(line[5:].strip())
        elif upper.startswith("EPRT "):
            address = parse_eprt_argument(line[5:].strip())
        else:
            return ""
    except Exception:  # noqa: BLE001 - a malformed address is the annotator's to explain
        return ""
    text = _address_text(address.host, None, address.port)
    if getattr(address, "arithmetic", None):
        text += f"  ({address.arithmetic})"
    return escape_control(text)


def _annotations(items: tuple[Annotation, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        severity = item.severity.value if isinstance(item.severity, Severity) else str(item.severity)
        out.append((severity, escape_control(item.text)))
    return tuple(out)


_NOTICE_KIND = {"info": ConsoleKind.NOTE, "warning": ConsoleKind.WARNING, "error": ConsoleKind.ERROR}

_PHASE_TEXT = {
    DataPhase.ADVERTISED: "advertised",
    DataPhase.LISTENING: "listening for the server",
    DataPhase.CONNECTING: "connecting",
    DataPhase.CONNECTED: "connected",
    DataPhase.TLS_HANDSHAKE: "TLS handshake",
    DataPhase.TLS_ESTABLISHED: "TLS established",
    DataPhase.FIRST_BYTE: "first byte",
    DataPhase.CLOSED: "closed",
    DataPhase.FAILED: "FAILED",
}


def lines_from_event(event: EngineEvent, wall_origin: float) -> list[ConsoleLine]:
    """The console lines for one engine event (often one, sometimes none)."""
    wall = wall_origin + event.t
    base = {"t": event.t, "wall": wall, "connection": event.connection}
    if isinstance(event, LineSent):
        text = escape_control(redact_command(event.text))
        return [ConsoleLine(ConsoleKind.COMMAND, text, inline=inline_address(event.annotations, text),
                            annotations=_annotations(event.annotations), **base)]
    if isinstance(event, ReplyReceived):
        reply = event.reply
        kind = ConsoleKind.ERROR if reply.is_error else ConsoleKind.REPLY
        wire = reply.lines or (str(reply.code),)
        out = [ConsoleLine(kind, escape_control(line), **base) for line in wire[:-1]]
        last = escape_control(wire[-1])
        out.append(ConsoleLine(kind, last, inline=inline_address(event.annotations, wire[0]),
                               annotations=_annotations(event.annotations), **base))
        return out
    if isinstance(event, DataChannelEvent):
        return [_data_line(event, base)]
    if isinstance(event, Notice):
        severity = event.severity.value if isinstance(event.severity, Severity) else str(event.severity)
        return [ConsoleLine(_NOTICE_KIND.get(severity, ConsoleKind.NOTE), escape_control(event.text),
                            **base)]
    if isinstance(event, SessionStateChanged):
        text = f"Session {event.state.value}"
        if event.server is not None:
            text += f" — server {event.server}"
        if event.local is not None:
            text += f", local {event.local}"
        if event.detail:
            text += f": {event.detail}"
        kind = ConsoleKind.ERROR if event.state.value == "failed" else ConsoleKind.NOTE
        return [ConsoleLine(kind, escape_control(text), **base)]
    if isinstance(event, ProxyEvent):
        kind = ConsoleKind.ERROR if event.phase is ProxyPhase.FAILED else ConsoleKind.NOTE
        return [ConsoleLine(kind, escape_control(proxy_text(event)), **base)]
    if isinstance(event, TlsEstablished):
        where = "control connection" if event.channel is None else f"data #{event.channel}"
        text = (f"TLS {event.version} on the {where} ({event.cipher}); session reused: "
                f"{'yes' if event.session_reused else 'no'}")
        return [ConsoleLine(ConsoleKind.NOTE, escape_control(text), **base)]
    if isinstance(event, SFTP_EVENT_TYPES):
        return sftp_lines(event, base) or []
    if isinstance(event, TransferProgress) and event.done:
        text = f"{event.direction.capitalize()} finished: {event.remote_path} ({event.bytes_done} bytes)"
        return [ConsoleLine(ConsoleKind.NOTE, escape_control(text), **base)]
    return []


def _data_line(event: DataChannelEvent, base: dict[str, object]) -> ConsoleLine:
    who = "client dials server" if event.initiator == "client" else "server dials client"
    method = event.method or "control connection"
    parts = [f"data #{event.channel} {event.command}: {_PHASE_TEXT.get(event.phase, event.phase.value)}"]
    if event.phase is DataPhase.ADVERTISED and event.advertised is not None:
        parts.append(f"{method} advertised {event.advertised}")
    if event.local is not None and event.remote is not None:
        arrow = f"{event.local} → {event.remote}" if event.initiator == "client" else \
            f"{event.remote} → {event.local}"
        parts.append(f"{arrow} ({who}, {method})")
    if event.address_note:
        parts.append(event.address_note)
    if event.phase is DataPhase.CLOSED:
        parts.append(f"{event.bytes} bytes in {event.elapsed:.2f} s")
    if event.failure is not None:
        parts.append(f"{event.failure.value} after {event.elapsed:.1f} s")
    if event.reason:
        parts.append(event.reason)
    kind = ConsoleKind.ERROR if event.phase is DataPhase.FAILED else ConsoleKind.DATA
    return ConsoleLine(kind, escape_control(" — ".join(parts)), channel=event.channel,
                       **base)  # type: ignore[arg-type]
