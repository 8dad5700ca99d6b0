"""Ladder items for SSH and SFTP events: an SFTP session is one connection, so every
item is an arrow or a note on that connection's two lifelines. There are no data
arrows: listings and transfers are requests inside the SSH connection (the READ/WRITE
requests of a transfer are drawn as one request and one answer, with their count and
bytes), which is what the diagram shows beside an FTP session's data connections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from client.engine.events import EngineEvent
from client.engine.ladder.items import ControlArrow, LadderItem, NoteMark, Side, format_bytes
from client.engine.sftp.events import (
    AuthOutcome,
    HostKeyDecision,
    SftpRequest,
    SshAlgorithms,
    SshAuthAttempt,
    SshHostKeyChecked,
    SshVersionExchange,
)
from client.protocol.annotate import Severity
from client.protocol.text import escape_control

__all__ = ["sftp_items", "ONE_CONNECTION_NOTE", "SftpTally"]

ONE_CONNECTION_NOTE = ("SFTP: every listing and transfer below travels inside this one SSH "
                       "connection (no data connections, no passive/active mode)")
_REFUSED = (HostKeyDecision.REFUSED_UNKNOWN, HostKeyDecision.REFUSED_CHANGED)


def _arrow(event: EngineEvent, index: int, event_index: int, source: Side, label: str,
           *, decoded: tuple[str, ...] = (), severity: Severity = Severity.INFO,
           annotations: tuple[str, ...] = ()) -> ControlArrow:
    return ControlArrow(index=index, event_index=event_index, t=event.t,
                        connection=event.connection, source=source,
                        label=escape_control(label), decoded=decoded,
                        annotations=tuple(escape_control(a) for a in annotations),
                        severity=severity)


def _note(event: EngineEvent, index: int, event_index: int, text: str,
          severity: Severity = Severity.INFO, kind: str = "ssh") -> NoteMark:
    return NoteMark(index=index, event_index=event_index, t=event.t,
                    connection=event.connection, text=escape_control(text),
                    severity=severity, kind=kind)


def sftp_items(event: EngineEvent, index: int, event_index: int) -> list[LadderItem]:
    """The items for one SSH/SFTP event (``index`` is the first one's place)."""
    if isinstance(event, SshVersionExchange):
        return [_arrow(event, index, event_index, Side.CLIENT, event.client_version),
                _arrow(event, index + 1, event_index, Side.SERVER, event.server_version)]
    if isinstance(event, SshAlgorithms):
        return [_note(event, index, event_index,
                      f"key exchange {event.kex}, host key {event.host_key}, cipher "
                      f"{event.cipher_cs}")]
    if isinstance(event, SshHostKeyChecked):
        refused = event.decision in _REFUSED
        severity = Severity.ERROR if refused else (
            Severity.WARNING if event.decision is not HostKeyDecision.ACCEPTED
            else Severity.INFO)
        return [_note(event, index, event_index,
                      f"host key {event.fingerprint}: {event.decision.value}", severity)]
    if isinstance(event, SshAuthAttempt):
        if event.outcome is AuthOutcome.UNUSABLE:
            return [_note(event, index, event_index,
                          f"{event.method} not sent: {event.reason or 'unusable'}",
                          Severity.WARNING)]
        accepted = event.outcome is AuthOutcome.ACCEPTED
        return [_arrow(event, index, event_index, Side.CLIENT,
                       f"USERAUTH {event.method}", annotations=(event.detail,)),
                _arrow(event, index + 1, event_index, Side.SERVER,
                       "SUCCESS" if accepted else "FAILURE",
                       severity=Severity.INFO if accepted else Severity.WARNING)]
    if isinstance(event, SftpRequest):
        return _request_items(event, index, event_index)
    return []


def _request_items(event: SftpRequest, index: int, event_index: int) -> list[LadderItem]:
    items: list[LadderItem] = []
    if event.request == "INIT":
        items.append(_note(event, index, event_index, ONE_CONNECTION_NOTE, kind="sftp"))
    label = f"{event.request} {event.argument}".rstrip()
    decoded: tuple[str, ...] = ()
    if event.count > 1 or event.bytes:
        label += f" ×{event.count}"
        decoded = (f"{format_bytes(event.bytes)} inside the SSH connection",)
    items.append(_arrow(event, index + len(items), event_index, Side.CLIENT, label,
                        decoded=decoded if event.request == "WRITE" else ()))
    answer = event.result or "ok"
    annotations = (f"{event.status_name}: {event.meaning}",) if event.failed else ()
    items.append(_arrow(event, index + len(items), event_index, Side.SERVER, answer,
                        decoded=decoded if event.request != "WRITE" else (),
                        severity=Severity.ERROR if event.failed else Severity.INFO,
                        annotations=annotations))
    return items


@dataclass
class SftpTally:
    """What the SSH connections of a diagram carried, for the line under it (the FTP
    diagram's data-connection summary has nothing to say about SFTP)."""

    connections: set[str] = field(default_factory=set)
    requests: int = 0
    refused: int = 0
    bytes: int = 0

    def add(self, event: EngineEvent) -> None:
        self.connections.add(event.connection)
        if isinstance(event, SftpRequest):
            self.requests += event.count
            self.refused += 1 if event.failed else 0
            self.bytes += event.bytes

    def footer(self) -> tuple[str, ...] | None:
        """The summary and legend under an SFTP diagram; None without SSH events."""
        if not self.connections:
            return None
        count = len(self.connections)
        ssh = "1 SSH connection" if count == 1 else f"{count} SSH connections"
        carried = f"{self.requests} SFTP request{'' if self.requests == 1 else 's'}"
        if self.refused:
            carried += f" ({self.refused} refused)"
        if self.bytes:
            carried += f", {format_bytes(self.bytes)} of file data"
        return (f"SFTP: {ssh} carried {carried}.",
                "data connections: none, and none needed: SFTP sends listings and files "
                "inside the SSH connection, so there is no passive/active mode and no data "
                "port to open or forward.",
                "legend: --> SSH message or SFTP request  <-- the server's answer",
                "        * note  !! error")
