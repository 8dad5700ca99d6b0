"""One pass over a capture: every TCP connection's facts, every FTP control connection's
conversation, every ICMP error — with memory bounded by the number of connections, not
by the size of the file.

Payload is kept only where it is needed: the first few kilobytes of a connection not yet
recognised (both directions, in order), and the whole of a recognised control
connection. Data connections keep their facts and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from client.engine.capture.control_stream import ControlStream
from client.engine.capture.errors import CaptureError, CaptureProblem
from client.engine.capture.ftp_detection import PEEK_LIMIT, Decision, decide, decide_at_end
from client.engine.capture.link_layers import ip_payload_decoder, link_type_name
from client.engine.capture.packets import ACK, SYN, IcmpError, TcpSegment, decode_ip
from client.engine.capture.reading import CaptureReader, Frame
from client.engine.capture.tcp_evidence import ConnectionFacts, DirectionFacts
from client.engine.capture.tcp_reassembly import Chunk, StreamReassembler
from client.engine.events import Endpoint

__all__ = ["ScanResult", "scan_capture", "FlowKey"]

FlowKey = tuple[str, int, str, int]
Progress = Callable[[int, int], None]  # (bytes read, file size)


def _key(src: str, sport: int, dst: str, dport: int) -> FlowKey:
    return (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)


class _Candidate:
    """The first bytes of a connection not yet recognised, both directions in order."""

    def __init__(self, from_start: bool) -> None:
        self.from_start = from_start
        self.opener = StreamReassembler()
        self.answerer = StreamReassembler()
        self.opener_chunks: list[Chunk] = []
        self.answerer_chunks: list[Chunk] = []

    def data(self, chunks: list[Chunk]) -> bytes:
        return b"".join(c.data for c in chunks)[:PEEK_LIMIT]


@dataclass
class ScanResult:
    """What one pass found."""

    name: str
    format: str
    packets: int
    interfaces: dict[int, str]
    first_t: float | None
    last_t: float | None
    connections: list[ConnectionFacts]  # in the order they appeared
    controls: dict[FlowKey, ControlStream]
    unknown_link_types: dict[int, int] = field(default_factory=dict)  # type -> packets
    cut_packets: int = 0
    snaplen: int = 0

    @property
    def duration(self) -> float:
        if self.first_t is None or self.last_t is None:
            return 0.0
        return self.last_t - self.first_t


class _Scanner:
    def __init__(self, reader: CaptureReader) -> None:
        self.reader = reader
        self.connections: dict[FlowKey, ConnectionFacts] = {}
        self.every_connection: list[ConnectionFacts] = []
        self.candidates: dict[FlowKey, _Candidate] = {}
        self.controls: dict[FlowKey, ControlStream] = {}
        self.unknown: dict[int, int] = {}
        self.cut_packets = 0
        self.first_t: float | None = None
        self.last_t: float | None = None

    def run(self, progress: Progress | None) -> ScanResult:
        reader = self.reader
        decoders: dict[int, object] = {}
        every = 0
        for frame in reader.frames():
            decoder = decoders.get(frame.interface)
            if decoder is None:
                decoder = self._decoder(frame)
                decoders[frame.interface] = decoder
            if decoder is False:
                self.unknown[reader.interfaces[frame.interface].link_type] = \
                    self.unknown.get(reader.interfaces[frame.interface].link_type, 0) + 1
                continue
            self._frame(frame, decoder)  # type: ignore[arg-type]
            every += 1
            if progress is not None and every >= 4096:
                every = 0
                progress(reader.position(), reader.size)
        return self._result()

    def _decoder(self, frame: Frame) -> object:
        interface = self.reader.interfaces.get(frame.interface)
        if interface is None:
            return False
        return ip_payload_decoder(interface.link_type) or False

    def _frame(self, frame: Frame, decoder: Callable[[bytes], bytes | None]) -> None:
        packet = decoder(frame.data)
        if packet is None:
            return
        decoded = decode_ip(packet)
        if decoded is None:
            return
        t = frame.t
        if self.first_t is None:
            self.first_t = t
        self.last_t = t
        if isinstance(decoded, TcpSegment):
            if decoded.cut:
                self.cut_packets += 1
            self._segment(t, decoded)
        else:
            self._icmp_error(t, decoded)

    def _icmp_error(self, t: float, error: IcmpError) -> None:
        facts = self.connections.get(_key(error.src, error.sport, error.dst, error.dport))
        if facts is not None:
            facts.icmp.append((t, error))

    def _segment(self, t: float, seg: TcpSegment) -> None:
        key = _key(seg.src, seg.sport, seg.dst, seg.dport)
        facts = self.connections.get(key)
        if facts is None or (seg.flags & SYN and not seg.flags & ACK and facts.finished
                             and key not in self.controls):
            facts = self._new_connection(t, key, seg)  # a new connection reusing the ports
        facts.add(t, seg)
        control = self.controls.get(key)
        if control is not None:
            self._control_segment(control, t, seg)
        elif key in self.candidates:
            self._candidate_segment(key, facts, t, seg)

    def _new_connection(self, t: float, key: FlowKey, seg: TcpSegment) -> ConnectionFacts:
        syn = bool(seg.flags & SYN)
        if syn and seg.flags & ACK:  # a SYN-ACK first: the SYN came before the capture
            opener, answerer = (seg.dst, seg.dport), (seg.src, seg.sport)
        else:
            opener, answerer = (seg.src, seg.sport), (seg.dst, seg.dport)
        facts = ConnectionFacts(DirectionFacts(*opener), DirectionFacts(*answerer), t, t)
        self.connections[key] = facts
        self.every_connection.append(facts)
        self.candidates[key] = _Candidate(from_start=syn)
        return facts

    def _candidate_segment(self, key: FlowKey, facts: ConnectionFacts, t: float,
                           seg: TcpSegment) -> None:
        candidate = self.candidates[key]
        from_opener = seg.src == facts.opener.host and seg.sport == facts.opener.port
        stream = candidate.opener if from_opener else candidate.answerer
        if seg.flags & SYN:
            stream.syn(seg.seq)
            return
        if not seg.length:
            return
        if candidate.from_start and not stream.anchored:
            candidate.from_start = False  # the SYN of this direction was not captured
        stream.feed(t, seg.seq, seg.payload)
        (candidate.opener_chunks if from_opener else candidate.answerer_chunks).extend(
            stream.take())
        decision = decide(candidate.data(candidate.opener_chunks),
                          candidate.data(candidate.answerer_chunks),
                          from_start=candidate.from_start)
        self._apply(key, facts, candidate, decision)

    def _apply(self, key: FlowKey, facts: ConnectionFacts, candidate: _Candidate,
               decision: Decision) -> None:
        if decision is Decision.UNDECIDED:
            return
        del self.candidates[key]
        if decision is Decision.NOT_FTP:
            return
        opener_is_client = decision is Decision.FTP_OPENER_IS_CLIENT
        client, server = (facts.opener, facts.answerer) if opener_is_client else (
            facts.answerer, facts.opener)
        control = ControlStream(Endpoint(client.host, client.port),
                                Endpoint(server.host, server.port),
                                from_start=candidate.from_start, first_t=facts.first_t)
        control.last_t = facts.last_t
        control.to_server = candidate.opener if opener_is_client else candidate.answerer
        control.to_client = candidate.answerer if opener_is_client else candidate.opener
        merged = [(c.t, 0, opener_is_client, c) for c in candidate.opener_chunks]
        merged += [(c.t, 1, not opener_is_client, c) for c in candidate.answerer_chunks]
        merged.sort(key=lambda entry: (entry[0], entry[1]))
        for _t, _order, from_client, chunk in merged:
            control.feed(from_client, [chunk])
        self.controls[key] = control

    def _control_segment(self, control: ControlStream, t: float, seg: TcpSegment) -> None:
        control.last_t = t
        from_client = seg.src == control.client.host and seg.sport == control.client.port
        stream = control.to_server if from_client else control.to_client
        if seg.flags & SYN:
            stream.syn(seg.seq)
            return
        if seg.length:
            stream.feed(t, seg.seq, seg.payload)
            control.feed(from_client, stream.take())
        if seg.flags & ACK:
            other = control.to_client if from_client else control.to_server
            other.acknowledged(t, seg.ack)
            control.feed(not from_client, other.take())

    def _result(self) -> ScanResult:
        end = self.last_t or 0.0
        for key, candidate in list(self.candidates.items()):
            facts = self.connections[key]
            decision = decide_at_end(candidate.data(candidate.opener_chunks),
                                     candidate.data(candidate.answerer_chunks),
                                     from_start=candidate.from_start)
            self._apply(key, facts, candidate, decision)
        self.candidates.clear()
        for control in self.controls.values():
            control.finish(end)
        interfaces = {i.index: link_type_name(i.link_type)
                      for i in self.reader.interfaces.values()}
        snaplen = min((i.snaplen for i in self.reader.interfaces.values() if i.snaplen),
                      default=0)
        return ScanResult(self.reader.name, self.reader.format, self.reader.packets,
                          interfaces, self.first_t, self.last_t, self.every_connection,
                          self.controls, self.unknown, self.cut_packets, snaplen)


def scan_capture(reader: CaptureReader, progress: Progress | None = None) -> ScanResult:
    """Read the whole capture once. Raises :class:`CaptureError` for a file that is not
    a capture or is cut off; a capture without FTP is judged by the caller."""
    result = _Scanner(reader).run(progress)
    if result.packets == 0:
        raise CaptureError(CaptureProblem.NO_FTP,
                           f"{result.name} holds no packets at all: the capture was stopped "
                           "before anything crossed the interface, or the filter matched "
                           "nothing")
    return result
