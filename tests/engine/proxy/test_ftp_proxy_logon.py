"""The FTP proxy logon types, against a scripted proxy that checks the sequence and
then relays to pyftpdlib: browsing and downloading work, the sequence is FileZilla's,
and a refusal names the leg that failed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.ftp_proxy import ScriptedFtpProxy
from fixtures.process_server import free_port
from fixtures.sample_tree import BIG_FILE, BIG_FILE_SIZE

from client.engine.errors import LoginError, ProxyFailedError, ProxyModeError
from client.engine.events import LineSent, ProxyEvent, ProxyHop, ProxyPhase
from client.engine.proxy import parse_proxy_url
from client.engine.session import FtpSession
from client.engine.settings import TlsMode

from ..conftest import Recorder


@pytest.fixture
def ftp_proxy() -> Iterator[object]:
    started: list[ScriptedFtpProxy] = []

    def make(kind: str, **options: object) -> ScriptedFtpProxy:
        proxy = ScriptedFtpProxy(kind, **options).start()  # type: ignore[arg-type]
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


def _expected(kind: str, target: str, user: str, proxy_user: str | None) -> list[str]:
    head = [f"USER {proxy_user}", "PASS ****"] if proxy_user else []
    if kind == "ftp-user":
        return head + [f"USER {user}@{target}", "PASS ****"]
    verb = "SITE" if kind == "ftp-site" else "OPEN"
    return head + [f"{verb} {target}", f"USER {user}", "PASS ****"]


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["ftp-user", "ftp-site", "ftp-open"])
@pytest.mark.parametrize("proxy_user", [None, "gatekeeper"])
async def test_logon_sequence_then_browse_and_download(ftp_server, ftp_proxy, bus, kind,
                                                       proxy_user, tmp_path: Path) -> None:
    recorder = Recorder(bus)
    proxy = ftp_proxy(kind, proxy_user=proxy_user, proxy_password="gate-pw")
    settings = ftp_server.settings(
        tls=TlsMode.OFF, proxy=parse_proxy_url(proxy.url).replace(password="gate-pw"))
    async with FtpSession(settings, bus=bus) as session:
        listing = await session.list("/")
        assert listing.entries
        result = await session.download(BIG_FILE, tmp_path / "big.bin")
        assert result.bytes_transferred == BIG_FILE_SIZE
    target = f"127.0.0.1:{ftp_server.port}"
    assert proxy.violations == []
    assert proxy.commands[:len(_expected(kind, target, ftp_server.user, proxy_user))] == \
        _expected(kind, target, ftp_server.user, proxy_user)
    phases = [e.phase for e in recorder.of(ProxyEvent)]
    assert phases == [ProxyPhase.CONNECTING, ProxyPhase.HANDSHAKE, ProxyPhase.OPEN]
    # the console shows the sequence, with both passwords redacted
    sent = [e.text for e in recorder.of(LineSent)]
    assert all("gate-pw" not in text and ftp_server.password not in text for text in sent)


@pytest.mark.asyncio
async def test_wrong_proxy_password_is_the_client_proxy_hop(ftp_server, ftp_proxy, bus) -> None:
    proxy = ftp_proxy("ftp-site", proxy_user="gatekeeper", proxy_password="gate-pw")
    settings = ftp_server.settings(
        tls=TlsMode.OFF, proxy=parse_proxy_url(proxy.url).replace(password="wrong"))
    with pytest.raises(ProxyFailedError) as caught:
        async with FtpSession(settings, bus=bus):
            pass
    assert caught.value.hop is ProxyHop.CLIENT_PROXY
    assert caught.value.step == "proxy-pass"
    assert "refused its own login as 'gatekeeper' (hop client → proxy): 530" in \
        caught.value.message


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["ftp-user", "ftp-site", "ftp-open"])
async def test_unreachable_server_is_the_proxy_server_hop(ftp_proxy, bus, kind) -> None:
    from client.engine.settings import ConnectionSettings
    proxy = ftp_proxy(kind)
    closed = free_port()
    settings = ConnectionSettings(host="127.0.0.1", port=closed, tls=TlsMode.OFF,
                                  proxy=parse_proxy_url(proxy.url))
    with pytest.raises(ProxyFailedError) as caught:
        async with FtpSession(settings, bus=bus):
            pass
    assert caught.value.hop is ProxyHop.PROXY_SERVER
    assert caught.value.reply_code == 421
    assert f"could not reach the server 127.0.0.1:{closed} (hop proxy → server): 421" in \
        caught.value.message


@pytest.mark.asyncio
async def test_wrong_server_password_is_a_login_error(ftp_server, ftp_proxy, bus) -> None:
    proxy = ftp_proxy("ftp-user")
    settings = ftp_server.settings(tls=TlsMode.OFF, password="not-it",
                                   proxy=parse_proxy_url(proxy.url))
    with pytest.raises(LoginError):
        async with FtpSession(settings, bus=bus):
            pass


@pytest.mark.asyncio
@pytest.mark.parametrize("tls", [TlsMode.EXPLICIT, TlsMode.IMPLICIT])
async def test_required_tls_through_an_ftp_proxy_is_refused_before_connecting(
        ftp_server, ftp_proxy, bus, tls) -> None:
    proxy = ftp_proxy("ftp-user")
    settings = ftp_server.settings(tls=tls, proxy=parse_proxy_url(proxy.url))
    with pytest.raises(ProxyModeError) as caught:
        async with FtpSession(settings, bus=bus):
            pass
    assert caught.value.setting == "proxy"
    assert proxy.commands == []
