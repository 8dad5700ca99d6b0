"""Diagnose offers SFTP when FTP's data connections are blocked and the same host
answers SSH, or when the FTP port itself is an SSH server (real loopback listeners)."""

from __future__ import annotations

import asyncio

from fixtures.demo_settings import demo_settings
from fixtures.scripted_steps import unused_port
from fixtures.ssh_banner import BannerListener

from client.demo import DemoServer
from client.engine.diagnose import run_diagnosis
from client.engine.diagnose.model import SftpOffer, Verdict
from client.engine.diagnose.sftp_offer import offer_sftp, read_ssh_banner
from client.engine.diagnose.verdict import decide_verdict
from client.engine.settings import ConnectionSettings, TlsMode


def test_the_banner_is_read_after_other_lines() -> None:
    with BannerListener(b"Welcome to the bastion\r\nSSH-2.0-OpenSSH_9.2p1 Debian\r\n") as ssh:
        answer = asyncio.run(read_ssh_banner("127.0.0.1", ssh.port))
    assert answer is not None
    assert (answer.host, answer.port, answer.banner) == ("127.0.0.1", ssh.port,
                                                         "SSH-2.0-OpenSSH_9.2p1 Debian")


def test_an_ftp_greeting_or_a_closed_port_is_no_ssh() -> None:
    with BannerListener(b"220 FTP server ready\r\n") as ftp:
        assert asyncio.run(read_ssh_banner("127.0.0.1", ftp.port, timeout=2)) is None
    assert asyncio.run(read_ssh_banner("127.0.0.1", unused_port(), timeout=2)) is None


def test_a_hostile_banner_is_escaped_and_bounded() -> None:
    with BannerListener(b"SSH-2.0-\x1b[31mred" + b"x" * 400 + b"\r\n") as ssh:
        answer = asyncio.run(read_ssh_banner("127.0.0.1", ssh.port))
    assert answer is not None
    assert "\x1b" not in answer.banner and len(answer.banner) < 300


def test_passive_blocked_with_ssh_on_the_same_host_offers_sftp() -> None:
    with BannerListener() as ssh, DemoServer("passive-blocked", give_up_after=3.0) as server:
        diagnosis = asyncio.run(run_diagnosis(demo_settings(server), ssh_port=ssh.port,
                                              extra_ports=0))
    verdict = diagnosis.verdict
    assert verdict.key == "passive-blocked"
    assert verdict.sftp is not None
    assert (verdict.sftp.host, verdict.sftp.port) == ("127.0.0.1", ssh.port)
    assert f"answers SSH on port {ssh.port}" in verdict.explanation
    assert "no passive range" in verdict.explanation
    assert verdict.to_json()["sftp"]["url"] == f"sftp://127.0.0.1:{ssh.port}"
    assert verdict.recommended is not None  # active mode still recommended for FTP


def test_a_healthy_server_is_not_offered_sftp_and_ssh_is_not_probed() -> None:
    with BannerListener() as ssh, DemoServer("healthy", give_up_after=3.0) as server:
        diagnosis = asyncio.run(run_diagnosis(demo_settings(server), ssh_port=ssh.port,
                                              extra_ports=0))
        accepted = ssh.accepted
    assert diagnosis.verdict.key == "healthy"
    assert diagnosis.verdict.sftp is None
    assert accepted == 0


def test_blocked_without_ssh_has_no_offer() -> None:
    with DemoServer("active-blocked", give_up_after=3.0) as server:
        diagnosis = asyncio.run(run_diagnosis(demo_settings(server), ssh_port=unused_port(),
                                              extra_ports=0))
    assert diagnosis.verdict.key == "active-blocked"
    assert diagnosis.verdict.sftp is None


def test_an_ftp_port_that_greets_with_ssh_is_the_ssh_port_verdict() -> None:
    with BannerListener() as ssh:
        settings = ConnectionSettings(host="127.0.0.1", port=ssh.port, user="alice",
                                      password="pw", tls=TlsMode.OFF, connect_timeout=5,
                                      control_timeout=5, data_timeout=1)
        diagnosis = asyncio.run(run_diagnosis(settings, extra_ports=0))
    assert len(diagnosis.attempts) == 1  # no row can log in; the first says why
    assert diagnosis.attempts[0].failure_class == "ssh-service"
    verdict = diagnosis.verdict
    assert verdict.key == "ssh-port"
    assert verdict.sftp is not None and verdict.sftp.port == ssh.port
    assert "SSH-2.0-OpenSSH_9.2p1" in verdict.explanation


def test_offer_text_and_url() -> None:
    from client.engine.diagnose.sftp_offer import SshAnswer

    base = Verdict("data-blocked", "blocked", "neither works.")
    verdict = offer_sftp(base, SshAnswer("ftp.example.net", 22, "SSH-2.0-x"))
    assert verdict.explanation.startswith("neither works. ftp.example.net also answers SSH")
    assert verdict.sftp == SftpOffer("ftp.example.net", 22, "SSH-2.0-x", verdict.sftp.reason)
    assert verdict.sftp.url("bob smith") == "sftp://bob%20smith@ftp.example.net"
    assert SftpOffer("::1", 2222, "", "").url("a") == "sftp://a@[::1]:2222"
    assert decide_verdict([]).sftp is None


def test_the_command_line_prints_the_sftp_address_to_try() -> None:
    from client.cli.diagnose_command import exit_code_for, format_diagnosis
    from client.engine.diagnose.model import Attempt, Diagnosis, Outcome, Probe
    from client.engine.diagnose.sftp_offer import SshAnswer, ssh_port_verdict

    verdict = offer_sftp(Verdict("passive-blocked", "blocked", "passive fails."),
                         SshAnswer("ftp.example.net", 22, "SSH-2.0-OpenSSH_9.2p1"))
    diagnosis = Diagnosis(server="ftp.example.net:21", path=None, attempts=(),
                          verdict=verdict)
    text = format_diagnosis(diagnosis)
    assert "Try SFTP: ftp-inspector ls sftp://ftp.example.net" in text
    assert "answers SSH on port 22" in text
    wrong = Diagnosis(server="h:22", path=None, attempts=(
        Attempt(Probe.EPSV, Outcome.FAILED, "could not log in", failure_class="ssh-service"),),
        verdict=ssh_port_verdict(SshAnswer("h", 22, "SSH-2.0-x")))
    assert exit_code_for(wrong) == 2
    assert "Try SFTP: ftp-inspector ls sftp://h" in format_diagnosis(wrong)


def test_the_probe_says_why_there_is_no_offer() -> None:
    from client.engine.diagnose.model import SshProbeOutcome
    from client.engine.diagnose.sftp_offer import probe_ssh

    closed = asyncio.run(probe_ssh("127.0.0.1", unused_port(), timeout=2))
    assert closed.outcome is SshProbeOutcome.REFUSED and "refused" in closed.detail
    with BannerListener(b"220 FTP server ready\r\n") as ftp:
        other = asyncio.run(probe_ssh("127.0.0.1", ftp.port, timeout=1))
    assert other.outcome is SshProbeOutcome.NOT_SSH and "220 FTP server ready" in other.detail
    assert other.to_json()["outcome"] == "not-ssh" and other.via is None


def test_the_probe_goes_through_the_users_proxy(socks5_proxy) -> None:
    """Behind a proxy the direct path may not exist: the SSH port is asked through it."""
    from client.engine.diagnose.model import SshProbeOutcome
    from client.engine.diagnose.sftp_offer import probe_ssh

    tunnel = socks5_proxy.settings()
    with BannerListener() as ssh:
        seen = asyncio.run(probe_ssh("127.0.0.1", ssh.port, tunnel=tunnel))
    assert seen.outcome is SshProbeOutcome.SSH and seen.banner.startswith("SSH-2.0-OpenSSH")
    assert seen.via == f"SOCKS5 proxy 127.0.0.1:{socks5_proxy.port}"
    closed = asyncio.run(probe_ssh("127.0.0.1", unused_port(), tunnel=tunnel, timeout=2))
    assert closed.outcome is SshProbeOutcome.REFUSED and "SOCKS5 reply 5" in closed.detail


def test_the_sftp_command_keeps_the_user_and_the_proxy() -> None:
    from client.cli.diagnose_command import format_diagnosis, try_sftp_command
    from client.engine.diagnose.model import Diagnosis, SshProbe, SshProbeOutcome
    from client.engine.diagnose.sftp_offer import SshAnswer
    from client.engine.proxy import parse_proxy_url

    proxy = parse_proxy_url("socks5://bob:secret@10.0.0.1:1080")
    verdict = offer_sftp(Verdict("passive-blocked", "blocked", "passive fails."),
                         SshAnswer("ftp.example.net", 22, "SSH-2.0-x"))
    assert try_sftp_command(verdict.sftp, "ann", proxy) == \
        "ftp-inspector ls --proxy socks5://bob@10.0.0.1:1080 sftp://ann@ftp.example.net"
    probe = SshProbe("ftp.example.net", 22, SshProbeOutcome.SSH, 0.1, 3.0, "SSH-2.0-x",
                     "SSH-2.0-x", via=proxy.describe())
    text = format_diagnosis(Diagnosis(server="ftp.example.net:21", path=None, attempts=(),
                                      verdict=verdict, ssh_probe=probe), user="ann", proxy=proxy)
    assert "SSH on port 22 (through the SOCKS5 proxy 10.0.0.1:1080 (user bob)): SSH-2.0-x" in text
    assert "secret" not in text
