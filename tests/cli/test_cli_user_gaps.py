"""Small things a user of the command line runs into, against real servers: ``ls`` of a
file's path shows that file (as ``ls -l FILE`` does), on a server with MLST (pyftpdlib)
and one without (vsftpd); ``put`` of a folder points to ``mirror --reverse``."""

from __future__ import annotations

import json
import subprocess
import sys

TIMEOUT = 60


def cli(env: dict, *args: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args],
                          env={**env, "FTP_PASSWORD": password}, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def test_ls_of_a_file_shows_the_file(ftp_server, child_env) -> None:
    result = cli(child_env, "ls", ftp_server.url + "/docs/notes.md", "--json", "-q",
                 password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)
    assert entry["name"].endswith("notes.md") and entry["type"] == "file"
    assert entry["size"] == (ftp_server.root / "docs" / "notes.md").stat().st_size
    missing = cli(child_env, "ls", ftp_server.url + "/docs/none.md", "-q",
                  password=ftp_server.password)
    assert missing.returncode == 4 and missing.stdout == ""


def test_ls_of_a_file_on_a_server_without_mlst(vsftpd_server, child_env) -> None:
    vsftpd_server.write_file("report.txt", b"twelve bytes")
    result = cli(child_env, "ls", vsftpd_server.url + "/report.txt", "-q",
                 password=vsftpd_server.password)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith("-") and line.endswith(" report.txt") and " 12 " in line


def test_put_of_a_folder_names_mirror_reverse(ftp_server, child_env, tmp_path) -> None:
    (tmp_path / "site").mkdir()
    result = cli(child_env, "put", str(tmp_path / "site"), ftp_server.url + "/upload/",
                 password=ftp_server.password)
    assert result.returncode == 1
    assert "is a folder" in result.stderr and "mirror --reverse" in result.stderr


def test_get_of_a_folder_names_mirror(ftp_server, child_env, tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "client", "get", ftp_server.url + "/docs"],
                            cwd=tmp_path, env={**child_env, "FTP_PASSWORD": ftp_server.password},
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 1, result.stderr
    assert "is a folder" in result.stderr and "ftp-inspector mirror" in result.stderr
    assert ftp_server.password not in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("docs")] == []


def test_get_of_a_folder_on_vsftpd(vsftpd_server, child_env, tmp_path) -> None:
    vsftpd_server.write_file("tree/inner.txt", b"x")
    result = subprocess.run([sys.executable, "-m", "client", "get",
                             vsftpd_server.url + "/tree"], cwd=tmp_path,
                            env={**child_env, "FTP_PASSWORD": vsftpd_server.password},
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 1, result.stderr
    assert "is a folder" in result.stderr
