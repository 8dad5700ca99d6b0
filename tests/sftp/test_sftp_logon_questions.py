"""The engine asks (``ask_secret``) for the password only after the keys, only of a
server that takes one, at most three times, and gives the answer to that server alone;
without anyone to ask nothing is sent. Against the scripted SSH server, which records
every password it receives (password and keyboard-interactive logons)."""

from __future__ import annotations

import pytest
from fixtures.sftp_scripted import PASSWORD, USER, ScriptedSftp, scripted_sftp_server

from client.config.known_hosts import KnownHostsStore
from client.engine.sftp.credentials import SecretKind, SecretRequest
from client.engine.sftp.errors import SshAuthError
from client.engine.sftp.session import SftpSession
from client.engine.sftp.settings import HostKeyPolicy, SftpSettings

pytestmark = pytest.mark.asyncio


def _settings(state: ScriptedSftp) -> SftpSettings:
    return SftpSettings(host=state.host, port=state.port, user=USER, use_agent=False,
                        connect_timeout=10.0, host_key_policy=HostKeyPolicy.ACCEPT_NEW)


class Answers:
    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.asked: list[SecretRequest] = []

    async def __call__(self, request: SecretRequest) -> str | None:
        self.asked.append(request)
        return self.answers.pop(0)


@pytest.mark.parametrize("keyboard_interactive", [False, True])
async def test_asked_after_a_refusal_then_logged_in(tmp_path, keyboard_interactive) -> None:
    state = ScriptedSftp(files={b"a.txt": b"x"}, keyboard_interactive=keyboard_interactive)
    answers = Answers("wrong-one", PASSWORD)
    async with scripted_sftp_server(state):
        session = SftpSession(_settings(state), ask_secret=answers,
                              host_keys=KnownHostsStore(tmp_path / "kh", ()))
        await session.connect()
        try:
            assert "a.txt" in {e.name for e in (await session.list()).entries}
        finally:
            await session.close()
    assert [p for _u, p in state.passwords_received] == ["wrong-one", PASSWORD]
    assert [(r.kind, r.user, r.port, r.refused) for r in answers.asked] == [
        (SecretKind.PASSWORD, USER, state.port, False),
        (SecretKind.PASSWORD, USER, state.port, True)]
    assert session.settings.password == PASSWORD  # for the queue's sessions


async def test_three_questions_at_most_and_none_without_an_asker(tmp_path) -> None:
    state = ScriptedSftp()
    answers = Answers("a", "b", "c", "d")
    async with scripted_sftp_server(state):
        with pytest.raises(SshAuthError):
            await SftpSession(_settings(state), ask_secret=answers,
                              host_keys=KnownHostsStore(tmp_path / "kh", ())).connect()
        assert len(answers.asked) == 3
        state.passwords_received.clear()
        with pytest.raises(SshAuthError):
            await SftpSession(_settings(state),
                              host_keys=KnownHostsStore(tmp_path / "kh", ())).connect()
    assert state.passwords_received == []
