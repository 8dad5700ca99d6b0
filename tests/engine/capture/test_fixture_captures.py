"""The checked-in real captures (tests/fixtures/captures, see its README): their
verdicts, the evidence of the hung listing, and tshark's agreement."""

from __future__ import annotations

from pathlib import Path

from client.engine.capture import analyze_capture
from client.engine.events import DataFailure

from .test_live_captures import _agrees_with_tshark

CAPTURES = Path(__file__).parents[2] / "fixtures" / "captures"


def test_the_hung_listing() -> None:
    analysis = analyze_capture(CAPTURES / "hung-listing-passive.pcap")
    report = analysis.channels[0]
    assert report.failure is DataFailure.CONNECT_TIMEOUT and report.method == "PASV"
    syns = next(fact for fact in report.evidence if fact.startswith("SYN "))
    assert "retransmitted at" in syns and syns.count("(+") >= 3
    assert "no SYN-ACK" in report.evidence
    assert analysis.judgement.verdict.key == "passive-blocked"
    _agrees_with_tshark(CAPTURES / "hung-listing-passive.pcap",
                        analysis.conversations[0].stream.server.port, analysis)


def test_a_gzipped_pcapng_of_a_diagnosis() -> None:
    analysis = analyze_capture(CAPTURES / "diagnose-passive-refused.pcapng.gz")
    assert analysis.format == "pcapng"
    refused = [r for r in analysis.channels if r.failure is DataFailure.REFUSED]
    assert refused and all(r.passive for r in refused)
    assert any("RST from" in fact for fact in refused[0].evidence)
    assert analysis.judgement.verdict.key == "passive-blocked"


def test_linux_cooked_v2_active_listing() -> None:
    analysis = analyze_capture(CAPTURES / "active-listing-any.pcap")
    assert "SLL2" in analysis.interfaces[0]
    report = analysis.channels[0]
    assert not report.passive and report.method == "EPRT" and report.failure is None
    assert analysis.judgement.verdict.key == "healthy"
    _agrees_with_tshark(CAPTURES / "active-listing-any.pcap",
                        analysis.conversations[0].stream.server.port, analysis)
