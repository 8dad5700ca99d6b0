"""Proxies on a real network path: the client's namespace reaches nothing but a proxy
host (danted for SOCKS5, tinyproxy for HTTP CONNECT), which reaches the server behind
its NAT router (tests/fixtures/lab_proxy.py). Passive listings and downloads go
through each proxy; active mode is refused with the reason; a proxy that cannot reach
the server is named as the hop that failed; SFTP goes through each; Diagnose through
the proxy offers SFTP when the passive ports cannot be reached.

One lab for the module. The router forwards 21 (vsftpd, passive range 50000-50010
forwarded), 2121 (a second vsftpd whose range 50020-50030 is dropped) and 22 (sshd);
it answers 2200 with an ICMP host-unreachable."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.lab import ROUTER_WAN
from fixtures.lab_proxy import ProxyLab

from .conftest import guard_after_each_test, shared_lab, start_or_skip, transcript

# one worker runs the module (tools/run-tests: --dist loadgroup): its module-scoped lab (namespaces, servers, proxies)
# is then made once, not once per worker
pytestmark = [pytest.mark.lab, pytest.mark.xdist_group("lab-proxies")]

DATA_TIMEOUT = 2
#: for the rows meant to fail (the dropped passive range): a short wait suffices
BLOCKED_TIMEOUT = 1
UNREACHABLE_PORT = 2200
PAYLOAD = hashlib.sha256(b"proxy").digest() * 2048  # 64 KiB
ENGINE_SCRIPT = str(Path(__file__).with_name("engine_diagnose.py"))


@pytest.fixture(scope="module")
def proxy_lab() -> Iterator[ProxyLab]:
    yield from shared_lab(ProxyLab)


@pytest.fixture(scope="module")
def world(proxy_lab: ProxyLab) -> dict:
    proxy_lab.nat(ports="21, 22, 2121", forward="50000-50010", reject=str(UNREACHABLE_PORT),
                  reject_with="icmp type host-unreachable")
    return {"ftp": start_or_skip(proxy_lab.start_vsftpd),
            "ftp_blocked": start_or_skip(lambda: proxy_lab.start_vsftpd(
                port=2121, pasv_range=(50020, 50030))),
            "sshd": start_or_skip(lambda: proxy_lab.start_sshd(files={"payload.bin": PAYLOAD})),
            "socks5": start_or_skip(proxy_lab.start_danted),
            "http": start_or_skip(proxy_lab.start_tinyproxy)}


@pytest.fixture(autouse=True)
def _guard(proxy_lab: ProxyLab) -> Iterator[None]:
    yield
    guard_after_each_test(proxy_lab)


def _url(server, port: int = 21, path: str = "/") -> str:
    return f"ftp://{server.user}@{ROUTER_WAN}{'' if port == 21 else f':{port}'}{path}"


def _ftp(lab: ProxyLab, world: dict, proxy: str, *args: str, port: int = 21,
         path: str = "/"):
    server = world["ftp_blocked" if port == 2121 else "ftp"]
    timeout = BLOCKED_TIMEOUT if port == 2121 else DATA_TIMEOUT
    return lab.run_cli([*args, "--tls", "off", "--data-timeout", str(timeout),
                        "--proxy", world[proxy].url, _url(server, port, path)],
                       password=server.password)


def test_without_the_proxy_the_server_is_unreachable(proxy_lab: ProxyLab, world) -> None:
    run = proxy_lab.run_cli(["ls", "--tls", "off", _url(world["ftp"])],
                            password=world["ftp"].password)
    assert run.returncode == 2, run.stderr
    assert "Network is unreachable" in run.stderr


@pytest.mark.parametrize("proxy", ["socks5", "http"])
def test_passive_listing_and_download_through_the_proxy(proxy_lab: ProxyLab, world,
                                                        proxy: str, tmp_path) -> None:
    log = tmp_path / "ls.jsonl"
    listing = _ftp(proxy_lab, world, proxy, "ls", "--json", "--transcript", str(log))
    assert listing.returncode == 0, listing.stderr
    assert {e["name"] for e in listing.json()} >= {"docs", "random-1MiB.bin"}
    opened = [e for e in transcript(log) if e.get("kind") == "proxy" and e["phase"] == "open"]
    control = [e for e in opened if e["channel"] is None]
    data = [e for e in opened if e["channel"] is not None]
    assert control and control[0]["target"] == f"{ROUTER_WAN}:21", opened
    assert data and data[0]["proxy"] == world[proxy].url.split("://")[1]
    assert int(data[0]["target"].rsplit(":", 1)[1]) in range(50000, 50011)
    target = tmp_path / "random-1MiB.bin"
    got = _ftp(proxy_lab, world, proxy, "get", "-q", "-o", str(target),
               path="/random-1MiB.bin")
    assert got.returncode == 0, got.stderr
    assert target.read_bytes() == (world["ftp"].home / "random-1MiB.bin").read_bytes()


@pytest.mark.parametrize("proxy", ["socks5", "http"])
def test_active_mode_through_the_proxy_is_refused_with_the_reason(proxy_lab: ProxyLab,
                                                                  world, proxy: str) -> None:
    run = _ftp(proxy_lab, world, proxy, "ls", "--mode", "active")
    assert run.returncode != 0
    label = {"socks5": "SOCKS5", "http": "HTTP CONNECT"}[proxy]
    assert f"active mode (PORT/EPRT) cannot work through the {label} proxy" in run.stderr, \
        run.stderr


@pytest.mark.parametrize("proxy,why", [("socks5", "host unreachable from the proxy"),
                                       ("http", "HTTP status 5")])
def test_a_proxy_that_cannot_reach_the_server_is_the_failed_hop(proxy_lab: ProxyLab, world,
                                                                proxy: str, why: str) -> None:
    """The router answers the proxy's SYN with ICMP host-unreachable: the proxy is up
    and says so, and the message blames the leg proxy → server, not the proxy."""
    server = world["ftp"]
    run = proxy_lab.run_cli(["ls", "--tls", "off", "--proxy", world[proxy].url,
                             f"ftp://{server.user}@{ROUTER_WAN}:{UNREACHABLE_PORT}/"],
                            password=server.password)
    assert run.returncode == 2, run.stderr
    assert f"could not reach the server {ROUTER_WAN}:{UNREACHABLE_PORT} (hop proxy → " \
           "server)" in run.stderr, run.stderr
    assert why in run.stderr
    assert "failed hop: proxy → server" in run.stderr


@pytest.mark.parametrize("kind", ["socks5", "http"])
def test_sftp_through_the_proxy(proxy_lab: ProxyLab, world, kind: str, tmp_path) -> None:
    sshd = world["sshd"]
    url = f"sftp://{sshd.user}@{ROUTER_WAN}/"
    proxy = ["--proxy", world[kind].url]
    listing = proxy_lab.run_cli(["ls", "--json", "--accept-new-host-key", *proxy, url],
                                password=sshd.password)
    assert listing.returncode == 0, listing.stderr
    assert "payload.bin" in {e["name"] for e in listing.json()}
    target = tmp_path / "payload.bin"
    got = proxy_lab.run_cli(["get", "-q", "-o", str(target), *proxy, url + "payload.bin"],
                            password=sshd.password)
    assert got.returncode == 0, got.stderr
    assert target.read_bytes() == PAYLOAD


def test_diagnose_through_the_proxy_works_passively(proxy_lab: ProxyLab, world) -> None:
    run = _ftp(proxy_lab, world, "socks5", "diagnose", "--json", "--probe-ports", "0")
    diagnosis = run.json()
    assert diagnosis["verdict"]["key"] == "passive-via-proxy", diagnosis["verdict"]
    rows = {a["probe"]: a for a in diagnosis["attempts"]}
    assert rows["pasv-control"]["outcome"] == "ok"
    assert rows["eprt"]["outcome"] == rows["port"]["outcome"] == "not-attempted"
    assert diagnosis["ssh_probe"] is None  # nothing blocked: SSH is not asked


def test_diagnose_through_the_proxy_offers_sftp_when_passive_ports_are_dropped(
        proxy_lab: ProxyLab, world) -> None:
    """The passive range of the server on 2121 is dropped at its router. Through the
    proxy that is every data connection there is; the SSH port is asked through the
    proxy too (the client has no other way out) and SFTP is offered with the proxy."""
    run = _ftp(proxy_lab, world, "socks5", "diagnose", "--probe-ports", "0", port=2121)
    assert run.returncode == 3, run.stderr
    out = run.stdout
    assert "[passive-blocked]" in out and "through the proxy" in out
    assert "hop proxy → server" in out
    assert "both directions" not in out
    assert f"{ROUTER_WAN} also answers SSH on port 22 (SSH-2.0-OpenSSH" in out
    assert (f"Try SFTP: ftp-inspector ls --proxy {world['socks5'].url} "
            f"sftp://{world['sshd'].user}@{ROUTER_WAN}") in out
    blocked = world["ftp_blocked"]
    engine = proxy_lab.run_python([ENGINE_SCRIPT, ROUTER_WAN, "2121", blocked.user,
                                   str(BLOCKED_TIMEOUT), world["http"].url],
                                  password=blocked.password)
    assert engine.returncode == 0, engine.stderr
    diagnosis = engine.json()
    assert diagnosis["verdict"]["sftp"]["host"] == ROUTER_WAN
    assert diagnosis["ssh_probe"]["via"].startswith("HTTP CONNECT proxy")
