"""The sshd fixture itself: loopback only, its own host key, a chrooted SFTP-only user
who can log on with the key and the password, and no process left behind."""

from __future__ import annotations

import subprocess

import pytest
from fixtures.sshd import start_sshd
from fixtures.system_account import AccountUnavailable


def _batch(server, known_hosts, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sftp", "-q", "-b", "-", "-o", f"UserKnownHostsFile={known_hosts}",
         "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", *options,
         "-P", str(server.port), f"{server.user}@{server.host}"],
        input="pwd\nls /\n", capture_output=True, text=True, timeout=30)


def test_sshd_fixture(tmp_path) -> None:
    try:
        server = start_sshd(tmp_path / "sshd")
    except AccountUnavailable as exc:
        pytest.skip(str(exc))
    try:
        assert server.host == "127.0.0.1"
        assert "Server listening on 127.0.0.1 port" in server.log_text()
        known = tmp_path / "known_hosts"
        known.write_text(f"[{server.host}]:{server.port} {server.host_key_pub}\n")
        result = _batch(server, known, "-i", str(server.key_file))
        assert result.returncode == 0, result.stderr
        assert "Remote working directory: /files" in result.stdout
        assert "/files" in result.stdout and "/etc" not in result.stdout  # chrooted
        # a host key other than the fixture's own is refused by OpenSSH's client too
        known.write_text(f"[{server.host}]:{server.port} "
                         f"{(tmp_path / 'sshd' / 'id_ed25519.pub').read_text()}")
        assert _batch(server, known, "-i", str(server.key_file)).returncode != 0
    finally:
        server.stop()
    assert server.process.poll() is not None
    assert not server.chroot.exists()
