"""The tls scenario: explicit FTPS with AUTH TLS, PROT P and session reuse all required."""

from __future__ import annotations

import hashlib
import socket
import ssl

import pytest

from demo.rawftp import CONTROL_TIMEOUT, RawFtp, SessionContext, read_all

SMALL_FILE = "photos 2024/beach day.jpg"


def client_context(server) -> SessionContext:  # type: ignore[no-untyped-def]
    context = SessionContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(server.ca_file)  # hostname 127.0.0.1 is checked too
    return context


def receive_until_closed(data: ssl.SSLSocket) -> bytes:
    """Application data received before the server closed (an abrupt close counts as the
    end: what matters is that nothing was sent)."""
    chunks = []
    try:
        while chunk := data.recv(65536):
            chunks.append(chunk)
    except (ssl.SSLError, ConnectionResetError):
        pass
    data.close()
    return b"".join(chunks)


def secure_login(server):  # type: ignore[no-untyped-def]
    context = client_context(server)
    ftp = RawFtp(server.host, server.port)
    ftp.auth_tls(context)
    ftp.login(server.user, server.password)
    ftp.expect("PBSZ 0", 200)
    ftp.expect("PROT P", 200)
    return ftp, context


def test_tls_certificate_matches_the_advertised_fingerprint(start_demo) -> None:
    server = start_demo("tls")
    assert server.url.startswith(f"ftpes://demo:{server.password}@127.0.0.1:{server.port}/")
    ftp, _ = secure_login(server)
    der = ftp.sock.getpeercert(binary_form=True)
    assert hashlib.sha256(der).hexdigest() == server.cert_fingerprint_sha256
    assert ftp.sock.getpeercert()["subjectAltName"] == (("DNS", "localhost"), ("IP Address", "127.0.0.1"))
    ftp.quit()


def test_tls_is_required_before_login_and_before_data(start_demo) -> None:
    server = start_demo("tls")
    plain = RawFtp(server.host, server.port)
    assert plain.command(f"USER {server.user}").code == 550
    plain.quit()

    context = client_context(server)
    ftp = RawFtp(server.host, server.port)
    ftp.auth_tls(context)
    ftp.login(server.user, server.password)
    assert ftp.command("PASV").code == 550  # PROT P not yet given
    ftp.expect("PBSZ 0", 200)
    ftp.expect("PROT P", 200)
    assert ftp.command("PASV").code == 227
    ftp.quit()


def open_data(ftp: RawFtp, context: SessionContext, command: str, *, reuse: bool) -> ssl.SSLSocket:
    port = ftp.epsv()
    raw = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    assert ftp.command(command).preliminary
    context.session = ftp.sock.session if reuse else None
    return context.wrap_socket(raw, server_hostname=ftp.host)


def test_tls_data_connection_without_session_reuse_gets_522(start_demo) -> None:
    server = start_demo("tls")
    ftp, context = secure_login(server)
    data = open_data(ftp, context, "LIST", reuse=False)
    assert not data.session_reused
    assert receive_until_closed(data) == b""
    refused = ftp.read_reply()
    assert refused.code == 522
    assert "session reuse required" in refused.text
    # The control connection survives; the same listing with reuse succeeds.
    data = open_data(ftp, context, "LIST", reuse=True)
    assert data.session_reused
    assert b"README.txt" in read_all(data)
    assert ftp.read_reply().code == 226
    ftp.quit()


@pytest.mark.parametrize("handshake_first", [False, True], ids=["after-150", "before-command"])
def test_tls_download_with_session_reuse(start_demo, handshake_first: bool) -> None:
    server = start_demo("tls")
    ftp, context = secure_login(server)
    port = ftp.epsv()
    raw = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    context.session = ftp.sock.session
    if handshake_first:
        data = context.wrap_socket(raw, server_hostname=ftp.host)
        assert ftp.command(f"RETR {SMALL_FILE}").preliminary
    else:
        assert ftp.command(f"RETR {SMALL_FILE}").preliminary
        data = context.wrap_socket(raw, server_hostname=ftp.host)
    assert data.session_reused
    payload = read_all(data)
    assert ftp.read_reply().code == 226
    assert hashlib.sha256(payload).hexdigest() == server.sample.sha256[SMALL_FILE]
    ftp.quit()


def test_tls_refusal_before_the_command_is_the_reply_to_the_command(start_demo) -> None:
    """A client that handshakes (without reuse) before sending RETR must get 522 as the
    reply to RETR, not as an unsolicited line before it."""
    server = start_demo("tls")
    ftp, context = secure_login(server)
    port = ftp.epsv()
    raw = socket.create_connection((ftp.host, port), timeout=CONTROL_TIMEOUT)
    context.session = None
    data = context.wrap_socket(raw, server_hostname=ftp.host)
    assert not data.session_reused
    assert ftp.command("NOOP").code == 200  # handshake done on both sides by now
    assert ftp.command(f"RETR {SMALL_FILE}").preliminary
    assert ftp.read_reply().code == 522
    assert receive_until_closed(data) == b""  # not one byte of the file leaked
    ftp.quit()


def test_tls_upload_with_session_reuse(start_demo) -> None:
    server = start_demo("tls")
    ftp, context = secure_login(server)
    data = open_data(ftp, context, "STOR upload/secret.bin", reuse=True)
    data.sendall(b"x" * 100_000)
    data.unwrap().close()
    assert ftp.read_reply().code == 226
    assert (server.root / "upload" / "secret.bin").read_bytes() == b"x" * 100_000
    ftp.quit()
