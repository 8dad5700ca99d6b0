"""The classic "login works but the listing hangs" behind a real NAT router, with the
server's OpenSSH on port 22 forwarded too: Diagnose (the engine and the CLI) judges the
data connections blocked and offers SFTP, and SFTP through the same router lists and
downloads. With port 22 closed or filtered there is no offer, and the SSH probe of a
filtered port gives up after its own short timeout.

One lab for the module (vsftpd and sshd started once); each test loads the router
rules it needs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.lab import ROUTER_WAN, Lab
from fixtures.sshd import SshdServer

from .conftest import guard_after_each_test, shared_lab, start_or_skip

# one worker runs the module (tools/run-tests: --dist loadgroup): its module-scoped lab (namespaces, servers)
# is then made once, not once per worker
pytestmark = [pytest.mark.lab, pytest.mark.xdist_group("lab-sftp-offer")]

#: every data connection in this module is meant to fail: a short wait suffices
BLOCKED_TIMEOUT = 1
BLOCKED = {"passive-blocked", "data-blocked"}
PAYLOAD = hashlib.sha256(b"lab").digest() * 4096  # 128 KiB
ENGINE_SCRIPT = str(Path(__file__).with_name("engine_diagnose.py"))


@pytest.fixture(scope="module")
def ssh_lab() -> Iterator[Lab]:
    yield from shared_lab(Lab)


@pytest.fixture(scope="module")
def servers(ssh_lab: Lab):
    return (start_or_skip(ssh_lab.start_vsftpd),
            start_or_skip(lambda: ssh_lab.start_sshd(files={"report.bin": PAYLOAD})))


@pytest.fixture(autouse=True)
def _guard(ssh_lab: Lab) -> Iterator[None]:
    yield
    guard_after_each_test(ssh_lab)


def _diagnose(lab: Lab, ftp, *options: str):
    return lab.run_cli(["diagnose", "--tls", "off", "--probe-ports", "0", "--data-timeout",
                        str(BLOCKED_TIMEOUT), *options, lab.url(ftp.user)],
                       password=ftp.password)


def test_cli_diagnose_offers_sftp_when_the_passive_range_is_dropped(ssh_lab: Lab,
                                                                     servers) -> None:
    ftp, _sshd = servers
    ssh_lab.nat(ports="21, 22")  # the passive range is dropped: the listing hangs
    run = _diagnose(ssh_lab, ftp)
    assert run.returncode == 3, run.stderr
    out = run.stdout
    verdict_line = next(line for line in out.splitlines() if line.startswith("Verdict:"))
    assert any(f"[{key}]" in verdict_line for key in BLOCKED), verdict_line
    assert f"{ROUTER_WAN} also answers SSH on port 22 (SSH-2.0-OpenSSH" in out
    assert f"Try SFTP: ftp-inspector ls sftp://{ftp.user}@{ROUTER_WAN}" in out
    assert "SSH on port 22: SSH-2.0-OpenSSH" in out
    # the server's 227 names the router (pasv_address is set): no address complaint
    assert "227 reply names" not in out, out


def test_engine_diagnosis_with_both_directions_blocked_offers_sftp(ssh_lab: Lab,
                                                                   servers) -> None:
    """Passive dropped at the server's router, active dropped by the client's firewall:
    no data connection at all, and the SSH port of the same host answers."""
    ftp, _sshd = servers
    ssh_lab.nat(ports="21, 22")
    ssh_lab.client_firewall()
    try:
        run = ssh_lab.run_python([ENGINE_SCRIPT, ROUTER_WAN, "21", ftp.user,
                                  str(BLOCKED_TIMEOUT)], password=ftp.password)
    finally:
        ssh_lab.exec(ssh_lab.client, ["nft", "delete", "table", "ip", "lab"])
    assert run.returncode == 0, run.stderr
    diagnosis = run.json()
    verdict = diagnosis["verdict"]
    assert verdict["key"] == "data-blocked", verdict
    assert all(a["outcome"] == "failed" for a in diagnosis["attempts"]
               if a["mode"] in ("passive", "active")), diagnosis["attempts"]
    offer = verdict["sftp"]
    assert offer is not None and (offer["host"], offer["port"]) == (ROUTER_WAN, 22)
    assert offer["banner"].startswith("SSH-2.0-OpenSSH")
    assert diagnosis["ssh_probe"]["outcome"] == "ssh"


def test_sftp_lists_and_downloads_through_the_same_nat(ssh_lab: Lab, servers,
                                                       tmp_path) -> None:
    ftp, sshd = servers
    ssh_lab.nat(ports="21, 22")
    url = f"sftp://{sshd.user}@{ROUTER_WAN}/"
    listing = ssh_lab.run_cli(["ls", "--json", "--accept-new-host-key", url],
                              password=sshd.password)
    assert listing.returncode == 0, listing.stderr
    assert "report.bin" in {entry["name"] for entry in listing.json()}
    target = tmp_path / "report.bin"
    got = ssh_lab.run_cli(["get", "-q", "-o", str(target), url + "report.bin"],
                          password=sshd.password)
    assert got.returncode == 0, got.stderr
    assert target.read_bytes() == PAYLOAD
    assert sshd.password not in listing.stdout + listing.stderr + got.stdout + got.stderr


@pytest.mark.parametrize("ssh_port,outcome", [("closed", "refused"),
                                              ("filtered", "no-answer")])
def test_no_offer_when_port_22_does_not_answer_ssh(ssh_lab: Lab, servers: tuple[object, SshdServer],
                                                   ssh_port: str, outcome: str) -> None:
    """Closed: the router answers port 22 with a reset. Filtered: it drops the SYN,
    and the probe gives up after its own timeout (not the connect timeout of 20 s)."""
    ftp, _sshd = servers
    if ssh_port == "closed":
        ssh_lab.nat(ports="21", reject="22")
    else:
        ssh_lab.nat(ports="21")
    run = _diagnose(ssh_lab, ftp, "--json")
    assert run.returncode == 3, run.stderr
    diagnosis = run.json()
    assert diagnosis["verdict"]["key"] in BLOCKED, diagnosis["verdict"]
    assert diagnosis["verdict"]["sftp"] is None
    assert "SSH" not in diagnosis["verdict"]["explanation"]
    probe = diagnosis["ssh_probe"]
    assert (probe["host"], probe["port"], probe["outcome"]) == (ROUTER_WAN, 22, outcome)
    if outcome == "no-answer":
        assert probe["elapsed"] <= probe["timeout"] + 0.5 and probe["timeout"] <= 5
