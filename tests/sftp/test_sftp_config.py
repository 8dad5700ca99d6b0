"""The config side of SFTP: sftp:// URLs, SFTP sites in sites.json, the known-hosts store
(the app's file and an OpenSSH known_hosts with [host]:port and hashed entries)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

import asyncssh
import pytest

from client.config.known_hosts import KnownHostsStore
from client.config.sites import PasswordRequiredError, Site, SiteStore
from client.config.urls import Protocol, UrlError, parse_url
from client.engine.sftp.hostkeys import HostKey, HostKeyState, fingerprint
from client.engine.sftp.settings import SftpSettings


def _key() -> HostKey:
    private = asyncssh.generate_private_key("ssh-ed25519")
    public = private.convert_to_public()
    blob = public.public_data
    return HostKey(public.algorithm.decode(), blob,
                   public.export_public_key("openssh").decode().strip())


@pytest.mark.parametrize("text, host, port, user, path", [
    ("sftp://h", "h", None, None, None),
    ("sftp://alice@h:2222/pub/x.txt", "h", 2222, "alice", "pub/x.txt"),
    ("SFTP://bob@[::1]/%2Fetc/motd", "::1", None, "bob", "/etc/motd"),
    ("sftp://h//abs/dir", "h", None, None, "/abs/dir"),
])
def test_sftp_urls(text, host, port, user, path) -> None:
    url = parse_url(text)
    assert (url.host, url.port, url.user, url.path) == (host, port, user, path)
    assert url.protocol is Protocol.SFTP and url.is_sftp and url.tls is None
    assert url.effective_port() == (port or 22)


@pytest.mark.parametrize("text", ["sftp://h/a%0D%0Ab", "sftp://u:p%00@h/", "sftp://h/a%0Ab",
                                  "sftp://", "sftp://h/a?b"])
def test_bad_sftp_urls(text: str) -> None:
    with pytest.raises(UrlError):
        parse_url(text)


def test_sftp_url_display_hides_password() -> None:
    url = parse_url("sftp://u:s3cret@h:22/x")
    assert "s3cret" not in url.display() and "s3cret" not in repr(url)
    assert url.display() == "sftp://u@h:22/x"


def test_settings_repr_hides_secrets() -> None:
    settings = SftpSettings("h", password="pw-secret", key_passphrase="pp-secret")
    assert "pw-secret" not in repr(settings) and "pp-secret" not in repr(settings)


def test_site_json_round_trip_and_old_files(tmp_path) -> None:
    store = SiteStore(tmp_path / "sites.json")
    site = Site(name="box", host="h", port=2222, protocol="sftp", key_file="/k/id_ed25519",
                use_agent=False, user="u")
    store.save([site])
    data = json.loads(store.path.read_text())
    assert data["sites"][0]["protocol"] == "sftp" and "password" not in data["sites"][0]
    loaded = store.load()[0]
    assert loaded == site and loaded.is_sftp
    # an older file without the SFTP fields loads as FTP with the agent allowed
    old = {"version": 1, "sites": [{"name": "old", "host": "h", "site_id": "x"}]}
    store.path.write_text(json.dumps(old))
    old_site = store.load()[0]
    assert (old_site.protocol, old_site.key_file, old_site.use_agent) == ("ftp", "", True)
    # unknown protocol values fall back to FTP
    old["sites"][0]["protocol"] = "gopher"
    store.path.write_text(json.dumps(old))
    assert store.load()[0].protocol == "ftp"


def test_sftp_settings_from_site(tmp_path) -> None:
    store = SiteStore(tmp_path / "sites.json")
    site = Site(name="box", host="h", port=2222, protocol="sftp", key_file="/k/id",
                user="u", logon="ask")
    settings = store.sftp_settings(site, password="typed")
    assert (settings.host, settings.port, settings.user, settings.password,
            settings.key_files) == ("h", 2222, "u", "typed", ("/k/id",))
    with pytest.raises(PasswordRequiredError):
        store.sftp_settings(site.replace(key_file=""))


def test_fingerprint_matches_ssh_keygen(tmp_path) -> None:
    key = _key()
    (tmp_path / "k.pub").write_text(key.openssh + "\n")
    import subprocess
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(tmp_path / "k.pub")],
                         capture_output=True, text=True, check=True).stdout
    assert fingerprint(key.blob) in out.split()


def test_known_hosts_states(tmp_path) -> None:
    key, other = _key(), _key()
    user_file = tmp_path / "user_known_hosts"
    user_file.write_text(f"# comment\n[127.0.0.1]:2222 {key.openssh}\n"
                         f"example.org,*.example.net {key.openssh}\n")
    store = KnownHostsStore(tmp_path / "app_known_hosts", (user_file,))
    assert store.judge("127.0.0.1", 2222, key).state is HostKeyState.TRUSTED
    assert store.judge("127.0.0.1", 22, key).state is HostKeyState.UNKNOWN  # other port
    assert store.judge("a.example.net", 22, key).state is HostKeyState.TRUSTED
    changed = store.judge("127.0.0.1", 2222, other)
    assert changed.state is HostKeyState.CHANGED
    assert changed.known_fingerprints == (key.fingerprint,)
    assert str(user_file) in (changed.source or "")
    # remembering goes to the app's file, never the user's
    store.remember("localhost", 2200, other)
    assert store.judge("localhost", 2200, other).state is HostKeyState.TRUSTED
    assert "[localhost]:2200 ssh-ed25519" in store.app_file.read_text()
    assert other.openssh.split()[1] not in user_file.read_text()
    assert oct(os.stat(store.app_file).st_mode & 0o777) == "0o600"


def test_known_hosts_hashed_negated_and_revoked(tmp_path) -> None:
    key, other = _key(), _key()
    salt = os.urandom(20)
    name = "[host.test]:2022"
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    hashed = f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"
    user_file = tmp_path / "kh"
    user_file.write_text(f"{hashed} {key.openssh}\n*.other,!bad.other {other.openssh}\n"
                         f"@revoked * {_revoked(other)}\n")
    store = KnownHostsStore(tmp_path / "app", (user_file,))
    assert store.judge("host.test", 2022, key).state is HostKeyState.TRUSTED
    assert store.judge("host.test", 22, key).state is HostKeyState.UNKNOWN
    assert store.judge("x.other", 22, key).state is HostKeyState.CHANGED
    assert store.judge("bad.other", 22, key).state is HostKeyState.UNKNOWN  # negated


def _revoked(key: HostKey) -> str:
    return _key().openssh  # a different key revoked: must not affect the others


def test_revoked_key_is_refused(tmp_path) -> None:
    key = _key()
    user_file = tmp_path / "kh"
    user_file.write_text(f"h {key.openssh}\n@revoked h {key.openssh}\n")
    verdict = KnownHostsStore(tmp_path / "app", (user_file,)).judge("h", 22, key)
    assert verdict.state is HostKeyState.CHANGED and "revoked" in (verdict.note or "")


def test_quickconnect_takes_sftp_only_when_asked() -> None:
    from client.config.urls import parse_target

    with pytest.raises(UrlError, match="sftp://"):
        parse_target("sftp://h")
    url = parse_target("sftp://bob@h:2022/x", sftp=True)
    assert (url.protocol, url.host, url.port, url.user, url.path) == (
        Protocol.SFTP, "h", 2022, "bob", "x")


def test_site_passphrase_from_keyring_and_removed_with_the_site(tmp_path) -> None:
    import keyring
    from ui.memkeyring import MemoryKeyring

    from client.config.sites import KEYRING_SERVICE, passphrase_key

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        store = SiteStore(tmp_path / "sites.json")
        site = Site(name="box", host="h", protocol="sftp", key_file="/k/id", user="u")
        store.save([site])
        store.set_password(site.site_id, "pw-1")
        store.set_password(passphrase_key(site.site_id), "phrase-2")
        settings = store.sftp_settings(site)
        assert (settings.password, settings.key_passphrase) == ("pw-1", "phrase-2")
        assert "phrase-2" not in store.path.read_text() and "pw-1" not in repr(settings)
        store.remove(site.site_id)
        assert (KEYRING_SERVICE, site.site_id) not in backend.secrets
        assert (KEYRING_SERVICE, passphrase_key(site.site_id)) not in backend.secrets
    finally:
        keyring.set_keyring(previous)
