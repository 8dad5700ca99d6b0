"""SftpSession against Debian's OpenSSH sshd: browse, transfers, resume, changes."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest

from client.engine.errors import LoginError
from client.engine.events import SessionState, TransferProgress
from client.engine.localpaths import part_path
from client.engine.remotefs import RemoteFileSystem
from client.engine.sftp.errors import SftpStatusError, SshAuthError
from client.engine.sftp.events import (
    AuthOutcome,
    SftpRequest,
    SshAlgorithms,
    SshAuthAttempt,
    SshHostKeyChecked,
    SshVersionExchange,
)
from client.protocol.listing.entry import EntryKind

pytestmark = pytest.mark.asyncio


def _clean(root) -> None:
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            import shutil
            shutil.rmtree(entry)
        else:
            entry.unlink()


@pytest.fixture(autouse=True)
def _empty_root(sshd_server):
    _clean(sshd_server.root)
    yield
    _clean(sshd_server.root)


async def test_key_login_events_and_listing(make_session, sshd_server, recorder) -> None:
    (sshd_server.root / "a.txt").write_bytes(b"hello")
    (sshd_server.root / "dir").mkdir()
    os.symlink("a.txt", sshd_server.root / "link")
    os.chmod(sshd_server.root / "a.txt", 0o640)
    sshd_server.own()
    session = make_session()
    assert isinstance(session, RemoteFileSystem)
    async with session:
        assert session.state is SessionState.READY
        assert await session.pwd() == "/files"
        listing = await session.list()
        by_name = listing.by_name()
        assert set(by_name) == {"a.txt", "dir", "link"}
        assert by_name["a.txt"].kind is EntryKind.FILE and by_name["a.txt"].size == 5
        assert by_name["a.txt"].permissions == "-rw-r-----"
        assert by_name["a.txt"].modified is not None
        assert by_name["dir"].kind is EntryKind.DIR
        assert by_name["link"].kind is EntryKind.LINK and by_name["link"].target == "a.txt"
        assert (await session.stat("a.txt")).size == 5
        assert await session.stat("missing") is None
        assert await session.cwd("dir") == "/files/dir"
        assert (await session.list()).entries == ()
    versions = recorder.of(SshVersionExchange)[0]
    assert versions.server_version.startswith("SSH-2.0-OpenSSH_")
    assert versions.client_version.startswith("SSH-2.0-")
    algorithms = recorder.of(SshAlgorithms)[0]
    assert algorithms.kex and algorithms.host_key and algorithms.cipher_cs
    checked = recorder.of(SshHostKeyChecked)[0]
    assert checked.fingerprint == sshd_server.host_fingerprint
    assert "user_known_hosts" in checked.source
    attempts = recorder.of(SshAuthAttempt)
    assert [(a.method, a.outcome) for a in attempts] == [("publickey", AuthOutcome.ACCEPTED)]
    requests = [e.request for e in recorder.of(SftpRequest)]
    assert requests[0] == "INIT" and "OPENDIR" in requests and "LSTAT" in requests
    missing = [e for e in recorder.of(SftpRequest) if e.argument == "missing"][0]
    assert missing.status == 2 and missing.status_name == "SSH_FX_NO_SUCH_FILE"
    assert "no file" in missing.meaning


async def test_password_login_never_in_events(make_session, sshd_server, recorder) -> None:
    session = make_session(key=False, password=True)
    async with session:
        await session.pwd()
    attempts = recorder.of(SshAuthAttempt)
    assert [a.method for a in attempts] == ["password"]
    assert attempts[0].outcome is AuthOutcome.ACCEPTED
    assert all(sshd_server.password not in repr(e) for e in recorder.events)


async def test_wrong_password_reports_methods_tried(make_session, sshd_server,
                                                    recorder) -> None:
    session = make_session(key=False, password=True)
    session.settings = session.settings.replace(password="wrong-" + sshd_server.password)
    with pytest.raises(SshAuthError) as caught:
        await session.connect()
    assert isinstance(caught.value, LoginError) and caught.value.exit_code == 2
    assert caught.value.tried == ("password (user alice): rejected",)
    assert sshd_server.password not in str(caught.value)
    assert session.state is SessionState.FAILED


async def test_unreadable_key_then_password(make_session, sshd_server, tmp_path) -> None:
    bogus = tmp_path / "not-a-key"
    bogus.write_text("garbage")
    session = make_session(key=False, password=True, key_files=(str(bogus),))
    async with session:
        assert session.auth_tried[0].startswith(f"publickey ({bogus}): unusable")
        assert session.auth_tried[1] == "password (user alice): accepted"


async def test_download_upload_resume(make_session, sshd_server, tmp_path) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    (sshd_server.root / "big.bin").write_bytes(payload)
    sshd_server.own()
    local = tmp_path / "big.bin"
    progress: list[TransferProgress] = []
    async with make_session(max_requests=8, block_size=65536) as session:
        result = await session.download("big.bin", local, on_progress=progress.append)
        assert local.read_bytes() == payload and result.total_size == len(payload)
        assert not part_path(local).exists() and progress[-1].done
        # resume: a .part holding the first MiB continues from there
        local.unlink()
        part_path(local).write_bytes(payload[:1024 * 1024])
        result = await session.download("big.bin", local, resume=True)
        assert result.resumed_from == 1024 * 1024 and local.read_bytes() == payload
        # upload, then resume an upload the server holds the first part of
        source = tmp_path / "up.bin"
        source.write_bytes(payload)
        await session.upload(source, "up.bin")
        assert (sshd_server.root / "up.bin").read_bytes() == payload
        with open(sshd_server.root / "up.bin", "r+b") as handle:
            handle.truncate(1000)
        result = await session.upload(source, "up.bin", resume=True)
        assert result.resumed_from == 1000
        assert (sshd_server.root / "up.bin").read_bytes() == payload


async def test_read_write_requests_are_coalesced(make_session, sshd_server, recorder,
                                                 tmp_path) -> None:
    (sshd_server.root / "f.bin").write_bytes(os.urandom(1024 * 1024))
    sshd_server.own()
    async with make_session(block_size=32768) as session:
        await session.download("f.bin", tmp_path / "f.bin")
    reads = [e for e in recorder.of(SftpRequest) if e.request == "READ"]
    assert len(reads) == 1 and reads[0].count >= 32 and reads[0].bytes == 1024 * 1024


async def test_changes(make_session, sshd_server) -> None:
    (sshd_server.root / "f.txt").write_bytes(b"x")
    sshd_server.own()
    async with make_session() as session:
        await session.mkdir("new")
        assert (sshd_server.root / "new").is_dir()
        await session.rename("f.txt", "new/g.txt")
        assert (sshd_server.root / "new" / "g.txt").read_bytes() == b"x"
        await session.chmod("new/g.txt", 0o600)
        assert stat.S_IMODE(os.stat(sshd_server.root / "new" / "g.txt").st_mode) == 0o600
        await session.symlink("g.txt", "new/l")
        assert os.readlink(sshd_server.root / "new" / "l") == "g.txt"
        with pytest.raises(SftpStatusError) as caught:
            await session.rmdir("new")  # not empty
        assert caught.value.status == 4 and caught.value.exit_code == 4
        await session.delete("new/l")
        await session.delete("new/g.txt")
        await session.rmdir("new")
        assert not (sshd_server.root / "new").exists()
        with pytest.raises(SftpStatusError) as caught:
            await session.delete("nothing-here")
        assert caught.value.status_name == "SSH_FX_NO_SUCH_FILE"


async def test_blocks_larger_than_the_server_takes_are_cut_to_its_limit(make_session,
                                                                       sshd_server,
                                                                       tmp_path) -> None:
    """OpenSSH announces 261120-byte requests (limits@openssh.com) and closes the channel
    on a longer WRITE: a block size above that is cut down, not sent."""
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(4 * 1024 * 1024))
    async with make_session(block_size=1024 * 1024) as session:
        await session.upload(source, "big-blocks.bin")
        await session.download("big-blocks.bin", tmp_path / "back.bin")
    assert (sshd_server.root / "big-blocks.bin").read_bytes() == source.read_bytes()
    assert (tmp_path / "back.bin").read_bytes() == source.read_bytes()


async def test_ssh_agent_keys_log_on(make_session, sshd_server, tmp_path, monkeypatch,
                                     recorder) -> None:
    """With no key file and no password, the agent at SSH_AUTH_SOCK logs on."""
    import shutil
    import subprocess

    if shutil.which("ssh-agent") is None:
        pytest.skip("ssh-agent is not installed")
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):  # the socket appears before the agent listens on it
            added = subprocess.run(["ssh-add", str(sshd_server.key_file)],
                                   env={**os.environ, "SSH_AUTH_SOCK": str(sock)},
                                   capture_output=True)
            if added.returncode == 0:
                break
            await asyncio.sleep(0.05)
        assert added.returncode == 0, added.stderr
        monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
        async with make_session(key=False, use_agent=True) as session:
            assert await session.pwd() == "/files"
        attempts = recorder.of(SshAuthAttempt)
        assert [(a.method, a.outcome) for a in attempts] == [("publickey",
                                                              AuthOutcome.ACCEPTED)]
        assert attempts[0].detail.startswith("agent:")
    finally:
        agent.terminate()
        agent.wait(timeout=5)


async def test_connects_over_a_socket_it_is_given(make_session, sshd_server) -> None:
    """A proxy hands the session an already connected socket (sync or async factory);
    the host key is still checked for the server's host:port."""
    import socket

    def dial() -> socket.socket:
        return socket.create_connection((sshd_server.host, sshd_server.port))

    async def dial_later() -> socket.socket:
        return dial()

    for factory in (dial, dial_later):
        async with make_session(sock=factory) as session:
            assert await session.pwd() == "/files"


async def test_encrypted_key_needs_its_passphrase(make_session, sshd_server, tmp_path,
                                                  recorder) -> None:
    import subprocess

    key = tmp_path / "id_locked"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "pass-Phrase-7", "-f", str(key)],
                   check=True, capture_output=True)
    authorized = sshd_server.chroot / "authorized_keys"
    original = authorized.read_text()
    authorized.write_text(original + (tmp_path / "id_locked.pub").read_text())
    try:
        with pytest.raises(SshAuthError) as caught:
            await make_session(key=False, key_files=(str(key),)).connect()
        assert caught.value.tried == (
            f"publickey ({key}): unusable — the key is encrypted and no (or a wrong) "
            "passphrase was given",)
        with pytest.raises(SshAuthError) as caught:
            await make_session(key=False, key_files=(str(key),),
                               key_passphrase="wrong").connect()
        assert "no (or a wrong) passphrase" in caught.value.tried[0]
        async with make_session(key=False, key_files=(str(key),),
                                key_passphrase="pass-Phrase-7") as session:
            assert await session.pwd() == "/files"
        assert all("pass-Phrase-7" not in repr(e) for e in recorder.events)
    finally:
        authorized.write_text(original)
