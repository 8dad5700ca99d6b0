"""The values a data connection shares with its session, and the tracker that turns its
life into events.

``ChannelTracker`` emits one :class:`DataChannelEvent` per phase (with endpoints and
elapsed time) and builds the :class:`DataChannelError` for a failure, so every failure
carries the phase it reached and the endpoints involved.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from client.engine.control import ControlConnection
from client.engine.errors import DataChannelError
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    EventBus,
    TcpEvidence,
)
from client.engine.settings import ConnectionSettings, TransferMode
from client.engine.tcpstack import stall_evidence
from client.engine.tls import SessionResumingContext
from client.protocol.replies import Reply
from client.protocol.reply_meanings import names_tls_problem
from client.protocol.values import value

if TYPE_CHECKING:
    from client.engine.data.stream import DataStream

__all__ = [
    "FALLBACK_FAILURES",
    "ModeMemory",
    "ChannelSetup",
    "ChannelResult",
    "ChannelTracker",
    "SilentData",
    "StalledData",
    "Watchdog",
    "same_host",
    "is_tls_refusal",
]

#: Failures worth retrying in the other transfer mode (connectivity, not content).
FALLBACK_FAILURES = frozenset({
    DataFailure.REFUSED, DataFailure.CONNECT_TIMEOUT, DataFailure.SILENT,
    DataFailure.NEVER_CONNECTED_BACK, DataFailure.WRONG_PEER, DataFailure.SERVER_REFUSED,
    DataFailure.UNROUTABLE, DataFailure.LOCAL,
})


@dataclass
class ModeMemory:
    """What this session learned about the server's data-connection support."""

    epsv_broken: bool = False
    eprt_broken: bool = False
    pasv_broken: bool = False  # 500/502 to PASV: the server only knows EPSV
    port_broken: bool = False  # 500/502 to PORT: the server only knows EPRT


@dataclass
class ChannelSetup:
    """What a data connection needs from its session."""

    control: ControlConnection
    bus: EventBus
    settings: ConnectionSettings
    mode: TransferMode
    memory: ModeMemory
    tls_context: SessionResumingContext | None  # None: PROT C (clear data)
    server_hostname: str | None
    control_fingerprint: str | None = None


@value
class ChannelResult:
    final: Reply
    bytes: int
    elapsed: float
    tls_reused: bool | None


class SilentData(Exception):
    """No byte ever moved; ``tcp``: what the TCP stack said at that moment."""

    def __init__(self, tcp: TcpEvidence | None = None) -> None:
        super().__init__()
        self.tcp = tcp


class StalledData(SilentData):
    """Bytes moved, then none for the stall timeout."""


class Watchdog:
    """Silent-after-150 and stall detection of one data connection, checked a few times
    per timeout: a timer that re-arms itself until the connection ends (no task, so a
    small file pays no task start and cancellation for it). A verdict fails the stream
    with :class:`SilentData` (nothing ever moved) or :class:`StalledData`."""

    def __init__(self, stream: DataStream, timeout: float, sink: object | None, *,
                 uploading: bool) -> None:
        self.stream = stream
        self.timeout = timeout
        self.sink = sink
        self.uploading = uploading
        self.interval = max(min(timeout / 4, 0.5), 0.02)
        self.started = time.monotonic()
        self.loop = asyncio.get_running_loop()
        self.handle: asyncio.TimerHandle | None = self.loop.call_later(self.interval,
                                                                      self.check)

    def check(self) -> None:
        self.handle = None
        stream = self.stream
        if stream.closed.done():
            return
        now = time.monotonic()
        if stream.last_byte_at is None:
            if now - self.started >= self.timeout:
                # Downloads: nothing came. Uploads: the server never took a byte.
                tcp = self._evidence(now - self.started)
                stream.fail(StalledData(tcp) if self.uploading else SilentData(tcp))
                return
        elif (not getattr(self.sink, "_paused", False) and not stream.limited
              and now - stream.last_byte_at >= self.timeout):
            stream.fail(StalledData(self._evidence(now - stream.last_byte_at)))
            return
        self.handle = self.loop.call_later(self.interval, self.check)

    def _evidence(self, idle: float) -> TcpEvidence | None:
        transport = self.stream.transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        try:
            return stall_evidence(sock, idle, uploading=self.uploading)
        except OSError:
            return None

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


class ChannelTracker:
    """Emits the phase events of one data connection."""

    def __init__(self, setup: ChannelSetup, *, initiator: str, method: str | None,
                 command: str) -> None:
        self.bus = setup.bus
        self.connection = setup.control.connection_id
        self.channel = self.bus.next_channel_id()
        self.initiator = initiator
        self.method = method
        self.command = command
        self.started = time.monotonic()
        self.phase = DataPhase.ADVERTISED
        self.local: Endpoint | None = None
        self.remote: Endpoint | None = None
        self.advertised: Endpoint | None = None
        self.address_note: str | None = None
        self.tcp: TcpEvidence | None = None
        self.control_peer: str | None = None
        self.tls = False
        self.bytes = 0
        #: the speed limit of this transfer (read at each event: it can change)
        self.limit: Callable[[], int | None] | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def emit(self, phase: DataPhase, **extra: object) -> None:
        if phase is not DataPhase.FAILED:
            self.phase = phase
        if not self.bus.wants(DataChannelEvent):
            return  # nobody draws data connections (the failure still raises its error)
        self.bus.emit(DataChannelEvent(
            t=self.bus.now(), connection=self.connection, channel=self.channel, phase=phase,
            initiator=self.initiator, method=self.method, command=self.command,
            local=self.local, remote=self.remote, advertised=self.advertised,
            address_note=self.address_note, bytes=self.bytes, elapsed=self.elapsed,
            tls=self.tls, tcp=self.tcp, control_peer=self.control_peer,
            rate_limit=self.limit() if self.limit is not None else None, **extra,  # type: ignore[arg-type]
        ))

    def failure(self, failure: DataFailure, message: str, *, step: str | None = None,
                reply_code: int | None = None) -> DataChannelError:
        phase = self.phase
        where = []
        if self.local:
            where.append(f"local {self.local}")
        if self.remote:
            where.append(f"remote {self.remote}")
        elif self.advertised:
            where.append(f"advertised {self.advertised}")
        text = message
        if where:
            text += " [" + ", ".join(where) + f", after {self.elapsed:.1f} s]"
        self.emit(DataPhase.FAILED, failure=failure, reason=message)
        return DataChannelError(text, failure=failure, phase=phase, method=self.method,
                                local=self.local, remote=self.remote, elapsed=self.elapsed,
                                step=step, reply_code=reply_code, command=self.command,
                                advertised=self.advertised, control_peer=self.control_peer,
                                tcp=self.tcp)


def same_host(a: str, b: str) -> bool:
    try:
        x = ipaddress.ip_address(a.split("%", 1)[0])
        y = ipaddress.ip_address(b.split("%", 1)[0])
    except ValueError:
        return a == b
    if isinstance(x, ipaddress.IPv6Address) and x.ipv4_mapped:
        x = x.ipv4_mapped
    if isinstance(y, ipaddress.IPv6Address) and y.ipv4_mapped:
        y = y.ipv4_mapped
    return x == y


def is_tls_refusal(reply: Reply) -> bool:
    """A refusal that names TLS (522, or a text such as FileZilla Server's "TLS session
    of data connection not resumed"): a session-reuse problem, not a firewall."""
    return reply.is_error and (reply.code == 522 or names_tls_problem(reply.text))
