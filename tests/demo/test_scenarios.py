"""Each scenario observed on the wire with a raw client (loopback only)."""

from __future__ import annotations

import hashlib
import logging
import socket
import ssl

import pytest

from client.demo import BINARY_SAMPLE, UNROUTABLE_PASV_ADDRESS
from client.demo.traps import RefusingPort
from demo.rawftp import CONTROL_TIMEOUT, RawFtp, active_transfer, passive_transfer, read_all

SMALL_FILE = "photos 2024/beach day.jpg"
FAULT_WAIT = 1.0  # the client-side timeout of the failure checks


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- healthy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode",
    ["epsv", "pasv", "port", "eprt"],
)
def test_healthy_lists_and_downloads_in_every_mode(demo_ftp, mode: str) -> None:
    server, ftp = demo_ftp("healthy")

    def transfer(command: str) -> bytes:
        if mode in ("epsv", "pasv"):
            return passive_transfer(ftp, command, extended=mode == "epsv")
        return active_transfer(ftp, command, extended=mode == "eprt")

    listing = transfer("LIST").decode("utf-8")
    for name in ("README.txt", "data", "photos 2024", "empty folder", "upload"):
        assert name in listing
    assert "latest.bin -> data/sample-2mb.bin" in listing
    payload = transfer(f"RETR {BINARY_SAMPLE}")
    assert len(payload) == 2 * 1024 * 1024
    assert sha256(payload) == server.sample.sha256[BINARY_SAMPLE]
    ftp.quit()


def test_healthy_serves_utf8_names_and_the_symlink(demo_ftp) -> None:
    server, ftp = demo_ftp("healthy")
    names = passive_transfer(ftp, "NLST docs").decode("utf-8").split("\r\n")
    assert "docs/Ünïcödé notes.txt" in names or "Ünïcödé notes.txt" in names
    unicode_file = passive_transfer(ftp, "RETR docs/Ünïcödé notes.txt")
    assert sha256(unicode_file) == server.sample.sha256["docs/Ünïcödé notes.txt"]
    via_link = passive_transfer(ftp, "RETR latest.bin")
    assert sha256(via_link) == server.sample.sha256[BINARY_SAMPLE]
    assert passive_transfer(ftp, "LIST empty folder") == b""


def test_healthy_accepts_uploads_from_demo_but_not_from_anonymous(demo_ftp) -> None:
    server, ftp = demo_ftp("healthy")
    content = bytes(range(256)) * 300
    port = ftp.epsv()
    data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    assert ftp.command("STOR upload/new file.bin").preliminary
    data.sendall(content)
    data.close()
    assert ftp.read_reply().code == 226
    assert (server.root / "upload" / "new file.bin").read_bytes() == content

    anonymous = RawFtp(server.host, server.port)
    anonymous.login("anonymous", "guest@example.com")
    assert passive_transfer(anonymous, f"RETR {SMALL_FILE}")
    anonymous.epsv()
    refused = anonymous.command("STOR upload/anon.bin")
    assert refused.code == 550
    anonymous.quit()


def test_wrong_password_is_refused(start_demo) -> None:
    server = start_demo("healthy")
    ftp = RawFtp(server.host, server.port)
    assert ftp.command(f"USER {server.user}").code == 331
    assert ftp.command("PASS not-the-password").code == 530
    ftp.quit()


# --- passive faults -------------------------------------------------------------------


def test_passive_blocked_advertises_a_port_whose_syn_goes_unanswered(demo_ftp) -> None:
    server, ftp = demo_ftp("passive-blocked")
    host, port = ftp.pasv()
    assert host == "127.0.0.1"
    assert ftp.epsv() == port
    probe = socket.socket()
    probe.settimeout(FAULT_WAIT)
    with pytest.raises(TimeoutError):
        probe.connect((host, port))  # no SYN-ACK, no RST: only our timeout ends it
    probe.close()
    # The transfer command is accepted, then abandoned with 425.
    assert ftp.command("LIST").code == 150
    gave_up = ftp.read_reply(timeout=CONTROL_TIMEOUT)
    assert gave_up.code == 425
    assert "passive port" in gave_up.text
    # Active mode still works on the same session.
    assert "README.txt" in active_transfer(ftp, "LIST").decode()


def test_passive_refused_advertises_a_port_that_refuses(demo_ftp) -> None:
    server, ftp = demo_ftp("passive-refused")
    host, port = ftp.pasv()
    assert host == "127.0.0.1"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, port), timeout=FAULT_WAIT)
    assert ftp.epsv() == port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, port), timeout=FAULT_WAIT)
    payload = active_transfer(ftp, f"RETR {SMALL_FILE}", extended=True)
    assert sha256(payload) == server.sample.sha256[SMALL_FILE]


def test_abor_after_a_doomed_transfer_command_ends_it(demo_ftp) -> None:
    server, ftp = demo_ftp("passive-refused", give_up_after=30)
    ftp.pasv()
    assert ftp.command("LIST").code == 150
    assert ftp.command("ABOR").code == 426
    assert ftp.read_reply().code == 226
    assert ftp.command("NOOP").code == 200  # the session is usable again, no stray 425


# --- NAT ------------------------------------------------------------------------------


def test_nat_misconfigured_refuses_epsv_and_advertises_an_unroutable_address(demo_ftp) -> None:
    server, ftp = demo_ftp("nat-misconfigured")
    features = ftp.command("FEAT").text
    assert "EPSV" not in features
    assert ftp.command("EPSV").code == 500
    host, port = ftp.pasv()
    assert host == UNROUTABLE_PASV_ADDRESS == "192.0.2.10"
    # Never dial 192.0.2.10 (the network guard would fail this test): the default
    # policy's substitute is the control connection's peer, with the advertised port.
    data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    assert ftp.command(f"RETR {SMALL_FILE}").preliminary
    payload = read_all(data)
    assert ftp.read_reply().code == 226
    assert sha256(payload) == server.sample.sha256[SMALL_FILE]
    assert "README.txt" in active_transfer(ftp, "LIST").decode()


# --- active fault ---------------------------------------------------------------------


@pytest.mark.parametrize("extended", [False, True], ids=["PORT", "EPRT"])
def test_active_blocked_never_connects_back(demo_ftp, extended: bool) -> None:
    server, ftp = demo_ftp("active-blocked")
    listener = ftp.active_listener(extended)
    accepted = ftp.read_reply()
    assert accepted.code == 200
    assert ftp.command("LIST").code == 150
    listener.settimeout(FAULT_WAIT)
    with pytest.raises(TimeoutError):
        listener.accept()
    listener.close()
    gave_up = ftp.read_reply(timeout=CONTROL_TIMEOUT)
    assert gave_up.code == 425
    assert "127.0.0.1" in gave_up.text
    payload = passive_transfer(ftp, f"RETR {SMALL_FILE}")
    assert sha256(payload) == server.sample.sha256[SMALL_FILE]


def test_active_blocked_still_refuses_port_to_a_foreign_address(demo_ftp) -> None:
    server, ftp = demo_ftp("active-blocked")
    assert ftp.command("PORT 127,0,0,2,195,80").code == 501
    assert ftp.command("PORT 127,0,0,1,0,21").code == 501


# --- stall and slow -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["LIST", f"RETR {SMALL_FILE}", "MLSD"])
def test_stall_accepts_the_data_connection_and_sends_nothing(demo_ftp, command: str) -> None:
    server, ftp = demo_ftp("stall")
    port = ftp.epsv()
    data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    assert ftp.command(command).preliminary
    data.settimeout(FAULT_WAIT)
    with pytest.raises(TimeoutError):
        data.recv(1)
    data.close()  # the client gives up: the server must not claim success
    aborted = ftp.read_reply()
    assert aborted.code == 426
    assert ftp.command("NOOP").code == 200


def test_stall_in_active_mode_too(demo_ftp) -> None:
    server, ftp = demo_ftp("stall")
    listener = ftp.active_listener()
    listener.settimeout(CONTROL_TIMEOUT)
    assert ftp.read_reply().code == 200
    assert ftp.command("LIST").code == 150
    data, _ = listener.accept()  # the server dials after the 150, like vsftpd
    listener.close()
    data.settimeout(FAULT_WAIT)
    with pytest.raises(TimeoutError):
        data.recv(1)
    data.close()
    assert ftp.read_reply().code == 426


def test_stall_lets_uploads_through(demo_ftp) -> None:
    server, ftp = demo_ftp("stall")
    port = ftp.epsv()
    data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    assert ftp.command("STOR upload/up.txt").preliminary
    data.sendall(b"uploads are not stalled\n")
    data.close()
    assert ftp.read_reply().code == 226
    assert (server.root / "upload" / "up.txt").read_bytes() == b"uploads are not stalled\n"


def test_slow_transfers_complete_intact(demo_ftp) -> None:
    server, ftp = demo_ftp("slow", throttle_bytes_per_second=1024 * 1024)
    payload = passive_transfer(ftp, f"RETR {SMALL_FILE}")
    assert sha256(payload) == server.sample.sha256[SMALL_FILE]
    payload = active_transfer(ftp, "RETR README.txt")
    assert sha256(payload) == server.sample.sha256["README.txt"]


# --- robustness -----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["healthy", "active-blocked", "passive-blocked", "tls"])
def test_quit_and_abrupt_disconnects_log_no_server_errors(start_demo, caplog, scenario: str) -> None:
    """A handler error is swallowed and logged by pyftpdlib, so the log is the place
    to look: QUIT (which tears the session down) must not raise in our handlers."""
    caplog.set_level(logging.WARNING, logger="pyftpdlib")
    server = start_demo(scenario)
    ftp = RawFtp(server.host, server.port)
    if scenario != "tls":
        ftp.login(server.user, server.password)
        ftp.pasv()
        ftp.command("LIST")
    assert ftp.command("QUIT").code == 221
    ftp.sock.close()
    abrupt = RawFtp(server.host, server.port)
    abrupt.send("NOOP")
    abrupt.sock.close()
    # one more full session proves the loop is alive and flushes the earlier events
    late = RawFtp(server.host, server.port)
    late.quit()
    server.stop()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


# --- the faults stay with their own mode ------------------------------------------------


def test_active_blocked_doom_is_forgotten_when_the_client_switches_to_passive(demo_ftp) -> None:
    server, ftp = demo_ftp("active-blocked")
    listener = ftp.active_listener()
    assert ftp.read_reply().code == 200
    listener.close()
    payload = passive_transfer(ftp, f"RETR {SMALL_FILE}")  # the PORT is superseded
    assert sha256(payload) == server.sample.sha256[SMALL_FILE]
    # no stray 425 from the abandoned PORT arrives later
    assert ftp.command("NOOP").code == 200


def test_passive_blocked_doom_is_forgotten_when_the_client_switches_to_active(demo_ftp) -> None:
    server, ftp = demo_ftp("passive-blocked")
    ftp.epsv()
    payload = active_transfer(ftp, f"RETR {SMALL_FILE}", extended=True)
    assert sha256(payload) == server.sample.sha256[SMALL_FILE]
    assert ftp.command("NOOP").code == 200


def test_abor_during_a_stall_answers_426_then_226(demo_ftp) -> None:
    server, ftp = demo_ftp("stall")
    port = ftp.epsv()
    data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    assert ftp.command("LIST").preliminary
    assert ftp.command("ABOR").code == 426
    assert ftp.read_reply().code == 226
    assert data.recv(1) == b""  # the server closed the data connection
    data.close()
    assert ftp.command("NOOP").code == 200


def test_healthy_resumes_a_download_with_rest(demo_ftp) -> None:
    server, ftp = demo_ftp("healthy")
    assert ftp.command("REST 1000000").code == 350
    tail = passive_transfer(ftp, f"RETR {BINARY_SAMPLE}")
    whole = (server.root / BINARY_SAMPLE).read_bytes()
    assert tail == whole[1000000:]


def test_epsv_all_is_answered_200_and_locks_out_pasv_and_port(demo_ftp) -> None:
    server, ftp = demo_ftp("healthy")
    assert ftp.command("EPSV ALL").code == 200
    assert ftp.command("PASV").code == 501
    assert ftp.command("PORT 127,0,0,1,200,10").code == 501
    assert b"README.txt" in passive_transfer(ftp, "NLST")


def test_slow_limits_both_directions_at_the_configured_rate() -> None:
    """The rate itself is measured outside the test suite (timing has no place here);
    this pins the configuration that produces it."""
    from pyftpdlib.authorizers import DummyAuthorizer

    from client.demo.scenarios import HandlerConfig, handler_for

    handler = handler_for(HandlerConfig(
        scenario="slow", authorizer=DummyAuthorizer(), give_up_after=1.0,
        throttle_bytes_per_second=12345,
    ))
    assert handler.dtp_handler.read_limit == 12345
    assert handler.dtp_handler.write_limit == 12345


@pytest.mark.parametrize("scenario", ["healthy", "tls"])
def test_transfer_without_pasv_or_port_gets_425_instead_of_hanging(start_demo, scenario) -> None:
    server = start_demo(scenario)
    ftp = RawFtp(server.host, server.port)
    if scenario == "tls":
        context = ssl.create_default_context(cafile=server.ca_file)
        ftp.auth_tls(context)
        ftp.login(server.user, server.password)
        ftp.expect("PBSZ 0", 200)
        ftp.expect("PROT P", 200)
    else:
        ftp.login(server.user, server.password)
    assert ftp.command("LIST").code == 425
    assert ftp.command("RETR README.txt").code == 425
    if scenario == "healthy":
        passive_transfer(ftp, "NLST")
        assert ftp.command("NLST").code == 425  # each transfer needs its own setup
        _, port = ftp.pasv()
        assert ftp.command("RETR no-such-file").code == 550
        data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
        assert ftp.command("NLST").preliminary  # a failed RETR kept the setup
        assert b"README.txt" in read_all(data)
        assert ftp.read_reply().code == 226
        assert ftp.command("PORT 127,0,0,2,200,10").code == 501
        assert ftp.command("LIST").code == 425  # a refused PORT sets nothing up
    ftp.quit()



def test_stall_when_the_client_connects_after_sending_the_command(demo_ftp) -> None:
    server, ftp = demo_ftp("stall")
    port = ftp.epsv()
    assert ftp.command(f"RETR {SMALL_FILE}").code == 150  # nothing connected yet
    data = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    data.settimeout(FAULT_WAIT)
    with pytest.raises(TimeoutError):
        data.recv(1)
    data.close()
    assert ftp.read_reply().code == 426


def test_active_blocked_upload_gets_150_then_425(demo_ftp) -> None:
    server, ftp = demo_ftp("active-blocked")
    listener = ftp.active_listener()
    assert ftp.read_reply().code == 200
    assert ftp.command("STOR upload/never.bin").code == 150
    assert ftp.read_reply(timeout=CONTROL_TIMEOUT).code == 425
    listener.close()
    assert ftp.command("NOOP").code == 200


@pytest.mark.parametrize("extended", [False, True], ids=["PORT", "EPRT"])
def test_active_mode_follows_real_servers_200_then_150_then_the_dial(demo_ftp, extended) -> None:
    """pyftpdlib on its own dials on PORT and answers 125; the demo behaves like vsftpd."""
    server, ftp = demo_ftp("healthy")
    listener = ftp.active_listener(extended)
    listener.settimeout(FAULT_WAIT)
    assert ftp.read_reply().code == 200
    with pytest.raises(TimeoutError):
        listener.accept()  # nobody dials before the transfer command
    listener.settimeout(CONTROL_TIMEOUT)
    assert ftp.command("STOR upload/active.bin").code == 150
    data, peer = listener.accept()
    assert peer[0] == "127.0.0.1"
    data.sendall(b"sent over an active data connection\n")
    data.close()
    listener.close()
    assert ftp.read_reply().code == 226
    assert (server.root / "upload/active.bin").read_bytes() == b"sent over an active data connection\n"


def test_active_mode_to_a_closed_port_gets_150_then_425(demo_ftp) -> None:
    server, ftp = demo_ftp("healthy")
    closed = RefusingPort()  # reserved, never listening: the server's dial is refused
    try:
        assert ftp.command(f"PORT 127,0,0,1,{closed.port // 256},{closed.port % 256}").code == 200
        assert ftp.command("LIST").code == 150
        assert ftp.read_reply().code == 425
    finally:
        closed.close()
    assert ftp.command("NOOP").code == 200
