"""``get`` and ``put`` onto a file that exists, as a user runs them (child processes)
against pyftpdlib: refused with exit code 6 and nothing written unless an option says
what to do (--overwrite, --skip-existing, -c/--resume, --if-exists)."""

from __future__ import annotations

import subprocess
import sys

TIMEOUT = 60


def cli(env: dict, *args: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args],
                          env={**env, "FTP_PASSWORD": password}, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def _sent(result: subprocess.CompletedProcess, command: str) -> bool:
    """Whether -v shows ``command`` sent (``>`` lines) before any STOR, not just named
    in FEAT (the upload checks the size it left afterwards)."""
    for line in result.stderr.splitlines():
        words = line.split()[2:3] if line.startswith(">") else []
        if words == [command]:
            return True
        if words == ["STOR"]:
            return False
    return False


def test_get_onto_an_existing_file_is_refused_with_exit_6(ftp_server, child_env,
                                                          tmp_path) -> None:
    mine = tmp_path / "notes.md"
    mine.write_bytes(b"my own notes, not the server's\n")
    result = cli(child_env, "get", ftp_server.url + "/docs/notes.md", "-o", str(tmp_path),
                 "-v", password=ftp_server.password)
    assert result.returncode == 6, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith(("<", ">"))]
    assert mine.read_bytes() == b"my own notes, not the server's\n"
    assert not (tmp_path / "notes.md.part").exists()
    assert "already exists" in result.stderr and "--overwrite" in result.stderr
    assert "--skip-existing" in result.stderr and "--resume" in result.stderr
    # the default name in the current folder is protected the same way
    in_cwd = subprocess.run([sys.executable, "-m", "client", "get",
                             ftp_server.url + "/docs/notes.md"], cwd=tmp_path,
                            env={**child_env, "FTP_PASSWORD": ftp_server.password},
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert in_cwd.returncode == 6, in_cwd.stderr
    assert mine.read_bytes() == b"my own notes, not the server's\n"


def test_get_overwrite_skip_and_rename(ftp_server, child_env, tmp_path) -> None:
    remote = (ftp_server.root / "docs" / "notes.md").read_bytes()
    mine = tmp_path / "notes.md"
    mine.write_bytes(b"old\n")
    skipped = cli(child_env, "get", ftp_server.url + "/docs/notes.md", "-o", str(mine),
                  "--skip-existing", password=ftp_server.password)
    assert skipped.returncode == 0, skipped.stderr
    assert "skipped" in skipped.stderr and mine.read_bytes() == b"old\n"

    renamed = cli(child_env, "get", ftp_server.url + "/docs/notes.md", "-o", str(mine),
                  "--if-exists", "rename", password=ftp_server.password)
    assert renamed.returncode == 0, renamed.stderr
    assert mine.read_bytes() == b"old\n"
    assert (tmp_path / "notes (1).md").read_bytes() == remote

    replaced = cli(child_env, "get", ftp_server.url + "/docs/notes.md", "-o", str(mine),
                   "--overwrite", password=ftp_server.password)
    assert replaced.returncode == 0, replaced.stderr
    assert mine.read_bytes() == remote
    assert not (tmp_path / "notes.md.part").exists()


def test_get_resume_continues_an_existing_file_and_keeps_a_larger_one(
        ftp_server, child_env, tmp_path) -> None:
    full = (ftp_server.root / "random-1MiB.bin").read_bytes()
    mine = tmp_path / "big.bin"
    mine.write_bytes(full[:5000])
    resumed = cli(child_env, "get", ftp_server.url + "/random-1MiB.bin", "-o", str(mine),
                  "-c", password=ftp_server.password)
    assert resumed.returncode == 0, resumed.stderr
    assert mine.read_bytes() == full
    assert "resumed from byte 5000" in resumed.stderr
    # complete already: left alone
    again = cli(child_env, "get", ftp_server.url + "/random-1MiB.bin", "-o", str(mine),
                "--continue", password=ftp_server.password)
    assert again.returncode == 0, again.stderr
    assert "skipped" in again.stderr and "complete" in again.stderr
    # larger than the remote file: not a partial copy, never overwritten by a "continue"
    mine.write_bytes(full + b"more of my own")
    larger = cli(child_env, "get", ftp_server.url + "/random-1MiB.bin", "-o", str(mine),
                 "--resume", password=ftp_server.password)
    assert larger.returncode == 6, larger.stderr
    assert "larger" in larger.stderr
    assert mine.read_bytes() == full + b"more of my own"
    assert not (tmp_path / "big.bin.part").exists()


def test_get_through_a_link_is_refused(ftp_server, child_env, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"keep")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.md").symlink_to(elsewhere)
    result = cli(child_env, "get", ftp_server.url + "/docs/notes.md", "-o",
                 str(tmp_path / "out"), "--overwrite", password=ftp_server.password)
    assert result.returncode == 1, result.stderr
    assert "symbolic link" in result.stderr
    assert elsewhere.read_bytes() == b"keep"


def test_put_onto_an_existing_remote_file(ftp_server, child_env, tmp_path) -> None:
    ftp_server.write_file("upload/theirs.txt", b"the server's copy\n")
    local = tmp_path / "theirs.txt"
    local.write_bytes(b"my upload, longer than theirs\n")
    url = ftp_server.url + "/upload/theirs.txt"
    refused = cli(child_env, "put", str(local), url, "-v", password=ftp_server.password)
    assert refused.returncode == 6, refused.stderr
    assert "already exists (18 bytes)" in refused.stderr
    assert "STOR" not in refused.stderr and _sent(refused, "SIZE")
    target = ftp_server.root / "upload" / "theirs.txt"
    assert target.read_bytes() == b"the server's copy\n"

    skipped = cli(child_env, "put", str(local), url, "--skip-existing",
                  password=ftp_server.password)
    assert skipped.returncode == 0 and target.read_bytes() == b"the server's copy\n"

    renamed = cli(child_env, "put", str(local), url, "--if-exists", "rename",
                  password=ftp_server.password)
    assert renamed.returncode == 0, renamed.stderr
    assert (ftp_server.root / "upload" / "theirs (1).txt").read_bytes() == local.read_bytes()
    assert target.read_bytes() == b"the server's copy\n"

    replaced = cli(child_env, "put", str(local), url, "--overwrite", "-v",
                   password=ftp_server.password)
    assert replaced.returncode == 0, replaced.stderr
    assert not _sent(replaced, "SIZE")  # nothing to find out: no round trip
    assert target.read_bytes() == local.read_bytes()

    # "continue" onto a remote file larger than the local one: it is no partial upload
    # of it, and starting over would replace it
    shorter = tmp_path / "short.txt"
    shorter.write_bytes(b"short")
    larger = cli(child_env, "put", str(shorter), url, "-c", password=ftp_server.password)
    assert larger.returncode == 6, larger.stderr
    assert "larger" in larger.stderr and target.read_bytes() == local.read_bytes()

    # a new name costs one SIZE, then STOR
    fresh = cli(child_env, "put", str(local), ftp_server.url + "/upload/new.txt",
                password=ftp_server.password)
    assert fresh.returncode == 0, fresh.stderr
    assert (ftp_server.root / "upload" / "new.txt").read_bytes() == local.read_bytes()


def test_options_exclude_each_other(ftp_server, child_env, tmp_path) -> None:
    result = cli(child_env, "get", ftp_server.url + "/docs/notes.md", "--overwrite",
                 "--skip-existing", password=ftp_server.password)
    assert result.returncode == 1
    assert "not allowed with" in result.stderr


def test_get_dash_o_dash_writes_the_file_to_stdout(ftp_server, child_env, tmp_path) -> None:
    """``-o -`` as in curl and wget: the bytes on stdout, no file named '-'."""
    here = tmp_path / "here"
    here.mkdir()
    done = subprocess.run([sys.executable, "-m", "client", "get",
                           ftp_server.url + "/random-1MiB.bin", "-o", "-"], cwd=here,
                          env={**child_env, "FTP_PASSWORD": ftp_server.password},
                          capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ftp_server.root / "random-1MiB.bin").read_bytes()
    assert list(here.iterdir()) == []  # no file named '-', no .part left
    assert b"to standard output" in done.stderr
    refused = subprocess.run([sys.executable, "-m", "client", "get",
                              ftp_server.url + "/random-1MiB.bin", "-o", "-", "-c"],
                             cwd=here, env={**child_env, "FTP_PASSWORD": "x"},
                             capture_output=True, timeout=TIMEOUT)
    assert refused.returncode == 1 and refused.stdout == b""


def test_resume_with_both_dest_and_its_part_continues_the_part(ftp_server, child_env,
                                                               tmp_path) -> None:
    """An earlier attempt's DEST.part is what -c continues; DEST is not copied over it
    (that would splice the old file and the new one)."""
    full = (ftp_server.root / "random-1MiB.bin").read_bytes()
    mine = tmp_path / "big.bin"
    mine.write_bytes(b"an older version")
    (tmp_path / "big.bin.part").write_bytes(full[:7000])
    result = cli(child_env, "get", ftp_server.url + "/random-1MiB.bin", "-o", str(mine),
                 "-c", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert "resumed from byte 7000" in result.stderr
    assert mine.read_bytes() == full
