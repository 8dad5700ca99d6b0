"""Active mode behind a client-side inbound firewall, and FTPS through the NAT router
(session reuse required by vsftpd)."""

from __future__ import annotations

import pytest
from fixtures.lab import Lab

from .conftest import DATA_TIMEOUT, data_events, pasv, port, session_seconds, transcript

pytestmark = pytest.mark.lab


def test_client_firewall_blocks_active_mode_fast(lab: Lab) -> None:
    """The server's connection back never arrives: failure class never-connected-back
    within the data timeout + 1 s (not + 2 s for ABOR + 2 s for QUIT), and diagnose
    says the client side blocks inbound connections."""
    lab.nat(forward="50000-50010")
    lab.client_firewall()
    server = lab.start_vsftpd()
    log = lab.workdir / "active.jsonl"
    run = lab.run_cli(["ls", "--tls", "off", "--mode", "active", *port(), "--data-timeout",
                       str(DATA_TIMEOUT), "--transcript", str(log), lab.url(server.user)],
                      password=server.password)
    assert run.returncode == 3, run.stderr
    events = transcript(log)
    failed = data_events(events, "failed")
    assert [e["failure"] for e in failed] == ["never-connected-back"]
    assert "firewall or NAT in front of this computer" in run.stderr
    assert session_seconds(events) < DATA_TIMEOUT + 1
    diagnosis = lab.run_cli(["diagnose", "--tls", "off", "--data-timeout", str(DATA_TIMEOUT),
                             "--json", "--probe-ports", "0", lab.url(server.user)],
                            password=server.password).json()
    verdict = diagnosis["verdict"]
    assert verdict["key"] == "active-blocked", verdict
    assert verdict["recommended"]["mode"] == "passive"


def test_ftps_with_session_reuse_through_nat(lab: Lab) -> None:
    lab.nat(forward="50000-50010")
    server = lab.start_vsftpd(tls="required")
    log = lab.workdir / "ftps.jsonl"
    run = lab.run_cli(["ls", "--tls", "explicit", "--insecure", "-q", *pasv(), "--json",
                       "--data-timeout", str(DATA_TIMEOUT), "--transcript", str(log),
                       lab.url(server.user)], password=server.password)
    assert run.returncode == 0, run.stderr
    assert {e["name"] for e in run.json()} >= {"docs"}
    events = transcript(log)
    tls = [e for e in events if e.get("category") == "tls" and e.get("channel")]
    assert tls and all(e["session_reused"] for e in tls), tls
    assert session_seconds(events) < DATA_TIMEOUT
    diagnosis = lab.run_cli(["diagnose", "--tls", "explicit", "--insecure", "--json",
                             "--data-timeout", str(DATA_TIMEOUT), lab.url(server.user)],
                            password=server.password).json()
    assert diagnosis["verdict"]["key"] == "healthy", diagnosis["verdict"]
