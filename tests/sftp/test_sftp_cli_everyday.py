"""The command line over SFTP against sshd, where a careful user notices: ``ls --ladder``
draws the one SSH connection with its requests and says why there is no data
connection; ``get``/``put`` never replace an existing file unasked; the session log is
written with no password in it; a refused request is reported in SFTP's words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 60


@pytest.fixture
def env(child_env, tmp_path, sshd_server) -> dict:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    child_env["HOME"] = str(home)
    child_env.pop("SSH_AUTH_SOCK", None)
    Path(home, ".ssh", "known_hosts").write_text(
        f"[{sshd_server.host}]:{sshd_server.port} {sshd_server.host_key_pub}\n")
    return child_env


def cli(env: dict, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    extra = {"FTP_PASSWORD": password} if password else {}
    return subprocess.run([sys.executable, "-m", "client", *args], env={**env, **extra},
                          capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)


def test_ls_ladder_draws_the_ssh_connection_and_its_requests(sshd_server, env) -> None:
    folder = sshd_server.root / "ladder"
    folder.mkdir(exist_ok=True)
    (folder / "one.txt").write_text("1\n")
    sshd_server.own()
    result = cli(env, "ls", sshd_server.url("ladder"), "--ladder", "-i",
                 str(sshd_server.key_file))
    assert result.returncode == 0, result.stderr
    diagram = result.stdout.split("FTP Inspector ladder", 1)[1]
    assert f"Server {sshd_server.host}:{sshd_server.port}" in diagram
    assert "|-- SSH-2.0-" in diagram and "|<-- SSH-2.0-OpenSSH" in diagram
    assert "USERAUTH publickey" in diagram and "<-- SUCCESS" in diagram
    assert "|-- OPENDIR ladder" in diagram and "READDIR ladder" in diagram
    assert "SFTP: 1 SSH connection carried 4 SFTP requests." in diagram  # INIT … CLOSE
    assert "no passive/active mode and no data port" in diagram
    assert "==>> data connection" not in diagram  # the FTP legend would say nothing here

    one_file = cli(env, "ls", sshd_server.url("ladder/one.txt"), "-i",
                   str(sshd_server.key_file))
    assert one_file.returncode == 0, one_file.stderr  # as ls -l FILE: that file
    assert one_file.stdout.splitlines()[0].endswith("one.txt")

    missing = cli(env, "ls", sshd_server.url("no-such-folder"), "--ladder", "--json", "-i",
                  str(sshd_server.key_file))
    assert missing.returncode == 4
    assert missing.stdout == ""  # --json: the diagram goes to stderr
    assert "<-- STATUS 2 SSH_FX_NO_SUCH_FILE" in missing.stderr
    assert " refused)" in missing.stderr  # OPENDIR, and the stat that looked for a file
    # the refusal in SFTP's words, not as the FTP reply the queue treats it like
    error = [line for line in missing.stderr.splitlines()
             if line.startswith("ftp-inspector ls:")]
    assert error and "SSH_FX_NO_SUCH_FILE" in error[0]
    assert "-> 550" not in missing.stderr


def test_get_and_put_keep_existing_files_over_sftp(sshd_server, env, tmp_path) -> None:
    (sshd_server.root / "keep").mkdir(exist_ok=True)
    (sshd_server.root / "keep" / "theirs.txt").write_text("the server's\n")
    sshd_server.own()
    key = ("-i", str(sshd_server.key_file))
    mine = tmp_path / "theirs.txt"
    mine.write_text("mine\n")
    refused = cli(env, "get", sshd_server.url("keep/theirs.txt"), "-o", str(tmp_path), *key)
    assert refused.returncode == 6, refused.stderr
    assert mine.read_text() == "mine\n" and "--overwrite" in refused.stderr
    replaced = cli(env, "get", sshd_server.url("keep/theirs.txt"), "-o", str(tmp_path),
                   "--overwrite", *key)
    assert replaced.returncode == 0, replaced.stderr
    assert mine.read_text() == "the server's\n"

    upload = tmp_path / "up" / "theirs.txt"
    upload.parent.mkdir()
    upload.write_text("my upload\n")
    refused = cli(env, "put", str(upload), sshd_server.url("keep/"), *key)
    assert refused.returncode == 6, refused.stderr
    assert (sshd_server.root / "keep" / "theirs.txt").read_text() == "the server's\n"
    into_folder = cli(env, "put", str(upload), sshd_server.url("keep"), *key)
    assert into_folder.returncode == 1 and "end the URL with '/'" in into_folder.stderr
    kept = cli(env, "put", str(upload), sshd_server.url("keep/"), "--skip-existing", *key)
    assert kept.returncode == 0 and "skipped" in kept.stderr
    replaced = cli(env, "put", str(upload), sshd_server.url("keep/"), "--overwrite", *key)
    assert replaced.returncode == 0, replaced.stderr
    assert (sshd_server.root / "keep" / "theirs.txt").read_text() == "my upload\n"


def test_session_log_over_sftp_has_no_password(sshd_server, env) -> None:
    result = cli(env, "ls", sshd_server.url(), password=sshd_server.password)
    assert result.returncode == 0, result.stderr
    logs = list((Path(env["FTP_INSPECTOR_CONFIG_DIR"]) / "data" / "logs").glob("*.log"))
    assert len(logs) == 1
    text = logs[0].read_text()
    assert "SSH-2.0-OpenSSH" in text and "OPENDIR" in text and "password" in text
    assert sshd_server.password not in text
