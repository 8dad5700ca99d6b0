"""The things a ladder (sequence) diagram shows, as frozen values.

A ladder has two lifelines, Client and Server. Control commands and replies are thin
horizontal arrows; each data connection is one thick arrow drawn from the side that
opened it (the client in passive mode, the server in active mode); notices and session
state changes are notes across both lifelines. Every item remembers the index of the
engine event it came from, so a view can select the matching console row and back.

Items are immutable: when a data connection moves to a new phase the model replaces
its item at the same position with an updated copy, so views can hold on to positions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from client.engine.events import DataFailure, DataPhase, Endpoint, TcpEvidence
from client.engine.units import format_bytes, format_rate
from client.protocol.annotate import Severity
from client.protocol.text import escape_control

__all__ = [
    "Side",
    "DataState",
    "ControlArrow",
    "DataArrow",
    "NoteMark",
    "ProxyMark",
    "LadderItem",
    "Lifelines",
    "FAILURE_LABELS",
    "format_bytes",
    "format_rate",
    "format_seconds",
    "format_time_axis",
]


class Side(enum.Enum):
    """A lifeline: where an arrow starts."""

    CLIENT = "client"
    SERVER = "server"

    @property
    def other(self) -> Side:
        return Side.SERVER if self is Side.CLIENT else Side.CLIENT


class DataState(enum.Enum):
    """What a data arrow looks like right now (a coarser view of :class:`DataPhase`,
    plus WAITING, which the engine does not know: it is the model's judgement that a
    connection has made no progress for a few seconds)."""

    SETUP = "setup"  # address advertised (passive) or listener open (active)
    CONNECTING = "connecting"  # SYN sent (passive) / waiting for the server to dial in
    ESTABLISHED = "established"  # TCP (and TLS) up, no data byte yet
    TRANSFERRING = "transferring"  # first byte seen
    WAITING = "waiting"  # no progress for longer than the model's hung threshold
    CLOSED = "closed"
    FAILED = "failed"

    @property
    def is_open(self) -> bool:
        return self not in (DataState.CLOSED, DataState.FAILED)


# Short names of the failure classes, as shown on an arrow and in the table.
FAILURE_LABELS: dict[DataFailure, str] = {
    DataFailure.REFUSED: "refused",
    DataFailure.CONNECT_TIMEOUT: "SYN unanswered",
    DataFailure.SILENT: "silent after 150",
    DataFailure.STALLED: "stalled",
    DataFailure.RESET: "reset",
    DataFailure.CLOSED_EARLY: "closed before 226",
    DataFailure.SERVER_REFUSED: "server refused",
    DataFailure.NEVER_CONNECTED_BACK: "never connected back",
    DataFailure.WRONG_PEER: "wrong peer dialled in",
    DataFailure.TLS_FAILED: "TLS failed",
    DataFailure.UNROUTABLE: "advertised address refused",
    DataFailure.LOCAL: "local error",
    DataFailure.PROXY: "proxy failed",
}


def format_seconds(seconds: float) -> str:
    """``0.004 s``, ``12.3 s``, ``2 min 05 s``: precise when short, readable when long."""
    if seconds < 0:
        seconds = 0.0
    if seconds < 10:
        return f"{seconds:.3f} s"
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_time_axis(t: float) -> str:
    """An arrow's time on the time axis, at most 8 characters: milliseconds while they
    fit, then tenths, then whole seconds (a number is never cut)."""
    if t < 1000:
        return f"{t:.3f}s"
    if t < 100_000:
        return f"{t:.1f}s"
    return f"{t:.0f}s"


@dataclass(frozen=True, slots=True)
class Lifelines:
    """The two ends of one control connection, as that connection saw them, and the
    proxy between them when it went through one (a third lifeline in the middle)."""

    connection: str
    client: Endpoint | None = None
    server: Endpoint | None = None
    proxy: Endpoint | None = None
    proxy_kind: str | None = None

    @property
    def proxy_label(self) -> str | None:
        if self.proxy is None:
            return None
        return f"Proxy {self.proxy_kind or ''} {self.proxy}".replace("  ", " ")

    @property
    def client_label(self) -> str:
        return f"Client {self.client}" if self.client else "Client"

    @property
    def server_label(self) -> str:
        return f"Server {self.server}" if self.server else "Server"


@dataclass(frozen=True, slots=True)
class ControlArrow:
    """A command (client -> server) or a reply (server -> client) on a control connection.

    ``label`` is display-safe: control characters escaped, any PASS argument redacted.
    ``decoded`` holds the lines worth drawing under the arrow (the address arithmetic of
    227/229/PORT/EPRT and address substitutions); ``annotations`` holds every
    annotation's text for a tooltip.
    """

    index: int
    event_index: int
    t: float
    connection: str
    source: Side
    label: str
    code: int | None = None
    decoded: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()
    severity: Severity = Severity.INFO
    extra_lines: int = 0  # further lines of a multi-line reply, not drawn

    @property
    def target(self) -> Side:
        return self.source.other

    @property
    def is_command(self) -> bool:
        return self.source is Side.CLIENT


@dataclass(frozen=True, slots=True)
class NoteMark:
    """A note across both lifelines: a notice, a session state change, TLS on control."""

    index: int
    event_index: int
    t: float
    connection: str
    text: str
    severity: Severity = Severity.INFO
    kind: str = "info"


@dataclass(frozen=True, slots=True)
class ProxyMark:
    """One connection opened through a proxy (the control connection, or data
    ``#channel``): client → proxy, then proxy → server. ``failed_hop`` is the leg that
    failed ("client-proxy" or "proxy-server"), None when the proxy got through.
    ``text`` says it in one line (the ASCII ladder and tooltips use it)."""

    index: int
    event_index: int
    t: float
    connection: str
    channel: int | None
    kind: str
    proxy: Endpoint
    target: Endpoint
    request: str  # what was asked of the proxy ("SOCKS5 CONNECT 127.0.0.1:2121, …")
    text: str
    failed_hop: str | None = None
    reason: str = ""  # why the failed leg failed ("connection refused (SOCKS5 reply 5)")
    severity: Severity = Severity.INFO

    @property
    def what(self) -> str:
        return "control" if self.channel is None else f"data #{self.channel}"


@dataclass(frozen=True, slots=True)
class DataArrow:
    """One data connection, from its first event to its last.

    ``client_end``/``server_end`` are the endpoints as seen on this data connection
    (before it connects: the listener we opened, or the address we are dialling).
    ``setup`` is the port as the reply or command that set it up wrote it: the
    arithmetic for 227/PORT (``"195*256+80 = 50000"``), the number for 229/EPRT;
    ``setup_event_index`` points at that console row.
    """

    index: int
    event_index: int
    t: float
    connection: str
    channel: int
    source: Side
    method: str | None
    command: str
    state: DataState
    phase: DataPhase
    phase_times: tuple[tuple[DataPhase, float], ...] = ()
    client_end: Endpoint | None = None
    server_end: Endpoint | None = None
    advertised: Endpoint | None = None
    address_note: str | None = None
    setup: str | None = None
    setup_event_index: int | None = None
    bytes: int = 0
    last_progress_t: float = 0.0
    end_t: float | None = None
    failure: DataFailure | None = None
    reason: str | None = None
    tls: bool = False
    tls_detail: str | None = None
    waiting_for: str | None = None
    event_indices: tuple[int, ...] = ()
    control_peer: str | None = None
    tcp: TcpEvidence | None = None
    rate_limit: int | None = None  # bytes/s the speed limit allowed at the last event
    via_proxy: bool = False  # dialled through the session's proxy

    @property
    def target(self) -> Side:
        return self.source.other

    @property
    def initiator(self) -> str:
        return self.source.value

    @property
    def initiator_end(self) -> Endpoint | None:
        return self.client_end if self.source is Side.CLIENT else self.server_end

    @property
    def acceptor_end(self) -> Endpoint | None:
        return self.server_end if self.source is Side.CLIENT else self.client_end

    @property
    def endpoints_label(self) -> str:
        """``initiator -> acceptor`` (the direction of the TCP connection). An end not
        known yet (our port before the connect completes, the server's before it dials
        in) is named by its side: ``client -> 127.0.0.1:50000``."""
        left = str(self.initiator_end) if self.initiator_end else self.source.value
        right = str(self.acceptor_end) if self.acceptor_end else self.target.value
        return escape_control(f"{left} -> {right}")

    def time_of(self, phase: DataPhase) -> float | None:
        """When this connection entered ``phase`` (first time), or None."""
        for entered, t in self.phase_times:
            if entered is phase:
                return t
        return None

    def elapsed_at(self, now: float) -> float:
        """Seconds since the first event: the running timer of a live connection, the
        total lifetime of a finished one."""
        end = self.end_t if self.end_t is not None else now
        return max(0.0, end - self.t)

    @property
    def transfer_seconds(self) -> float | None:
        """Seconds from connected (or first byte) to closed, for the rate."""
        if self.end_t is None:
            return None
        start = self.time_of(DataPhase.CONNECTED) or self.time_of(DataPhase.FIRST_BYTE)
        if start is None:
            return None
        return max(0.0, self.end_t - start)

    @property
    def rate(self) -> float | None:
        seconds = self.transfer_seconds
        if seconds is None or seconds <= 0 or self.bytes <= 0:
            return None
        return self.bytes / seconds

    @property
    def failure_label(self) -> str | None:
        return FAILURE_LABELS.get(self.failure) if self.failure else None

    def status_text(self, now: float | None = None) -> str:
        """One line for the arrow: what state it is in, with times and sizes."""
        if self.state is DataState.FAILED:
            label = self.failure_label or "failed"
            return f"FAILED after {format_seconds(self.elapsed_at(now or 0.0))}: {label}"
        if self.state is DataState.CLOSED:
            text = f"closed: {format_bytes(self.bytes)} in {format_seconds(self.elapsed_at(0.0))}"
            rate = self.rate
            if rate is not None:
                text += f" ({format_rate(rate)})"
            return text
        now = now if now is not None else self.last_progress_t
        running = format_seconds(self.elapsed_at(now))
        if self.state is DataState.WAITING:
            stuck = format_seconds(now - self.last_progress_t)
            return f"WAITING {stuck}: {self.waiting_for or 'no progress'}"
        if self.state is DataState.TRANSFERRING:
            return f"transferring: {format_bytes(self.bytes)} after {running}"
        if self.state is DataState.ESTABLISHED:
            # how long setting it up took (it stays) and how long it has been open (it
            # counts on): one growing "after" figure read as a slow connect
            connected = self.time_of(DataPhase.CONNECTED) or self.time_of(DataPhase.TLS_ESTABLISHED)
            if connected is None:
                return f"established, open for {running}"
            return (f"established in {format_seconds(connected - self.t)}, open for "
                    f"{format_seconds(now - connected)}")
        if self.state is DataState.CONNECTING:
            started = self.time_of(DataPhase.CONNECTING)
            dialling = format_seconds(now - started) if started is not None else running
            return f"connecting... {dialling}"
        if self.source is Side.SERVER:
            return "listening for the server"
        return "address advertised"


LadderItem = ControlArrow | DataArrow | NoteMark | ProxyMark
