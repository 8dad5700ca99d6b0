"""SFTP through the proxies: the SSH connection to OpenSSH's sshd runs over a socket
opened through danted (SOCKS5 with authentication, SOCKS4a) and tinyproxy (HTTP
CONNECT); an FTP proxy cannot carry SSH and is refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.engine.errors import ProxyFailedError, ProxyModeError
from client.engine.events import ProxyEvent, ProxyHop, ProxyPhase, SessionState
from client.engine.proxy import parse_proxy_url


async def _list_and_fetch(session, sshd_server, tmp_path: Path) -> None:
    (sshd_server.root / "via-proxy.txt").write_bytes(b"over the tunnel\n" * 100)
    sshd_server.own()
    try:
        async with session:
            assert session.state is SessionState.READY
            names = set((await session.list()).by_name())
            assert "via-proxy.txt" in names
            await session.download("via-proxy.txt", tmp_path / "got.txt")
    finally:
        (sshd_server.root / "via-proxy.txt").unlink(missing_ok=True)
    assert (tmp_path / "got.txt").read_bytes() == b"over the tunnel\n" * 100


def _opened(recorder) -> list[ProxyEvent]:
    return [e for e in recorder.of(ProxyEvent) if e.phase is ProxyPhase.OPEN]


@pytest.mark.asyncio
async def test_sftp_through_socks5_with_authentication(make_session, sshd_server, recorder,
                                                       socks5_auth_proxy, tmp_path) -> None:
    session = make_session(proxy=socks5_auth_proxy.settings())
    await _list_and_fetch(session, sshd_server, tmp_path)
    opened = _opened(recorder)
    assert len(opened) == 1 and opened[0].proxy.port == socks5_auth_proxy.port
    assert opened[0].target.port == sshd_server.port


@pytest.mark.asyncio
async def test_sftp_through_socks4a(make_session, sshd_server, recorder, socks5_proxy,
                                    tmp_path) -> None:
    session = make_session(proxy=socks5_proxy.settings(kind="socks4a"))
    await _list_and_fetch(session, sshd_server, tmp_path)
    assert [e.kind for e in _opened(recorder)] == ["SOCKS4a"]


@pytest.mark.asyncio
async def test_sftp_through_http_connect(make_session, sshd_server, recorder,
                                         make_http_proxy, tmp_path) -> None:
    proxy = make_http_proxy([sshd_server.port])
    session = make_session(proxy=proxy.settings())
    await _list_and_fetch(session, sshd_server, tmp_path)
    assert [e.kind for e in _opened(recorder)] == ["HTTP CONNECT"]
    assert f"CONNECT 127.0.0.1:{sshd_server.port}" in proxy.log_text()


@pytest.mark.asyncio
async def test_a_refused_tunnel_names_the_hop(make_session, make_http_proxy, sshd_server) -> None:
    proxy = make_http_proxy([sshd_server.port + 1 if sshd_server.port < 65535 else 1])
    session = make_session(proxy=proxy.settings())
    with pytest.raises(ProxyFailedError) as caught:
        async with session:
            pass
    assert caught.value.hop is ProxyHop.CLIENT_PROXY and caught.value.reply_code == 403


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["ftp-user", "ftp-site", "ftp-open"])
async def test_an_ftp_proxy_cannot_carry_sftp(make_session, kind, recorder) -> None:
    session = make_session(proxy=parse_proxy_url(f"{kind}://127.0.0.1:2121"))
    with pytest.raises(ProxyModeError) as caught:
        async with session:
            pass
    assert caught.value.setting == "proxy"
    assert "relays FTP logins only, not an SSH connection" in caught.value.message
    assert recorder.of(ProxyEvent) == []  # nothing was dialled


def test_cli_ls_sftp_through_socks5(sshd_server, socks5_auth_proxy, child_env,
                                    tmp_path: Path) -> None:
    import subprocess
    import sys

    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "known_hosts").write_text(
        f"[{sshd_server.host}]:{sshd_server.port} {sshd_server.host_key_pub}\n")
    env = {**child_env, "HOME": str(home), "FTP_PROXY_PASSWORD": socks5_auth_proxy.password}
    env.pop("SSH_AUTH_SOCK", None)
    (sshd_server.root / "cli-proxy.txt").write_bytes(b"x")
    sshd_server.own()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "client", "ls", sshd_server.url(), "-i",
             str(sshd_server.key_file), "-v", "--proxy", socks5_auth_proxy.url],
            env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    finally:
        (sshd_server.root / "cli-proxy.txt").unlink(missing_ok=True)
    assert done.returncode == 0, done.stderr
    assert "cli-proxy.txt" in done.stdout
    assert f"proxy open (control, SOCKS5 127.0.0.1:{socks5_auth_proxy.port}" in done.stderr
    assert socks5_auth_proxy.password not in done.stderr + done.stdout
