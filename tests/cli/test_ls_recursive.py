"""``ls -R`` and ``--depth``: every folder under its path (depth first, as ls -R prints),
JSON entries with their path, a sub-folder that cannot be listed reported while the
rest still arrives, and names that are not one component never descended into."""

from __future__ import annotations

import json
import subprocess
import sys

from fixtures.scripted_faults import unix_listing
from fixtures.scripted_steps import transfer

TIMEOUT = 60


def cli(env: dict, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    return subprocess.run([sys.executable, "-m", "client", *args], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)


def test_ls_r_lists_every_folder_depth_first(ftp_server, child_env) -> None:
    result = cli(child_env, "ls", "-R", ftp_server.url + "/", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.endswith(":")]
    assert headers == ["/:", "/docs:", "/docs/nested:", "/upload:"]
    assert any(line.endswith(" deep.txt") for line in result.stdout.splitlines())


def test_depth_limits_the_walk_and_json_carries_paths(ftp_server, child_env) -> None:
    shallow = cli(child_env, "ls", "-R", "--depth", "1", ftp_server.url + "/docs",
                  password=ftp_server.password)
    assert shallow.returncode == 0, shallow.stderr
    headers = [line for line in shallow.stdout.splitlines() if line.endswith(":")]
    assert headers == ["docs:", "docs/nested:"]
    top = cli(child_env, "ls", "--depth", "0", ftp_server.url + "/",
              password=ftp_server.password)
    assert [line for line in top.stdout.splitlines() if line.endswith(":")] == ["/:"]
    as_json = cli(child_env, "ls", "-R", "--json", "--ladder", ftp_server.url + "/docs",
                  password=ftp_server.password)
    assert as_json.returncode == 0, as_json.stderr
    paths = {entry["path"]: entry["type"] for entry in json.loads(as_json.stdout)}
    assert paths == {"docs/notes.md": "file", "docs/nested": "dir",
                     "docs/nested/deep.txt": "file"}
    assert "MLSD docs/nested" in as_json.stderr  # the ladder, on stderr with --json
    negative = cli(child_env, "ls", "-R", "--depth", "-1", ftp_server.url + "/",
                   password=ftp_server.password)
    assert negative.returncode == 1


def test_a_sub_folder_that_cannot_be_listed_and_hostile_folder_names(scripted_server,
                                                                     child_env) -> None:
    top = unix_listing([("d", b"..", 0), ("d", b"../../etc", 0), ("d", b"a/b", 0),
                        ("d", b"locked", 0), ("d", b"open", 0), ("-", b"f.txt", 3)])
    inner = unix_listing([("-", b"inside.txt", 7)])

    def listing(session, argument):
        if argument.endswith("locked"):
            session.send(b"550 Permission denied.\r\n")
        else:
            transfer(payload=inner if argument.endswith("open") else top).run(session,
                                                                             argument)

    server = scripted_server({"LIST": listing})
    result = cli(child_env, "ls", "-R", "--timeout", "5",
                 f"ftp://alice@127.0.0.1:{server.port}//top", password=server.password)
    assert result.returncode == 4, result.stderr
    assert "/top/open:" in result.stdout and "inside.txt" in result.stdout
    assert "cannot list /top/locked" in result.stderr
    assert "not descending into '../../etc'" in result.stderr
    assert "not descending into 'a/b'" in result.stderr
    listed = [line for line in server.lines() if line.startswith("LIST")]
    assert sorted(listed) == ["LIST /top", "LIST /top/locked", "LIST /top/open"]
