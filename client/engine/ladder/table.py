"""The data-channel table: one row per data connection of a session, Qt-free.

The GUI's data-channel panel shows these rows and exports them as CSV; the CLI can
print the same. Columns answer the questions asked when a listing hangs: which command,
which method, what the server advertised, what we actually dialled and why, who opened
the connection, how long each phase took, how many bytes, and how it ended.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from client.engine.events import DataPhase
from client.engine.ladder.items import DataArrow, DataState, Side
from client.engine.ladder.model import LadderModel
from client.engine.ratelimit import format_limit

__all__ = ["ChannelRow", "COLUMNS", "channel_row", "channel_rows", "rows_to_csv"]

# (key, header) in display order; the CSV uses the same headers.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("channel", "#"),
    ("command", "Command"),
    ("mode", "Mode / method"),
    ("advertised", "Advertised"),
    ("used", "Address used"),
    ("why", "Why"),
    ("initiator", "Initiator"),
    ("connect_time", "Connect (s)"),
    ("first_byte_time", "First byte (s)"),
    ("duration", "Duration (s)"),
    ("bytes", "Bytes"),
    ("limit", "Speed limit"),
    ("outcome", "Outcome"),
    ("phases", "Phase times (s)"),
)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """One data connection as table cells (strings, except ``bytes``)."""

    item_index: int
    channel: int
    command: str
    mode: str
    advertised: str
    used: str
    why: str
    initiator: str
    connect_time: str
    first_byte_time: str
    duration: str
    bytes: int
    outcome: str
    state: DataState
    phases: str = ""
    limit: str = ""  # the speed limit in effect ("500K/s"), empty when none

    def cell(self, key: str) -> str | int:
        return getattr(self, key)


def _since(arrow: DataArrow, phase: DataPhase) -> str:
    t = arrow.time_of(phase)
    return "" if t is None else f"{t - arrow.t:.3f}"


def _used(arrow: DataArrow) -> str:
    """The address the TCP connection went to (the acceptor's end)."""
    end = arrow.acceptor_end
    if end is not None:
        return str(end)
    return ""


def _why(arrow: DataArrow) -> str:
    if arrow.address_note:
        return arrow.address_note
    if arrow.source is Side.SERVER:
        return "active mode: the server dials our listener"
    if arrow.method == "EPSV":
        return "EPSV: the control connection's host, the port from 229"
    if arrow.advertised is not None and arrow.server_end == arrow.advertised:
        return "as advertised"
    return ""


def _phases(arrow: DataArrow) -> str:
    """Every phase with its time since the connection's first event:
    ``advertised 0.000, connecting 0.001, connected 0.002, first-byte 0.004, closed 0.005``."""
    return ", ".join(f"{phase.value} {t - arrow.t:.3f}" for phase, t in arrow.phase_times)


def channel_row(arrow: DataArrow, now: float | None = None) -> ChannelRow:
    mode = "passive" if arrow.source is Side.CLIENT else "active"
    if arrow.method is None:
        mode = "control connection"
    method = f"{mode} / {arrow.method}" if arrow.method else mode
    connected = arrow.time_of(DataPhase.CONNECTED)
    outcome = arrow.status_text(now)
    if arrow.state is DataState.FAILED and arrow.reason:
        outcome += f" ({arrow.reason})"
    return ChannelRow(
        item_index=arrow.index,
        channel=arrow.channel,
        command=arrow.command,
        mode=method,
        advertised=str(arrow.advertised) if arrow.advertised else "",
        used=_used(arrow),
        why=_why(arrow),
        initiator=arrow.initiator,
        connect_time="" if connected is None else f"{connected - arrow.t:.3f}",
        first_byte_time=_since(arrow, DataPhase.FIRST_BYTE),
        duration="" if arrow.end_t is None else f"{arrow.end_t - arrow.t:.3f}",
        bytes=arrow.bytes,
        outcome=outcome,
        state=arrow.state,
        phases=_phases(arrow),
        limit=f"{format_limit(arrow.rate_limit)}/s" if arrow.rate_limit else "",
    )


def channel_rows(model: LadderModel, now: float | None = None) -> list[ChannelRow]:
    return [channel_row(arrow, now) for arrow in model.data_arrows()]


def rows_to_csv(rows: list[ChannelRow]) -> str:
    """CSV with a header row; cells are already display-safe (escaped by the model).

    Cells starting with ``=``, ``+``, ``-`` or ``@`` are prefixed with ``'`` so that a
    spreadsheet does not run a formula a server slipped into a command or a reason.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header for _, header in COLUMNS])
    for row in rows:
        writer.writerow([_defuse(row.cell(key)) for key, _ in COLUMNS])
    return out.getvalue()


def _defuse(value: str | int) -> str | int:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
