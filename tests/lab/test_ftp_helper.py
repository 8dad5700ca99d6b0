"""A router that relies on the kernel's FTP helper (an ALG) instead of forwarding the
passive range: vsftpd without pasv_address and no range forwarded. The helper rewrites
plain 227 replies to the router's address and opens each data connection; it cannot
read a TLS control connection, so FTPS listings hang."""

from __future__ import annotations

import pytest
from fixtures.lab import ROUTER_WAN, SERVER_LAN, Lab

from .conftest import DATA_TIMEOUT, data_events, pasv, session_seconds, transcript

pytestmark = pytest.mark.lab


@pytest.fixture
def helper_lab(lab: Lab):
    lab.nat(helper=True)
    server = lab.start_vsftpd(pasv_address=None, tls="optional")
    return lab, server


def test_plain_works_and_ftps_hangs(helper_lab) -> None:
    lab, server = helper_lab
    plain_log, tls_log = lab.workdir / "plain.jsonl", lab.workdir / "tls.jsonl"
    plain = lab.run_cli(["ls", "--tls", "off", *pasv(), "--data-timeout", str(DATA_TIMEOUT),
                         "--transcript", str(plain_log), lab.url(server.user)],
                        password=server.password)
    assert plain.returncode == 0, plain.stderr
    rewritten = [e for e in transcript(plain_log) if e.get("code") == 227]
    assert ROUTER_WAN.replace(".", ",") in rewritten[0]["text"]  # the helper's 227
    tls = lab.run_cli(["ls", "--tls", "explicit", "--insecure", "-q", *pasv(),
                       "--data-timeout", str(DATA_TIMEOUT), "--transcript", str(tls_log),
                       lab.url(server.user)], password=server.password)
    assert tls.returncode == 3, tls.stderr
    events = transcript(tls_log)
    assert SERVER_LAN.replace(".", ",") in [e for e in events if e.get("code") == 227][0]["text"]
    assert [e["failure"] for e in data_events(events, "failed")] == ["syn-unanswered"]
    assert session_seconds(events) < DATA_TIMEOUT + 1.5


def test_diagnose_names_the_ftp_helper(helper_lab) -> None:
    """Plain rows work, the TLS row hangs and its 227 names another address: the
    verdict names the firewall's FTP helper and how to do without it."""
    lab, server = helper_lab
    run = lab.run_cli(["diagnose", "--tls", "off", "--insecure", "--json", "--probe-ports",
                       "2", "--data-timeout", str(DATA_TIMEOUT), lab.url(server.user)],
                      password=server.password)
    verdict = run.json()["verdict"]
    assert verdict["key"] == "ftp-helper", verdict
    assert SERVER_LAN in verdict["explanation"] and "TLS" in verdict["explanation"]
    fixes = " ".join(verdict["fixes"])
    assert f"pasv_address={ROUTER_WAN}" in fixes and "passive port range" in fixes


def test_diagnose_over_tls_points_at_the_helper(helper_lab) -> None:
    lab, server = helper_lab
    run = lab.run_cli(["diagnose", "--tls", "explicit", "--insecure", "--json",
                       "--probe-ports", "0", "--data-timeout", str(DATA_TIMEOUT),
                       lab.url(server.user)],
                      password=server.password)
    verdict = run.json()["verdict"]
    assert verdict["key"] == "passive-blocked", verdict
    assert "FTP helper" in verdict["explanation"] and SERVER_LAN in verdict["explanation"]
