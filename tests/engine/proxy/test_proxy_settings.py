"""The proxy URL parser, the stored proxy choice of a site (old files load, a password
never comes back from a file) and the default proxy file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from client.config.proxies import ProxyStore, normalise_choice
from client.config.sites import Site
from client.engine.proxy import ProxyKind, ProxyUrlError, parse_proxy_url


@pytest.mark.parametrize(("url", "kind", "host", "port", "user", "password"), [
    ("socks5://bob:s%40cret@proxy.example:1081", ProxyKind.SOCKS5, "proxy.example", 1081,
     "bob", "s@cret"),
    ("SOCKS5H://h", ProxyKind.SOCKS5, "h", 1080, None, None),
    ("socks4a://id@10.0.0.3", ProxyKind.SOCKS4A, "10.0.0.3", 1080, "id", None),
    ("http://[2001:db8::1]:3128", ProxyKind.HTTP, "2001:db8::1", 3128, None, None),
    ("http://u:Pr0xyPw@h", ProxyKind.HTTP, "h", 8080, "u", "Pr0xyPw"),
    ("ftp-user://gate:pw@fw.example", ProxyKind.FTP_USER, "fw.example", 21, "gate", "pw"),
    ("ftp-site://fw:2121", ProxyKind.FTP_SITE, "fw", 2121, None, None),
    ("ftp-open://fw", ProxyKind.FTP_OPEN, "fw", 21, None, None),
])
def test_proxy_urls(url, kind, host, port, user, password) -> None:
    proxy = parse_proxy_url(url)
    assert (proxy.kind, proxy.host, proxy.port, proxy.user, proxy.password) == \
        (kind, host, port, user, password)
    # the password is never in repr, str or the stored URL
    if password:
        assert password not in repr(proxy) and password not in str(proxy)
        assert password not in proxy.url()
    assert parse_proxy_url(proxy.url()).replace(password=password) == proxy


@pytest.mark.parametrize(("url", "words"), [
    ("proxy.example:1080", "not a proxy URL"),
    ("socks6://h:1", "unknown proxy type 'socks6'"),
    ("socks5://", "names no host"),
    ("socks5://h:99999", "cannot be read"),
    ("http://h:3128/path", "no path"),
    ("socks4a://id:pw@h", "no password"),
])
def test_bad_proxy_urls_say_why(url, words) -> None:
    with pytest.raises(ProxyUrlError) as caught:
        parse_proxy_url(url)
    assert words in str(caught.value)


def test_site_json_old_files_and_passwords_in_files() -> None:
    old = Site(name="a", host="h").to_json()
    del old["proxy"]
    assert Site.from_json(old).proxy == "default"  # a file from before proxies
    edited = {**old, "proxy": "socks5://bob:leaked@p:1080"}
    assert Site.from_json(edited).proxy == "socks5://bob@p:1080"  # the password is dropped
    assert Site.from_json({**old, "proxy": "Direct"}).proxy == "none"
    assert Site.from_json({**old, "proxy": "gopher://x"}).proxy == "default"
    assert normalise_choice(None) == "default"


def test_default_proxy_file(tmp_path: Path) -> None:
    store = ProxyStore(tmp_path / "proxy.json")
    assert store.load_default() is None
    store.save_default(parse_proxy_url("http://proxy.example:3128"))
    assert json.loads((tmp_path / "proxy.json").read_text())["default"] == \
        "http://proxy.example:3128"
    loaded = store.load_default()
    assert loaded is not None and loaded.kind is ProxyKind.HTTP and loaded.port == 3128
    assert store.for_site("default", "x") == loaded
    assert store.for_site("none", "x") is None
    assert store.for_site("socks4a://p", "x") == parse_proxy_url("socks4a://p")
    store.save_default(None)
    assert store.load_default() is None
    (tmp_path / "proxy.json").write_text("{not json")
    assert store.load_default() is None  # a broken file means no default, not a crash
