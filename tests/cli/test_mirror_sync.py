"""``mirror`` with a plan: ``--dry-run`` prints one line per action and changes nothing,
``--delete`` and ``--reverse`` do what the dry run said, ``--include``/``--exclude`` and
``--compare`` choose the files. The plain ``mirror`` is unchanged (test_commands.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def cli(env: dict, *args: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args],
                          env={**env, "FTP_PASSWORD": password}, capture_output=True,
                          text=True, timeout=60)


def tree(root, files: dict[str, bytes]) -> None:
    stamp = time.time() - 600
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (stamp, stamp))


def contents(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*") if p.is_file()}


def test_dry_run_prints_the_plan_and_touches_nothing(ftp_server, child_env, tmp_path):
    site = ftp_server.root / "site"
    tree(site, {"a.txt": b"server a", "sub/b.txt": b"b", "new.log": b"log"})
    local = tmp_path / "local"
    tree(local, {"a.txt": b"old", "stale.txt": b"stale"})
    before_local, before_site = contents(local), contents(site)
    result = cli(child_env, "mirror", ftp_server.url + "/site", str(local), "--delete",
                 "--dry-run", "--exclude", "*.log", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "mkdir-local   sub/  (only on the server)",
        "download      a.txt  (sizes differ: 3 bytes here, 8 bytes on the server, 8 B)",
        "download      sub/b.txt  (only on the server, 1 B)",
        "delete-local  stale.txt  (absent on the server (the source))",
    ]
    assert "nothing was changed" in result.stderr
    assert contents(local) == before_local and contents(site) == before_site
    assert not (local / "sub").exists()


def test_delete_makes_the_local_folder_match(ftp_server, child_env, tmp_path):
    site = ftp_server.root / "site"
    tree(site, {"a.txt": b"server a", "sub/b.txt": b"b"})
    local = tmp_path / "local"
    tree(local, {"a.txt": b"old", "stale.txt": b"stale", "olddir/x.txt": b"x"})
    result = cli(child_env, "mirror", ftp_server.url + "/site", str(local), "--delete",
                 password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert contents(local) == {"a.txt": b"server a", "sub/b.txt": b"b"}
    assert not (local / "olddir").exists()
    assert "3 deleted" in result.stderr  # stale.txt, olddir/x.txt, olddir


def test_reverse_uploads_and_with_delete_removes_remote_extras(ftp_server, child_env, tmp_path):
    site = ftp_server.root / "site"
    tree(site, {"keep.txt": b"same", "extra.txt": b"extra", "d/e.txt": b"e"})
    local = tmp_path / "local"
    tree(local, {"keep.txt": b"same", "up.txt": b"upload me", "skip.tmp": b"t"})
    dry = cli(child_env, "mirror", ftp_server.url + "/site", str(local), "--reverse",
              "--delete", "--exclude", "*.tmp", "--dry-run", password=ftp_server.password)
    assert dry.returncode == 0, dry.stderr
    verbs = [line.split()[0] for line in dry.stdout.splitlines()]
    assert verbs == ["upload", "delete-remote", "delete-remote", "delete-remote"]
    assert contents(site) == {"keep.txt": b"same", "extra.txt": b"extra", "d/e.txt": b"e"}

    plain = cli(child_env, "mirror", ftp_server.url + "/site", str(local), "--reverse",
                "--exclude", "*.tmp", password=ftp_server.password)
    assert plain.returncode == 0, plain.stderr
    assert contents(site)["up.txt"] == b"upload me" and "extra.txt" in contents(site)

    result = cli(child_env, "mirror", ftp_server.url + "/site", str(local), "--reverse",
                 "--delete", "--exclude", "*.tmp", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert contents(site) == {"keep.txt": b"same", "up.txt": b"upload me"}
    assert not (site / "d").exists()
    assert contents(local)["skip.tmp"] == b"t"


def test_include_and_compare_time(ftp_server, child_env, tmp_path):
    site = ftp_server.root / "site"
    tree(site, {"a.txt": b"aaaa", "b.bin": b"bbbb"})
    local = tmp_path / "local"
    tree(local, {"a.txt": b"AAAA"})
    os.utime(local / "a.txt", (time.time() - 7200, time.time() - 7200))  # older here
    result = cli(child_env, "mirror", ftp_server.url + "/site", str(local), "--compare", "time",
                 "--include", "*.txt", "--dry-run", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "download      a.txt  (newer on the server by 110 min, 4 B)"]


def test_checksum_without_a_checksum_command_says_so(ftp_server, child_env, tmp_path):
    tree(ftp_server.root / "site", {"a.txt": b"aaaa"})
    tree(tmp_path / "local", {"a.txt": b"AAAA"})
    result = cli(child_env, "mirror", ftp_server.url + "/site", str(tmp_path / "local"),
                 "--compare", "checksum", "--dry-run", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "offers no checksum command" in result.stderr


def test_reverse_into_a_remote_folder_that_does_not_exist_makes_it(ftp_server, child_env,
                                                                   tmp_path):
    local = tmp_path / "local"
    tree(local, {"a.txt": b"a", "sub/b.txt": b"b"})
    dry = cli(child_env, "mirror", ftp_server.url + "/new/deeper", str(local), "--reverse",
              "--dry-run", password=ftp_server.password)
    assert dry.returncode == 0, dry.stderr
    assert "does not exist" in dry.stderr and "created first" in dry.stderr
    assert [line.split()[0] for line in dry.stdout.splitlines()] == [
        "mkdir-remote", "upload", "upload"]
    assert not (ftp_server.root / "new").exists()
    result = cli(child_env, "mirror", ftp_server.url + "/new/deeper", str(local), "--reverse",
                 password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert contents(ftp_server.root / "new" / "deeper") == {"a.txt": b"a", "sub/b.txt": b"b"}


def test_a_missing_remote_folder_is_an_error_when_downloading(ftp_server, child_env,
                                                              tmp_path):
    result = cli(child_env, "mirror", ftp_server.url + "/nowhere", str(tmp_path / "l"),
                 "--delete", password=ftp_server.password)
    assert result.returncode == 4, result.stderr
    assert "No such directory" in result.stderr
