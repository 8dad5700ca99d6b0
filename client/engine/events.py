"""Typed, timestamped events emitted by the engine.

The GUI, the CLI, the transcript writer and the ladder diagram are all observers of
these events; the engine never knows who listens. Events are frozen dataclasses with
plain data so they can be queued across threads, serialised to JSON Lines and replayed
into a diagram.
"""

from __future__ import annotations

import enum
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from client.protocol.annotate import Annotation, Severity
from client.protocol.replies import Reply
from client.protocol.values import value

__all__ = [
    "NoticeKind",
    "Endpoint",
    "EngineEvent",
    "LineSent",
    "ReplyReceived",
    "DataPhase",
    "DataFailure",
    "DataChannelEvent",
    "TcpFinding",
    "TcpEvidence",
    "TransferProgress",
    "Notice",
    "SessionState",
    "SessionStateChanged",
    "TlsEstablished",
    "QueueJobChanged",
    "ProxyHop",
    "ProxyPhase",
    "ProxyEvent",
    "EventBus",
    "Observer",
    "UNLOGGED_KINDS",
]

log = logging.getLogger(__name__)


@value(slots=True)
class Endpoint:
    """A transport address as seen on one connection."""

    host: str
    port: int

    def __str__(self) -> str:
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"


@value(slots=True, kw_only=True)
class EngineEvent:
    """Base: ``t`` is seconds since the bus's origin; ``connection`` names the control
    connection (``"c1"``, ``"c2"`` …) the event belongs to."""

    t: float
    connection: str


@value(slots=True, kw_only=True)
class LineSent(EngineEvent):
    """A command written to the control connection. ``text`` is already redacted
    (``PASS ****``) and never contains the password."""

    text: str
    annotations: tuple[Annotation, ...] = ()


@value(slots=True, kw_only=True)
class ReplyReceived(EngineEvent):
    """A complete reply (every raw line of it is in ``reply.lines``)."""

    reply: Reply
    annotations: tuple[Annotation, ...] = ()


class DataPhase(enum.Enum):
    """Where a data connection is in its life.

    Passive: ADVERTISED (227/229 decoded) -> CONNECTING -> CONNECTED -> [TLS_HANDSHAKE ->
    TLS_ESTABLISHED] -> FIRST_BYTE -> CLOSED.  Active: LISTENING (PORT/EPRT sent) ->
    CONNECTED (server dialled in) -> … -> CLOSED.  Any phase may end in FAILED.
    """

    ADVERTISED = "advertised"
    LISTENING = "listening"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    TLS_HANDSHAKE = "tls-handshake"
    TLS_ESTABLISHED = "tls-established"
    FIRST_BYTE = "first-byte"
    CLOSED = "closed"
    FAILED = "failed"


class DataFailure(enum.Enum):
    """Why a data connection failed: the classes the diagnosis reasons about."""

    REFUSED = "refused"  # RST to our SYN: nothing listening, or a REJECT rule
    CONNECT_TIMEOUT = "syn-unanswered"  # SYN never answered: a firewall DROP
    SILENT = "silent-after-150"  # connected, server said 150, no byte within the timeout
    STALLED = "stalled"  # bytes flowed, then none for the stall timeout
    RESET = "reset"  # connection reset mid-transfer
    CLOSED_EARLY = "closed-before-226"  # data closed but the transfer did not complete
    SERVER_REFUSED = "server-refused"  # 425/426/4xx/5xx to the data command
    NEVER_CONNECTED_BACK = "never-connected-back"  # active: nobody dialled our listener
    WRONG_PEER = "wrong-peer"  # active: a host other than the server dialled in
    TLS_FAILED = "tls-failed"  # handshake failed or session reuse refused (522)
    UNROUTABLE = "unroutable-refused"  # policy refused to dial the advertised address
    LOCAL = "local-error"  # e.g. no port free in the active range
    PROXY = "proxy-failed"  # the proxy refused, or could not reach the server


class TcpFinding(enum.Enum):
    """What the TCP stack said about a data connection (client.engine.tcpstack)."""

    SYN_UNANSWERED = "syn-unanswered"  # SYNs sent, nothing came back
    ICMP_ERROR = "icmp-error"  # a router answered with an ICMP error
    RESET = "reset-by-host"  # the host itself answered the SYN with a RST
    PEER_SILENT = "peer-silent"  # connected and healthy, the server sends nothing
    PACKETS_LOST = "packets-lost"  # retransmissions / lost segments
    NOT_READING = "not-reading"  # bytes wait unread in our receive buffer


@value(slots=True, kw_only=True)
class TcpEvidence:
    """Facts from the TCP stack about one data connection; ``summary`` says it in one
    sentence (with the router, the SYN count, the RTT … that apply)."""

    finding: TcpFinding
    summary: str
    syns_sent: int | None = None
    waited: float | None = None
    icmp_from: str | None = None
    icmp_text: str | None = None
    rtt_ms: float | None = None
    retransmits: int | None = None
    unread_bytes: int | None = None
    last_data_ms: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"finding": self.finding.value, "summary": self.summary,
                "syns_sent": self.syns_sent, "waited": self.waited,
                "icmp_from": self.icmp_from, "icmp_text": self.icmp_text,
                "rtt_ms": self.rtt_ms, "retransmits": self.retransmits,
                "unread_bytes": self.unread_bytes, "last_data_ms": self.last_data_ms}


@value(slots=True, kw_only=True)
class DataChannelEvent(EngineEvent):
    """A phase change of one data connection (``channel`` is unique per bus)."""

    channel: int
    phase: DataPhase
    initiator: str  # "client" (passive) or "server" (active)
    method: str | None  # "EPSV", "PASV", "EPRT", "PORT", or None for STAT listings
    command: str  # the command it serves, e.g. "LIST /pub" (never secret)
    local: Endpoint | None = None
    remote: Endpoint | None = None
    advertised: Endpoint | None = None  # what 227/229/PORT/EPRT said
    address_note: str | None = None  # why the dialled address differs from `advertised`
    failure: DataFailure | None = None
    reason: str | None = None
    bytes: int = 0
    elapsed: float = 0.0  # seconds since this channel's first event
    tls: bool = False
    tcp: TcpEvidence | None = None  # what the TCP stack said (failed connects, stalls)
    control_peer: str | None = None  # the control connection's server address
    rate_limit: int | None = None  # bytes/s the speed limit allows this transfer now


@value(slots=True, kw_only=True)
class TransferProgress(EngineEvent):
    """Throttled (≤ 10/s per transfer) progress of one file transfer."""

    transfer_id: int
    direction: str  # "download" | "upload"
    remote_path: str
    bytes_done: int
    total: int | None
    rate: float  # bytes per second, smoothed
    done: bool = False


class NoticeKind(enum.StrEnum):
    """What a :class:`Notice` is about (a ``str`` enum: its values are the words the
    transcript and older scripts already use)."""

    INFO = "info"
    FALLBACK = "fallback"  # another command or mode is tried after a refusal or failure
    SUBSTITUTION = "substitution"  # another address is dialled than the 227 named
    TLS = "tls"  # TLS not offered, refused, or a certificate accepted by a pin
    CONNECTION_LOST = "connection-lost"  # the server closed or broke an idle connection
    RECONNECT = "reconnect"
    TIMEOUT = "timeout"
    QUEUE = "queue"  # the transfer queue's own decisions
    RETRY = "retry"  # the queue tries a failed job again
    SKIPPED = "skipped"  # the queue leaves a file out (a link, an unsafe name, …)
    CHARSET = "charset"  # names are not in the charset in use; another is suggested


@value(slots=True, kw_only=True)
class Notice(EngineEvent):
    """Something the engine decided or noticed: fallbacks, substitutions, reconnects."""

    severity: Severity
    text: str
    kind: NoticeKind = NoticeKind.INFO


class SessionState(enum.Enum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    TLS_HANDSHAKE = "tls-handshake"
    LOGGING_IN = "logging-in"
    READY = "ready"
    BUSY = "busy"
    CLOSING = "closing"
    FAILED = "failed"


@value(slots=True, kw_only=True)
class SessionStateChanged(EngineEvent):
    state: SessionState
    server: Endpoint | None = None
    local: Endpoint | None = None
    detail: str | None = None


@value(slots=True, kw_only=True)
class TlsEstablished(EngineEvent):
    """TLS came up on the control connection (channel None) or on a data channel."""

    channel: int | None
    version: str
    cipher: str
    session_reused: bool
    fingerprint_sha256: str | None = None
    peer_subject: str | None = None


@value(slots=True, kw_only=True)
class QueueJobChanged(EngineEvent):
    """A transfer-queue job changed (state, bytes, error). ``job`` is a
    ``client.engine.queue.TransferJob``; typed loosely here to keep events free of the
    queue module."""

    job: object


class ProxyHop(enum.Enum):
    """A leg of a proxied connection: the one a failure happened on."""

    CLIENT_PROXY = "client-proxy"  # reaching the proxy, its handshake, its authentication
    PROXY_SERVER = "proxy-server"  # the proxy dialling the server

    @property
    def label(self) -> str:
        return ("client → proxy" if self is ProxyHop.CLIENT_PROXY
                else "proxy → server")


class ProxyPhase(enum.Enum):
    CONNECTING = "connecting"  # dialling the proxy
    HANDSHAKE = "handshake"  # connected to the proxy, asking it for the server
    OPEN = "open"  # the proxy reached the server: the tunnel carries the connection
    FAILED = "failed"


@value(slots=True, kw_only=True)
class ProxyEvent(EngineEvent):
    """A step of a connection made through a proxy: for the control connection
    (``channel`` None) or a data connection. ``detail`` says what was asked and
    answered (the SOCKS reply code, the HTTP status line), never a password; on
    FAILED, ``hop`` names the leg that failed and ``reply_code`` the proxy's code."""

    kind: str  # "SOCKS5", "SOCKS4a", "HTTP CONNECT", "FTP proxy (USER user@host)"
    proxy: Endpoint
    target: Endpoint
    phase: ProxyPhase
    channel: int | None = None
    detail: str = ""
    hop: ProxyHop | None = None
    reply_code: int | None = None


Observer = Callable[[EngineEvent], None]

#: What the session log leaves out: progress is ten lines a second of nothing new; the
#: queue's job states are the queue's view, not a conversation (each worker's connection
#: is logged). The log subscribes with ``exclude=UNLOGGED_KINDS``.
UNLOGGED_KINDS: tuple[type[EngineEvent], ...] = (TransferProgress, QueueJobChanged)


@dataclass
class EventBus:
    """Fan-out of engine events to observers, with one clock origin for ``t``.

    Observers are called synchronously and must be cheap (the GUI bridge queues; the CLI
    prints). An observer that raises is logged and kept: one broken view must not stop
    a transfer. An observer may name the kinds of event it takes; the engine asks
    :meth:`wants` before building an event nobody takes (a control line's annotations,
    a data connection's phase), so a front end that shows no console pays for none.
    """

    origin: float = field(default_factory=time.monotonic)
    wall_origin: float = field(default_factory=time.time)
    # (observer, kinds or None for every event, kinds left out); replaced, never changed
    # in place, so an observer may subscribe or unsubscribe while an event is delivered
    _entries: list[tuple[Observer, tuple[type[EngineEvent], ...] | None,
                         tuple[type[EngineEvent], ...]]] = field(default_factory=list)
    _wanted: dict[type, bool] = field(default_factory=dict)
    _channel_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _connection_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    #: set while lines exchanged earlier are shown (client/engine/early_login.py): what
    #: the session emits meanwhile is dated when its line happened, not when shown
    _held: float | None = None

    def subscribe(self, observer: Observer,
                  kinds: tuple[type[EngineEvent], ...] | None = None, *,
                  exclude: tuple[type[EngineEvent], ...] = ()) -> Callable[[], None]:
        """Add ``observer`` (for events of ``kinds`` only, when given; never for events
        of ``exclude``); returns a function that removes it. An observer that takes
        nearly everything names what it ignores in ``exclude``, so :meth:`wants` stays
        false for those kinds and the engine does not build them for it."""
        entry = (observer, kinds, exclude)
        self._entries = [*self._entries, entry]
        self._wanted = {}

        def unsubscribe() -> None:
            if entry in self._entries:
                self._entries = [e for e in self._entries if e is not entry]
                self._wanted = {}

        return unsubscribe

    def wants(self, kind: type[EngineEvent]) -> bool:
        """Whether any observer takes events of ``kind`` (asked on the hot paths, so
        the answer is remembered until the observers change)."""
        wanted = self._wanted.get(kind)
        if wanted is None:
            wanted = self._wanted[kind] = any(
                (kinds is None or issubclass(kind, kinds)) and not issubclass(kind, exclude)
                for _, kinds, exclude in self._entries)
        return wanted

    def now(self) -> float:
        if self._held is not None:
            return self._held
        return time.monotonic() - self.origin

    def hold_clock(self, monotonic: float | None) -> None:
        """Date events at ``monotonic`` (a ``time.monotonic()`` reading) until called
        with None: replayed lines keep the times they were exchanged at."""
        self._held = None if monotonic is None else monotonic - self.origin

    def next_channel_id(self) -> int:
        return next(self._channel_ids)

    def next_connection_id(self) -> str:
        return f"c{next(self._connection_ids)}"

    def emit(self, event: EngineEvent) -> None:
        for observer, kinds, exclude in self._entries:
            if (kinds is not None and not isinstance(event, kinds)) \
                    or (exclude and isinstance(event, exclude)):
                continue
            try:
                observer(event)
            except Exception:  # noqa: BLE001 - an observer must never break the engine
                log.exception("event observer %r failed", observer)
