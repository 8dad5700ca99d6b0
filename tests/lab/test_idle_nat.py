"""A NAT router that forgets idle connections (conntrack's established timeout cut
to a few seconds, packets of forgotten connections dropped) and a download slowed by a
token bucket so that it outlasts that timeout: the control connection sits idle while
the data flows."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.lab import Lab

from .conftest import pasv, session_seconds, transcript

pytestmark = pytest.mark.lab

SIZE = 800 * 1024  # ~4 s at 1600 kbit/s, past the NAT's 3 s


def _download(lab: Lab, tcp_keepalive: str) -> tuple[object, Path, list[dict]]:
    lab.nat(forward="50000-50010")
    lab.forget_idle_after(3)
    lab.rate_limit_downloads("1600kbit")
    server = lab.start_vsftpd(files={"big.bin": b"\x5a" * SIZE})
    target = lab.workdir / "big.bin"
    log = lab.workdir / "get.jsonl"
    run = lab.run_cli(["get", "--tls", "off", *pasv(), "--tcp-keepalive", tcp_keepalive,
                       "--data-timeout", "3", "--timeout", "2", "-o", str(target),
                       "--transcript", str(log), lab.url(server.user, "/big.bin")],
                      password=server.password)
    return run, target, transcript(log)


def test_complete_download_kept_when_only_the_226_is_lost(lab: Lab) -> None:
    """Every byte arrived and the data connection closed normally; the 226 died with
    the forgotten control connection. The file is kept (not closed-before-226 and a
    .part), with a warning naming the lost control connection, how long it was idle,
    and a keep-alive below that."""
    run, target, events = _download(lab, "0")
    assert run.returncode == 0, run.stderr
    assert target.read_bytes() == b"\x5a" * SIZE
    assert not target.with_name("big.bin.part").exists()
    warning = [e for e in events if e.get("category") == "connection-lost"]
    assert warning, run.stderr
    text = warning[0]["text"]
    assert "226" in text and "control connection" in text and "idle for" in text
    assert "--tcp-keepalive" in text
    assert not [e for e in events if e.get("failure") == "closed-before-226"]
    # the transfer (about 4 s) plus one control timeout (2 s) for the lost 226
    assert session_seconds(events) < 12


def test_tcp_keepalive_keeps_the_nat_mapping(lab: Lab) -> None:
    """With TCP keep-alive probes every 2 s the router never forgets the control
    connection: the 226 arrives and nothing is lost."""
    run, target, events = _download(lab, "1")
    assert run.returncode == 0, run.stderr
    assert target.read_bytes() == b"\x5a" * SIZE
    assert not [e for e in events if e.get("category") == "connection-lost"]
    assert any(e.get("code") == 226 for e in events if e.get("kind") == "recv")
