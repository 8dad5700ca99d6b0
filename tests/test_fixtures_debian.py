"""Proof that the Debian server fixtures (and ``real_server``) work as documented.

Validated with ftplib (tests only; the product never uses it). Skipped, with the
reason, where the servers are not installed or the suite is not run as root.
"""

from __future__ import annotations

import ftplib
import io
import re
import socket

import pytest
from fixtures import debian
from fixtures.ftp_probe import check_active_only, login, pasv_reply, retrieve, sha256_retrieve
from fixtures.info import ServerInfo
from fixtures.sample_tree import BIG_FILE, HELLO_TEXT, big_file_bytes, sha256_of


def _pasv_address(reply: str) -> tuple[str, int]:
    numbers = [int(n) for n in re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", reply).groups()]  # type: ignore[union-attr]
    return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_real_server_lists_retrieves_and_stores(real_server: ServerInfo, passive: bool) -> None:
    assert real_server.host == "127.0.0.1" and real_server.user == "alice"
    assert real_server.password not in repr(real_server)
    client = login(real_server, passive=passive)
    try:
        names = {name.rsplit("/", 1)[-1] for name in client.nlst()}
        assert {"hello.txt", BIG_FILE, "docs", "upload"} <= names
        assert retrieve(client, "hello.txt") == HELLO_TEXT
        assert sha256_retrieve(client, BIG_FILE) == sha256_of(big_file_bytes())
        client.storbinary("STOR upload/new.bin", io.BytesIO(b"y" * 5000))
        assert (real_server.root / "upload" / "new.bin").read_bytes() == b"y" * 5000
        client.mkd("made")
        assert (real_server.root / "made").is_dir()
    finally:
        client.quit()


# pure-ftpd is left out: it waits about 5 s before refusing a wrong password (built in).
@pytest.mark.parametrize("name", ["vsftpd", "proftpd"])
def test_debian_server_refuses_a_wrong_password(make_debian_server, name: str) -> None:  # type: ignore[no-untyped-def]
    server = make_debian_server(name)
    client = ftplib.FTP(timeout=10)
    client.connect(server.host, server.port)
    with pytest.raises(ftplib.error_perm, match="^530"):
        client.login(server.user, "wrong-" + server.password)
    client.close()


def test_real_server_passive_port_in_range(real_server: ServerInfo) -> None:
    client = login(real_server)
    try:
        host, port = _pasv_address(pasv_reply(client))
        assert host == "127.0.0.1"
        if real_server.pasv_range is not None:
            assert real_server.pasv_range[0] <= port <= real_server.pasv_range[1]
    finally:
        client.close()


def test_vsftpd_ftps_requires_tls_login(vsftpd_ftps_server: ServerInfo) -> None:
    plain = ftplib.FTP(timeout=5)
    plain.connect(vsftpd_ftps_server.host, vsftpd_ftps_server.port)
    with pytest.raises(ftplib.error_perm, match="^530"):
        plain.login(vsftpd_ftps_server.user, vsftpd_ftps_server.password)
    plain.close()


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_vsftpd_ftps_with_session_reuse(vsftpd_ftps_server: ServerInfo, passive: bool) -> None:
    client = login(vsftpd_ftps_server, passive=passive, reuse_session=True)
    try:
        assert retrieve(client, "hello.txt") == HELLO_TEXT
        client.storbinary("STOR upload/tls.bin", io.BytesIO(b"over tls"))
        assert (vsftpd_ftps_server.root / "upload" / "tls.bin").read_bytes() == b"over tls"
    finally:
        client.quit()


def test_vsftpd_ftps_refuses_data_without_session_reuse(vsftpd_ftps_server: ServerInfo) -> None:
    client = login(vsftpd_ftps_server, reuse_session=False)
    received = b""
    try:
        conn = client.transfercmd("RETR hello.txt")
        with conn:
            while chunk := conn.recv(65536):
                received += chunk
    except (OSError, EOFError):
        pass
    assert received == b""
    with pytest.raises(
        ftplib.error_perm, match="^522 SSL connection failed: session reuse required"
    ):
        client.voidresp()
    # vsftpd closes the control connection right after the 522.
    with pytest.raises((EOFError, OSError)):
        client.voidcmd("NOOP")
    client.close()


def test_vsftpd_active_only(vsftpd_active_only_server: ServerInfo) -> None:
    check_active_only(vsftpd_active_only_server, "hello.txt", HELLO_TEXT)


def test_proftpd_masquerade_advertises_127_0_0_2(proftpd_masquerade_server: ServerInfo) -> None:
    client = login(proftpd_masquerade_server)
    try:
        host, port = _pasv_address(pasv_reply(client))
        assert host == "127.0.0.2"
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, port), timeout=2).close()
    finally:
        client.close()


def test_proftpd_offers_mlsd(proftpd_server: ServerInfo) -> None:
    assert "MLST" in proftpd_server.features
    client = login(proftpd_server)
    try:
        facts = dict(client.mlsd())
        assert facts["hello.txt"]["type"] == "file"
        assert facts["hello.txt"]["size"] == str(len(HELLO_TEXT))
    finally:
        client.quit()


def test_pureftpd_tls_is_optional(pureftpd_server: ServerInfo) -> None:
    assert "AUTH TLS" in pureftpd_server.features and pureftpd_server.ca_file
    tls_view = ServerInfo(**{**pureftpd_server.__dict__, "tls": "explicit"})
    client = login(tls_view)
    try:
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()


def test_pureftpd_multiline_banner(pureftpd_server: ServerInfo) -> None:
    client = ftplib.FTP(timeout=5)
    banner = client.connect(pureftpd_server.host, pureftpd_server.port)
    assert banner.startswith("220-") and banner.count("\n") >= 2
    client.close()


def test_missing_binary_gives_a_skip_reason(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(debian.BINARIES, "vsftpd", tmp_path / "nowhere" / "vsftpd")
    reason = debian.missing_reason("vsftpd")
    assert reason and "tools/install-test-servers" in reason


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_real_ftps_server(real_ftps_server: ServerInfo, passive: bool) -> None:
    assert real_ftps_server.tls == "explicit" and real_ftps_server.ca_file
    assert "tls-data-required" in real_ftps_server.features
    plain = ftplib.FTP(timeout=5)
    plain.connect(real_ftps_server.host, real_ftps_server.port)
    # 530/550 from vsftpd and pyftpdlib; pure-ftpd answers 421 and hangs up.
    with pytest.raises((ftplib.error_perm, ftplib.error_temp), match="^(5|421)"):
        plain.login(real_ftps_server.user, real_ftps_server.password)
    plain.close()
    client = login(real_ftps_server, passive=passive)
    try:
        assert sha256_retrieve(client, BIG_FILE) == sha256_of(big_file_bytes())
    finally:
        client.quit()


def test_installer_is_valid_bash_and_executable() -> None:
    import os
    import subprocess
    from pathlib import Path

    installer = Path(__file__).resolve().parent.parent / "tools" / "install-test-servers"
    assert os.access(installer, os.X_OK)
    subprocess.run(["bash", "-n", str(installer)], check=True)


def test_write_file_lets_the_server_overwrite_and_delete(real_server: ServerInfo) -> None:
    real_server.write_file("added/by-test.txt", b"from the test")
    client = login(real_server)
    try:
        assert retrieve(client, "added/by-test.txt") == b"from the test"
        client.storbinary("STOR added/by-test.txt", io.BytesIO(b"overwritten"))
        assert (real_server.root / "added" / "by-test.txt").read_bytes() == b"overwritten"
        client.delete("added/by-test.txt")
        assert not (real_server.root / "added" / "by-test.txt").exists()
    finally:
        client.quit()


def test_not_root_gives_a_skip_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(debian.os, "geteuid", lambda: 1000)
    reason = debian.missing_reason("proftpd")
    if debian.BINARIES["proftpd"].exists():
        assert reason and "root" in reason
    else:
        assert reason and "install-test-servers" in reason


def test_listens_on_knows_whose_socket_it_is() -> None:
    import os

    from fixtures.process_server import listens_on

    with socket.create_server(("127.0.0.1", 0)) as mine:
        port = mine.getsockname()[1]
        assert listens_on(os.getpid(), port)
        assert not listens_on(1, port)
    assert not listens_on(os.getpid(), port)


@pytest.mark.realserver
def test_a_decoy_on_our_port_is_not_taken_for_our_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """If another server grabs the port between picking and binding it, its 220 must not
    pass for ours: the start fails (and is retried with new ports in normal use)."""
    from fixtures.scripted import start_scripted_server

    reason = debian.missing_reason("vsftpd")
    if reason:
        pytest.skip(reason)
    decoy = start_scripted_server()
    try:
        monkeypatch.setattr(debian, "free_port", lambda: decoy.port)
        with pytest.raises(debian.ServerUnavailable):
            debian.start_vsftpd()
        assert decoy.verbs() == []  # it was never even asked for FEAT
    finally:
        decoy.stop()


def test_vsftpd_implicit_tls(vsftpd_implicit_ftps_server: ServerInfo) -> None:
    assert vsftpd_implicit_ftps_server.tls == "implicit"
    assert vsftpd_implicit_ftps_server.url.startswith("ftps://")
    client = login(vsftpd_implicit_ftps_server, reuse_session=True)
    try:
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()
    with socket.create_connection(vsftpd_implicit_ftps_server.address, timeout=2) as raw:
        raw.settimeout(0.5)
        try:
            first = raw.recv(10)
        except (TimeoutError, ConnectionResetError):
            first = b""
        assert not first.startswith(b"220")  # no clear-text banner
