"""One direction of a TCP byte stream put back in order.

Segments arrive retransmitted, out of order, overlapping, or starting in the middle of a
connection (a capture started late). The stream is anchored at the SYN's sequence number
when the SYN was seen, else at the first segment; offsets are computed modulo 2**32 so a
wrapping sequence number is no special case. Bytes are delivered exactly once, in order,
each chunk tagged with the time of the packet that completed it. Out-of-order bytes wait
in a bounded buffer; when a hole is never filled (the capture lost a packet) the stream
skips it and counts the bytes missed, instead of growing without bound.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StreamReassembler", "Chunk", "MAX_PENDING"]

MAX_PENDING = 1 << 20  # bytes held out of order before a hole is given up
_HALF = 1 << 31
_MOD = 1 << 32


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes delivered in order, at ``t`` (the capture time of the completing packet)."""

    t: float
    data: bytes


class StreamReassembler:
    """Feed ``(t, seq, payload)``; read delivered chunks from :meth:`take`."""

    def __init__(self, *, max_pending: int = MAX_PENDING) -> None:
        self._base: int | None = None
        self._next = 0  # offset of the next byte to deliver
        self._pending: dict[int, bytes] = {}
        self._pending_bytes = 0
        self._max_pending = max_pending
        self._out: list[Chunk] = []
        self.missed = 0  # bytes of holes skipped
        self.delivered = 0

    @property
    def anchored(self) -> bool:
        return self._base is not None

    def syn(self, seq: int) -> None:
        """The SYN's sequence number: the stream's first byte is ``seq + 1``."""
        if self._base is None:
            self._base = (seq + 1) % _MOD

    def feed(self, t: float, seq: int, payload: bytes) -> None:
        if not payload:
            return
        if self._base is None:
            self._base = seq
        offset = (seq - self._base) % _MOD
        if offset >= _HALF:  # before the anchor: keep only what reaches past it
            offset -= _MOD
        end = offset + len(payload)
        if end <= self._next:
            return  # a pure retransmission
        if offset < self._next:
            payload = payload[self._next - offset:]
            offset = self._next
        if offset == self._next:
            self._deliver(t, payload)
            self._drain(t)
            return
        known = self._pending.get(offset)
        if known is None or len(known) < len(payload):
            self._pending_bytes += len(payload) - (len(known) if known else 0)
            self._pending[offset] = payload
        if self._pending_bytes > self._max_pending:
            self._skip_hole(t)

    def _deliver(self, t: float, data: bytes) -> None:
        self._out.append(Chunk(t, data))
        self._next += len(data)
        self.delivered += len(data)

    def _drain(self, t: float) -> None:
        while self._pending:
            ready = [o for o in self._pending if o <= self._next]
            if not ready:
                return
            for offset in sorted(ready):
                data = self._pending.pop(offset)
                self._pending_bytes -= len(data)
                if offset + len(data) > self._next:
                    self._deliver(t, data[self._next - offset:])

    def _skip_hole(self, t: float) -> None:
        first = min(self._pending)
        self.missed += first - self._next
        self._next = first
        self._drain(t)

    def acknowledged(self, t: float, ack: int) -> None:
        """The receiver acknowledged up to ``ack``: bytes before it that the capture
        never saw were lost by the capture, not the network, and will not come again.
        Skip them now, so the lines after a lost packet keep their own times."""
        if self._base is None:
            return
        offset = (ack - self._base) % _MOD
        if offset >= _HALF or offset <= self._next:
            return
        if self._pending:
            offset = min(offset, min(self._pending))
        self.missed += offset - self._next
        self._next = offset
        self._drain(t)

    def flush(self, t: float) -> None:
        """At the end of the capture: deliver what waits behind holes (they stay holes)."""
        while self._pending:
            self._skip_hole(t)

    def take(self) -> list[Chunk]:
        """The chunks delivered since the last call."""
        out, self._out = self._out, []
        return out
