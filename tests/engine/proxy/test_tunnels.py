"""FTP through real proxies: danted (SOCKS5, with and without authentication, SOCKS4a)
and tinyproxy (HTTP CONNECT). The control connection and every passive data connection
go through the proxy; active mode is refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.process_server import free_port_block
from fixtures.sample_tree import BIG_FILE, BIG_FILE_SIZE, big_file_bytes, sha256_of

from client.engine.errors import ProxyModeError
from client.engine.events import DataChannelEvent, EventBus, ProxyEvent, ProxyPhase
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

from ..conftest import Recorder

PASSIVE = {"pasv": dict(use_epsv=False), "epsv": dict(use_epsv=True)}


async def _browse_and_download(settings, bus: EventBus, tmp_path: Path) -> FtpSession:
    async with FtpSession(settings, bus=bus) as session:
        listing = await session.list("/")
        assert BIG_FILE.strip("/") in {entry.name for entry in listing.entries}
        target = tmp_path / "big.bin"
        result = await session.download(BIG_FILE, target)
        assert result.bytes_transferred == BIG_FILE_SIZE
        assert sha256_of(target) == sha256_of(big_file_bytes())
        source = tmp_path / "up.bin"
        source.write_bytes(b"through the proxy\n" * 1000)
        await session.upload(source, "upload/up.bin")
        peer = session.control.transport.get_extra_info("peername")
        return session, peer


def _assert_everything_went_through(recorder: Recorder, proxy_port: int) -> None:
    opened = [e for e in recorder.of(ProxyEvent) if e.phase is ProxyPhase.OPEN]
    assert opened and opened[0].channel is None  # the control connection first
    assert all(e.proxy.port == proxy_port for e in opened)
    channels = {e.channel for e in recorder.of(DataChannelEvent)}
    assert len(channels) >= 3  # listing, download, upload
    assert channels <= {e.channel for e in opened}  # each data connection went through
    failed = [e for e in recorder.of(ProxyEvent) if e.phase is ProxyPhase.FAILED]
    assert failed == []


@pytest.mark.asyncio
@pytest.mark.parametrize("command", sorted(PASSIVE))
async def test_socks5_without_authentication(ftp_server, socks5_proxy, bus, command,
                                             tmp_path: Path) -> None:
    recorder = Recorder(bus)
    settings = ftp_server.settings(proxy=socks5_proxy.settings(), **PASSIVE[command])
    _session, peer = await _browse_and_download(settings, bus, tmp_path)
    assert peer[1] == socks5_proxy.port  # the control socket's other end is the proxy
    _assert_everything_went_through(recorder, socks5_proxy.port)
    assert (ftp_server.root / "upload" / "up.bin").read_bytes() == b"through the proxy\n" * 1000


@pytest.mark.asyncio
async def test_socks5_with_username_and_password(ftp_server, socks5_auth_proxy, bus,
                                                 tmp_path: Path) -> None:
    recorder = Recorder(bus)
    proxy = socks5_auth_proxy.settings()
    assert proxy.user == "alice" and proxy.password
    await _browse_and_download(ftp_server.settings(proxy=proxy), bus, tmp_path)
    _assert_everything_went_through(recorder, socks5_auth_proxy.port)
    handshakes = [e.detail for e in recorder.of(ProxyEvent) if e.phase is ProxyPhase.HANDSHAKE]
    assert "username/password authentication as alice" in handshakes[0]
    # the proxy password is in no event
    assert all(proxy.password not in repr(e) for e in recorder.events)


@pytest.mark.asyncio
async def test_socks4a(ftp_server, socks5_proxy, bus, tmp_path: Path) -> None:
    recorder = Recorder(bus)
    settings = ftp_server.settings(proxy=socks5_proxy.settings(kind="socks4a"))
    await _browse_and_download(settings, bus, tmp_path)
    _assert_everything_went_through(recorder, socks5_proxy.port)
    assert all(e.kind == "SOCKS4a" for e in recorder.of(ProxyEvent))


@pytest.mark.asyncio
@pytest.mark.parametrize("command", sorted(PASSIVE))
async def test_http_connect(make_ftp_server, make_http_proxy, bus, command,
                            tmp_path: Path) -> None:
    low, high = free_port_block(16)
    server = make_ftp_server(passive_ports=(low, high))
    proxy = make_http_proxy([server.port, *range(low, high + 1)])
    recorder = Recorder(bus)
    settings = server.settings(proxy=proxy.settings(), **PASSIVE[command])
    _session, peer = await _browse_and_download(settings, bus, tmp_path)
    assert peer[1] == proxy.port
    _assert_everything_went_through(recorder, proxy.port)
    assert "CONNECT 127.0.0.1:" in proxy.log_text()


@pytest.mark.asyncio
async def test_http_connect_with_basic_auth(make_ftp_server, make_http_proxy, bus,
                                            tmp_path: Path) -> None:
    low, high = free_port_block(16)
    server = make_ftp_server(passive_ports=(low, high))
    proxy = make_http_proxy([server.port, *range(low, high + 1)],
                            basic_auth=("bob", "Pr0xy-secret"))
    recorder = Recorder(bus)
    await _browse_and_download(server.settings(proxy=proxy.settings()), bus, tmp_path)
    _assert_everything_went_through(recorder, proxy.port)
    assert all("Pr0xy-secret" not in repr(e) for e in recorder.events)


@pytest.mark.asyncio
@pytest.mark.parametrize("use_eprt", [False, True])
async def test_active_mode_is_refused_with_the_reason(ftp_server, socks5_proxy, bus,
                                                      use_eprt: bool) -> None:
    recorder = Recorder(bus)
    settings = ftp_server.settings(proxy=socks5_proxy.settings(), mode=TransferMode.ACTIVE,
                                   use_eprt=use_eprt, fallback=True)
    async with FtpSession(settings, bus=bus) as session:
        with pytest.raises(ProxyModeError) as caught:
            await session.list("/")
        assert caught.value.setting == "mode"
        assert "cannot work through the SOCKS5 proxy" in caught.value.message
        assert "connect back to this computer" in caught.value.message
        assert "use passive mode" in caught.value.message
        # nothing was announced: no PORT/EPRT reached the server
        assert not any(getattr(e, "text", "").startswith(("PORT", "EPRT"))
                       for e in recorder.events)
        assert await session.pwd() == "/"  # the session is still usable


@pytest.mark.asyncio
@pytest.mark.parametrize("command", sorted(PASSIVE))
async def test_a_host_name_is_resolved_by_the_proxy(ftp_server, socks5_proxy, bus, command,
                                                   tmp_path: Path) -> None:
    """Through SOCKS5 the server may be named, not numbered: the proxy resolves it, and
    the data connections dial the same name (its address is known only to the proxy)."""
    recorder = Recorder(bus)
    settings = ftp_server.settings(host="localhost", proxy=socks5_proxy.settings(),
                                   **PASSIVE[command])
    async with FtpSession(settings, bus=bus) as session:
        assert session.server is not None and session.server.host == "localhost"
        assert (await session.list("/")).entries
    targets = {e.target.host for e in recorder.of(ProxyEvent) if e.phase is ProxyPhase.OPEN}
    assert targets == {"localhost"}


@pytest.mark.asyncio
async def test_diagnose_through_a_proxy_tries_passive_only(ftp_server, socks5_proxy, bus) -> None:
    from client.engine.diagnose.model import Outcome, Probe
    from client.engine.diagnose.runner import run_diagnosis

    diagnosis = await run_diagnosis(ftp_server.settings(proxy=socks5_proxy.settings()),
                                    bus=bus, extra_ports=2)
    rows = {a.probe: a for a in diagnosis.attempts}
    assert rows[Probe.EPSV].outcome is Outcome.OK and rows[Probe.PASV_CONTROL].ok
    assert rows[Probe.PORT].outcome is Outcome.NOT_ATTEMPTED
    assert "cannot work through the SOCKS5 proxy" in rows[Probe.EPRT].detail
    assert diagnosis.verdict.key == "passive-via-proxy"
