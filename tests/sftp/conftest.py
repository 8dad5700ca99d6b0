"""SFTP test helpers: the sshd fixture, a known-hosts store that trusts it, sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.sshd import SshdServer, sshd_server  # noqa: F401 - the fixture

from client.config.known_hosts import KnownHostsStore
from client.engine.events import EngineEvent, EventBus
from client.engine.sftp.session import SftpSession
from client.engine.sftp.settings import SftpSettings


class Recorder:
    def __init__(self) -> None:
        self.events: list[EngineEvent] = []

    def __call__(self, event: EngineEvent) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


def trusting_store(tmp_path: Path, server: SshdServer) -> KnownHostsStore:
    """A store whose user file knows the server as OpenSSH writes it: ``[host]:port``."""
    user_file = tmp_path / "user_known_hosts"
    user_file.write_text(f"[{server.host}]:{server.port} {server.host_key_pub}\n")
    return KnownHostsStore(tmp_path / "app_known_hosts", (user_file,))


def settings_for(server: SshdServer, *, key: bool = True, password: bool = False,
                 **changes: object) -> SftpSettings:
    return SftpSettings(host=server.host, port=server.port, user=server.user,
                        password=server.password if password else None,
                        key_files=(str(server.key_file),) if key else (),
                        use_agent=False, connect_timeout=10.0).replace(**changes)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_session(tmp_path: Path, sshd_server: SshdServer, recorder: Recorder):  # noqa: F811
    sessions: list[SftpSession] = []

    def make(**changes: object) -> SftpSession:
        bus = EventBus()
        bus.subscribe(recorder)
        session = SftpSession(settings_for(sshd_server, **changes), bus=bus,
                              host_keys=trusting_store(tmp_path, sshd_server))
        sessions.append(session)
        return session

    return make

