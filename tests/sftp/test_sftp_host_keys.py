"""Host-key trust against a real sshd: unknown (refused, trusted once, trusted always,
stored by accept-new), trusted through a ``[127.0.0.1]:PORT`` line of an OpenSSH
known_hosts file, and a CHANGED key always refused."""

from __future__ import annotations

import asyncssh
import pytest

from client.config.known_hosts import KnownHostsStore
from client.engine.events import EventBus
from client.engine.sftp.errors import ChangedHostKeyError, UnknownHostKeyError
from client.engine.sftp.events import HostKeyDecision, SshHostKeyChecked
from client.engine.sftp.hostkeys import HostKeyState, TrustChoice
from client.engine.sftp.session import SftpSession
from client.engine.sftp.settings import HostKeyPolicy

from .conftest import Recorder, settings_for

pytestmark = pytest.mark.asyncio


def _store(tmp_path, user_text: str = "") -> KnownHostsStore:
    user_file = tmp_path / "known_hosts"
    user_file.write_text(user_text)
    return KnownHostsStore(tmp_path / "app" / "known_hosts", (user_file,))


def _session(server, store, recorder=None, **changes) -> SftpSession:
    bus = EventBus()
    if recorder is not None:
        bus.subscribe(recorder)
    ask = changes.pop("ask", None)
    return SftpSession(settings_for(server, **changes), bus=bus, host_keys=store,
                       ask_host_key=ask)


async def test_unknown_key_is_refused_with_fingerprint(sshd_server, tmp_path) -> None:
    store = _store(tmp_path)
    recorder = Recorder()
    session = _session(sshd_server, store, recorder)
    with pytest.raises(UnknownHostKeyError) as caught:
        await session.connect()
    error = caught.value
    assert error.fingerprint == sshd_server.host_fingerprint and error.exit_code == 5
    assert sshd_server.host_fingerprint in str(error)
    checked = recorder.of(SshHostKeyChecked)[0]
    assert (checked.state, checked.decision) == (HostKeyState.UNKNOWN,
                                                 HostKeyDecision.REFUSED_UNKNOWN)
    assert not store.app_file.exists()


async def test_trust_once_does_not_store(sshd_server, tmp_path) -> None:
    store = _store(tmp_path)
    asked: list[str] = []

    async def ask(error: UnknownHostKeyError) -> TrustChoice:
        asked.append(error.fingerprint)
        return TrustChoice.ONCE

    session = _session(sshd_server, store, ask=ask, host_key_policy=HostKeyPolicy.ASK)
    async with session:
        assert await session.pwd() == "/files"
    assert asked == [sshd_server.host_fingerprint]
    assert not store.app_file.exists()
    with pytest.raises(UnknownHostKeyError):  # next time: unknown again
        await _session(sshd_server, store).connect()


async def test_trust_always_stores_in_app_file(sshd_server, tmp_path) -> None:
    store = _store(tmp_path)

    async def ask(error: UnknownHostKeyError) -> TrustChoice:
        return TrustChoice.ALWAYS

    async with _session(sshd_server, store, ask=ask, host_key_policy=HostKeyPolicy.ASK):
        pass
    assert f"[127.0.0.1]:{sshd_server.port} ssh-ed25519" in store.app_file.read_text()
    recorder = Recorder()
    async with _session(sshd_server, store, recorder):  # STRICT now trusts it
        pass
    assert recorder.of(SshHostKeyChecked)[0].decision is HostKeyDecision.ACCEPTED


async def test_refusing_in_the_dialog_refuses(sshd_server, tmp_path) -> None:
    async def ask(error: UnknownHostKeyError) -> TrustChoice:
        return TrustChoice.REFUSE

    with pytest.raises(UnknownHostKeyError):
        await _session(sshd_server, _store(tmp_path), ask=ask,
                       host_key_policy=HostKeyPolicy.ASK).connect()


async def test_accept_new_stores(sshd_server, tmp_path) -> None:
    store = _store(tmp_path)
    async with _session(sshd_server, store, host_key_policy=HostKeyPolicy.ACCEPT_NEW):
        pass
    assert sshd_server.host_key_pub.split()[1] in store.app_file.read_text()


async def test_openssh_known_hosts_port_entry_is_trusted(sshd_server, tmp_path) -> None:
    store = _store(tmp_path, f"[127.0.0.1]:{sshd_server.port} {sshd_server.host_key_pub}\n")
    async with _session(sshd_server, store) as session:
        assert await session.pwd() == "/files"


async def test_changed_key_is_refused_under_every_policy(sshd_server, tmp_path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh")
    store = _store(tmp_path, f"[127.0.0.1]:{sshd_server.port} {other.decode().strip()}\n")
    asked: list[str] = []

    async def ask(error: UnknownHostKeyError) -> TrustChoice:
        asked.append(error.fingerprint)
        return TrustChoice.ALWAYS

    for policy in HostKeyPolicy:
        recorder = Recorder()
        session = _session(sshd_server, store, recorder, host_key_policy=policy, ask=ask,
                           trusted_fingerprint=sshd_server.host_fingerprint)
        with pytest.raises(ChangedHostKeyError) as caught:
            await session.connect()
        assert "HAS CHANGED" in str(caught.value) and caught.value.exit_code == 5
        assert caught.value.fingerprint == sshd_server.host_fingerprint
        assert str(tmp_path / "known_hosts") in caught.value.source
        assert recorder.of(SshHostKeyChecked)[0].decision is HostKeyDecision.REFUSED_CHANGED
    assert asked == [] and not store.app_file.exists()
