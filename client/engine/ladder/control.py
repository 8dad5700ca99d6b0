"""Building the ladder's control-connection items: command and reply arrows, and the
notes for session states and TLS. Pure functions; the model places what they return.

Every text is made display-safe here: control characters escaped, PASS and ACCT
arguments redacted (the engine redacts PASS already; a diagram fed from a replayed
transcript must not depend on that).
"""

from __future__ import annotations

from client.engine.events import (
    LineSent,
    ReplyReceived,
    SessionState,
    SessionStateChanged,
    TlsEstablished,
)
from client.engine.ladder.items import ControlArrow, Side
from client.engine.ladder.setup import SetupInfo, setup_from_annotations
from client.protocol.annotate import Annotation, Severity, render_line
from client.protocol.text import escape_control

__all__ = ["redact_command", "command_arrow", "reply_arrow", "state_note", "tls_detail"]


_NOTED_STATES = {
    SessionState.CONNECTING,
    SessionState.TLS_HANDSHAKE,
    SessionState.FAILED,
    SessionState.DISCONNECTED,
}


def redact_command(text: str) -> str:
    """Escape control characters and hide the argument of PASS and ACCT (the protocol
    layer's one rendering rule for sent lines)."""
    return render_line(text)


def _max_severity(annotations: tuple[Annotation, ...], floor: Severity) -> Severity:
    best = floor
    for annotation in annotations:
        severity = getattr(annotation, "severity", Severity.INFO)
        if isinstance(severity, Severity) and severity.rank > best.rank:
            best = severity
    return best


def _annotation_texts(annotations: tuple[Annotation, ...]) -> tuple[str, ...]:
    return tuple(escape_control(str(getattr(a, "text", ""))) for a in annotations)


def command_arrow(event: LineSent, index: int,
                  event_index: int) -> tuple[ControlArrow, SetupInfo | None]:
    """The arrow of a sent command, and the data-connection setup it announced
    (PORT/EPRT), if any."""
    setup = setup_from_annotations(event.annotations)
    arrow = ControlArrow(
        index=index, event_index=event_index, t=event.t, connection=event.connection,
        source=Side.CLIENT, label=redact_command(event.text),
        decoded=setup.decoded_lines if setup else (),
        annotations=_annotation_texts(event.annotations),
        severity=_max_severity(event.annotations, Severity.INFO),
    )
    return arrow, setup


def reply_arrow(event: ReplyReceived, index: int,
                event_index: int) -> tuple[ControlArrow, SetupInfo | None]:
    """The arrow of a reply (its first line; the others are counted), and the setup a
    227/229 announced, if any. 4xx replies are at least warnings, 5xx errors."""
    reply = event.reply
    first = reply.lines[0] if reply.lines else str(reply.code)
    floor = Severity.ERROR if reply.category == 5 else (
        Severity.WARNING if reply.category == 4 else Severity.INFO)
    setup = setup_from_annotations(event.annotations)
    arrow = ControlArrow(
        index=index, event_index=event_index, t=event.t, connection=event.connection,
        source=Side.SERVER, label=escape_control(first), code=reply.code,
        decoded=setup.decoded_lines if setup else (),
        annotations=_annotation_texts(event.annotations),
        severity=_max_severity(event.annotations, floor),
        extra_lines=max(0, len(reply.lines) - 1),
    )
    return arrow, setup


def state_note(event: SessionStateChanged) -> tuple[str, Severity] | None:
    """The note for a session state worth showing (connecting, connected, TLS
    handshake, failed, disconnected); None for the busy/ready churn."""
    if event.state not in _NOTED_STATES:
        return None
    if event.state is SessionState.CONNECTING and event.detail == "connected":
        return (f"connected to {event.server}" if event.server else "connected"), Severity.INFO
    if event.state is SessionState.CONNECTING:
        text = f"connecting to {event.server}" if event.server else "connecting"
    elif event.state is SessionState.TLS_HANDSHAKE:
        text = "TLS handshake on the control connection"
    elif event.state is SessionState.FAILED:
        text = "session failed"
    else:
        text = "disconnected"
    if event.detail:
        text += f": {escape_control(event.detail)}"
    severity = Severity.ERROR if event.state is SessionState.FAILED else Severity.INFO
    return text, severity


def tls_detail(event: TlsEstablished) -> str:
    """``TLSv1.3 TLS_AES_256_GCM_SHA384 (session reused)``."""
    reused = "session reused" if event.session_reused else "new session"
    return f"{escape_control(event.version)} {escape_control(event.cipher)} ({reused})"
