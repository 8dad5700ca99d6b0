"""Proof that each pyftpdlib fixture behaves as documented (validated with ftplib)."""

from __future__ import annotations

import ftplib
import io
import re
import socket
import ssl

import pytest
from fixtures.ftp_probe import check_active_only, login, pasv_reply, retrieve, sha256_retrieve
from fixtures.info import ServerInfo
from fixtures.sample_tree import BIG_FILE, HELLO_TEXT, big_file_bytes, sha256_of


def _names(client: ftplib.FTP, path: str = "") -> set[str]:
    return set(client.nlst(path) if path else client.nlst())


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_plain_server_lists_and_retrieves(ftp_server: ServerInfo, passive: bool) -> None:
    client = login(ftp_server, passive=passive)
    try:
        assert {"hello.txt", BIG_FILE, "docs", "upload"} <= _names(client)
        assert _names(client, "docs/nested") >= {"deep.txt"} or _names(client, "docs/nested") >= {
            "docs/nested/deep.txt"
        }
        assert retrieve(client, "hello.txt") == HELLO_TEXT
        assert sha256_retrieve(client, BIG_FILE) == sha256_of(big_file_bytes())
        client.storbinary("STOR upload/new.bin", io.BytesIO(b"x" * 1000))
        assert (ftp_server.root / "upload" / "new.bin").read_bytes() == b"x" * 1000
    finally:
        client.quit()


def test_plain_server_info(ftp_server: ServerInfo) -> None:
    assert ftp_server.host == "127.0.0.1" and ftp_server.port > 0
    assert ftp_server.user == "alice"
    assert len(ftp_server.password) >= 20
    assert ftp_server.password not in repr(ftp_server)
    assert ftp_server.password not in ftp_server.url
    assert ftp_server.url == f"ftp://alice@127.0.0.1:{ftp_server.port}"
    assert ftp_server.tls == "none" and ftp_server.ca_file is None
    assert "MLST" in ftp_server.features  # RFC 3659: MLST in FEAT implies MLSD


def test_anonymous_login_refused(ftp_server: ServerInfo) -> None:
    client = ftplib.FTP(timeout=5)
    client.connect(ftp_server.host, ftp_server.port)
    with pytest.raises(ftplib.error_perm, match="^530"):
        client.login()
    client.close()


def test_wrong_password_refused(ftp_server: ServerInfo) -> None:
    client = ftplib.FTP(timeout=5)
    client.connect(ftp_server.host, ftp_server.port)
    with pytest.raises(ftplib.error_perm, match="^530"):
        client.login("alice", "not-" + ftp_server.password)
    client.close()


def test_each_server_gets_a_fresh_home(make_ftp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = make_ftp_server()
    second = make_ftp_server()
    assert first.root != second.root and first.port != second.port
    shared = make_ftp_server(root=first.root)
    assert shared.root == first.root


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_ftps_server_requires_tls_and_serves_protected_data(
    ftps_server: ServerInfo, passive: bool
) -> None:
    assert ftps_server.tls == "explicit" and ftps_server.ca_file
    plain = ftplib.FTP(timeout=5)
    plain.connect(ftps_server.host, ftps_server.port)
    with pytest.raises(ftplib.error_perm, match="^550"):
        plain.login(ftps_server.user, ftps_server.password)
    plain.close()

    client = login(ftps_server, passive=passive)
    try:
        assert sha256_retrieve(client, BIG_FILE) == sha256_of(big_file_bytes())
        client.prot_c()  # type: ignore[attr-defined]
        with pytest.raises(ftplib.error_perm, match="^550 SSL/TLS required on the data channel"):
            client.nlst()
    finally:
        client.quit()


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_ftps_reuse_server_accepts_resumed_sessions(
    ftps_reuse_server: ServerInfo, passive: bool
) -> None:
    client = login(ftps_reuse_server, passive=passive, reuse_session=True)
    try:
        assert "hello.txt" in _names(client)
        assert retrieve(client, "hello.txt") == HELLO_TEXT
        client.storbinary("STOR upload/up.txt", io.BytesIO(b"resumed"))
        assert (ftps_reuse_server.root / "upload" / "up.txt").read_bytes() == b"resumed"
    finally:
        client.quit()


def _refused_transfer(client: ftplib.FTP, command: str) -> bytes:
    """Run a transfer whose data connection does not resume the TLS session; return the
    bytes that arrived on it, after checking the control connection answered 522.

    The server closes the refused data connection right after the handshake, so the
    client may see the close as EOF or as a reset, depending on timing."""
    received = b""
    try:
        conn = client.transfercmd(command)
    except ftplib.error_perm as refused:  # refused before the preliminary reply
        assert str(refused).startswith("522 SSL connection failed: session reuse required")
        return received
    try:
        with conn:
            if command.startswith("RETR"):
                while chunk := conn.recv(65536):
                    received += chunk
            else:
                conn.sendall(b"never stored")
    except (OSError, EOFError):
        pass
    with pytest.raises(
        ftplib.error_perm, match="^522 SSL connection failed: session reuse required"
    ):
        client.voidresp()
    return received


@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_ftps_reuse_server_refuses_fresh_sessions(
    ftps_reuse_server: ServerInfo, passive: bool
) -> None:
    client = login(ftps_reuse_server, passive=passive, reuse_session=False)
    try:
        assert _refused_transfer(client, "RETR hello.txt") == b""
        # The control connection stays usable, and a resumed session then works.
        client.reuse_session = True  # type: ignore[attr-defined]
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()


def test_ftps_reuse_server_refuses_fresh_session_upload(ftps_reuse_server: ServerInfo) -> None:
    client = login(ftps_reuse_server, reuse_session=False)
    try:
        _refused_transfer(client, "STOR upload/refused.txt")
        target = ftps_reuse_server.root / "upload" / "refused.txt"
        assert not target.exists() or target.read_bytes() == b""
    finally:
        client.quit()


def test_implicit_tls_server(ftps_implicit_server: ServerInfo) -> None:
    assert ftps_implicit_server.url.startswith("ftps://")
    client = login(ftps_implicit_server)
    try:
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()
    # A plain client sees no 220 banner in clear text.
    with socket.create_connection(ftps_implicit_server.address, timeout=2) as raw:
        raw.sendall(b"USER alice\r\n")
        raw.settimeout(1)
        try:
            data = raw.recv(100)
        except (TimeoutError, ConnectionResetError):
            data = b""
        assert not data.startswith(b"220")


def test_active_only_server(ftp_active_only_server: ServerInfo) -> None:
    check_active_only(ftp_active_only_server, "hello.txt", HELLO_TEXT)
    assert "active-only" in ftp_active_only_server.features


def test_passive_only_server(ftp_passive_only_server: ServerInfo) -> None:
    client = login(ftp_passive_only_server, passive=True)
    try:
        with pytest.raises(ftplib.error_perm, match="^550"):
            client.sendcmd("PORT 127,0,0,1,200,10")
        with pytest.raises(ftplib.error_perm, match="^550"):
            client.sendcmd("EPRT |1|127.0.0.1|51210|")
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()


def test_masquerade_server_advertises_unreachable_127_0_0_2(
    ftp_masquerade_server: ServerInfo,
) -> None:
    client = login(ftp_masquerade_server)
    try:
        reply = pasv_reply(client)
        match = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", reply)
        assert match, reply
        numbers = [int(n) for n in match.groups()]
        assert numbers[:4] == [127, 0, 0, 2]
        port = numbers[4] * 256 + numbers[5]
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=2).close()
        # EPSV carries no address, so it still works; ftplib uses EPSV only on IPv6,
        # so go through the raw command.
        epsv = client.sendcmd("EPSV")
        assert epsv.startswith("229")
    finally:
        client.close()
    assert ftp_masquerade_server.masquerade_address == "127.0.0.2"


def test_throttled_server_still_delivers(ftp_throttled_server: ServerInfo) -> None:
    client = login(ftp_throttled_server)
    try:
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()
    assert "throttled" in ftp_throttled_server.features


def test_passive_port_range_option(make_ftp_server) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        base = probe.getsockname()[1]
    server = make_ftp_server(passive_ports=(base, base))
    client = login(server)
    try:
        reply = pasv_reply(client)
        p1, p2 = (int(n) for n in re.search(r",(\d+),(\d+)\)", reply).groups())  # type: ignore[union-attr]
        assert p1 * 256 + p2 == base
    finally:
        client.close()
    assert server.pasv_range == (base, base)


@pytest.mark.parametrize("reuse", [True, False], ids=["resumed", "fresh"])
def test_ftps_reuse_server_over_tls_1_2(ftps_reuse_server: ServerInfo, reuse: bool) -> None:
    """TLS 1.2 resumes by session id (not by ticket as 1.3 does): both must be judged."""
    client = login(ftps_reuse_server, reuse_session=reuse, tls_max_version=ssl.TLSVersion.TLSv1_2)
    try:
        assert client.sock.version() == "TLSv1.2"  # type: ignore[union-attr]
        if reuse:
            assert retrieve(client, "hello.txt") == HELLO_TEXT
        else:
            assert _refused_transfer(client, "RETR hello.txt") == b""
    finally:
        client.quit()


@pytest.mark.parametrize("passive", [True, False], ids=["epsv", "eprt"])
def test_ipv6_server(ftp_ipv6_server: ServerInfo, passive: bool) -> None:
    assert ftp_ipv6_server.host == "::1"
    assert ftp_ipv6_server.url == f"ftp://alice@[::1]:{ftp_ipv6_server.port}"
    client = login(ftp_ipv6_server, passive=passive)  # ftplib uses EPSV/EPRT on IPv6
    try:
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()


def test_non_loopback_host_is_refused(make_ftp_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="loopback only"):
        make_ftp_server(host="0.0.0.0")


def test_passive_firewalled_server_hangs_passive_but_not_active(
    ftp_passive_firewalled_server: ServerInfo,
) -> None:
    client = login(ftp_passive_firewalled_server)
    try:
        numbers = [int(n) for n in re.findall(r"\d+", pasv_reply(client).split("(", 1)[1])[:6]]
        port = numbers[4] * 256 + numbers[5]
        first, last = ftp_passive_firewalled_server.pasv_range  # type: ignore[misc]
        assert first <= port <= last
        probe = socket.socket()
        probe.settimeout(0.3)
        with pytest.raises(TimeoutError):
            probe.connect(("127.0.0.1", port))
        probe.close()
        client.set_pasv(False)
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.close()


@pytest.mark.parametrize("reuse", [False, True], ids=["tls", "tls-reuse"])
def test_throttled_tls_combinations(make_ftp_server, reuse: bool) -> None:  # type: ignore[no-untyped-def]
    server = make_ftp_server(
        tls="explicit", require_session_reuse=reuse, throttle_bytes_per_second=4 * 1024 * 1024
    )
    assert {"throttled", "tls-data-required"} <= server.features
    client = login(server)
    try:
        assert sha256_retrieve(client, BIG_FILE) == sha256_of(big_file_bytes())
        client.storbinary("STOR upload/t.bin", io.BytesIO(b"t" * 100_000))
        assert (server.root / "upload" / "t.bin").read_bytes() == b"t" * 100_000
    finally:
        client.quit()


def test_reuse_check_leaves_clear_data_connections_alone(make_ftp_server) -> None:  # type: ignore[no-untyped-def]
    """With PROT C allowed, a clear data connection has no session to resume: it must
    work, not wait forever for a handshake that never comes."""
    server = make_ftp_server(tls="explicit", require_session_reuse=True, tls_data_required=False)
    client = login(server)
    try:
        client.prot_c()  # type: ignore[attr-defined]
        assert retrieve(client, "hello.txt") == HELLO_TEXT
    finally:
        client.quit()


@pytest.mark.parametrize("verb", ["RETR hello.txt", "STOR upload/early.bin"])
def test_reuse_refused_when_the_handshake_comes_before_the_command(
    ftps_reuse_server: ServerInfo, verb: str
) -> None:
    """A client may open and secure the data connection before sending RETR/STOR (an
    asyncio client typically does): the refusal must come all the same."""
    client = login(ftps_reuse_server)
    try:
        numbers = [int(n) for n in re.findall(r"\d+", pasv_reply(client).split("(", 1)[1])[:6]]
        raw = socket.create_connection(("127.0.0.1", numbers[4] * 256 + numbers[5]), timeout=3)
        context = ssl.create_default_context(cafile=ftps_reuse_server.ca_file)
        data = context.wrap_socket(raw, server_hostname="127.0.0.1")  # a fresh session
        client.putcmd(verb)
        first = client.getline()
        replies = [first]
        if first.startswith(("125", "150")):
            replies.append(client.getline())
        assert replies[-1].startswith("522 SSL connection failed: session reuse required")
        data.settimeout(2)
        try:
            assert data.recv(100) == b""
        except OSError:
            pass
        data.close()
        assert client.voidcmd("NOOP").startswith("200")  # the session carries on
    finally:
        client.close()
    if verb.startswith("STOR"):
        target = ftps_reuse_server.root / "upload" / "early.bin"
        assert not target.exists() or target.read_bytes() == b""


@pytest.mark.parametrize("tls", ["none", "explicit", "implicit"])
def test_features_are_what_feat_says(make_ftp_server, tls: str) -> None:  # type: ignore[no-untyped-def]
    from fixtures.info import feat_keywords

    server = make_ftp_server(tls=tls)
    if tls == "implicit":
        client = login(server)
        feat = client.sendcmd("FEAT")
        client.quit()
    else:
        client = ftplib.FTP(timeout=5)
        client.connect(server.host, server.port)
        feat = client.sendcmd("FEAT")
        client.close()
    traits = {name for name in server.features if name.islower()}
    assert server.features - traits == feat_keywords(feat)


def test_sample_tree_is_what_sample_paths_says(ftp_server: ServerInfo) -> None:
    from fixtures.sample_tree import BIG_FILE_SIZE, SAMPLE_PATHS

    found = set()
    for path in ftp_server.root.rglob("*"):
        relative = path.relative_to(ftp_server.root).as_posix()
        found.add(relative + "/" if path.is_dir() else relative)
    assert found == set(SAMPLE_PATHS)
    assert (ftp_server.root / BIG_FILE).stat().st_size == BIG_FILE_SIZE
