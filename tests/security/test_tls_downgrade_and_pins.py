"""TLS: verified by default, no downgrade when TLS is required, pins that change are
errors naming both fingerprints, and data connections resume the control session."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from client.engine.errors import CertificateError, FtpError, TlsError
from client.engine.events import EventBus, LineSent, TlsEstablished
from client.engine.session import FtpSession
from client.engine.settings import TlsMode, TransferMode
from client.engine.trust import CallbackTrust, PinStore, format_fingerprint

# bounds for a loaded machine: no test here waits for a timeout to happen
FAST = dict(control_timeout=15.0, data_timeout=15.0, connect_timeout=15.0)


def self_signed_context(directory: Path) -> tuple[ssl.SSLContext, str]:
    """A server context with a self-signed certificate for 127.0.0.1 (no CA vouches for
    it) and the certificate's SHA-256 fingerprint."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file = directory / "self-signed.crt"
    key_file = directory / "self-signed.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    return context, fingerprint


def credentials_seen(server) -> list[str]:
    return [line for line in server.lines() if line.upper().startswith(("USER", "PASS"))]


@pytest.mark.asyncio
@pytest.mark.parametrize("tls", ["explicit", "implicit"])
async def test_self_signed_certificate_fails_without_trust(scripted_server, tmp_path, tls):
    server = scripted_server(tls=tls)
    server._tls_context, fingerprint = self_signed_context(tmp_path)
    bus = EventBus()
    sent: list = []
    bus.subscribe(lambda e: sent.append(e) if isinstance(e, LineSent) else None)
    # Default settings: verification on, the system store (no test CA).
    settings = server.settings(**FAST, ca_file=None,
                               tls=TlsMode.EXPLICIT if tls == "explicit" else TlsMode.IMPLICIT)
    assert settings.verify_certificates
    session = FtpSession(settings, bus=bus)
    with pytest.raises(CertificateError) as caught:
        await asyncio.wait_for(session.connect(), 10)
    await session.close()
    error = caught.value
    assert error.fingerprint_sha256 == fingerprint
    assert "self-signed" in str(error) and format_fingerprint(fingerprint) in str(error)
    assert credentials_seen(server) == []
    assert not any(e.text.upper().startswith(("USER", "PASS")) for e in sent)


@pytest.mark.asyncio
@pytest.mark.parametrize("refusal", [b"500 AUTH not understood.\r\n",
                                     b"534 Request denied for policy reasons.\r\n",
                                     b"431 Unable to accept security mechanism.\r\n",
                                     b"502 Command not implemented.\r\n"])
async def test_require_tls_never_sends_credentials_when_auth_is_refused(scripted_server,
                                                                       refusal):
    """A man in the middle strips TLS by answering AUTH TLS with an error (while the
    FEAT still offers it): with TLS required, USER and PASS are never sent."""
    server = scripted_server({"AUTH": refusal}, tls="explicit")
    session = FtpSession(server.settings(**FAST, tls=TlsMode.EXPLICIT), bus=EventBus())
    with pytest.raises(TlsError) as caught:
        await asyncio.wait_for(session.connect(), 10)
    await session.close()
    assert caught.value.step == "auth-tls"
    assert "USER and PASS were not sent" in str(caught.value)
    assert "AUTH" in server.verbs()
    assert credentials_seen(server) == []


@pytest.mark.asyncio
async def test_require_tls_with_a_fake_234_and_no_handshake(scripted_server):
    """The server says 234 but then speaks plain FTP: the handshake fails, and the
    credentials still never leave."""
    server = scripted_server({"AUTH": b"234 Proceed with negotiation.\r\n"
                                      b"220 haha, plain text after all\r\n"}, tls="explicit")
    session = FtpSession(server.settings(**FAST, tls=TlsMode.EXPLICIT), bus=EventBus())
    with pytest.raises(FtpError) as caught:
        await asyncio.wait_for(session.connect(), 10)
    await session.close()
    assert isinstance(caught.value, TlsError)
    assert credentials_seen(server) == []


@pytest.mark.asyncio
async def test_a_pinned_certificate_that_changes_is_an_error_with_both_fingerprints(
        scripted_server, tmp_path):
    server = scripted_server(tls="explicit")
    store = PinStore(tmp_path / "pins.json")
    asked = []

    async def accept(info):
        asked.append(info.fingerprint_sha256)
        return True

    # First visit: the self-signed certificate is trusted once and pinned.
    server._tls_context, first = self_signed_context(tmp_path)
    settings = server.settings(**FAST, ca_file=None, tls=TlsMode.EXPLICIT)
    async with FtpSession(settings, bus=EventBus(), trust=CallbackTrust(accept, store),
                          pin_store=store) as session:
        await session.pwd()
    assert asked == [first]
    assert store.pins_for(server.host, server.port) == {first}

    # The certificate changes (an interceptor, or a renewal nobody announced).
    (tmp_path / "second").mkdir()
    server._tls_context, second = self_signed_context(tmp_path / "second")
    assert second != first
    before = len(credentials_seen(server))
    session = FtpSession(settings, bus=EventBus(), trust=CallbackTrust(accept, store),
                         pin_store=store)
    with pytest.raises(CertificateError) as caught:
        await asyncio.wait_for(session.connect(), 10)
    await session.close()
    error = caught.value
    assert format_fingerprint(first) in str(error) and format_fingerprint(second) in str(error)
    assert error.fingerprint_sha256 == second
    assert "changed" in str(error)
    assert asked == [first]  # the user was not asked to wave the new one through
    assert len(credentials_seen(server)) == before  # no login on the changed certificate


@pytest.mark.asyncio
async def test_a_pin_is_checked_even_when_a_trusted_ca_signed_the_new_certificate(
        scripted_server):
    """A pin means "this certificate", not "any certificate a CA vouches for"."""
    server = scripted_server(tls="explicit")
    settings = server.settings(**FAST, tls=TlsMode.EXPLICIT,
                               pinned_fingerprints=frozenset({"cd" * 32}))
    session = FtpSession(settings, bus=EventBus())
    with pytest.raises(CertificateError) as caught:
        await asyncio.wait_for(session.connect(), 10)
    await session.close()
    assert "CD:CD:CD" in str(caught.value)
    assert credentials_seen(server) == []


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
async def test_data_connections_resume_the_control_session_on_real_servers(
        real_ftps_server, tmp_path, mode):
    """vsftpd (require_ssl_reuse) and the pyftpdlib reuse server refuse a data
    connection that does not resume the control session; every data connection of a
    listing, a download and an upload must therefore resume it."""
    server = real_ftps_server
    server.write_file("reuse.bin", b"r" * 70_000)
    bus = EventBus()
    tls_events: list[TlsEstablished] = []
    bus.subscribe(lambda e: tls_events.append(e) if isinstance(e, TlsEstablished) else None)
    source = tmp_path / "up.bin"
    source.write_bytes(b"u" * 50_000)
    async with FtpSession(server.settings(mode=mode), bus=bus) as session:
        await session.list()
        await session.download("reuse.bin", tmp_path / "reuse.bin")
        await session.upload(source, "up-reuse.bin")
    assert (tmp_path / "reuse.bin").read_bytes() == b"r" * 70_000
    data_tls = [e for e in tls_events if e.channel is not None]
    assert len(data_tls) >= 3
    if "tls-reuse-required" not in server.features:
        # pure-ftpd keeps no TLS session cache, so nothing can be resumed there; the
        # client still offered the session (the transfers above are the check).
        return
    assert all(e.session_reused for e in data_tls), [(e.channel, e.version) for e in data_tls]


@pytest.mark.asyncio
async def test_refused_prot_p_is_reported_as_clear_text_data(scripted_server):
    """With PROT P refused, the control connection (and the password) stay encrypted,
    and the user is told that file data will cross the network in clear text."""
    from client.engine.events import Notice
    from client.protocol.annotate import Severity

    server = scripted_server({"PROT": b"536 PROT P not supported.\r\n"}, tls="explicit")
    bus = EventBus()
    notices: list[Notice] = []
    bus.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)
    async with FtpSession(server.settings(**FAST, tls=TlsMode.EXPLICIT), bus=bus) as session:
        await session.list("/")
    warnings = [n for n in notices if "clear text" in n.text and "PROT" in n.text]
    assert warnings and warnings[0].severity is Severity.WARNING
    assert all(command.tls for command in server.commands
               if command.verb in ("USER", "PASS"))
