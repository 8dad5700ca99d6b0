"""Proof that the scripted server does what each step says: the conversation, the
record of commands, and every data-connection misbehaviour.

Checked with raw sockets, so what the client sees is exactly what the server sent.
Absence (no 226, no byte) is checked with short socket timeouts.
"""

# ruff: noqa: F401, F811 - the imported ``control`` fixture is used as a test parameter

from __future__ import annotations

import re
import socket

import pytest
from fixtures.raw_control import (
    SHORT,
    active_listener,
    control,
    passive_transfer,
    pasv_port,
)
from fixtures.scripted_faults import (
    HOSTILE_NAMES,
    close_before_226,
    connect_back_from,
    control_closed_mid_transfer,
    hostile_mlsd_listing,
    hostile_unix_listing,
    never_connect_back,
    reset_after,
    silent_data,
    stall_after,
    stop_answering_mid_transfer,
    unsolicited_421_mid_transfer,
)
from fixtures.scripted_steps import close_control, epsv, hang, in_turn, pasv, transfer, unused_port


def test_default_conversation_and_recording(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    client = control(server)
    feat = client.command("FEAT")
    assert feat.startswith(b"211-") and b" EPSV\r\n" in feat and b"MLSD" not in feat
    assert client.command("PWD") == b'257 "/" is the current directory\r\n'
    assert client.command("TYPE I").startswith(b"200")
    assert client.command("XYZZY").startswith(b"502")
    assert client.command("QUIT").startswith(b"221")
    assert server.verbs() == ["USER", "PASS", "FEAT", "PWD", "TYPE", "XYZZY", "QUIT"]
    assert server.lines()[1] == f"PASS {server.password}"
    assert server.connection_count == 1


def test_wrong_password_gets_530(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    client = control(server, login=False)
    client.reply()
    client.command("USER alice")
    assert client.command("PASS wrong").startswith(b"530")


def test_exact_bytes_are_sent_verbatim(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    odd = b"200-first\n200 bare LF and \x1b[2J an escape\r\n"
    server = scripted_server({"NOOP": odd, "SYST": "215 str gets CRLF"})
    client = control(server)
    client.send("NOOP")
    assert client.sock.recv(100) == odd
    assert client.command("SYST") == b"215 str gets CRLF\r\n"


def test_every_line_is_recorded_separately(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    client = control(server)
    client.sock.sendall(b"CWD a\r\nDELE b\r\n")
    client.reply(), client.reply()
    assert server.lines()[-2:] == ["CWD a", "DELE b"]


def test_pasv_advertises_any_address_with_a_real_loopback_port(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    listing = b"-rw-r--r-- 1 ftp ftp 5 Jan 01 00:00 a.txt\r\n"
    server = scripted_server(
        {"PASV": pasv(advertise="10.0.0.5"), "LIST": transfer(payload=listing)}
    )
    client = control(server)
    reply = client.command("PASV")
    host, port = pasv_port(reply)
    assert reply.startswith(b"227 Entering Passive Mode (10,0,0,5,") and host == "10.0.0.5"
    with socket.create_connection(("127.0.0.1", port), timeout=3) as data:
        client.send("LIST")
        assert client.reply().startswith(b"150")
        assert data.recv(1000) == listing
    assert client.reply().startswith(b"226")


def test_pasv_custom_text_and_closed_port(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    closed = unused_port()
    server = scripted_server({"PASV": pasv(port=closed, text="227 =127,0,0,1,{p1},{p2}")})
    client = control(server)
    reply = client.command("PASV")
    assert reply == f"227 =127,0,0,1,{closed // 256},{closed % 256}\r\n".encode()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", closed), timeout=2)


def test_unused_port_stays_closed_while_the_tests_run() -> None:
    """Another listener (a parallel test's, the kernel's next pick) cannot take the port
    between the handing out and the test's connect: it is held, and refuses."""
    closed = unused_port()
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", closed))
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", closed), timeout=2)


def test_epsv_and_in_turn(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"EPSV": in_turn(b"500 EPSV not understood.\r\n", epsv())})
    client = control(server)
    assert client.command("EPSV").startswith(b"500")
    reply = client.command("EPSV")
    port = int(re.search(rb"\|\|\|(\d+)\|", reply).group(1))  # type: ignore[union-attr]
    socket.create_connection(("127.0.0.1", port), timeout=3).close()


def test_silent_data_connection(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"LIST": silent_data()})
    client = control(server)
    data, preliminary = passive_transfer(client, "LIST")
    assert preliminary.startswith(b"150")
    data.settimeout(SHORT)
    with pytest.raises(TimeoutError):
        data.recv(1)
    assert client.nothing_within()
    # ABOR is still answered: the stalled connection is closed, 426 then 226.
    assert client.command("ABOR").startswith(b"426")
    assert client.reply().startswith(b"226")
    data.close()


def test_stall_after_n_bytes(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"RETR": stall_after(b"0123456789" * 10, 25)})
    client = control(server)
    data, _ = passive_transfer(client, "RETR big")
    assert server.wait_for(lambda s: "data connection stalled" in s.events)
    received = b""
    while len(received) < 25:  # the bytes already sent arrive, however slow the machine
        received += data.recv(100)
    data.settimeout(SHORT)
    with pytest.raises(TimeoutError):  # and then nothing more
        data.recv(100)
    assert received == (b"0123456789" * 10)[:25]
    assert client.nothing_within()
    data.close()


def test_reset_after_n_bytes(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"RETR": reset_after(b"x" * 5000, 1000)})
    client = control(server)
    data, _ = passive_transfer(client, "RETR f")
    assert server.wait_for(lambda s: "data connection reset" in s.events)
    received = b""
    with pytest.raises(ConnectionResetError):
        while chunk := data.recv(65536):
            received += chunk
        raise AssertionError("EOF instead of a reset")
    assert len(received) <= 1000
    data.close()


def test_close_before_226(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"RETR": close_before_226(b"abcdef", 3)})
    client = control(server)
    data, _ = passive_transfer(client, "RETR f")
    assert data.recv(100) == b"abc" and data.recv(100) == b""
    assert client.nothing_within()
    data.close()


def test_active_mode_dials_back(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"LIST": transfer(payload=b"hello")})
    client = control(server)
    listener = active_listener(client)
    client.send("LIST")
    listener.settimeout(3)
    data, peer = listener.accept()
    assert peer[0] == "127.0.0.1" and data.recv(10) == b"hello"
    assert client.reply().startswith(b"150") and client.reply().startswith(b"226")
    data.close(), listener.close()


def test_eprt_is_accepted_too(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    client = control(server)
    assert client.command("EPRT |1|127.0.0.1|40000|").startswith(b"200")
    assert "active target 127.0.0.1:40000" in server.events
    assert client.command("PORT 1,2,3").startswith(b"501")


def test_never_connect_back(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"LIST": never_connect_back()})
    client = control(server)
    listener = active_listener(client)
    client.send("LIST")
    assert client.reply().startswith(b"150")
    listener.settimeout(SHORT)
    with pytest.raises(TimeoutError):
        listener.accept()
    assert client.nothing_within(0.05)
    listener.close()


def test_connect_back_from_another_address(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"LIST": connect_back_from("127.0.0.2", b"intruder")})
    client = control(server)
    listener = active_listener(client)
    client.send("LIST")
    listener.settimeout(3)
    data, peer = listener.accept()
    assert peer[0] == "127.0.0.2"
    data.close(), listener.close()


def test_unsolicited_421_mid_transfer(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"RETR": unsolicited_421_mid_transfer(b"z" * 100, 10)})
    client = control(server)
    data, _ = passive_transfer(client, "RETR f")
    assert client.reply().startswith(b"421 ")
    with pytest.raises(EOFError):
        client.reply()
    data.close()


def test_control_closed_mid_transfer(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"RETR": control_closed_mid_transfer(b"z" * 100, 10)})
    client = control(server)
    data, _ = passive_transfer(client, "RETR f")
    assert data.recv(100) == b"z" * 10
    with pytest.raises(EOFError):
        client.reply()
    data.close()


def test_stop_answering_without_fin(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"RETR": stop_answering_mid_transfer(b"z" * 100, 10), "CWD": hang})
    client = control(server)
    data, _ = passive_transfer(client, "RETR f")
    assert data.recv(100) == b"z" * 10
    client.send("NOOP")
    assert client.nothing_within()  # no reply and no EOF
    data.close()


def test_close_control_step(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"USER": close_control})
    client = control(server, login=False)
    client.reply()
    client.send("USER alice")
    with pytest.raises(EOFError):
        client.reply()


def test_upload_is_recorded(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    client = control(server)
    data, preliminary = passive_transfer(client, "STOR up.bin")
    data.sendall(b"payload")
    data.close()
    assert client.reply().startswith(b"226")
    assert server.uploads == {"up.bin": b"payload"}


def test_transfer_without_pasv_or_port(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    client = control(server)
    assert client.command("LIST").startswith(b"425")


def test_hostile_listings_arrive_verbatim(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server(
        {
            "LIST": transfer(payload=hostile_unix_listing()),
            "MLSD": transfer(payload=hostile_mlsd_listing()),
        }
    )
    client = control(server)
    for verb, payload in (("LIST", hostile_unix_listing()), ("MLSD", hostile_mlsd_listing())):
        data, _ = passive_transfer(client, verb)
        received = b""
        while chunk := data.recv(65536):
            received += chunk
        data.close()
        assert received == payload
        assert client.reply().startswith(b"226")
    for name in (
        b"../escape.txt",
        b"/etc/passwd",
        b"C:\\x.txt",
        b"name\rwith-cr.txt",
        b"nul\x00byte.txt",
    ):
        assert name in HOSTILE_NAMES and name in hostile_unix_listing()


def test_rest_offsets_the_next_download_only(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"RETR": transfer(payload=b"0123456789")})
    client = control(server)
    assert client.command("REST 4").startswith(b"350")
    data, _ = passive_transfer(client, "RETR f")
    assert data.recv(100) == b"456789"
    data.close()
    assert client.reply().startswith(b"226")
    data, _ = passive_transfer(client, "RETR f")
    assert data.recv(100) == b"0123456789"
    data.close()
    assert client.reply().startswith(b"226")
    assert client.command("REST x").startswith(b"501")


def test_cwd_is_tracked_and_by_path_picks_the_listing(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    from fixtures.scripted_steps import by_path

    server = scripted_server(
        {
            "LIST": by_path(
                {"/": transfer(payload=b"root\r\n"), "/sub": transfer(payload=b"sub\r\n")}
            )
        }
    )
    client = control(server)

    def listing(command: str) -> bytes:
        data, preliminary = passive_transfer(client, command)
        if not preliminary.startswith(b"150"):
            data.close()
            return preliminary
        received = data.recv(100)
        data.close()
        assert client.reply().startswith(b"226")
        return received

    assert listing("LIST") == b"root\r\n"
    assert listing("LIST -a sub") == b"sub\r\n"
    assert client.command("CWD sub").startswith(b"250")
    assert client.command("PWD") == b'257 "/sub" is the current directory\r\n'
    assert listing("LIST") == b"sub\r\n"
    assert listing("LIST ../nowhere").startswith(b"550")
    assert client.command("CDUP").startswith(b"250")
    assert client.command("PWD") == b'257 "/" is the current directory\r\n'


def test_reprs_never_show_the_password(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    control(server)  # logs in
    assert server.wait_for_verb("PASS")
    assert server.password not in repr(server)
    assert server.password not in repr(server.commands)
    assert server.password not in repr(server.info)
    assert server.lines()[1] == f"PASS {server.password}"  # the record itself is exact


def test_a_failing_custom_step_is_recorded_and_closes_the_session(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    def broken(session, argument):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug in the test's step")

    server = scripted_server({"NOOP": broken})
    client = control(server)
    client.send("NOOP")
    with pytest.raises(EOFError):
        client.reply()
    assert server.wait_for(lambda s: bool(s.errors))
    assert "bug in the test's step" in server.errors[0]


def test_port_to_a_non_loopback_address_is_never_dialled(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server()
    client = control(server)
    assert client.command("PORT 10,0,0,5,195,80").startswith(b"200")
    client.send("LIST")
    assert client.reply().startswith(b"150")
    assert server.wait_for(lambda s: "refusing to dial non-loopback 10.0.0.5" in s.events)
