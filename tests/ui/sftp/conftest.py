"""The window against Debian's OpenSSH sshd on loopback (tests/fixtures/sshd.py)."""

from __future__ import annotations

import pytest
from fixtures.sshd import sshd_server  # noqa: F401 - the fixture

from client.config.known_hosts import KnownHostsStore

from ..helpers import shown_window


@pytest.fixture
def sftp_window(qloop, qtbot, config_dir, tmp_path):
    """A window whose known hosts are this test's own (no ~/.ssh file is read)."""
    with shown_window(qtbot, tmp_path) as win:
        win.sessions.host_keys = KnownHostsStore(tmp_path / "app_known_hosts", ())
        yield win
