"""What the capture shows of one TCP connection: the facts a verdict rests on.

Kept per connection for every connection in the file (a few hundred bytes each, no
payload), so a data connection announced late in the control conversation can still
be told apart from one that never appeared: SYNs and their retransmissions with times,
the SYN-ACK, resets and who sent them, ICMP errors, FINs, bytes each way, zero windows,
retransmitted segments, and the last packet before the capture ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from client.engine.capture.packets import ACK, FIN, RST, SYN, IcmpError, TcpSegment

__all__ = ["DirectionFacts", "ConnectionFacts", "MAX_SYNS_KEPT"]

MAX_SYNS_KEPT = 16
_MOD = 1 << 32
_HALF = 1 << 31


@dataclass(slots=True)
class DirectionFacts:
    """One direction (from one endpoint to the other) of a connection."""

    host: str
    port: int
    packets: int = 0
    base: int | None = None
    highest: int = 0  # the end of the highest byte seen, as an offset from ``base``
    retransmissions: int = 0
    zero_windows: int = 0
    first_zero_window_t: float | None = None
    fin_t: float | None = None
    rst_t: float | None = None
    first_payload_t: float | None = None
    last_payload_t: float | None = None
    head: bytes = b""  # the first payload bytes (enough to recognise TLS)
    cut: bool = False
    acked: int = 0  # the highest offset the other side acknowledged

    @property
    def unseen(self) -> int:
        """Bytes the receiver acknowledged that the capture never saw (lost by the
        capture, not by the network); a FIN takes one sequence number."""
        acked = self.acked - (1 if self.fin_t is not None else 0)
        return max(0, acked - self.highest)

    @property
    def bytes(self) -> int:
        return self.highest + self.unseen

    def acknowledged(self, ack: int) -> None:
        if self.base is None:
            return
        offset = (ack - self.base) % _MOD
        if offset < _HALF and offset > self.acked:
            self.acked = offset

    def add(self, t: float, seg: TcpSegment) -> None:
        self.packets += 1
        flags = seg.flags
        if flags & SYN:
            self.base = (seg.seq + 1) % _MOD
        if flags & RST:
            if self.rst_t is None:
                self.rst_t = t
            return
        if seg.window == 0 and not flags & SYN:
            self.zero_windows += 1
            if self.first_zero_window_t is None:
                self.first_zero_window_t = t
        if flags & FIN and self.fin_t is None:
            self.fin_t = t
        if seg.length:
            self._payload(t, seg)

    def _payload(self, t: float, seg: TcpSegment) -> None:
        if seg.cut:
            self.cut = True
        if self.base is None:
            self.base = seg.seq
        offset = (seg.seq - self.base) % _MOD
        if offset >= _HALF:
            offset -= _MOD
        end = offset + seg.length
        if end <= self.highest:
            self.retransmissions += 1
            return
        self.highest = end
        if self.first_payload_t is None:
            self.first_payload_t = t
            self.head = seg.payload[:8]
        self.last_payload_t = t


@dataclass(slots=True)
class ConnectionFacts:
    """Both directions of one connection. ``opener`` sent the first SYN (or, when the
    capture starts mid-connection, the first packet seen: then ``syn_seen`` is False)."""

    opener: DirectionFacts
    answerer: DirectionFacts
    first_t: float
    last_t: float
    syn_seen: bool = False
    syn_times: list[float] = field(default_factory=list)
    syn_count: int = 0
    synack_t: float | None = None
    handshake_t: float | None = None
    icmp: list[tuple[float, IcmpError]] = field(default_factory=list)

    @property
    def interface(self) -> str:
        return f"{self.opener.host}:{self.opener.port} -> {self.answerer.host}:{self.answerer.port}"

    def side(self, host: str, port: int) -> DirectionFacts:
        if self.opener.host == host and self.opener.port == port:
            return self.opener
        return self.answerer

    def add(self, t: float, seg: TcpSegment) -> None:
        self.last_t = t
        from_opener = seg.src == self.opener.host and seg.sport == self.opener.port
        flags = seg.flags
        if flags & SYN and not flags & ACK and from_opener:
            self.syn_seen = True
            self.syn_count += 1
            if len(self.syn_times) < MAX_SYNS_KEPT:
                self.syn_times.append(t)
        elif flags & SYN and flags & ACK and not from_opener and self.synack_t is None:
            self.synack_t = t
        elif (flags & ACK and from_opener and self.synack_t is not None
              and self.handshake_t is None and not flags & (SYN | RST)):
            self.handshake_t = t
        (self.opener if from_opener else self.answerer).add(t, seg)
        if flags & ACK and not flags & RST:
            (self.answerer if from_opener else self.opener).acknowledged(seg.ack)

    @property
    def refused_by_rst(self) -> bool:
        """The answer to the SYN was a reset (nothing listening, or a REJECT rule)."""
        return self.syn_seen and self.synack_t is None and self.answerer.rst_t is not None

    @property
    def finished(self) -> bool:
        """Both sides sent FIN, or one sent a reset: the ports may be used again."""
        return bool((self.opener.fin_t is not None and self.answerer.fin_t is not None)
                    or self.opener.rst_t is not None or self.answerer.rst_t is not None)

    @property
    def cut(self) -> bool:
        return self.opener.cut or self.answerer.cut
