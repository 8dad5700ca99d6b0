"""The window against Debian's OpenSSH sshd on loopback (tests/fixtures/sshd.py), and
against the scripted SSH server (tests/fixtures/sftp_scripted.py) on the window's loop."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from fixtures.sftp_scripted import ScriptedSftp, scripted_sftp_server
from fixtures.sshd import sshd_server  # noqa: F401 - the fixture

from client.config.known_hosts import KnownHostsStore

from ..helpers import shown_window


@pytest.fixture
def sftp_window(qloop, qtbot, config_dir, tmp_path):
    """A window whose known hosts are this test's own (no ~/.ssh file is read)."""
    with shown_window(qtbot, tmp_path) as win:
        win.sessions.host_keys = KnownHostsStore(tmp_path / "app_known_hosts", ())
        yield win


@pytest.fixture
def serve_scripted_sftp(qloop, qtbot) -> Iterator[Callable[[ScriptedSftp], ScriptedSftp]]:
    """``serve(state)`` serves a scripted SSH server on the window's own loop (its port
    is then ``state.port``); every server served is stopped after the test."""
    stack = contextlib.AsyncExitStack()

    def serve(state: ScriptedSftp) -> ScriptedSftp:
        started = qloop.create_task(stack.enter_async_context(scripted_sftp_server(state)))
        qtbot.waitUntil(started.done, timeout=10_000)
        started.result()
        return state

    yield serve
    closed = qloop.create_task(stack.aclose())
    qtbot.waitUntil(closed.done, timeout=10_000)
