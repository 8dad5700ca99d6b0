"""Every way a proxied connection fails names the leg that failed: the proxy itself
(down, refused by its rules, authentication) or the proxy's dial to the server (the
SOCKS reply code, the HTTP status line). Real danted/tinyproxy where they can produce
the fault, a scripted proxy for the codes they do not send."""

from __future__ import annotations

import pytest
from fixtures.process_server import free_port, free_port_block
from fixtures.proxies import BLOCKED_BY_RULE

from client.engine.errors import DataChannelError, ProxyFailedError
from client.engine.events import DataFailure, ProxyEvent, ProxyHop, ProxyPhase
from client.engine.proxy import parse_proxy_url
from client.engine.session import FtpSession

from ..conftest import Recorder


async def _connect_failure(settings, bus) -> ProxyFailedError:
    with pytest.raises(ProxyFailedError) as caught:
        async with FtpSession(settings, bus=bus):
            pass
    return caught.value


def _failed_event(recorder: Recorder) -> ProxyEvent:
    failed = [e for e in recorder.of(ProxyEvent) if e.phase is ProxyPhase.FAILED]
    assert len(failed) == 1
    return failed[0]


@pytest.mark.asyncio
async def test_proxy_down_is_the_client_proxy_hop(ftp_server, bus) -> None:
    recorder = Recorder(bus)
    port = free_port()
    error = await _connect_failure(
        ftp_server.settings(proxy=parse_proxy_url(f"socks5://127.0.0.1:{port}")), bus)
    assert error.hop is ProxyHop.CLIENT_PROXY
    assert error.exit_code == 2
    assert error.message.startswith(f"could not reach the SOCKS5 proxy 127.0.0.1:{port} "
                                    "(hop client → proxy)")
    assert "TCP reset" in error.message
    assert _failed_event(recorder).hop is ProxyHop.CLIENT_PROXY


@pytest.mark.asyncio
async def test_server_down_behind_danted_is_the_proxy_server_hop(socks5_proxy, bus) -> None:
    recorder = Recorder(bus)
    from client.engine.settings import ConnectionSettings
    closed = free_port()
    settings = ConnectionSettings(host="127.0.0.1", port=closed, proxy=socks5_proxy.settings())
    error = await _connect_failure(settings, bus)
    assert error.hop is ProxyHop.PROXY_SERVER
    assert error.reply_code == 5
    assert error.message == (
        f"the SOCKS5 proxy 127.0.0.1:{socks5_proxy.port} could not reach the server "
        f"127.0.0.1:{closed} (hop proxy → server): connection refused by the server "
        "(SOCKS5 reply 5)")
    event = _failed_event(recorder)
    assert (event.hop, event.reply_code) == (ProxyHop.PROXY_SERVER, 5)


@pytest.mark.asyncio
async def test_danted_rule_refusal_is_the_client_proxy_hop(socks5_proxy, bus) -> None:
    from client.engine.settings import ConnectionSettings
    settings = ConnectionSettings(host=BLOCKED_BY_RULE, port=21, proxy=socks5_proxy.settings())
    error = await _connect_failure(settings, bus)
    assert error.hop is ProxyHop.CLIENT_PROXY
    assert error.reply_code == 2
    assert "refused the connection to 127.0.0.2:21 (hop client → proxy)" in error.message
    assert "not allowed by the proxy's rules (SOCKS5 reply 2)" in error.message


@pytest.mark.asyncio
async def test_danted_wrong_password_is_an_authentication_failure(ftp_server, socks5_auth_proxy,
                                                                   bus) -> None:
    proxy = socks5_auth_proxy.settings(password="not-the-password")
    error = await _connect_failure(ftp_server.settings(proxy=proxy), bus)
    assert error.hop is ProxyHop.CLIENT_PROXY
    assert "(hop client → proxy): authentication failed" in error.message
    assert "not-the-password" not in error.message


@pytest.mark.asyncio
async def test_danted_without_credentials_says_no_method_was_acceptable(
        ftp_server, socks5_auth_proxy, bus) -> None:
    proxy = socks5_auth_proxy.settings().replace(user=None, password=None)
    error = await _connect_failure(ftp_server.settings(proxy=proxy), bus)
    assert error.hop is ProxyHop.CLIENT_PROXY
    assert "No acceptable authentication methods" in error.message


@pytest.mark.asyncio
async def test_tinyproxy_port_not_allowed_is_refused_by_the_proxy(ftp_server, make_http_proxy,
                                                                   bus) -> None:
    proxy = make_http_proxy([free_port()])  # every other port forbidden
    error = await _connect_failure(ftp_server.settings(proxy=proxy.settings()), bus)
    assert error.hop is ProxyHop.CLIENT_PROXY
    assert error.reply_code == 403
    assert "(hop client → proxy): HTTP status 403" in error.message


@pytest.mark.asyncio
async def test_tinyproxy_wrong_password_names_the_proxy(ftp_server, make_http_proxy, bus) -> None:
    proxy = make_http_proxy(None, basic_auth=("bob", "right"))
    error = await _connect_failure(
        ftp_server.settings(proxy=proxy.settings(password="wrong")), bus)
    assert error.hop is ProxyHop.CLIENT_PROXY
    assert error.reply_code in (401, 407)


@pytest.mark.asyncio
async def test_tinyproxy_cannot_reach_the_server(make_http_proxy, bus) -> None:
    from client.engine.settings import ConnectionSettings
    closed = free_port()
    proxy = make_http_proxy([closed])
    settings = ConnectionSettings(host="127.0.0.1", port=closed, proxy=proxy.settings())
    error = await _connect_failure(settings, bus)
    assert error.hop is ProxyHop.PROXY_SERVER, error.message
    assert f"could not reach the server 127.0.0.1:{closed} (hop proxy → server)" in error.message


@pytest.mark.asyncio
@pytest.mark.parametrize(("code", "words"), [(3, "network unreachable from the proxy"),
                                             (4, "host unreachable from the proxy"),
                                             (6, "TTL expired")])
async def test_scripted_socks5_codes_blame_the_proxy_server_hop(ftp_server, scripted_proxy, bus,
                                                                code, words) -> None:
    proxy = scripted_proxy("socks5", socks5_reply=code)
    error = await _connect_failure(ftp_server.settings(proxy=parse_proxy_url(proxy.url)), bus)
    assert error.hop is ProxyHop.PROXY_SERVER
    assert error.reply_code == code
    assert error.message.endswith(f"(hop proxy → server): {words} (SOCKS5 reply {code})")
    assert proxy.requests == [f"CONNECT 127.0.0.1:{ftp_server.port}"]


@pytest.mark.asyncio
async def test_scripted_socks5_authentication_failure(ftp_server, scripted_proxy, bus) -> None:
    proxy = scripted_proxy("socks5", auth_fails=True)
    settings = ftp_server.settings(
        proxy=parse_proxy_url(proxy.url).replace(user="carol", password="s3cret-pw"))
    error = await _connect_failure(settings, bus)
    assert error.hop is ProxyHop.CLIENT_PROXY
    assert "authentication failed" in error.message
    assert proxy.requests == ["auth carol"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "hop"), [("502 Bad Gateway", ProxyHop.PROXY_SERVER),
                                             ("504 Gateway Timeout", ProxyHop.PROXY_SERVER),
                                             ("403 Forbidden", ProxyHop.CLIENT_PROXY),
                                             ("407 Proxy Authentication Required",
                                              ProxyHop.CLIENT_PROXY)])
async def test_scripted_http_status_lines(ftp_server, scripted_proxy, bus, status, hop) -> None:
    proxy = scripted_proxy("http", http_status=status)
    error = await _connect_failure(ftp_server.settings(proxy=parse_proxy_url(proxy.url)), bus)
    assert error.hop is hop
    assert error.reply_code == int(status[:3])
    assert f"HTTP status {status}" in error.message
    assert proxy.requests == [f"CONNECT 127.0.0.1:{ftp_server.port} HTTP/1.1"]


@pytest.mark.asyncio
async def test_a_data_connection_the_proxy_refuses_is_a_proxy_failure(
        make_ftp_server, make_http_proxy, bus) -> None:
    """The control port is allowed, the passive ports are not: the listing fails with
    the proxy named, and the session stays usable."""
    recorder = Recorder(bus)
    low, high = free_port_block(8)
    server = make_ftp_server(passive_ports=(low, high))
    proxy = make_http_proxy([server.port])
    async with FtpSession(server.settings(proxy=proxy.settings()), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.list("/")
        assert caught.value.failure is DataFailure.PROXY
        assert "(hop client → proxy): HTTP status 403" in caught.value.message
        event = _failed_event(recorder)
        assert event.channel is not None  # a data connection's hop, not the control's
        assert await session.pwd() == "/"
