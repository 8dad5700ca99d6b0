"""Passive mode through a real NAT router: forwarded, partly forwarded, rejected, and a
227 naming the server's internal address. vsftpd and ProFTPD run behind the router;
the client runs in its own namespace (see tests/fixtures/lab.py)."""

from __future__ import annotations

import pytest
from fixtures.lab import ROUTER_WAN, SERVER_LAN, Lab

from .conftest import DATA_TIMEOUT, data_events, epsv, pasv, session_seconds, transcript

pytestmark = pytest.mark.lab


def _ls(lab: Lab, server, *options: str):
    log = lab.workdir / f"ls-{len(list(lab.workdir.glob('ls-*')))}.jsonl"
    run = lab.run_cli(["ls", "--tls", "off", "--data-timeout", str(DATA_TIMEOUT), "--json",
                       "--transcript", str(log), *options, lab.url(server.user)],
                      password=server.password)
    return run, transcript(log)


def _diagnose(lab: Lab, server, *options: str) -> dict:
    run = lab.run_cli(["diagnose", "--data-timeout", str(DATA_TIMEOUT), "--json", *options,
                       lab.url(server.user)], password=server.password)
    assert run.returncode in (0, 1, 3), run.stderr
    return run.json()


@pytest.mark.parametrize("kind", ["vsftpd", "proftpd", "pure-ftpd"])
def test_correct_nat_is_healthy(lab: Lab, kind: str) -> None:
    lab.nat(forward="50000-50010")
    server = {"vsftpd": lab.start_vsftpd, "proftpd": lab.start_proftpd,
              "pure-ftpd": lab.start_pureftpd}[kind]()
    run, events = _ls(lab, server, *pasv())
    assert run.returncode == 0, run.stderr
    assert {e["name"] for e in run.json()} >= {"docs", "empty.txt"}
    assert data_events(events, "closed") and not data_events(events, "failed")
    assert session_seconds(events) < DATA_TIMEOUT  # no timeout was waited out
    diagnosis = _diagnose(lab, server, "--tls", "off")
    assert diagnosis["verdict"]["key"] == "healthy", diagnosis["verdict"]
    data_rows = [a for a in diagnosis["attempts"] if a["mode"] in ("passive", "active")]
    assert all(a["outcome"] in ("ok", "unsupported") for a in data_rows), data_rows


def test_partial_range_gets_its_own_verdict_with_the_ports(lab: Lab) -> None:
    """50000-50004 forwarded, 50005-50010 dropped: neither healthy nor a NAT address
    problem (pasv_address is set, the 227 names the control peer), but part of the
    range not forwarded. Rows alone see three ports: the extra probes map the range."""
    lab.nat(forward="50000-50004")
    server = lab.start_vsftpd()
    diagnosis = _diagnose(lab, server, "--tls", "off", "--probe-ports", "12")
    verdict = diagnosis["verdict"]
    assert verdict["key"] == "passive-partial", verdict
    ports = diagnosis["passive_ports"]
    worked = {p["port"] for p in ports if p["connected"]}
    failed = {p["port"] for p in ports if not p["connected"]}
    assert worked and failed
    assert worked <= set(range(50000, 50005)) and failed <= set(range(50005, 50011))
    text = verdict["explanation"] + " ".join(verdict["fixes"]) + (verdict["firewall"] or "")
    assert str(min(failed)) in text and str(min(worked)) in text
    assert f"{min(worked | failed)}-{max(worked | failed)}" in (verdict["firewall"] or "")
    assert "PUBLIC_IP" not in text and "50100" not in (verdict["firewall"] or "")
    failed_rows = [a for a in diagnosis["attempts"] if a["outcome"] == "failed"]
    assert all(a["failure"] == "syn-unanswered" for a in failed_rows), failed_rows
    assert all(a["elapsed"] < DATA_TIMEOUT + 1 for a in failed_rows)


@pytest.mark.parametrize("reject_with,words", [
    ("tcp reset", "reset"),
    ("icmp type admin-prohibited", "administratively prohibited by 198.18.0.1"),
])
def test_rejected_range_epsv(lab: Lab, reject_with: str, words: str) -> None:
    """The router refuses the whole passive range. Over EPSV no address is sent, so
    the cause text must not blame a NAT/masquerade address; one data timeout at most."""
    lab.nat(reject="50000-50010", reject_with=reject_with)
    server = lab.start_vsftpd()
    run, events = _ls(lab, server, *epsv(), "-v")
    assert run.returncode == 3, run.stderr
    failed = data_events(events, "failed")
    assert failed and failed[0]["method"] == "EPSV" and failed[0]["failure"] == "refused"
    assert words in failed[0]["reason"], failed[0]["reason"]
    tcp = failed[0]["tcp"]
    if "icmp" in reject_with:
        assert tcp["finding"] == "icmp-error" and tcp["icmp_from"] == ROUTER_WAN
        assert "administratively prohibited by 198.18.0.1" in run.stderr  # -v and the error
    else:
        assert tcp["finding"] == "reset-by-host"
    cause = [line for line in run.stderr.splitlines() if "likely cause" in line]
    assert cause and "masquerade" not in cause[0] and "advertised an address" not in cause[0]
    assert f"passive ports this session: {ROUTER_WAN}:{failed[0]['remote'].split(':')[1]} " \
           "no (refused)" in run.stderr  # the session's passive-port map (-v)
    assert session_seconds(events) < DATA_TIMEOUT + 1
    if "icmp" not in reject_with:
        return
    diagnosis = _diagnose(lab, server, "--tls", "off", "--probe-ports", "2")
    verdict = diagnosis["verdict"]
    assert verdict["key"] == "passive-blocked", verdict
    offered = sorted({p["port"] for p in diagnosis["passive_ports"]})
    assert offered and str(offered[0]) in verdict["firewall"]
    assert all(not p["connected"] and p["failure"] == "refused"
               for p in diagnosis["passive_ports"])


def test_dropped_range_fails_within_one_data_timeout(lab: Lab) -> None:
    lab.nat()
    server = lab.start_vsftpd()
    run, events = _ls(lab, server, *pasv())
    assert run.returncode == 3, run.stderr
    failed = data_events(events, "failed")
    assert [e["failure"] for e in failed] == ["syn-unanswered"]
    assert "SYN" in failed[0]["reason"] and "sent" in failed[0]["reason"]
    assert session_seconds(events) < DATA_TIMEOUT + 1


def test_wrong_227_address_over_vpn_is_named(vpn_lab: Lab) -> None:
    """Both sides private: the 227 names the server's internal 10.77.0.2, not the
    control peer 10.77.1.1. Dialled as advertised it is a black hole, and the message
    must say the 227 address is the cause, not a blocked range."""
    vpn_lab.nat(forward="50000-50010")
    server = vpn_lab.start_vsftpd(pasv_address=None)
    run, events = _ls(vpn_lab, server, *pasv(), "--pasv-address", "advertised")
    assert run.returncode == 3, run.stderr
    failed = data_events(events, "failed")
    assert failed and failed[0]["advertised"].startswith(SERVER_LAN)
    assert failed[0]["failure"] == "syn-unanswered"
    assert session_seconds(events) < DATA_TIMEOUT + 1
    cause = " ".join(line for line in run.stderr.splitlines() if "likely cause" in line)
    assert SERVER_LAN in cause and vpn_lab.router_wan in cause, run.stderr
    assert "range is probably blocked" not in cause
    diagnosis = _diagnose(vpn_lab, server, "--tls", "off")
    verdict = diagnosis["verdict"]
    assert verdict["key"] == "nat-not-configured", verdict
    assert SERVER_LAN in verdict["explanation"]
    assert any(f"pasv_address={vpn_lab.router_wan}" in fix for fix in verdict["fixes"])


def test_internal_227_replaced_by_default(lab: Lab) -> None:
    """Behind NAT without pasv_address, the default policy dials the control peer."""
    lab.nat(forward="50000-50010")
    server = lab.start_vsftpd(pasv_address=None)
    run, events = _ls(lab, server, *pasv())
    assert run.returncode == 0, run.stderr
    connected = data_events(events, "connected")
    assert connected[0]["remote"].startswith(ROUTER_WAN)
