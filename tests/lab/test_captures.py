"""A capture taken on the client's side of the lab's NAT router, of a real ``diagnose``
run, gives the same verdict as that run: ``analyze`` sees what the client saw (SYNs
retransmitted into a DROP, the router's ICMP refusal, the server that never dials back
through the client's firewall)."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from fixtures.lab import Lab

from client.engine.capture.analysis import analyze_capture
from client.engine.events import DataChannelEvent

from .conftest import DATA_TIMEOUT

pytestmark = pytest.mark.lab


class ClientCapture:
    """tcpdump on the client's WAN interface, inside the client's namespace."""

    def __init__(self, lab: Lab, path: Path) -> None:
        if shutil.which("tcpdump") is None:
            pytest.skip("tcpdump is not installed (Debian: tcpdump)")
        self.path = path
        self.child = subprocess.Popen(
            ["ip", "netns", "exec", lab.client, "tcpdump", "-i", "c-wan", "-U",
             "--immediate-mode", "-s", "0", "-w", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert self.child.stderr is not None
        line = self.child.stderr.readline()  # "listening on c-wan, link-type EN10MB …"
        if "listening" not in line:
            self.stop()
            pytest.skip(f"tcpdump cannot capture in the lab: {line.strip()}")

    def stop(self) -> Path:
        if self.child.poll() is None:
            self.child.send_signal(signal.SIGINT)
        try:
            self.child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        if self.child.stderr:
            self.child.stderr.close()
        return self.path


def diagnose_under_capture(lab: Lab, server, *options: str) -> tuple[dict, Path]:
    capture = ClientCapture(lab, lab.workdir / "client-side.pcap")
    try:
        run = lab.run_cli(["diagnose", "--data-timeout", str(DATA_TIMEOUT), "--json",
                           "--tls", "off", "--probe-ports", "0", *options,
                           lab.url(server.user)], password=server.password)
    finally:
        path = capture.stop()
    assert run.returncode in (0, 3), run.stderr
    return run.json(), path


@pytest.mark.parametrize("scenario", ["dropped", "icmp"])
def test_capture_of_a_blocked_passive_range_agrees_with_diagnose(lab: Lab, scenario) -> None:
    if scenario == "dropped":
        lab.nat()  # only port 21 forwarded: the passive range is dropped
    else:
        lab.nat(reject="50000-50010", reject_with="icmp type admin-prohibited")
    server = lab.start_vsftpd()
    live, path = diagnose_under_capture(lab, server)
    analysis = analyze_capture(path)
    assert live["verdict"]["key"] == "passive-blocked", live["verdict"]
    assert analysis.judgement.verdict.key == live["verdict"]["key"]
    failed = [e for e in analysis.events if isinstance(e, DataChannelEvent) and e.failure]
    assert failed
    reasons = " ".join(e.reason or "" for e in failed)
    if scenario == "icmp":
        assert "198.18.0.1" in reasons and "prohibited" in reasons, reasons
    else:
        assert "SYN" in reasons, reasons


def test_capture_of_active_mode_blocked_at_the_client_agrees_with_diagnose(lab: Lab) -> None:
    lab.nat(forward="50000-50010")
    lab.client_firewall()
    server = lab.start_vsftpd()
    live, path = diagnose_under_capture(lab, server)
    analysis = analyze_capture(path)
    assert live["verdict"]["key"] == "active-blocked", live["verdict"]
    assert analysis.judgement.verdict.key == "active-blocked"
