"""Packet-capture analysis: a pcap/pcapng file read back into the engine's own events.

Modules, in the order the data flows: :mod:`reading` (pcap/pcapng records),
:mod:`link_layers` (down to IP), :mod:`packets` (IPv4/IPv6, TCP, ICMP errors),
:mod:`tcp_reassembly` (byte streams in order), :mod:`tcp_evidence` (per-connection
facts), :mod:`ftp_detection` (which connection is FTP), :mod:`capture_scan` (the one
pass), :mod:`control_stream` and :mod:`event_replay` (the conversation as events),
:mod:`channel_matching` and :mod:`channel_report` (data connections and their
evidence), :mod:`capture_verdict` (the diagnosis rule), :mod:`analysis` (all of it),
:mod:`capture_comparison` (two captures of one session across a NAT).
"""

from client.engine.capture.analysis import CaptureAnalysis, analyze_capture
from client.engine.capture.errors import CaptureError, CaptureProblem

__all__ = ["CaptureAnalysis", "analyze_capture", "CaptureError", "CaptureProblem"]
