"""SFTP against a scripted server: hostile names never write outside the destination,
a connection dropped mid-file keeps a resumable .part, a host key that changed behind a
stored one is refused."""

from __future__ import annotations

import os

import pytest
from fixtures.sftp_scripted import PASSWORD, USER, ScriptedSftp, scripted_sftp_server

from client.config.known_hosts import KnownHostsStore
from client.engine.errors import ConnectionLostError, ControlTimeoutError
from client.engine.events import EventBus, Notice
from client.engine.localpaths import part_path
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.queue.factory import session_factory
from client.engine.sftp.errors import ChangedHostKeyError, SshAuthError
from client.engine.sftp.session import SftpSession
from client.engine.sftp.settings import HostKeyPolicy, SftpSettings

from .conftest import Recorder

pytestmark = pytest.mark.asyncio


def _settings(state: ScriptedSftp, **changes) -> SftpSettings:
    return SftpSettings(host=state.host, port=state.port, user=USER, password=PASSWORD,
                        use_agent=False, connect_timeout=10.0,
                        host_key_policy=HostKeyPolicy.ACCEPT_NEW).replace(**changes)


def _store(tmp_path) -> KnownHostsStore:
    return KnownHostsStore(tmp_path / "app_known_hosts", ())


HOSTILE = [b"../escaped", b"/tmp/absolute-escape", b"a/../../b", b"nul\x00name",
           b"new\nline", b"..", b"sub/inner"]


async def test_hostile_names_never_leave_the_destination(tmp_path) -> None:
    state = ScriptedSftp(files={name: b"evil" for name in HOSTILE})
    state.files[b"ok.txt"] = b"fine"
    dest = tmp_path / "box" / "dest"
    dest.mkdir(parents=True)
    async with scripted_sftp_server(state):
        async with SftpSession(_settings(state), host_keys=_store(tmp_path)) as session:
            names = {e.name for e in (await session.list()).entries}
            assert "../escaped" in names and "ok.txt" in names and ".." not in names
        bus = EventBus()
        recorder = Recorder()
        bus.subscribe(recorder)
        queue = TransferQueue(session_factory(_settings(state), bus=bus,
                                              host_keys=_store(tmp_path)),
                              bus=bus, concurrency=2, exists_policy=ExistsPolicy.OVERWRITE)
        try:
            await queue.add_download_tree("/", dest)
            await queue.wait_idle()
            jobs = queue.jobs()
        finally:
            await queue.close()
    assert [job.state for job in jobs] == [JobState.DONE]
    assert sorted(p.name for p in dest.iterdir()) == ["ok.txt"]
    assert sorted(p.name for p in (tmp_path / "box").iterdir()) == ["dest"]
    assert not os.path.exists("/tmp/absolute-escape")
    skipped = [e.text for e in recorder.of(Notice) if "escaped" in e.text]
    assert skipped


async def test_dropped_mid_transfer_keeps_a_resumable_part(tmp_path) -> None:
    payload = os.urandom(2 * 1024 * 1024)
    state = ScriptedSftp(files={b"big.bin": payload}, drop_after=1024 * 1024)
    local = tmp_path / "big.bin"
    store = _store(tmp_path)
    async with scripted_sftp_server(state):
        session = SftpSession(_settings(state, block_size=32768, max_requests=4),
                              host_keys=store)
        await session.connect()
        bus_events = Recorder()
        session.bus.subscribe(bus_events)
        with pytest.raises(ConnectionLostError):
            await session.download("big.bin", local)
        assert session.state.value == "failed"
        lost = [e for e in bus_events.of(Notice) if e.kind.value == "connection-lost"]
        assert lost and "broke" in lost[0].text
        await session.close()
        kept = part_path(local).read_bytes()
        assert 0 < len(kept) <= 1024 * 1024 and kept == payload[:len(kept)]
        assert not local.exists()
        state.drop_after = None
        async with SftpSession(_settings(state), host_keys=store) as again:
            result = await again.download("big.bin", local, resume=True)
    assert result.resumed_from == len(kept)
    assert local.read_bytes() == payload


async def test_upload_to_scripted_server(tmp_path) -> None:
    state = ScriptedSftp()
    source = tmp_path / "u.bin"
    source.write_bytes(os.urandom(300_000))
    async with scripted_sftp_server(state):
        async with SftpSession(_settings(state, block_size=16384),
                               host_keys=_store(tmp_path)) as session:
            await session.upload(source, "u.bin")
    assert state.files[b"u.bin"] == source.read_bytes()


async def test_new_host_key_on_a_known_port_is_refused(tmp_path) -> None:
    store = _store(tmp_path)
    first = ScriptedSftp()
    async with scripted_sftp_server(first):
        async with SftpSession(_settings(first), host_keys=store):
            pass  # accept-new stored the first key
        port = first.port
    impostor = ScriptedSftp(port=port)
    async with scripted_sftp_server(impostor):
        with pytest.raises(ChangedHostKeyError) as caught:
            await SftpSession(_settings(impostor), host_keys=store).connect()
    assert caught.value.fingerprint == impostor.fingerprint
    assert caught.value.known_fingerprints == (first.fingerprint,)
    assert impostor.public_line.split()[1] not in store.app_file.read_text()


async def test_a_server_that_stops_answering_times_out(tmp_path) -> None:
    """READs left unanswered end the download with a timeout (exit 2, retried by the
    queue) instead of hanging; the .part keeps what arrived."""
    payload = os.urandom(1024 * 1024)
    state = ScriptedSftp(files={b"f.bin": payload}, stall_after=256 * 1024)
    local = tmp_path / "f.bin"
    async with scripted_sftp_server(state):
        async with SftpSession(_settings(state, block_size=32768, max_requests=4,
                                         request_timeout=0.5),
                               host_keys=_store(tmp_path)) as session:
            with pytest.raises(ControlTimeoutError) as caught:
                await session.download("f.bin", local)
            assert "did not answer READ f.bin" in str(caught.value)
            # a single request without an answer times out too
            state.files[b"g.bin"] = b"x"
            state.stall_after = 0
            with pytest.raises(ControlTimeoutError):
                await session.download("g.bin", tmp_path / "g.bin")
    kept = part_path(local).read_bytes()
    assert kept == payload[:len(kept)] and len(kept) <= 256 * 1024


async def test_keyboard_interactive_password(tmp_path) -> None:
    """A server that asks the password as a keyboard-interactive prompt (PAM's way)."""
    from client.engine.sftp.events import AuthOutcome, SshAuthAttempt

    state = ScriptedSftp(keyboard_interactive=True, files={b"a": b"1"})
    recorder = Recorder()
    bus = EventBus()
    bus.subscribe(recorder)
    async with scripted_sftp_server(state):
        async with SftpSession(_settings(state), bus=bus, host_keys=_store(tmp_path)) as s:
            assert [e.name for e in (await s.list()).entries] == ["a"]
        with pytest.raises(SshAuthError) as caught:
            await SftpSession(_settings(state, password="wrong"),
                              host_keys=_store(tmp_path)).connect()
    attempts = recorder.of(SshAuthAttempt)
    assert [(a.method, a.outcome) for a in attempts] == [
        ("keyboard-interactive", AuthOutcome.ACCEPTED)]
    assert caught.value.tried == ("keyboard-interactive (user tester): rejected",)
    assert all(PASSWORD not in repr(e) for e in recorder.events)
