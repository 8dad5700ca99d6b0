"""Hand-built captures: every link type, IPv6, pcapng with two interfaces and
nanosecond timestamps, gzip, the failure shapes of data connections, FTPS, and the bad
files that must fail with a clear message (never a traceback)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from fixtures.capture_builder import Packet, TcpFlow, icmp_unreachable, write_pcap, write_pcapng

from client.engine.capture import CaptureError, CaptureProblem, analyze_capture
from client.engine.events import DataChannelEvent, DataFailure, DataPhase, LineSent, ReplyReceived

from .conversations import BASE, CLIENT, SERVER, healthy_listing, login, session


def _channels(analysis):
    return [e for e in analysis.events if isinstance(e, DataChannelEvent)]


def _final(analysis, channel: int = 1) -> DataChannelEvent:
    return [e for e in _channels(analysis) if e.channel == channel][-1]


@pytest.mark.parametrize("link_type", [1, 113, 276, 101, 0, 108])
def test_every_link_type_reads_the_conversation(tmp_path, link_type) -> None:
    path = tmp_path / "c.pcap"
    write_pcap(str(path), session(passive_port=50000), link_type)
    analysis = analyze_capture(path)
    sent = [e.text for e in analysis.events if isinstance(e, LineSent)]
    assert sent[:3] == ["USER alice", "PASS ****", "PASV"]
    assert all("s3cret" not in repr(e) for e in analysis.events)
    reply = next(e for e in analysis.events if isinstance(e, ReplyReceived) and e.reply.code == 227)
    pasv = next(a for a in reply.annotations if a.fields.get("kind") == "pasv")
    assert pasv.fields["arithmetic"] == "195*256+80 = 50000"
    assert _final(analysis).phase is DataPhase.CLOSED
    assert analysis.judgement.verdict.key == "healthy"


def test_ipv6_epsv_and_big_endian_nanosecond_pcap(tmp_path) -> None:
    path = tmp_path / "v6.pcap"
    write_pcap(str(path), session(client="2001:db8::20", server="2001:db8::7", method="EPSV",
                                  passive_port=50123), 1, nanoseconds=True, big_endian=True)
    analysis = analyze_capture(path)
    final = _final(analysis)
    assert final.phase is DataPhase.CLOSED
    assert str(final.remote) == "[2001:db8::7]:50123"
    assert analysis.conversations[0].stream.server.host == "2001:db8::7"


def test_pcapng_with_two_interfaces_and_gzip(tmp_path) -> None:
    """Control connection on an Ethernet interface, its data connection on a Linux
    cooked one, nanosecond timestamps; then the same file gzip-compressed."""
    path = tmp_path / "two.pcapng"
    write_pcapng(str(path), session(data_interface=1), [1, 276], tsresol=9)
    analysis = analyze_capture(path)
    assert analysis.format == "pcapng" and len(analysis.interfaces) == 2
    assert _final(analysis).phase is DataPhase.CLOSED
    packed = tmp_path / "two.pcapng.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    again = analyze_capture(packed)
    assert [type(e) for e in again.events] == [type(e) for e in analysis.events]
    assert abs(again.wall_origin - BASE) < 1e-3


def test_port_decoded_and_active_connection_followed(tmp_path) -> None:
    path = tmp_path / "port.pcap"
    write_pcap(str(path), session(method="PORT", passive_port=40001), 1)
    analysis = analyze_capture(path)
    sent = next(e for e in analysis.events if isinstance(e, LineSent) and e.text.startswith("PORT"))
    port = next(a for a in sent.annotations if a.fields.get("kind") == "port")
    assert port.fields["arithmetic"] == "156*256+65 = 40001"
    final = _final(analysis)
    assert final.initiator == "server" and final.phase is DataPhase.CLOSED
    assert str(final.remote) == f"{SERVER}:20"


def _hung(flow_play):
    def make(tmp_path, **options):
        packets = session(data=lambda flow, t: flow_play(flow, t, flow.packets), **options)
        path = tmp_path / "hung.pcap"
        write_pcap(str(path), packets, 1)
        return analyze_capture(path)
    return make


def test_syn_retransmitted_never_answered_is_a_blocked_passive_range(tmp_path) -> None:
    def play(flow, t, _packets):
        for delay in (0.0, 1.0, 3.0, 7.0):
            flow.syn(t - 0.005 + delay)
        return t + 10
    analysis = _hung(play)(tmp_path)
    final = _final(analysis)
    assert final.failure is DataFailure.CONNECT_TIMEOUT and "4 SYN(s)" in final.reason
    evidence = analysis.channels[0].evidence
    assert any("retransmitted at" in fact and "(+7.0 s)" in fact for fact in evidence)
    assert "no SYN-ACK" in evidence
    assert analysis.judgement.verdict.key == "passive-blocked"
    assert any("active mode does not appear" in limit for limit in analysis.judgement.limits)


def test_rst_and_icmp_refusals_name_their_sender(tmp_path) -> None:
    def rst(flow, t, _packets):
        flow.syn(t)
        flow.rst(t + 0.0002, False)
        return t + 1
    analysis = _hung(rst)(tmp_path)
    assert _final(analysis).failure is DataFailure.REFUSED
    assert any(f"RST from {SERVER}:50000 (the server)" in f for f in analysis.channels[0].evidence)

    def icmp(flow, t, packets):
        syn = flow.syn(t)
        packets.append(Packet(t + 0.001, icmp_unreachable("198.51.100.1", syn, code=13)))
        return t + 1
    analysis = _hung(icmp)(tmp_path)
    final = _final(analysis)
    assert final.failure is DataFailure.REFUSED
    assert "administratively prohibited" in final.reason and "198.51.100.1" in final.reason


def test_no_syn_on_this_interface(tmp_path) -> None:
    def nothing(flow, t, _packets):
        return t + 5
    analysis = _hung(nothing)(tmp_path)
    final = _final(analysis)
    assert final.failure is DataFailure.CONNECT_TIMEOUT
    assert "no SYN to port 50000 seen on this interface" in final.reason
    assert any("not seen on this interface" in limit for limit in analysis.judgement.limits)


def test_stall_with_zero_window_and_retransmission(tmp_path) -> None:
    def stall(flow, t, _packets):
        flow.handshake(t)
        flow.send(t + 0.01, False, b"x" * 1000)
        flow.retransmit(t + 0.2, False, b"x" * 1000, back=1000)
        flow.window(t + 0.3, True, 0)
        flow.window(t + 20, True, 0)
        return t + 30
    analysis = _hung(stall)(tmp_path)
    final = _final(analysis)
    assert final.failure is DataFailure.STALLED and final.bytes == 1000
    evidence = " ".join(analysis.channels[0].evidence)
    assert "1 retransmitted segment(s) from the server" in evidence
    assert "2 zero-window advertisement(s) from the client" in evidence
    assert analysis.judgement.verdict.key == "data-stalls"


def test_capture_starting_mid_connection(tmp_path) -> None:
    packets = session()
    # drop the handshake and the banner: the capture began after the login
    late = [p for p in packets if p.t > BASE + 0.045]
    path = tmp_path / "late.pcap"
    write_pcap(str(path), late, 1)
    analysis = analyze_capture(path)
    assert analysis.conversations[0].stream.from_start is False
    assert _final(analysis).phase is DataPhase.CLOSED
    assert any("middle of a control connection" in limit for limit in analysis.judgement.limits)


def test_ftps_control_is_opaque_and_data_pairing_is_a_guess(tmp_path) -> None:
    packets: list[Packet] = []
    control = TcpFlow((CLIENT, 40000), (SERVER, 21), packets)
    control.handshake(BASE)
    control.send(BASE + 0.01, False, b"220 ready\r\n")
    control.send(BASE + 0.02, True, b"AUTH TLS\r\n")
    control.send(BASE + 0.03, False, b"234 Proceed with negotiation.\r\n")
    control.send(BASE + 0.04, True, b"\x16\x03\x01\x00\x50" + b"\x01" * 80)
    control.send(BASE + 0.05, False, b"\x16\x03\x03\x00\x50" + b"\x02" * 80)
    flow = TcpFlow((CLIENT, 41000), (SERVER, 50007), packets)
    flow.handshake(BASE + 0.2)
    flow.send(BASE + 0.21, True, b"\x16\x03\x01\x00\x40" + b"\x03" * 64)
    flow.fin(BASE + 0.3, False)
    flow.fin(BASE + 0.31, True)
    control.send(BASE + 0.4, False, b"\x17\x03\x03\x00\x20" + b"\x04" * 32)  # the 226, encrypted
    late = TcpFlow((CLIENT, 41001), (SERVER, 50008), packets)
    late.handshake(BASE + 5)  # after the control connection went quiet: not paired
    path = tmp_path / "ftps.pcap"
    write_pcap(str(path), packets, 1)
    analysis = analyze_capture(path)
    assert analysis.conversations[0].opaque_since is not None
    assert len(analysis.channels) == 1
    report = analysis.channels[0]
    assert report.guessed and report.passive and report.tls and report.failure is None
    assert any("encrypted" in limit for limit in analysis.judgement.limits)


# -- bad input --------------------------------------------------------------------------


def _error(path) -> CaptureError:
    with pytest.raises(CaptureError) as caught:
        analyze_capture(path)
    return caught.value


def test_bad_files_fail_with_a_typed_error(tmp_path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a capture\n")
    assert _error(text).problem is CaptureProblem.NOT_A_CAPTURE
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(b"")
    assert _error(empty).problem is CaptureProblem.NOT_A_CAPTURE

    good = tmp_path / "good.pcap"
    write_pcap(str(good), session(), 1)
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(good.read_bytes()[:-7])
    error = _error(cut)
    assert error.problem is CaptureProblem.TRUNCATED and "cut off" in error.message
    gz = tmp_path / "cut.pcap.gz"
    gz.write_bytes(gzip.compress(good.read_bytes())[:-30])
    assert _error(gz).problem is CaptureProblem.TRUNCATED

    snapped = tmp_path / "snap.pcap"
    write_pcap(str(snapped), session(), 1, snaplen=60)
    assert _error(snapped).problem is CaptureProblem.SNAPLEN_CUT

    unknown = tmp_path / "unknown.pcap"
    write_pcap(str(unknown), session(), 147)
    error = _error(unknown)
    assert error.problem is CaptureProblem.UNKNOWN_LINK_TYPE and "147" in error.message

    web: list[Packet] = []
    http = TcpFlow((CLIENT, 40000), (SERVER, 80), web)
    http.handshake(BASE)
    http.send(BASE + 0.01, True, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    http.send(BASE + 0.02, False, b"HTTP/1.1 200 OK\r\n\r\n")
    no_ftp = tmp_path / "web.pcap"
    write_pcap(str(no_ftp), web, 1)
    assert _error(no_ftp).problem is CaptureProblem.NO_FTP


def test_smtp_banner_is_not_ftp(tmp_path) -> None:
    mail: list[Packet] = []
    smtp = TcpFlow((CLIENT, 40000), (SERVER, 25), mail)
    smtp.handshake(BASE)
    smtp.send(BASE + 0.01, False, b"220 mail.example.com ESMTP\r\n")
    smtp.send(BASE + 0.02, True, b"EHLO me\r\n")
    path = tmp_path / "smtp.pcap"
    write_pcap(str(path), mail, 1)
    assert _error(path).problem is CaptureProblem.NO_FTP


def test_ftp_on_an_unusual_port_is_found(tmp_path) -> None:
    path = tmp_path / "odd.pcap"
    write_pcap(str(path), session(port=8021), 1)
    assert analyze_capture(path).conversations[0].stream.server.port == 8021


def test_cli_exit_codes_and_no_traceback(tmp_path) -> None:
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"\xd4\xc3\xb2\xa1" + b"\x02\x00")
    result = subprocess.run([sys.executable, "-m", "client", "analyze", str(bad)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "cut off" in result.stderr
    good = tmp_path / "good.pcap"
    write_pcap(str(good), session(), 1)
    result = subprocess.run([sys.executable, "-m", "client", "analyze", str(good), "--ladder"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "PASS ****" in result.stdout and "s3cret" not in result.stdout
    assert "Verdict:" in result.stdout and "data #1" in result.stdout and "==" in result.stdout


def test_login_helper_is_used(tmp_path) -> None:
    """The shared login script reaches 230 (guards the helper the tests rely on)."""
    packets: list[Packet] = []
    control = TcpFlow((CLIENT, 40000), (SERVER, 21), packets)
    control.handshake(BASE)
    login(control, BASE)
    control.send(BASE + 1, True, b"QUIT\r\n")
    path = tmp_path / "login.pcap"
    write_pcap(str(path), packets, 1)
    analysis = analyze_capture(path)
    assert analysis.judgement.verdict.key == "inconclusive"
    assert healthy_listing  # imported for the scripted sessions


def test_two_captures_across_a_nat_show_the_rewritten_227(tmp_path) -> None:
    """The server (10.0.0.5 behind NAT) sends 227 with its own address; a NAT helper
    rewrites it to the public 203.0.113.7 on the way to the client."""
    server_side = tmp_path / "server.pcap"
    write_pcap(str(server_side), session(client="198.51.100.9", server="10.0.0.5",
                                         passive_port=50000), 1)
    client_side = tmp_path / "client.pcap"
    write_pcap(str(client_side), session(client="192.168.1.20", server="203.0.113.7",
                                         passive_port=50000), 1)
    result = subprocess.run([sys.executable, "-m", "client", "analyze", "-q", str(client_side),
                             str(server_side)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    between = result.stdout.split("Between the two captures:", 1)[1]
    assert "227 reply #1: 203.0.113.7:50000 in client.pcap, 10.0.0.5:50000 in server.pcap" \
        in between
    assert "control connection c1" in between
    same = subprocess.run([sys.executable, "-m", "client", "analyze", "-q", "--json",
                           str(client_side), str(client_side)],
                          capture_output=True, text=True, timeout=60)
    assert "nothing between" in json.loads(same.stdout)["between_captures"][0]


def test_a_control_packet_lost_by_the_capture_keeps_later_times(tmp_path) -> None:
    """The capture lost the 331 reply (the client's ACK covers it): the lines after it
    keep their own times, and the console says bytes are missing."""
    packets = session()
    lost = next(p for p in packets if b"331 Password" in p.ip)
    packets.remove(lost)
    path = tmp_path / "lost.pcap"
    write_pcap(str(path), packets, 1)
    analysis = analyze_capture(path)
    replies = [e for e in analysis.events if isinstance(e, ReplyReceived)]
    assert [r.reply.code for r in replies][:2] == [220, 230]
    logged_in = replies[1]
    assert logged_in.t < 0.1  # at its own packet's time, not the end of the capture
    notes = [e.text for e in analysis.events if "missing from the capture" in getattr(e, "text", "")]
    assert notes and notes[0].startswith("23 bytes")


def test_an_unknown_interface_next_to_a_readable_one_is_named(tmp_path) -> None:
    packets = session()
    packets.append(Packet(BASE + 0.5, b"\x45" + b"\x00" * 39, interface=1))
    path = tmp_path / "mixed.pcapng"
    write_pcapng(str(path), packets, [1, 147])
    analysis = analyze_capture(path)
    assert analysis.judgement.verdict.key == "healthy"
    assert any("link type 147" in limit for limit in analysis.judgement.limits)


def _passive_listings(tmp_path, ports_and_outcomes):
    """One login, then PASV + LIST per (port, answered) pair: an answered port carries a
    listing; an unanswered one gets SYNs that nobody answers and the server's 425."""
    packets: list[Packet] = []
    control = TcpFlow((CLIENT, 40000), (SERVER, 2121), packets)
    control.handshake(BASE)
    t = login(control, BASE)
    for n, (port, answered) in enumerate(ports_and_outcomes):
        p1, p2 = divmod(port, 256)
        t += 0.05
        control.send(t, True, b"PASV\r\n")
        control.send(t + 0.01, False, f"227 Entering Passive Mode (203,0,113,7,{p1},{p2}).\r\n"
                     .encode())
        flow = TcpFlow((CLIENT, 41000 + n), (SERVER, port), packets)
        t += 0.02
        control.send(t, True, b"LIST\r\n")
        if answered:
            flow.handshake(t + 0.001)
            control.send(t + 0.01, False, b"150 Here comes the listing\r\n")
            flow.send(t + 0.02, False, b"-rw-r--r-- 1 ftp ftp 6 Jan 1 a.txt\r\n")
            flow.fin(t + 0.03, False)
            flow.fin(t + 0.031, True)
            control.send(t + 0.04, False, b"226 Transfer complete\r\n")
            t += 0.05
        else:
            for delay in (0.0, 1.0, 3.0):
                flow.syn(t + 0.001 + delay)
            control.send(t + 10, False, b"425 Failed to establish connection\r\n")
            t += 10.05
    path = tmp_path / "partial.pcap"
    write_pcap(str(path), packets, 1)
    return analyze_capture(path)


def test_part_of_the_passive_range_forwarded_is_the_live_partial_verdict(tmp_path) -> None:
    """Ports 50000 and 50002 connect, 50007 never answers: the capture gets the verdict a
    live diagnosis gives for the same ports (passive-partial), not a blocked range."""
    analysis = _passive_listings(tmp_path, [(50000, True), (50007, False), (50002, True)])
    verdict = analysis.judgement.verdict
    assert verdict.key == "passive-partial", verdict
    assert "50007" in verdict.explanation and "50000" in verdict.explanation
    assert any("50000" in fix and "50007" in fix for fix in verdict.fixes + (verdict.firewall,))
