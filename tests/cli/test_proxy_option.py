"""``--proxy`` on the command line, the default proxy of the settings folder and
``--proxy none``, as a user runs them (child processes against pyftpdlib and danted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.process_server import free_port
from fixtures.sample_tree import HELLO_TEXT

TIMEOUT = 60


def cli(env: dict, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    return subprocess.run([sys.executable, "-m", "client", *args], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)


def test_ls_and_get_through_socks5_with_the_proxy_shown(ftp_server, socks5_auth_proxy,
                                                       child_env, tmp_path: Path) -> None:
    env = {**child_env, "FTP_PROXY_PASSWORD": socks5_auth_proxy.password}
    listed = cli(env, "ls", ftp_server.url + "/", "-v", "--proxy", socks5_auth_proxy.url,
                 password=ftp_server.password)
    assert listed.returncode == 0, listed.stderr
    assert "hello.txt" in listed.stdout
    proxy_lines = [line for line in listed.stderr.splitlines() if "proxy " in line]
    assert any("proxy handshake (control, SOCKS5" in line
               and "username/password authentication as alice" in line for line in proxy_lines)
    assert any("proxy open (data #1, SOCKS5" in line for line in proxy_lines)
    assert socks5_auth_proxy.password not in listed.stderr + listed.stdout
    target = tmp_path / "hello.txt"
    got = cli(env, "get", "-q", ftp_server.url + "/hello.txt", "-o", str(target),
              "--proxy", socks5_auth_proxy.url, password=ftp_server.password)
    assert got.returncode == 0, got.stderr
    assert target.read_bytes() == HELLO_TEXT


def test_a_failed_hop_is_named_on_stderr(ftp_server, socks5_proxy, child_env) -> None:
    closed = free_port()
    done = cli(child_env, "ls", f"ftp://{ftp_server.user}@127.0.0.1:{closed}/", "--proxy",
               socks5_proxy.url, password=ftp_server.password)
    assert done.returncode == 2
    assert "(hop proxy → server): connection refused by the server (SOCKS5 reply 5)" in \
        done.stderr
    assert "failed hop: proxy → server" in done.stderr


def test_the_default_proxy_is_used_and_none_skips_it(ftp_server, socks5_proxy, child_env,
                                                    tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    env = {**child_env, "FTP_INSPECTOR_CONFIG_DIR": str(config)}
    (config / "proxy.json").write_text(json.dumps({"version": 1, "default": socks5_proxy.url}))
    through = cli(env, "ls", ftp_server.url + "/", "-v", password=ftp_server.password)
    assert through.returncode == 0, through.stderr
    assert f"SOCKS5 127.0.0.1:{socks5_proxy.port} ->" in through.stderr
    # a default proxy that is down: --proxy none connects directly
    (config / "proxy.json").write_text(json.dumps(
        {"version": 1, "default": f"socks5://127.0.0.1:{free_port()}"}))
    broken = cli(env, "ls", ftp_server.url + "/", password=ftp_server.password)
    assert broken.returncode == 2 and "hop client → proxy" in broken.stderr
    direct = cli(env, "ls", ftp_server.url + "/", "-v", "--proxy", "none",
                 password=ftp_server.password)
    assert direct.returncode == 0, direct.stderr
    assert "proxy " not in direct.stderr


def test_active_mode_through_a_proxy_is_refused_with_the_reason(ftp_server, socks5_proxy,
                                                               child_env) -> None:
    done = cli(child_env, "ls", ftp_server.url + "/", "--mode", "active", "--proxy",
               socks5_proxy.url, password=ftp_server.password)
    assert done.returncode == 1
    assert "active mode (PORT/EPRT) cannot work through the SOCKS5 proxy" in done.stderr


@pytest.mark.parametrize("url", ["socks6://h:1", "socks5://", "http://h:1/path"])
def test_a_bad_proxy_url_is_a_usage_error(ftp_server, child_env, url: str) -> None:
    done = cli(child_env, "ls", ftp_server.url + "/", "--proxy", url,
               password=ftp_server.password)
    assert done.returncode == 1
    assert "--proxy:" in done.stderr
