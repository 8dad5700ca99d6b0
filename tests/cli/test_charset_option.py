"""--charset as a user runs it: against a server sending windows-1251 names, ls in
auto shows the names escaped and hints the charset on stderr; --charset windows-1251
shows them; get fetches a file by its windows-1251 name; a wrong name is refused."""

from __future__ import annotations

import subprocess
import sys

import pytest

TIMEOUT = 60


def cli(env: dict, password: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args],
                          env={**env, "FTP_PASSWORD": password, "PYTHONIOENCODING": "utf-8"},
                          capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT)


@pytest.fixture
def cp1251_server(make_ftp_server, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "Отчёт.txt").write_bytes(b"report")
    return make_ftp_server(root=root, encoding="cp1251", mlsd=False)


def test_auto_hints_and_charset_reads_the_names(cp1251_server, child_env, tmp_path) -> None:
    url = cp1251_server.url + "/"
    auto = cli(child_env, cp1251_server.password, "ls", url)
    assert auto.returncode == 0, auto.stderr
    assert "Отчёт.txt" not in auto.stdout and "\\xce\\xf2" in auto.stdout
    assert "look like windows-1251" in auto.stderr

    chosen = cli(child_env, cp1251_server.password, "ls", "--charset", "cp1251", url)
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.rstrip().endswith(" Отчёт.txt")
    assert "look like" not in chosen.stderr

    target = tmp_path / "copy.txt"
    got = cli(child_env, cp1251_server.password, "get", "--charset", "windows-1251",
              cp1251_server.url + "/Отчёт.txt", "-o", str(target))
    assert got.returncode == 0, got.stderr
    assert target.read_bytes() == b"report"


def test_an_unknown_charset_is_a_usage_error(cp1251_server, child_env) -> None:
    bad = cli(child_env, cp1251_server.password, "ls", "--charset", "no-such", cp1251_server.url)
    assert bad.returncode != 0 and "unknown charset 'no-such'" in bad.stderr


def test_json_output_shows_undecodable_bytes_escaped(cp1251_server, child_env) -> None:
    listed = cli(child_env, cp1251_server.password, "ls", "--json", cp1251_server.url + "/")
    assert listed.returncode == 0, listed.stderr
    import json

    [entry] = json.loads(listed.stdout)
    assert entry["name"] == "\\xce\\xf2\\xf7\\xb8\\xf2.txt"


def test_a_percent_escaped_byte_in_a_url_names_that_byte(make_ftp_server, tmp_path,
                                                         child_env) -> None:
    """Copy URL writes an undecodable byte as %98; get with that URL fetches the file."""
    import os

    root = tmp_path / "root"
    root.mkdir()
    with open(os.fsencode(root) + b"/bad\x98.txt", "wb") as handle:
        handle.write(b"odd")
    server = make_ftp_server(root=root, encoding="cp1251", mlsd=False)
    target = tmp_path / "copy"
    got = cli(child_env, server.password, "get", "--charset", "windows-1251",
              server.url + "/bad%98.txt", "-o", str(target))
    assert got.returncode == 0, got.stderr
    assert target.read_bytes() == b"odd"
