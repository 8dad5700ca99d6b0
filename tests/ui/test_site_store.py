"""Saved sites: JSON without secrets, passwords in the keyring, site:NAME lookup,
FileZilla import and quickconnect target parsing."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from client.config.filezilla import import_sitemanager, parse_server_path, parse_sitemanager
from client.config.sites import (
    KEYRING_SERVICE,
    PasswordRequiredError,
    Site,
    SiteNotFoundError,
    SiteStore,
    keyring_available,
)
from client.config.urls import parse_target
from client.engine.settings import TlsMode, TransferMode

SECRET = "s3cr3t-Pa55!"


def test_password_goes_to_keyring_and_never_to_the_file(config_dir: Path, memory_keyring) -> None:
    store = SiteStore()
    site = Site(name="prod", host="127.0.0.1", port=2121, user="alice", folder="Work")
    store.upsert(site)
    store.set_password(site.site_id, SECRET)
    assert memory_keyring.secrets[(KEYRING_SERVICE, site.site_id)] == SECRET
    for path in config_dir.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace")
    assert (store.path.stat().st_mode & 0o777) == 0o600
    settings = store.connection_settings(store.find("Work/prod"))
    assert settings.password == SECRET and settings.user == "alice" and settings.port == 2121
    assert SECRET not in repr(settings)


def test_ask_logon_requires_a_password(config_dir: Path, memory_keyring) -> None:
    store = SiteStore()
    site = Site(name="ask", host="h", logon="ask", user="bob")
    store.upsert(site)
    with pytest.raises(PasswordRequiredError):
        store.connection_settings(site)
    assert store.connection_settings(site, password="typed").password == "typed"


def test_no_keyring_means_no_storage(config_dir: Path, no_keyring) -> None:
    assert not keyring_available()
    store = SiteStore()
    with pytest.raises(Exception, match="ask for password"):
        store.set_password("x", SECRET)
    assert store.get_password("x") is None


def test_find_by_name_and_path(config_dir: Path, memory_keyring) -> None:
    store = SiteStore()
    store.save([Site(name="a", host="h1", folder="One"), Site(name="a", host="h2", folder="Two"),
                Site(name="Solo", host="h3")])
    assert store.find("solo").host == "h3"
    assert store.find("Two/a").host == "h2"
    with pytest.raises(SiteNotFoundError, match="matches 2"):
        store.find("a")
    with pytest.raises(SiteNotFoundError, match="no saved site"):
        store.find("missing")


def test_corrupt_file_is_kept_aside(config_dir: Path) -> None:
    store = SiteStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{not json")
    assert store.load() == []
    assert store.path.with_suffix(".json.corrupt").exists()


def test_remove_deletes_the_password(config_dir: Path, memory_keyring) -> None:
    store = SiteStore()
    site = Site(name="gone", host="h")
    store.upsert(site)
    store.set_password(site.site_id, SECRET)
    store.remove(site.site_id)
    assert store.load() == [] and memory_keyring.secrets == {}


FILEZILLA_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<FileZilla3 version="3.66.0" platform="windows">
  <Servers>
    <Server>
      <Host>ftp.example.test</Host><Port>2121</Port><Protocol>4</Protocol><Type>0</Type>
      <User>alice</User><Pass encoding="base64">{base64.b64encode(SECRET.encode()).decode()}</Pass>
      <Logontype>1</Logontype><PasvMode>MODE_ACTIVE</PasvMode><EncodingType>Auto</EncodingType>
      <Name>Top site</Name><RemoteDir>1 0 4 home 5 alice</RemoteDir>
      <MaximumMultipleConnections>4</MaximumMultipleConnections>
    </Server>
    <Folder expanded="1">Clients
      <Server><Host>sftp.example.test</Host><Protocol>1</Protocol><Name>Secure shell</Name></Server>
      <Server><Host>keys.example.test</Host><Port>2222</Port><Protocol>1</Protocol>
        <Logontype>5</Logontype><User>carol</User><Keyfile>/home/carol/.ssh/id_ed25519</Keyfile>
        <Name>Key site</Name><RemoteDir>1 0 3 srv</RemoteDir></Server>
      <Server><Host>pw.example.test</Host><Protocol>1</Protocol><Logontype>1</Logontype>
        <User>dave</User><Pass encoding="base64">{base64.b64encode(b"sftp-pw").decode()}</Pass>
        <Name>SFTP password</Name></Server>
      <Server><Host>tf.example.test</Host><Protocol>1</Protocol><Logontype>5</Logontype>
        <User>erin</User><Name>Key without file</Name></Server>
      <Folder>Old
        <Server><Host>old.example.test</Host><Protocol>3</Protocol><Logontype>1</Logontype>
          <User>bob</User><Pass encoding="crypt">xyz</Pass><Name>Legacy</Name>
          <EncodingType>Custom</EncodingType><CustomEncoding>ISO-8859-1</CustomEncoding></Server>
      </Folder>
      <Server><Host>anon.example.test</Host><Protocol>0</Protocol><Logontype>0</Logontype>
        <Name>Mirror</Name><PasvMode>MODE_PASSIVE</PasvMode></Server>
    </Folder>
  </Servers>
</FileZilla3>
"""


def test_filezilla_parse() -> None:
    sites, warnings = parse_sitemanager(FILEZILLA_XML.encode())
    by_name = {item.site.name: item for item in sites}
    assert set(by_name) == {"Top site", "Legacy", "Mirror", "Secure shell", "Key site",
                            "SFTP password", "Key without file"}
    top = by_name["Top site"]
    assert top.password == SECRET and top.site.tls == TlsMode.EXPLICIT.value
    assert top.site.mode == TransferMode.ACTIVE.value and top.site.port == 2121
    assert top.site.remote_dir == "/home/alice" and top.site.connection_limit == 4
    legacy = by_name["Legacy"]
    assert legacy.site.folder == "Clients/Old" and legacy.site.logon == "ask"
    assert legacy.site.tls == TlsMode.IMPLICIT.value and legacy.site.port == 990
    assert legacy.site.charset == "iso-8859-1" and legacy.password is None
    assert by_name["Mirror"].site.logon == "anonymous"
    assert not top.site.is_sftp and not by_name["Mirror"].site.is_sftp
    assert not any("skipped" in w for w in warnings)
    assert any("master password" in w for w in warnings)


def test_filezilla_sftp_sites_are_imported_as_sftp() -> None:
    sites, warnings = parse_sitemanager(FILEZILLA_XML.encode())
    by_name = {item.site.name: item for item in sites}
    plain = by_name["Secure shell"].site
    assert plain.is_sftp and plain.port == 22 and plain.folder == "Clients"
    assert plain.key_file == "" and plain.use_agent
    keyed = by_name["Key site"]
    assert keyed.site.is_sftp and keyed.site.port == 2222 and keyed.site.user == "carol"
    assert keyed.site.key_file == "/home/carol/.ssh/id_ed25519"
    assert keyed.site.logon == "normal" and keyed.password is None
    assert keyed.site.remote_dir == "/srv"
    password = by_name["SFTP password"]
    assert password.site.is_sftp and password.password == "sftp-pw"
    assert password.site.logon == "normal" and password.site.key_file == ""
    no_file = by_name["Key without file"].site
    assert no_file.is_sftp and no_file.logon == "ask" and no_file.key_file == ""
    assert any("Key without file" in w and "no key file" in w for w in warnings)


def test_filezilla_sftp_site_gives_sftp_settings(tmp_path: Path, config_dir: Path,
                                                 memory_keyring) -> None:
    xml = tmp_path / "sitemanager.xml"
    xml.write_text(FILEZILLA_XML)
    store = SiteStore()
    import_sitemanager(xml, store)
    keyed = store.find("Key site")
    settings = store.sftp_settings(keyed)
    assert settings.key_files == ("/home/carol/.ssh/id_ed25519",)
    assert (settings.host, settings.port, settings.user) == ("keys.example.test", 2222, "carol")
    pw_site = store.find("SFTP password")
    assert store.sftp_settings(pw_site).password == "sftp-pw"
    text = store.path.read_text()
    assert "sftp-pw" not in text and '"protocol": "sftp"' in text


def test_filezilla_import_moves_passwords_to_keyring(tmp_path: Path, config_dir: Path,
                                                     memory_keyring) -> None:
    xml = tmp_path / "sitemanager.xml"
    xml.write_text(FILEZILLA_XML)
    store = SiteStore()
    report = import_sitemanager(xml, store)
    assert len(report.imported) == 7
    top = store.find("Top site")
    assert store.get_password(top.site_id) == SECRET
    text = store.path.read_text()
    assert SECRET not in text and base64.b64encode(SECRET.encode()).decode() not in text


def test_filezilla_import_skips_sites_already_saved(tmp_path: Path, config_dir: Path,
                                                   memory_keyring) -> None:
    """Same folder, name, host, port and user: skipped (counted); any difference: added."""
    xml = tmp_path / "sitemanager.xml"
    xml.write_text(FILEZILLA_XML)
    store = SiteStore()
    first = import_sitemanager(xml, store)
    assert len(first.imported) == 7 and first.skipped == []
    again = import_sitemanager(xml, store)
    assert again.imported == [] and len(again.skipped) == 7
    assert len(store.load()) == 7
    store.find("Top site")  # still names exactly one site

    # the same site on another port (or user, host, folder, name) is another site
    xml.write_text(FILEZILLA_XML.replace("<Port>2121</Port>", "<Port>2122</Port>"))
    third = import_sitemanager(xml, store)
    assert [s.name for s in third.imported] == ["Top site"] and len(third.skipped) == 6
    assert sorted(s.port for s in store.load() if s.name == "Top site") == [2121, 2122]


def test_filezilla_import_without_keyring_asks(tmp_path: Path, config_dir: Path,
                                               no_keyring) -> None:
    xml = tmp_path / "sitemanager.xml"
    xml.write_text(FILEZILLA_XML)
    store = SiteStore()
    report = import_sitemanager(xml, store)
    assert store.find("Top site").logon == "ask"
    assert any("no secure keyring" in w for w in report.warnings)
    assert SECRET not in store.path.read_text()


@pytest.mark.parametrize("bad", [
    b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><FileZilla3><Servers/></FileZilla3>",
    b"<FileZilla3><NoServers/></FileZilla3>",
    b"not xml at all",
])
def test_filezilla_hostile_or_wrong_files_are_refused(bad: bytes) -> None:
    with pytest.raises(ValueError):
        parse_sitemanager(bad)


def test_server_path_decoding() -> None:
    assert parse_server_path("1 0 4 home 5 alice") == "/home/alice"
    assert parse_server_path("1 0 10 with space") == "/with space"
    assert parse_server_path("/plain/path") == "/plain/path"
    assert parse_server_path("") == ""
    assert parse_server_path("1 0 x garbage") == ""


@pytest.mark.parametrize("text,host,port,tls,user,password,path", [
    ("example.test", "example.test", None, None, None, None, None),
    ("127.0.0.1:2121", "127.0.0.1", 2121, None, None, None, None),
    ("[::1]:21", "::1", 21, None, None, None, None),
    ("::1", "::1", None, None, None, None, None),
    ("ftp://alice:p%40ss@127.0.0.1:2121/pub/x", "127.0.0.1", 2121, TlsMode.AUTO, "alice", "p@ss",
     "pub/x"),
    ("ftps://h", "h", None, TlsMode.IMPLICIT, None, None, None),
    ("FTPES://bob@h:21/", "h", 21, TlsMode.EXPLICIT, "bob", None, None),
])
def test_quickconnect_targets(text, host, port, tls, user, password, path) -> None:
    target = parse_target(text)
    assert (target.host, target.port, target.tls, target.user, target.password, target.path) == (
        host, port, tls, user, password, path)


@pytest.mark.parametrize("text", ["", "gopher://h", "h:99999", "h:abc", "ftp://", "a b", "h\x1b[31m"])
def test_quickconnect_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_target(text)


def test_implicit_default_port() -> None:
    assert parse_target("ftps://h").effective_port(TlsMode.IMPLICIT) == 990
    assert parse_target("h").effective_port(TlsMode.AUTO) == 21


def test_site_store_imports_no_qt() -> None:
    """The CLI resolves site:NAME through the store; it must not drag Qt in."""
    import subprocess
    import sys

    code = ("import sys; import client.config.sites, client.config.filezilla, "
            "client.config.urls; print('PySide6' in sys.modules or 'qasync' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_find_with_path_longest_prefix(config_dir: Path) -> None:
    store = SiteStore()
    store.save([Site(name="web", host="h1", folder="Work"), Site(name="Work", host="h2")])
    site, path = store.find_with_path("Work/web/pub/x")
    assert site.host == "h1" and path == "pub/x"  # relative to the login folder
    site, path = store.find_with_path("Work/other")
    assert site.host == "h2" and path == "other"
    site, path = store.find_with_path("Work/web//etc")  # site:Work/web/%2Fetc
    assert site.host == "h1" and path == "/etc"
    assert store.find_with_path("Work/web") == (store.find("Work/web"), None)
    with pytest.raises(SiteNotFoundError):
        store.find_with_path("nothing/here")


def test_keepalive_and_hidden_files_are_saved_and_applied(config_dir: Path) -> None:
    store = SiteStore()
    site = Site(name="k", host="h", logon="anonymous", keepalive_interval=45, list_hidden=True)
    store.upsert(site)
    saved = store.find("k")
    assert (saved.keepalive_interval, saved.list_hidden) == (45, True)
    settings = store.connection_settings(saved)
    assert settings.keepalive_interval == 45.0 and settings.list_hidden is True
    plain = store.connection_settings(Site(name="p", host="h", logon="anonymous"))
    assert plain.keepalive_interval is None and plain.list_hidden is False


@pytest.mark.parametrize("keepalive, hidden", [("30", "yes"), (-5, 1), (10**9, None),
                                               (True, "true"), (2.5, [])])
def test_odd_keepalive_and_hidden_values_in_the_file_fall_back_to_off(keepalive,
                                                                     hidden) -> None:
    site = Site.from_json({"name": "x", "host": "h", "keepalive_interval": keepalive,
                           "list_hidden": hidden})
    assert site.keepalive_interval == 0 and site.list_hidden is False


def test_an_older_sites_file_without_the_fields_still_loads() -> None:
    site = Site.from_json({"name": "old", "host": "h"})
    assert site.keepalive_interval == 0 and site.list_hidden is False
