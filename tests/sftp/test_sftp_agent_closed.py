"""The SSH agent connection a login opened is closed whatever ends the login: also
when the proxy in front of the server cannot be reached (it was left open then)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fixtures.scripted_steps import unused_port
from fixtures.waiting import unix_socket_listening

from client.engine.errors import ProxyFailedError
from client.engine.proxy import parse_proxy_url
from client.engine.sftp import session as sftp_session
from client.engine.sftp.session import SftpSession
from client.engine.sftp.settings import SftpSettings


@pytest.fixture
def ssh_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """OpenSSH's ssh-agent on a socket of this test (no keys in it)."""
    socket_path = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not unix_socket_listening(socket_path, agent):
        agent.kill()
        agent.wait(timeout=5)
        pytest.fail("ssh-agent did not start", pytrace=False)
    monkeypatch.setenv("SSH_AUTH_SOCK", str(socket_path))
    yield socket_path
    agent.kill()
    agent.wait(timeout=5)


@pytest.mark.asyncio
async def test_the_agent_is_closed_when_the_proxy_fails(ssh_agent, monkeypatch) -> None:
    closed: list[bool] = []
    real_agent_keys = sftp_session.agent_keys

    async def watched_agent_keys(use_agent: bool):
        keys, agent = await real_agent_keys(use_agent)
        assert agent is not None  # the agent was reached
        close = agent.close

        def closing() -> None:
            closed.append(True)
            close()

        agent.close = closing
        return keys, agent

    monkeypatch.setattr(sftp_session, "agent_keys", watched_agent_keys)
    proxy = parse_proxy_url(f"socks5://127.0.0.1:{unused_port()}")
    settings = SftpSettings(host="127.0.0.1", port=unused_port(), user="ann", use_agent=True,
                            proxy=proxy, connect_timeout=5.0)
    with pytest.raises(ProxyFailedError):
        await SftpSession(settings).connect()
    assert closed == [True]
