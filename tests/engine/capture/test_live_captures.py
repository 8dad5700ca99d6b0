"""Real captures: tcpdump on the loopback interface while the client runs against the
demo server's scenarios (pyftpdlib) and a Debian server. A capture of a ``diagnose``
run gets the same verdict as the live diagnosis; tshark's FTP dissector agrees with
every decoded 227, 229, PORT and EPRT and with the commands."""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
import sys

import pytest
from fixtures.demo_settings import demo_settings
from fixtures.process_server import free_port_block

from client.demo import DemoServer
from client.engine.capture import analyze_capture
from client.engine.diagnose import run_diagnosis
from client.engine.events import DataChannelEvent, DataFailure, LineSent, ReplyReceived
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode

from .live_capture import nft_drop_to, private_loopback_host, tcpdump


@pytest.mark.parametrize("scenario", ["healthy", "passive-blocked", "passive-refused",
                                      "nat-misconfigured", "active-blocked", "stall", "tls"])
def test_capture_of_a_diagnosis_gets_the_live_verdict(tmp_path, scenario) -> None:
    host = private_loopback_host()
    path = tmp_path / f"{scenario}.pcap"
    with DemoServer(scenario, host=host, give_up_after=2.0) as server, \
            tcpdump(path, f"host {host}"):
        # the demo certificate names 127.0.0.1, not this test's own loopback address
        live = asyncio.run(run_diagnosis(demo_settings(server, verify_certificates=False)))
    analysis = analyze_capture(path)
    assert analysis.judgement.verdict.key == live.verdict.key, analysis.judgement
    assert all(server.password not in repr(event) for event in analysis.events)
    if scenario == "tls":
        assert analysis.conversations[0].opaque_since is not None
        assert analysis.channels and all(r.guessed for r in analysis.channels)
    else:
        _agrees_with_tshark(path, server.port, analysis)


def test_capture_of_a_hung_passive_listing(tmp_path) -> None:
    """An ordinary ``ls`` in passive mode that hangs: the capture alone says the passive
    range is blocked, and says that active mode was not seen."""
    host = private_loopback_host()
    path = tmp_path / "hung.pcap"
    with DemoServer("passive-blocked", host=host, give_up_after=2.0) as server, \
            tcpdump(path, f"host {host}"):
        async def listing() -> None:
            session = FtpSession(demo_settings(server, fallback=False))
            await session.connect()
            try:
                with pytest.raises(Exception):  # noqa: B017 - the listing must fail
                    await session.list("/")
            finally:
                await session.close()
        asyncio.run(listing())
    analysis = analyze_capture(path)
    failed = [e for e in analysis.events if isinstance(e, DataChannelEvent) and e.failure]
    assert failed and failed[0].failure is DataFailure.CONNECT_TIMEOUT
    assert analysis.judgement.verdict.key == "passive-blocked"
    assert analysis.judgement.assumed == "active"


def test_active_mode_listing_of_pyftpdlib(tmp_path, make_ftp_server) -> None:
    host = private_loopback_host()
    server = make_ftp_server(host=host)
    path = tmp_path / "active.pcap"
    with tcpdump(path, f"host {host}"):
        async def listing() -> None:
            session = FtpSession(ConnectionSettings(
                host=server.host, port=server.port, user=server.user,
                password=server.password, tls=TlsMode.OFF, mode=TransferMode.ACTIVE))
            await session.connect()
            await session.list("/")
            await session.close()
        asyncio.run(listing())
    analysis = analyze_capture(path)
    assert analysis.channels and not analysis.channels[0].passive
    assert analysis.judgement.verdict.key == "healthy"
    _agrees_with_tshark(path, server.port, analysis)


def _tshark(path, port: int) -> list[list[str]]:
    binary = shutil.which("tshark")
    if binary is None:
        pytest.skip("tshark is not installed (tools/install-system-deps --test installs it)")
    fields = ["ftp.request.command", "ftp.response.code", "ftp.passive.ip", "ftp.passive.port",
              "ftp.epsv.port", "ftp.active.cip", "ftp.active.port", "ftp.eprt.ip",
              "ftp.eprt.port"]
    command = [binary, "-r", str(path), "-d", f"tcp.port=={port},ftp", "-Y", "ftp",
               "-T", "fields", "-E", "occurrence=f"]
    for name in fields:
        command += ["-e", name]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def _agrees_with_tshark(path, port: int, analysis) -> None:
    rows = _tshark(path, port)
    theirs_commands = [r[0] for r in rows if r[0]]
    ours_commands = [e.text.split(" ", 1)[0].upper() for e in analysis.events
                     if isinstance(e, LineSent)]
    assert sorted(theirs_commands) == sorted(ours_commands)
    theirs = [(r[2], int(r[3])) for r in rows if r[3]]
    theirs += [("", int(r[4])) for r in rows if r[4]]
    theirs += [(r[5], int(r[6])) for r in rows if r[6]]
    theirs += [(r[7], int(r[8])) for r in rows if r[8]]
    ours = []
    for event in analysis.events:
        notes = event.annotations if isinstance(event, LineSent | ReplyReceived) else ()
        for note in notes:
            kind = note.fields.get("kind")
            if kind in ("pasv", "epsv", "port", "eprt"):
                host = note.fields.get("host") if kind != "epsv" else ""
                ours.append((kind, host, note.fields["port"]))
    assert ours, "no data address decoded"
    assert sorted((h, p) for _k, h, p in ours) == sorted(theirs)


def test_hung_listing_behind_an_nftables_drop(tmp_path, make_ftp_server, child_env) -> None:
    """The classic: login works, the passive range is dropped by a firewall, ``ls``
    hangs. The capture shows the SYN retransmitted and never answered."""
    host = private_loopback_host()
    first = 50000 + random.randint(0, 900) * 10
    server = make_ftp_server(host=host, passive_ports=(first, first + 4))
    path = tmp_path / "dropped.pcap"
    with nft_drop_to(host, first, first + 4), tcpdump(path, f"host {host}"):
        result = subprocess.run(
            [sys.executable, "-m", "client", "ls", f"ftp://{server.user}@{host}:{server.port}/",
             "--no-epsv", "--data-timeout", "4"],
            env={**child_env, "FTP_PASSWORD": server.password}, capture_output=True, text=True,
            timeout=60)
    assert result.returncode != 0
    analysis = analyze_capture(path)
    report = analysis.channels[0]
    assert report.failure is DataFailure.CONNECT_TIMEOUT
    assert any("retransmitted at" in fact for fact in report.evidence)
    assert analysis.judgement.verdict.key == "passive-blocked"
    _agrees_with_tshark(path, server.port, analysis)


@pytest.mark.realserver
@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
def test_vsftpd_listing_in_both_modes(tmp_path, make_debian_server, mode) -> None:
    """A real Debian server: the capture (filtered on the control port, the passive
    range and the client's active range) reads back the listing, tshark agrees."""
    server = make_debian_server("vsftpd")
    low, high = server.pasv_range
    active = free_port_block(4)
    path = tmp_path / f"vsftpd-{mode.value}.pcap"
    capture_filter = (f"tcp port {server.port} or tcp portrange {low}-{high} or "
                      f"tcp portrange {active[0]}-{active[1]}")
    with tcpdump(path, capture_filter):
        async def listing() -> None:
            session = FtpSession(ConnectionSettings(
                host=server.host, port=server.port, user=server.user, password=server.password,
                tls=TlsMode.OFF, mode=mode, active_ports=active, fallback=False))
            await session.connect()
            await session.list("/")
            await session.close()
        asyncio.run(listing())
    analysis = analyze_capture(path)
    assert analysis.channels and analysis.channels[0].passive is (mode is TransferMode.PASSIVE)
    assert analysis.judgement.verdict.key == "healthy"
    assert all(server.password not in repr(event) for event in analysis.events)
    _agrees_with_tshark(path, server.port, analysis)


@pytest.mark.realserver
def test_vsftpd_ftps_is_opaque_after_auth_tls(tmp_path, make_debian_server) -> None:
    """vsftpd with TLS (session reuse required): after AUTH TLS the capture says the
    control connection is opaque, and the data connection is paired by guess."""
    server = make_debian_server("vsftpd", tls=True)
    low, high = server.pasv_range
    path = tmp_path / "vsftpd-tls.pcap"
    with tcpdump(path, f"tcp port {server.port} or tcp portrange {low}-{high}"):
        async def listing() -> None:
            session = FtpSession(ConnectionSettings(
                host=server.host, port=server.port, user=server.user, password=server.password,
                tls=TlsMode.EXPLICIT, ca_file=server.ca_file, fallback=False))
            await session.connect()
            await session.list("/")
            await session.close()
        asyncio.run(listing())
    analysis = analyze_capture(path)
    sent = [e.text for e in analysis.events if isinstance(e, LineSent)]
    assert sent[-1] == "AUTH TLS" and analysis.conversations[0].opaque_since is not None
    assert analysis.channels and all(r.guessed and r.tls for r in analysis.channels)
    assert any("encrypted" in limit for limit in analysis.judgement.limits)
