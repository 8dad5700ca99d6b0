"""One data connection of a capture as the engine's phase events, plus the TCP evidence
behind them in words.

The phases are the live engine's (ADVERTISED/LISTENING, CONNECTING, CONNECTED,
FIRST_BYTE, CLOSED or FAILED with a :class:`DataFailure`), so the ladder, the table and
the diagnosis rules read a capture exactly like a session. Where a live client would
time out, the capture shows how long nothing happened before it ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from client.engine.capture.channel_matching import ChannelMatch
from client.engine.capture.tcp_evidence import ConnectionFacts, DirectionFacts
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    EngineEvent,
    Notice,
)
from client.protocol.annotate import Severity
from client.protocol.text import escape_control

__all__ = ["ChannelReport", "report_channel"]


@dataclass(frozen=True)
class ChannelReport:
    """The events and findings of one data connection."""

    channel: int
    connection: str
    method: str | None
    command: str
    passive: bool
    events: tuple[EngineEvent, ...]
    failure: DataFailure | None
    reply_code: int | None
    evidence: tuple[str, ...]
    guessed: bool
    seen: bool  # the capture shows the TCP connection
    advertised: str | None
    local: str | None
    remote: str | None
    phase: str | None
    elapsed: float
    tls: bool


def _at(t: float) -> str:
    return f"+{t:.3f} s"


def _ep(side: DirectionFacts) -> Endpoint:
    return Endpoint(side.host, side.port)


class _Builder:
    def __init__(self, channel: int, match: ChannelMatch, origin: float, end: float) -> None:
        self.channel = channel
        self.match = match
        self.origin = origin
        self.end = end  # capture time of the last packet, relative
        setup = match.setup
        self.connection = match.conversation.name
        self.method = setup.method if setup else "? (encrypted)"
        if setup is not None:
            self.command = setup.command or ("(transfer command never sent)"
                                             if match.facts is not None
                                             else "(no transfer command followed)")
        else:
            self.command = "an encrypted command (guessed pairing)"
        self.advertised = setup.advertised if setup else None
        self.events: list[EngineEvent] = []
        self.evidence: list[str] = []
        self.failure: DataFailure | None = None
        self.local: Endpoint | None = None
        self.remote: Endpoint | None = None
        self.bytes = 0
        self.tls = False
        self.first_t: float | None = None
        self.last_phase: DataPhase | None = None

    def rel(self, t: float) -> float:
        return t - self.origin

    def emit(self, t: float, phase: DataPhase, *, failure: DataFailure | None = None,
             reason: str | None = None) -> None:
        if self.first_t is None:
            self.first_t = t
        note = "paired with a command by guess: the control connection is encrypted" \
            if self.match.guessed else None
        self.events.append(DataChannelEvent(
            t=t, connection=self.connection, channel=self.channel, phase=phase,
            initiator="client" if self.match.passive else "server", method=self.method,
            command=self.command, local=self.local, remote=self.remote,
            advertised=self.advertised, address_note=note, failure=failure, reason=reason,
            bytes=self.bytes, elapsed=t - self.first_t, tls=self.tls))
        self.last_phase = phase
        if failure is not None:
            self.failure = failure

    # -- the story -------------------------------------------------------------------

    def build(self) -> None:
        setup = self.match.setup
        facts = self.match.facts
        if setup is not None:
            self.emit(setup.t, DataPhase.ADVERTISED if setup.passive else DataPhase.LISTENING)
        if facts is None:
            self._never_seen()
            return
        if self.match.passive:
            self.local, self.remote = _ep(facts.opener), _ep(facts.answerer)
        else:
            self.local, self.remote = _ep(facts.answerer), _ep(facts.opener)
        self._handshake_evidence(facts)
        if facts.syn_seen and self.match.passive:
            self.emit(self.rel(facts.syn_times[0]), DataPhase.CONNECTING)
        if facts.syn_seen and facts.synack_t is None:
            self._unanswered(facts)
            return
        self._connected(facts)

    def _reply_suffix(self) -> str:
        final = self.match.setup.final if self.match.setup else None
        if final is None:
            return ""
        reply = final[1]
        return f"; the server replied {reply.code} {escape_control(reply.text)}"

    def _never_seen(self) -> None:
        setup = self.match.setup
        assert setup is not None
        final = setup.final
        t = final[0] if final else self.end
        where = f"to {setup.advertised}" if setup.passive else \
            f"from the server to {setup.advertised}"
        self.evidence.append(f"no SYN {where} seen on this interface")
        if setup.passive:
            reason = (f"no SYN to port {setup.advertised.port} seen on this interface: the "
                      "client never dialled it, or a firewall before this capture point "
                      "dropped the SYN")
            failure = DataFailure.CONNECT_TIMEOUT
        else:
            reason = (f"no SYN from the server to {setup.advertised} seen on this interface: "
                      "the server never connected back, or a firewall before this capture "
                      "point dropped its SYN")
            failure = DataFailure.NEVER_CONNECTED_BACK
        self.emit(max(t, setup.t), DataPhase.FAILED, failure=failure,
                  reason=reason + self._reply_suffix())

    def _handshake_evidence(self, facts: ConnectionFacts) -> None:
        opener, answerer = facts.opener, facts.answerer
        who = f"{opener.host}:{opener.port} -> {answerer.host}:{answerer.port}"
        if facts.syn_seen:
            first = facts.syn_times[0]
            text = f"SYN {who} at {_at(self.rel(first))}"
            if facts.syn_count > 1:
                again = ", ".join(f"{_at(self.rel(t))} (+{t - first:.1f} s)"
                                  for t in facts.syn_times[1:])
                more = facts.syn_count - len(facts.syn_times)
                text += f", retransmitted at {again}" + (f" and {more} more" if more else "")
            self.evidence.append(text)
        else:
            self.evidence.append(f"{who}: already open when the capture began (no SYN in it)")
        if facts.synack_t is not None:
            rtt = (facts.synack_t - facts.syn_times[0]) * 1000 if facts.syn_times else 0.0
            self.evidence.append(f"SYN-ACK at {_at(self.rel(facts.synack_t))} "
                                 f"({rtt:.1f} ms after the SYN)")
        elif facts.syn_seen:
            self.evidence.append("no SYN-ACK")
        for t, error in facts.icmp:
            self.evidence.append(f"{error.description} from {error.sender} at {_at(self.rel(t))}")
        for side, name in ((opener, self._role(opener)), (answerer, self._role(answerer))):
            if side.rst_t is not None:
                self.evidence.append(f"RST from {side.host}:{side.port} ({name}) at "
                                     f"{_at(self.rel(side.rst_t))}")

    def _role(self, side: DirectionFacts) -> str:
        facts = self.match.facts
        assert facts is not None
        opener = side is facts.opener
        return "the client" if opener == self.match.passive else "the server"

    def _unanswered(self, facts: ConnectionFacts) -> None:
        if facts.refused_by_rst:
            rst = facts.answerer.rst_t or 0.0
            delay = (rst - facts.syn_times[-1]) * 1000
            self.emit(self.rel(rst), DataPhase.FAILED, failure=DataFailure.REFUSED,
                      reason=f"the SYN was answered by a reset from {facts.answerer.host}:"
                             f"{facts.answerer.port} {delay:.1f} ms later: nothing listens on "
                             "that port, or a firewall rejects it" + self._reply_suffix())
            return
        if facts.icmp:
            t, error = facts.icmp[0]
            self.emit(self.rel(t), DataPhase.FAILED, failure=DataFailure.REFUSED,
                      reason=f"{error.description} from {error.sender}" + self._reply_suffix())
            return
        last = facts.syn_times[-1]
        silence = self.end - self.rel(facts.last_t)
        self.evidence.append(f"last packet at {_at(self.rel(facts.last_t))}, then "
                             f"{silence:.1f} s of silence until the capture ends")
        self.emit(self.rel(max(last, facts.last_t)), DataPhase.FAILED,
                  failure=DataFailure.CONNECT_TIMEOUT,
                  reason=f"{facts.syn_count} SYN(s) over {last - facts.syn_times[0]:.1f} s, never "
                         "answered: something between drops them (a firewall DROP rule)"
                         + self._reply_suffix())

    def _connected(self, facts: ConnectionFacts) -> None:
        opener, answerer = facts.opener, facts.answerer
        connected = facts.synack_t if facts.synack_t is not None else facts.first_t
        self.emit(self.rel(connected), DataPhase.CONNECTED)
        sender = answerer if answerer.bytes >= opener.bytes else opener
        self.bytes = opener.bytes + answerer.bytes
        self.tls = any(side.head[:2] == b"\x16\x03" for side in (opener, answerer))
        firsts = [s.first_payload_t for s in (opener, answerer) if s.first_payload_t is not None]
        if firsts:
            self.emit(self.rel(min(firsts)), DataPhase.FIRST_BYTE)
        self._flow_evidence(facts, sender)
        rst = [(s.rst_t, s) for s in (opener, answerer) if s.rst_t is not None]
        fins = [s.fin_t for s in (opener, answerer) if s.fin_t is not None]
        final = self.match.setup.final if self.match.setup else None
        if rst and (not fins or min(t for t, _ in rst) <= max(fins)):
            t, side = min(rst, key=lambda entry: entry[0])
            self.emit(self.rel(t), DataPhase.FAILED, failure=DataFailure.RESET,
                      reason=f"reset by {side.host}:{side.port} ({self._role(side)}) after "
                             f"{self.bytes} bytes" + self._reply_suffix())
        elif fins:
            closer = min((s for s in (opener, answerer) if s.fin_t is not None),
                         key=lambda s: s.fin_t or 0.0)
            client_gave_up = self._role(closer) == "the client"
            if (final is not None and final[1].is_success) or self.match.setup is None:
                # (an encrypted control connection hides the 226: a FIN is all there is)
                self.emit(self.rel(max(fins)), DataPhase.CLOSED)
            elif final is None or client_gave_up:
                self._closed_without_226(facts, sender)
            else:
                failure = DataFailure.CLOSED_EARLY if self.bytes else DataFailure.SERVER_REFUSED
                self.emit(max(self.rel(max(fins)), final[0]), DataPhase.FAILED, failure=failure,
                          reason=f"closed after {self.bytes} bytes" + self._reply_suffix())
        else:
            self._still_open(facts, sender)

    def _closed_without_226(self, facts: ConnectionFacts, sender: DirectionFacts) -> None:
        """Closed, but the server never confirmed the transfer: someone gave up."""
        first = min((s for s in (facts.opener, facts.answerer) if s.fin_t is not None),
                    key=lambda s: s.fin_t or 0.0)
        t = self.rel(first.fin_t or facts.last_t)
        who = f"{first.host}:{first.port} ({self._role(first)})"
        if sender.bytes == 0:
            self.emit(t, DataPhase.FAILED, failure=DataFailure.SILENT,
                      reason=f"connected, no byte arrived, then {who} closed it without a 226")
        else:
            self.emit(t, DataPhase.FAILED, failure=DataFailure.STALLED,
                      reason=f"{self.bytes} bytes, then {who} closed it without a 226")

    def _still_open(self, facts: ConnectionFacts, sender: DirectionFacts) -> None:
        silence_from = sender.last_payload_t or facts.synack_t or facts.first_t
        silence = self.end - self.rel(silence_from)
        said = ""
        if self.match.setup is not None and any(r.code in (125, 150)
                                                for _t, r in self.match.setup.replies):
            said = " although the server said 150"
        if self.bytes == 0:
            self.emit(self.end, DataPhase.FAILED, failure=DataFailure.SILENT,
                      reason=f"connected, and no byte arrived{said} in the {silence:.1f} s "
                             "until the capture ends")
        else:
            self.emit(self.end, DataPhase.FAILED, failure=DataFailure.STALLED,
                      reason=f"{self.bytes} bytes, then {silence:.1f} s of silence until "
                             "the capture ends")

    def _flow_evidence(self, facts: ConnectionFacts, sender: DirectionFacts) -> None:
        for side in (facts.opener, facts.answerer):
            name = self._role(side)
            if side.bytes:
                self.evidence.append(f"{side.bytes} bytes from {name} ({side.host}:{side.port})"
                                     + (", TLS" if side.head[:2] == b"\x16\x03" else ""))
            if side.unseen:
                self.evidence.append(f"{side.unseen} bytes from {name} were acknowledged but "
                                     "are not in the capture (the capture lost packets)")
            if side.retransmissions:
                self.evidence.append(f"{side.retransmissions} retransmitted segment(s) from {name}")
            if side.zero_windows:
                self.evidence.append(
                    f"{side.zero_windows} zero-window advertisement(s) from {name} (first at "
                    f"{_at(self.rel(side.first_zero_window_t or 0.0))}): it stopped reading")
            if side.fin_t is not None:
                self.evidence.append(f"FIN from {name} at {_at(self.rel(side.fin_t))}")
        silence = self.end - self.rel(facts.last_t)
        self.evidence.append(f"last packet at {_at(self.rel(facts.last_t))}"
                             + (f", then {silence:.1f} s of silence until the capture ends"
                                if silence >= 1.0 else ""))


def report_channel(channel: int, match: ChannelMatch, origin: float, end: float) -> ChannelReport:
    """The phase events, a closing evidence notice and the findings of one channel."""
    builder = _Builder(channel, match, origin, end)
    builder.build()
    events = list(builder.events)
    last = events[-1].t if events else end
    guess = " (paired by guess)" if match.guessed else ""
    label = f"data #{channel} TCP evidence{guess}: "
    events.append(Notice(t=last, connection=builder.connection,
                         severity=Severity.WARNING if builder.failure else Severity.INFO,
                         text=label + "; ".join(builder.evidence), kind="capture-evidence"))
    final = match.setup.final if match.setup else None
    phases = [e.phase for e in builder.events if isinstance(e, DataChannelEvent)
              and e.phase is not DataPhase.FAILED]
    return ChannelReport(
        channel=channel, connection=builder.connection, method=builder.method,
        command=builder.command, passive=match.passive, events=tuple(events),
        failure=builder.failure, reply_code=final[1].code if final else None,
        evidence=tuple(builder.evidence), guessed=match.guessed, seen=match.facts is not None,
        advertised=str(builder.advertised) if builder.advertised else None,
        local=str(builder.local) if builder.local else None,
        remote=str(builder.remote) if builder.remote else None,
        phase=phases[-1].value if phases else None,
        elapsed=(builder.events[-1].t - builder.events[0].t) if builder.events else 0.0,
        tls=builder.tls)
