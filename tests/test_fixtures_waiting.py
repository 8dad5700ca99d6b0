"""The waiting helpers of tests/fixtures/waiting.py."""

from __future__ import annotations

import socket
from pathlib import Path

from fixtures.waiting import unix_socket_listening


def test_a_unix_socket_is_ready_when_it_listens_not_when_its_file_appears(tmp_path: Path) -> None:
    path = tmp_path / "daemon.sock"
    with socket.socket(socket.AF_UNIX) as daemon:
        daemon.bind(str(path))  # a daemon between its bind() and its listen()
        assert path.exists()
        assert not unix_socket_listening(path, limit=0.2)
        daemon.listen()
        assert unix_socket_listening(path, limit=15)


def test_no_socket_file_is_not_ready(tmp_path: Path) -> None:
    assert not unix_socket_listening(tmp_path / "missing.sock", limit=0.1)
