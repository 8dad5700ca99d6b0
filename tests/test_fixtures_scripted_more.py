"""Proof of the scripted server's TLS, odd reply forms, unsolicited, slow, dripping and
endless replies, reply fuzzing and IPv6."""

# ruff: noqa: F401, F811 - the imported ``control`` fixture is used as a test parameter

from __future__ import annotations

import re
import socket

import pytest
from fixtures.raw_control import (
    RawControl,
    control,
    passive_transfer,
    pasv_port,
)
from fixtures.scripted import ScriptedServer
from fixtures.scripted_faults import (
    ODD_EPSV_REPLIES,
    ODD_PASV_REPLIES,
    unsolicited,
)
from fixtures.scripted_fuzz import mutated_handlers
from fixtures.scripted_steps import epsv, pasv, transfer


def _tls_client(server: ScriptedServer, implicit: bool = False):  # type: ignore[no-untyped-def]
    from fixtures.ftp_probe import login

    return login(server.info, reuse_session=True)


def test_explicit_tls_records_which_commands_were_encrypted(scripted_server) -> None:  # type: ignore[no-untyped-def]
    listing = b"-rw-r--r-- 1 ftp ftp 5 Jan 01 00:00 secret.txt\r\n"
    server = scripted_server({"LIST": transfer(payload=listing)}, tls="explicit")
    assert server.info.tls == "explicit" and server.info.ca_file
    client = _tls_client(server)
    try:
        lines: list[str] = []
        client.retrlines("LIST", lines.append)
        assert lines == [listing.decode().rstrip("\r\n")]
    finally:
        client.quit()
    encrypted = {command.verb: command.tls for command in server.commands}
    assert encrypted["AUTH"] is False
    assert encrypted["USER"] is True and encrypted["PASS"] is True and encrypted["LIST"] is True
    assert any(event.startswith("data connection is TLS") for event in server.events)


def test_implicit_tls_scripted(scripted_server) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server(tls="implicit")
    client = _tls_client(server)
    try:
        assert client.sendcmd("NOOP").startswith("200")
    finally:
        client.quit()
    assert all(command.tls for command in server.commands)


def test_prot_needs_tls(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server(tls="explicit")
    client = control(server)
    assert client.command("PROT P").startswith(b"503")
    assert client.command("AUTH KERBEROS").startswith(b"504")


def test_unsolicited_reply_arrives_without_a_command(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server(
        {"NOOP": [b"200 ok\r\n", unsolicited(b"421 Idle timeout, closing.\r\n", after=0.05)]}
    )
    client = control(server)
    assert client.command("NOOP") == b"200 ok\r\n"
    assert client.reply() == b"421 Idle timeout, closing.\r\n"
    with pytest.raises(EOFError):
        client.reply()
    assert server.verbs()[-1] == "NOOP"


@pytest.mark.parametrize("text", ODD_PASV_REPLIES)
def test_odd_pasv_forms_carry_the_real_port(scripted_server, control, text: str) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"PASV": pasv(text=text)})
    client = control(server)
    reply = client.command("PASV")
    assert reply.startswith(b"227 ") and b"{" not in reply
    host, port = pasv_port(reply)
    assert host == "127.0.0.1"
    socket.create_connection((host, port), timeout=3).close()


@pytest.mark.parametrize("text", ODD_EPSV_REPLIES)
def test_odd_epsv_forms_carry_the_real_port(scripted_server, control, text: str) -> None:  # type: ignore[no-untyped-def]
    server = scripted_server({"EPSV": epsv(text=text)})
    client = control(server)
    reply = client.command("EPSV")
    port = int(re.search(rb"(\d{2,5})", reply[3:]).group(1))  # type: ignore[union-attr]
    socket.create_connection(("127.0.0.1", port), timeout=3).close()


def _fuzzed_conversation(scripted_server, seed: int, rate: float = 0.5) -> tuple[bytes, list[str]]:  # type: ignore[no-untyped-def]
    server = scripted_server(mutated_handlers(seed, rate=rate), password="")
    sock = socket.create_connection(server.address, timeout=3)
    sock.sendall(b"USER alice\r\nPASS x\r\nSYST\r\nPWD\r\nTYPE I\r\nNOOP\r\nQUIT\r\n")
    received = b""
    sock.settimeout(3)
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except OSError:
        pass
    sock.close()
    return received, [event for event in server.events if event.startswith("mutated")]


def test_mutated_replies_are_damaged_and_reproducible(scripted_server) -> None:  # type: ignore[no-untyped-def]
    first, first_mutations = _fuzzed_conversation(scripted_server, seed=7)
    again, again_mutations = _fuzzed_conversation(scripted_server, seed=7)
    assert first_mutations and first_mutations == again_mutations
    assert first == again
    polite, no_mutations = _fuzzed_conversation(scripted_server, seed=7, rate=0.0)
    assert no_mutations == [] and polite.endswith(b"221 Goodbye.\r\n")
    assert first != polite


def test_scripted_server_on_ipv6(scripted_server) -> None:  # type: ignore[no-untyped-def]
    try:
        server = scripted_server({"LIST": transfer(payload=b"v6 listing\r\n")}, host="::1")
    except OSError as error:
        pytest.skip(f"no IPv6 loopback here: {error}")
    client = RawControl(("::1", server.port))
    client.login(server.password)
    reply = client.command("EPSV")
    port = int(re.search(rb"\|\|\|(\d+)\|", reply).group(1))  # type: ignore[union-attr]
    with socket.create_connection(("::1", port), timeout=3) as data:
        client.send("LIST")
        assert client.reply().startswith(b"150")
        assert data.recv(100) == b"v6 listing\r\n"
    assert client.reply().startswith(b"226")
    # active mode over IPv6: EPRT |2|::1|port|
    listener = socket.create_server(("::1", 0), family=socket.AF_INET6)
    assert client.command(f"EPRT |2|::1|{listener.getsockname()[1]}|").startswith(b"200")
    client.send("LIST")
    listener.settimeout(3)
    conn, peer = listener.accept()
    assert peer[0] == "::1" and conn.recv(100) == b"v6 listing\r\n"
    conn.close(), listener.close(), client.close()


def test_slow_transfer_keeps_moving(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    from fixtures.scripted_faults import slow_transfer

    payload = bytes(range(50))
    server = scripted_server({"RETR": slow_transfer(payload, 10, tick=0.02)})
    client = control(server)
    data, _ = passive_transfer(client, "RETR slow")
    received = b""
    chunks = 0
    while chunk := data.recv(100):
        received += chunk
        chunks += 1
    assert received == payload and chunks >= 2  # it came in pieces, and all of it
    assert client.reply().startswith(b"226")
    data.close()


def test_drip_sends_a_byte_at_a_time(scripted_server, control) -> None:  # type: ignore[no-untyped-def]
    from fixtures.scripted_faults import drip

    server = scripted_server({"NOOP": drip(b"200 drip\r\n", interval=0.02)})
    client = control(server)
    client.send("NOOP")
    received, pieces = b"", 0
    while not received.endswith(b"\n"):
        received += client.sock.recv(100)
        pieces += 1
    assert received == b"200 drip\r\n" and pieces >= 2


def test_endless_reply_never_terminates(scripted_server) -> None:  # type: ignore[no-untyped-def]
    from fixtures.scripted_faults import endless_reply

    server = scripted_server(banner=endless_reply())
    with socket.create_connection(server.address, timeout=3) as sock:
        received = b""
        while len(received) < 200_000:
            received += sock.recv(65536)
    assert received.startswith(b"220-and more\r\n") and b"220 " not in received


@pytest.mark.parametrize("reuse", [True, False], ids=["resumed", "fresh"])
def test_scripted_tls_can_require_session_reuse(scripted_server, reuse: bool) -> None:  # type: ignore[no-untyped-def]
    import ftplib

    from fixtures.ftp_probe import login

    server = scripted_server(
        {"RETR": transfer(payload=b"secret data")}, tls="explicit", tls_require_reuse=True
    )
    client = login(server.info, reuse_session=reuse)
    try:
        if reuse:
            chunks: list[bytes] = []
            client.retrbinary("RETR f", chunks.append)
            assert b"".join(chunks) == b"secret data"
        else:
            try:
                conn = client.transfercmd("RETR f")
                with conn:
                    assert conn.recv(100) == b""
            except (OSError, EOFError):
                pass
            with pytest.raises(ftplib.error_perm, match="^522 SSL connection failed"):
                client.voidresp()
    finally:
        client.close()
    expected = "resumed session" if reuse else "new session"
    assert any(expected in event for event in server.events)
