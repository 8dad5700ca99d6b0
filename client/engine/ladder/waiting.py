"""What a data connection that makes no progress is waiting for, in words.

The engine fails a data connection only after its data timeout (20 s by default). Long
before that a person watching the diagram wants to know that something is stuck and on
what: a SYN nobody answers, a listener nobody dials, a first byte that never comes.
"""

from __future__ import annotations

from client.engine.events import DataPhase
from client.engine.ladder.items import DataArrow, Side

__all__ = ["waiting_for", "UPLOAD_VERBS"]

UPLOAD_VERBS = frozenset({"STOR", "STOU", "APPE"})


def _verb(command: str) -> str:
    return command.split(" ", 1)[0].upper() if command else ""


def waiting_for(arrow: DataArrow) -> str:
    """A short sentence naming what ``arrow`` waits for, given the phase it reached."""
    phase = arrow.phase
    if phase is DataPhase.ADVERTISED:
        return "the client has not dialled the advertised address yet"
    if phase is DataPhase.LISTENING:
        where = f" on {arrow.client_end}" if arrow.client_end else ""
        return f"the server to connect back to our listener{where}"
    if phase is DataPhase.CONNECTING:
        where = f" {arrow.server_end}" if arrow.server_end else " the server"
        return f"an answer to our SYN from{where} (SYN-ACK)"
    if phase is DataPhase.TLS_HANDSHAKE:
        return "the TLS handshake on the data connection to finish"
    upload = _verb(arrow.command) in UPLOAD_VERBS
    if phase in (DataPhase.CONNECTED, DataPhase.TLS_ESTABLISHED):
        if upload:
            return "the server to accept data"
        if arrow.source is Side.SERVER:
            return "the first byte from the server (it connected, then sent nothing)"
        return "the first byte (the server accepted the connection, then sent nothing)"
    if phase is DataPhase.FIRST_BYTE:
        if upload:
            return "the server to accept more data (stalled mid-transfer)"
        return "more bytes (stalled mid-transfer)"
    return "progress"
