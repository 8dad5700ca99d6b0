"""``analyze_capture(path)``: a capture file in, the engine's events, the data-channel
reports and a verdict out. Blocking and Qt-free: the window runs it in a thread
(``asyncio.to_thread``) and the CLI calls it directly."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from client.engine.capture.capture_scan import ScanResult, scan_capture
from client.engine.capture.capture_verdict import CaptureVerdict, judge_capture
from client.engine.capture.channel_matching import match_channels
from client.engine.capture.channel_report import ChannelReport, report_channel
from client.engine.capture.errors import CaptureError, CaptureProblem
from client.engine.capture.event_replay import Conversation, replay_conversation
from client.engine.capture.link_layers import link_type_name
from client.engine.capture.reading import open_capture
from client.engine.capture.tcp_evidence import ConnectionFacts
from client.engine.events import EngineEvent

__all__ = ["CaptureAnalysis", "analyze_capture"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CaptureAnalysis:
    """Everything found in one capture. ``events`` are in time order, ``t`` in seconds
    since the first packet, whose wall-clock time is ``wall_origin``."""

    path: str
    format: str
    packets: int
    interfaces: dict[int, str]
    duration: float
    wall_origin: float
    events: tuple[EngineEvent, ...]
    conversations: tuple[Conversation, ...]
    channels: tuple[ChannelReport, ...]
    judgement: CaptureVerdict

    def summary(self) -> str:
        kinds = ", ".join(sorted(set(self.interfaces.values()))) or "no interface"
        return (f"{os.path.basename(self.path)}: {self.format}, {self.packets} packets over "
                f"{self.duration:.1f} s on {len(self.interfaces)} interface(s) ({kinds}); "
                f"{len(self.conversations)} FTP control connection(s), "
                f"{len(self.channels)} data connection(s)")


def _no_ftp(scan: ScanResult) -> CaptureError:
    if scan.unknown_link_types and not scan.connections:
        kinds = ", ".join(f"{link_type_name(k)} ({n} packets)"
                          for k, n in scan.unknown_link_types.items())
        return CaptureError(CaptureProblem.UNKNOWN_LINK_TYPE,
                            f"{scan.name}: cannot decode its packets: {kinds} is not supported "
                            "(supported: Ethernet, Linux cooked SLL/SLL2, raw IP, BSD "
                            "loopback). Capture on an Ethernet or 'any' interface")
    if scan.cut_packets:
        return CaptureError(CaptureProblem.SNAPLEN_CUT,
                            f"{scan.name}: {scan.cut_packets} packets were cut short by the "
                            f"snap length ({scan.snaplen} bytes), so no FTP conversation can be "
                            "read. Capture again with the full snap length: tcpdump -s 0 -w FILE")
    return CaptureError(CaptureProblem.NO_FTP,
                        f"{scan.name}: no FTP control connection in {scan.packets} packets "
                        f"({len(scan.connections)} TCP connection(s)): none starts with a 220 "
                        "banner followed by an FTP command, on any port. Capture the control "
                        "connection too (e.g. tcpdump -i any -w FILE 'host SERVER')")


def _limits(scan: ScanResult) -> list[str]:
    limits = []
    for kind, count in scan.unknown_link_types.items():
        limits.append(f"{count} packet(s) of {link_type_name(kind)} could not be decoded")
    if scan.cut_packets:
        limits.append(f"{scan.cut_packets} packet(s) were cut by the snap length: byte "
                      "counts come from the TCP headers")
    return limits


def analyze_capture(path: str | os.PathLike[str],
                    progress: Progress | None = None) -> CaptureAnalysis:
    """Read ``path`` and judge it. Raises :class:`CaptureError` (never anything else for
    a bad file): not a capture, cut off, unknown link type, cut by the snap length, no
    FTP."""
    with open_capture(path) as reader:
        scan = scan_capture(reader, progress)
    if not scan.controls:
        raise _no_ftp(scan)
    cut_controls = [c for c in scan.controls.values() if c.missed and scan.cut_packets]
    if cut_controls and scan.snaplen and scan.snaplen < 1500:
        raise CaptureError(CaptureProblem.SNAPLEN_CUT,
                           f"{scan.name}: the FTP control connection's packets were cut to "
                           f"{scan.snaplen} bytes (snap length), so its commands and replies "
                           "are incomplete. Capture again with: tcpdump -s 0 -w FILE")
    origin = scan.first_t or 0.0
    end = scan.duration
    conversations = [replay_conversation(f"c{i}", stream, origin)
                     for i, stream in enumerate(
                         sorted(scan.controls.values(), key=lambda s: s.first_t), start=1)]
    control_ids = {id(f) for f in scan.connections if _is_control(f, scan)}
    matches = match_channels(conversations, scan.connections, control_ids, origin)
    reports = [report_channel(i, m, origin, end) for i, m in enumerate(matches, start=1)]
    events: list[EngineEvent] = [e for c in conversations for e in c.events]
    events += [e for r in reports for e in r.events]
    events.sort(key=lambda e: e.t)
    judgement = judge_capture(reports, conversations, _limits(scan))
    return CaptureAnalysis(os.fspath(path), scan.format, scan.packets, scan.interfaces, end,
                           origin, tuple(events), tuple(conversations), tuple(reports),
                           judgement)


def _is_control(facts: ConnectionFacts, scan: ScanResult) -> bool:
    opener, answerer = facts.opener, facts.answerer
    for stream in scan.controls.values():
        ends = {(stream.client.host, stream.client.port), (stream.server.host, stream.server.port)}
        if {(opener.host, opener.port), (answerer.host, answerer.port)} == ends:
            return True
    return False
