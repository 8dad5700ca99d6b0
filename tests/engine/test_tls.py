"""FTPS: explicit and implicit TLS, session reuse on every data connection, certificate
verification, trust hook and pins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures.sample_tree import BIG_FILE, big_file_bytes, sha256_of

from client.engine.errors import CertificateError, DataChannelError
from client.engine.events import DataFailure, LineSent, TlsEstablished
from client.engine.session import FtpSession
from client.engine.settings import TlsMode, TransferMode
from client.engine.trust import CallbackTrust, PinStore

from .conftest import Recorder


def data_tls(recorder: Recorder) -> list[TlsEstablished]:
    return [e for e in recorder.of(TlsEstablished) if e.channel is not None]


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
async def test_data_connections_resume_the_control_session(ftps_reuse_server, bus, mode,
                                                           tmp_path: Path):
    recorder = Recorder(bus)
    settings = ftps_reuse_server.settings(mode=mode)
    async with FtpSession(settings, bus=bus) as session:
        assert session.tls_info is not None
        target = tmp_path / "big.bin"
        await session.download(BIG_FILE, target)
        source = tmp_path / "up.bin"
        source.write_bytes(b"x" * 100_000)
        await session.upload(source, "upload/up.bin")
        await session.download("hello.txt", tmp_path / "hello.txt")
    assert sha256_of(target) == sha256_of(big_file_bytes())
    assert (ftps_reuse_server.root / "upload" / "up.bin").read_bytes() == source.read_bytes()
    channels = data_tls(recorder)
    assert len(channels) == 3
    assert all(e.session_reused for e in channels)
    control = [e for e in recorder.of(TlsEstablished) if e.channel is None]
    assert len(control) == 1 and control[0].fingerprint_sha256


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
async def test_session_reuse_over_tls_1_2(ftps_reuse_server, bus, mode, monkeypatch,
                                         tmp_path: Path):
    """TLS 1.2 resumes by session id, not by ticket as 1.3 does: a server that requires
    reuse (522 otherwise) must still get resumed data connections."""
    import ssl

    from client.engine import tls

    base = tls._base_context

    def capped() -> tls.SessionResumingContext:
        context = base()
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        return context

    monkeypatch.setattr(tls, "_base_context", capped)
    recorder = Recorder(bus)
    async with FtpSession(ftps_reuse_server.settings(mode=mode), bus=bus) as session:
        await session.list()
        await session.download("hello.txt", tmp_path / "hello.txt")
    versions = {e.version for e in recorder.of(TlsEstablished)}
    assert versions == {"TLSv1.2"}
    channels = data_tls(recorder)
    assert len(channels) == 2 and all(e.session_reused for e in channels)
    assert (tmp_path / "hello.txt").read_bytes() == (ftps_reuse_server.root / "hello.txt").read_bytes()


@pytest.mark.asyncio
async def test_implicit_tls(ftps_implicit_server, bus, tmp_path: Path):
    recorder = Recorder(bus)
    async with FtpSession(ftps_implicit_server.settings(), bus=bus) as session:
        await session.download("hello.txt", tmp_path / "hello.txt")
    assert (tmp_path / "hello.txt").exists()
    assert recorder.of(TlsEstablished)[0].channel is None
    assert not any(e.text.startswith("AUTH") for e in recorder.of(LineSent))


@pytest.mark.asyncio
async def test_unknown_ca_is_refused_without_a_trust_hook(ftps_server, bus):
    recorder = Recorder(bus)
    settings = ftps_server.settings(ca_file=None)
    session = FtpSession(settings, bus=bus)
    with pytest.raises(CertificateError) as caught:
        await session.connect()
    assert caught.value.fingerprint_sha256
    assert caught.value.step == "certificate"
    # the password was never sent over anything
    assert not any(e.text.startswith("PASS") or e.text.startswith("USER")
                   for e in recorder.of(LineSent))


@pytest.mark.asyncio
async def test_trust_hook_accepts_and_pins(ftps_server, bus, tmp_path: Path):
    store = PinStore(tmp_path / "pins.json")
    seen = []

    async def ask(info):
        seen.append(info)
        return True

    settings = ftps_server.settings(ca_file=None)
    async with FtpSession(settings, bus=bus, trust=CallbackTrust(ask, store),
                          pin_store=store) as session:
        await session.download("hello.txt", tmp_path / "hello.txt")
    assert len(seen) == 1
    assert seen[0].verify_error and seen[0].host == "127.0.0.1"
    assert store.pins_for("127.0.0.1", ftps_server.port) == {seen[0].fingerprint_sha256}

    # Next time the pin alone is enough: the hook is not asked again.
    async def never(info):
        raise AssertionError("asked although pinned")

    async with FtpSession(settings, bus=bus, trust=CallbackTrust(never),
                          pin_store=store) as session:
        await session.pwd()


@pytest.mark.asyncio
async def test_pin_mismatch_names_both_fingerprints(ftps_server, bus, tmp_path: Path):
    wrong = "ab" * 32
    settings = ftps_server.settings(pinned_fingerprints=frozenset({wrong}))
    with pytest.raises(CertificateError) as caught:
        async with FtpSession(settings, bus=bus):
            pass
    error = caught.value
    assert error.fingerprint_sha256 and error.fingerprint_sha256 != wrong
    assert "AB:AB" in str(error)
    assert error.fingerprint_sha256[:2].upper() in str(error)


@pytest.fixture
def wrong_name_tls_server(tmp_path: Path):
    """An implicit-TLS greeter on 127.0.0.1 whose certificate names only
    ftp.example.test (signed by its own CA, whose PEM is returned)."""
    import socket
    import ssl
    import threading

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("ftp.example.test")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(raw, server_side=True) as tls:
                    tls.sendall(b"220 hello\r\n")
                    tls.settimeout(2)
                    while tls.recv(1024):
                        tls.sendall(b"502 no\r\n")
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], str(ca_file)
    stop.set()
    try:
        listener.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    listener.close()
    thread.join(timeout=2)


@pytest.mark.asyncio
async def test_hostname_mismatch_is_explained(wrong_name_tls_server, bus):
    from client.engine.settings import ConnectionSettings

    port, ca_file = wrong_name_tls_server
    settings = ConnectionSettings(host="127.0.0.1", port=port, user="alice", password="pw",
                                  tls=TlsMode.IMPLICIT, ca_file=ca_file, connect_timeout=2,
                                  control_timeout=2)
    with pytest.raises(CertificateError) as caught:
        await FtpSession(settings, bus=bus).connect()
    error = caught.value
    assert "mismatch" in str(error) and "127.0.0.1" in str(error)
    assert error.fingerprint_sha256
    assert error.verify_error and "hostname mismatch" in error.verify_error


@pytest.mark.asyncio
async def test_data_channel_without_reuse_is_a_tls_failure(ftps_reuse_server, bus,
                                                          tmp_path: Path):
    """If resumption were not offered, the server's 522 must become TLS_FAILED."""
    settings = ftps_reuse_server.settings(data_timeout=2.0, control_timeout=2.0)
    session = FtpSession(settings, bus=bus)
    await session.connect()
    # disable resumption for this session's data connections
    session.control_context.session_source = None
    with pytest.raises(DataChannelError) as caught:
        await session.download("hello.txt", tmp_path / "hello.txt")
    assert caught.value.failure is DataFailure.TLS_FAILED
    assert not (tmp_path / "hello.txt").exists()
    await session.close()


@pytest.mark.asyncio
async def test_require_tls_against_plain_server_never_sends_credentials(ftp_server, bus):
    recorder = Recorder(bus)
    settings = ftp_server.settings(tls=TlsMode.EXPLICIT)
    from client.engine.errors import TlsError

    with pytest.raises(TlsError) as caught:
        async with FtpSession(settings, bus=bus):
            pass
    assert caught.value.step == "auth-tls"
    sent = [e.text.split()[0] for e in recorder.of(LineSent)]
    assert "USER" not in sent and "PASS" not in sent
    assert "AUTH" in sent


@pytest.mark.asyncio
async def test_auto_mode_upgrades_when_offered(ftps_server, bus, tmp_path: Path):
    recorder = Recorder(bus)
    async with FtpSession(ftps_server.settings(tls=TlsMode.AUTO), bus=bus) as session:
        assert session.tls_info is not None
        await session.download("hello.txt", tmp_path / "h.txt")
    sent = [e.text for e in recorder.of(LineSent)]
    assert sent.index("AUTH TLS") < sent.index("USER alice")
    assert "PBSZ 0" in sent and "PROT P" in sent
    assert data_tls(recorder)


@pytest.mark.asyncio
async def test_implicit_tls_with_a_trusted_unknown_certificate(ftps_implicit_server, bus,
                                                              tmp_path: Path):
    asked = []

    async def accept(info):
        asked.append(info.fingerprint_sha256)
        return True

    settings = ftps_implicit_server.settings(ca_file=None)
    async with FtpSession(settings, bus=bus, trust=CallbackTrust(accept)) as session:
        await session.download("hello.txt", tmp_path / "h.txt")
        assert session.certificate is not None
        assert session.certificate.fingerprint_sha256 == asked[0]
    assert (tmp_path / "h.txt").exists()


@pytest.mark.asyncio
async def test_trust_hook_refusal_is_a_certificate_error(ftps_server, bus):
    async def refuse(info):
        return False

    settings = ftps_server.settings(ca_file=None)
    with pytest.raises(CertificateError):
        await FtpSession(settings, bus=bus, trust=CallbackTrust(refuse)).connect()


@pytest.mark.asyncio
async def test_an_upload_of_several_mebibytes_over_tls_arrives_whole(ftps_reuse_server, bus,
                                                                     tmp_path: Path):
    """TLS uploads read the file in 2 MiB pieces, the next while one is sent, and write
    each piece in 128 KiB parts: every byte arrives once and in order, also for a size
    that is no multiple of either."""
    source = tmp_path / "several.bin"
    data = os.urandom(3 * 1024 * 1024 + 12_345)
    source.write_bytes(data)
    async with FtpSession(ftps_reuse_server.settings(), bus=bus) as session:
        result = await session.upload(source, "upload/several.bin")
    assert result.bytes_transferred == len(data)
    assert (ftps_reuse_server.root / "upload" / "several.bin").read_bytes() == data
