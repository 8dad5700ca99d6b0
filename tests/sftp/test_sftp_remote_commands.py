"""rm, mkdir, rmdir, mv, chmod, cat ls -R, get of a pattern and put of several files with sftp:// URLs against OpenSSH's sshd:
the same commands, messages and exit codes as over FTP (the code is shared through the
RemoteFileSystem interface)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 60


@pytest.fixture
def env(child_env, tmp_path, sshd_server) -> dict:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "known_hosts").write_text(
        f"[{sshd_server.host}]:{sshd_server.port} {sshd_server.host_key_pub}\n")
    child_env["HOME"] = str(home)
    child_env.pop("SSH_AUTH_SOCK", None)
    return child_env


def cli(env: dict, server, *args: str, text: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args, "-i",
                           str(server.key_file)], env=env, capture_output=True, text=text,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


@pytest.fixture
def tree(sshd_server) -> Path:
    root = sshd_server.root / f"work-{secrets.token_hex(4)}"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha\n")
    (root / "sub" / "b.bin").write_bytes(os.urandom(50_000))
    (root / "sub" / "deeper" / "c.txt").write_bytes(b"c")
    os.symlink("/etc", root / "sub" / "link-out")
    sshd_server.own()
    return root


def test_mkdir_mv_chmod_cat_rm_over_sftp(sshd_server, env, tree) -> None:
    url = sshd_server.url
    assert cli(env, sshd_server, "mkdir", "-p", url(f"{tree.name}/new/x")).returncode == 0
    assert (tree / "new" / "x").is_dir()
    exists = cli(env, sshd_server, "mkdir", url(f"{tree.name}/new"))
    assert exists.returncode == 6, exists.stderr
    moved = cli(env, sshd_server, "mv", url(f"{tree.name}/a.txt"), "new/")
    assert moved.returncode == 0, moved.stderr
    assert (tree / "new" / "a.txt").read_bytes() == b"alpha\n"
    mode = cli(env, sshd_server, "chmod", "640", url(f"{tree.name}/new/a.txt"))
    assert mode.returncode == 0, mode.stderr
    assert (tree / "new" / "a.txt").stat().st_mode & 0o777 == 0o640
    cat = cli(env, sshd_server, "cat", url(f"{tree.name}/sub/b.bin"), text=False)
    assert cat.returncode == 0, cat.stderr
    assert cat.stdout == (tree / "sub" / "b.bin").read_bytes()
    missing = cli(env, sshd_server, "cat", url(f"{tree.name}/none.txt"))
    assert missing.returncode == 4 and missing.stdout == ""
    assert "none.txt" in missing.stderr
    removed = cli(env, sshd_server, "rm", url(f"{tree.name}/new/a.txt"))
    assert removed.returncode == 0 and not (tree / "new" / "a.txt").exists()
    gone = cli(env, sshd_server, "rm", url(f"{tree.name}/new/a.txt"))
    assert gone.returncode == 4 and "does not exist" in gone.stderr
    assert cli(env, sshd_server, "rmdir", url(f"{tree.name}/new/x")).returncode == 0
    full = cli(env, sshd_server, "rmdir", url(f"{tree.name}/sub"))
    assert full.returncode == 4 and (tree / "sub").is_dir()


def test_rm_r_and_ls_r_do_not_follow_links_over_sftp(sshd_server, env, tree) -> None:
    url = sshd_server.url
    listing = cli(env, sshd_server, "ls", "-R", url(tree.name))
    assert listing.returncode == 0, listing.stderr
    headers = [line for line in listing.stdout.splitlines() if line.endswith(":")]
    assert headers == [f"{tree.name}:", f"{tree.name}/sub:", f"{tree.name}/sub/deeper:"]
    removed = cli(env, sshd_server, "rm", "-r", url(f"{tree.name}/sub"))
    assert removed.returncode == 0, removed.stderr
    assert not (tree / "sub").exists() and os.path.isdir("/etc")
    assert (tree / "a.txt").exists()


def test_get_pattern_and_put_several_over_sftp(sshd_server, env, tree, tmp_path) -> None:
    for name in ("a.log", "b.log", "c.txt"):
        (tree / name).write_bytes(name.encode())
    sshd_server.own()
    dest = tmp_path / "dest"
    dest.mkdir()
    got = cli(env, sshd_server, "get", sshd_server.url(f"{tree.name}/*.log"), "-o", str(dest))
    assert got.returncode == 0, got.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["a.log", "b.log"]
    put = cli(env, sshd_server, "put", str(dest / "a.log"), str(dest / "b.log"),
              sshd_server.url(f"{tree.name}/up/"))
    assert put.returncode == 4, put.stderr  # no such folder: each upload refused
    assert cli(env, sshd_server, "mkdir", sshd_server.url(f"{tree.name}/up")).returncode == 0
    put = cli(env, sshd_server, "put", str(dest / "a.log"), str(dest / "b.log"),
              sshd_server.url(f"{tree.name}/up/"))
    assert put.returncode == 0, put.stderr
    assert (tree / "up" / "b.log").read_bytes() == b"b.log"
    assert (tree / "up" / "a.log").read_bytes() == b"a.log"


def test_permission_denied_over_sftp(sshd_server, env, tree) -> None:
    locked = tree / "locked"
    locked.mkdir()
    (locked / "keep.txt").write_bytes(b"keep")  # root's: the account cannot change it
    os.chmod(locked, 0o755)
    refused = cli(env, sshd_server, "rm", sshd_server.url(f"{tree.name}/locked/keep.txt"))
    assert refused.returncode == 4, refused.stderr
    assert "SSH_FX_PERMISSION_DENIED" in refused.stderr
    assert (locked / "keep.txt").exists()
    mode = cli(env, sshd_server, "chmod", "777", sshd_server.url(f"{tree.name}/locked"))
    assert mode.returncode == 4 and "PERMISSION_DENIED" in mode.stderr


def test_cat_streams_without_a_temporary_file_and_stops_with_its_reader(sshd_server, env,
                                                                        tree, tmp_path) -> None:
    """While its reader holds back (a full pipe), cat has written nothing to disk, and it
    ends quietly (0) when the reader goes away."""
    data = os.urandom(8 * 1024 * 1024)
    (tree / "big.bin").write_bytes(data)
    sshd_server.own()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**env, "TMPDIR": str(scratch)}
    reader, writer = os.pipe()
    with subprocess.Popen([sys.executable, "-m", "client", "cat", "-i",
                           str(sshd_server.key_file), sshd_server.url(f"{tree.name}/big.bin")],
                          env=env, stdout=writer, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL) as child:
        os.close(writer)
        assert os.read(reader, 10) == data[:10]
        assert not list(scratch.iterdir())  # the bytes went to the pipe, not to a file
        os.close(reader)
        _, stderr = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 0, stderr
    assert b"Traceback" not in stderr
