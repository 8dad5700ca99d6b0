"""rm, mkdir, rmdir, mv, chmod and cat as a user runs them: child processes against
pyftpdlib (and vsftpd, which logs in as an unprivileged account, for a refusal that is
a real permission problem), with the exit codes of the CLI reference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fixtures.sample_tree import HELLO_TEXT, big_file_bytes

TIMEOUT = 60


def cli(env: dict, *args: str, password: str | None = None,
        text: bool = True) -> subprocess.CompletedProcess:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    return subprocess.run([sys.executable, "-m", "client", *args], env=env,
                          capture_output=True, text=text, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)


def test_rm_deletes_files_and_refuses_a_folder_without_r(ftp_server, child_env) -> None:
    root = ftp_server.root
    (root / "b.txt").write_bytes(b"b")
    done = cli(child_env, "rm", ftp_server.url + "/hello.txt", ftp_server.url + "/b.txt",
               password=ftp_server.password)
    assert done.returncode == 0, done.stderr
    assert not (root / "hello.txt").exists() and not (root / "b.txt").exists()

    folder = cli(child_env, "rm", ftp_server.url + "/docs", password=ftp_server.password)
    assert folder.returncode == 1, folder.stderr
    assert "docs is a folder" in folder.stderr and "rm -r" in folder.stderr
    assert (root / "docs" / "notes.md").exists()


def test_rm_of_a_missing_file_exits_4_and_names_it_unless_forced(ftp_server,
                                                                 child_env) -> None:
    missing = cli(child_env, "rm", ftp_server.url + "/no-such.txt",
                  ftp_server.url + "/empty.txt", password=ftp_server.password)
    assert missing.returncode == 4, missing.stderr
    assert "no-such.txt does not exist on the server" in missing.stderr
    assert not (ftp_server.root / "empty.txt").exists()  # the next URL still went
    forced = cli(child_env, "rm", "-f", ftp_server.url + "/no-such.txt",
                 password=ftp_server.password)
    assert forced.returncode == 0, forced.stderr


def test_rm_r_deletes_a_tree_and_refuses_the_login_folder(ftp_server, child_env) -> None:
    root = ftp_server.root
    done = cli(child_env, "rm", "-r", ftp_server.url + "/docs", password=ftp_server.password)
    assert done.returncode == 0, done.stderr
    assert not (root / "docs").exists()
    assert "2 files and 2 folders" in done.stderr
    whole = cli(child_env, "rm", "-r", ftp_server.url + "/", password=ftp_server.password)
    assert whole.returncode == 1 and "needs a path" in whole.stderr
    assert (root / "hello.txt").exists()


def test_rm_of_another_server_is_a_usage_error(ftp_server, child_env) -> None:
    other = cli(child_env, "rm", ftp_server.url + "/hello.txt",
                "ftp://alice@127.0.0.1:1/empty.txt", password=ftp_server.password)
    assert other.returncode == 1, other.stderr
    assert "another server" in other.stderr
    assert (ftp_server.root / "hello.txt").exists()


def test_mkdir_rmdir_and_mkdir_p(ftp_server, child_env) -> None:
    root = ftp_server.root
    url = ftp_server.url
    assert cli(child_env, "mkdir", url + "/new", password=ftp_server.password).returncode == 0
    assert (root / "new").is_dir()
    again = cli(child_env, "mkdir", url + "/new", password=ftp_server.password)
    assert again.returncode == 6 and "already exists" in again.stderr
    deep = cli(child_env, "mkdir", "-p", url + "/new/a/b", password=ftp_server.password)
    assert deep.returncode == 0, deep.stderr
    assert (root / "new" / "a" / "b").is_dir()
    assert cli(child_env, "mkdir", "-p", url + "/new/a", password=ftp_server.password
               ).returncode == 0
    onto_file = cli(child_env, "mkdir", "-p", url + "/hello.txt/x",
                    password=ftp_server.password)
    # exists as a file: the same exit code as a plain mkdir onto an existing name
    assert onto_file.returncode == 6 and "not a folder" in onto_file.stderr, onto_file.stderr

    full = cli(child_env, "rmdir", url + "/new", password=ftp_server.password)
    assert full.returncode == 4, full.stderr
    assert "rm -r" in full.stderr and (root / "new").is_dir()
    assert cli(child_env, "rmdir", url + "/new/a/b", password=ftp_server.password
               ).returncode == 0
    assert not (root / "new" / "a" / "b").exists()
    file = cli(child_env, "rmdir", url + "/hello.txt", password=ftp_server.password)
    assert file.returncode == 1 and "not a folder" in file.stderr
    gone = cli(child_env, "rmdir", url + "/nothing", password=ftp_server.password)
    assert gone.returncode == 4 and "does not exist" in gone.stderr


def test_mv_renames_refuses_an_existing_target_and_moves_into_a_folder(
        ftp_server, child_env) -> None:
    root = ftp_server.root
    url = ftp_server.url
    done = cli(child_env, "mv", url + "/hello.txt", "greeting.txt",
               password=ftp_server.password)
    assert done.returncode == 0, done.stderr
    assert (root / "greeting.txt").read_bytes() == HELLO_TEXT
    taken = cli(child_env, "mv", url + "/greeting.txt", "empty.txt",
                password=ftp_server.password)
    assert taken.returncode == 6, taken.stderr
    assert (root / "greeting.txt").exists() and (root / "empty.txt").read_bytes() == b""
    forced = cli(child_env, "mv", "--overwrite", url + "/greeting.txt", "empty.txt",
                 password=ftp_server.password)
    assert forced.returncode == 0, forced.stderr
    assert (root / "empty.txt").read_bytes() == HELLO_TEXT
    into = cli(child_env, "mv", url + "/empty.txt", url + "/docs/",
               password=ftp_server.password)
    assert into.returncode == 0, into.stderr
    assert (root / "docs" / "empty.txt").read_bytes() == HELLO_TEXT
    elsewhere = cli(child_env, "mv", url + "/docs/empty.txt", "ftp://alice@127.0.0.1:1/x",
                    password=ftp_server.password)
    assert elsewhere.returncode == 1 and "another server" in elsewhere.stderr
    missing = cli(child_env, "mv", url + "/nothing.txt", "x.txt",
                  password=ftp_server.password)
    assert missing.returncode == 4 and "nothing.txt does not exist" in missing.stderr


def test_chmod_changes_the_mode_and_refuses_a_bad_one(ftp_server, child_env) -> None:
    target = ftp_server.root / "hello.txt"
    done = cli(child_env, "chmod", "0600", ftp_server.url + "/hello.txt",
               password=ftp_server.password)
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    bad = cli(child_env, "chmod", "rwx", ftp_server.url + "/hello.txt",
              password=ftp_server.password)
    assert bad.returncode == 1 and "octal" in bad.stderr
    missing = cli(child_env, "chmod", "644", ftp_server.url + "/nope",
                  password=ftp_server.password)
    assert missing.returncode == 4 and "does not exist" in missing.stderr


def test_chmod_where_the_server_has_no_site_chmod(scripted_server, child_env) -> None:
    server = scripted_server({"SITE": "502 SITE command not implemented."})
    result = cli(child_env, "chmod", "644", f"ftp://alice@127.0.0.1:{server.port}/a.txt",
                 "--timeout", "5", password=server.password)
    assert result.returncode == 4, result.stderr
    assert "the server has no SITE CHMOD" in result.stderr
    assert "SITE CHMOD 644 a.txt" in server.lines()


def test_cat_writes_the_bytes_and_stops_quietly_on_a_closed_pipe(ftp_server,
                                                                 child_env) -> None:
    whole = cli(child_env, "cat", ftp_server.url + "/random-1MiB.bin",
                password=ftp_server.password, text=False)
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout == big_file_bytes()
    env = {**child_env, "FTP_PASSWORD": ftp_server.password}
    reader, writer = os.pipe()
    with subprocess.Popen([sys.executable, "-m", "client", "cat",
                           ftp_server.url + "/random-1MiB.bin"], env=env, stdout=writer,
                          stderr=subprocess.PIPE) as child:
        os.close(writer)
        assert os.read(reader, 10) == big_file_bytes()[:10]
        os.close(reader)  # the reader goes away, as `head -c 10` does
        _, stderr = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 0, stderr
    assert b"Traceback" not in stderr and b"Broken pipe" not in stderr


def test_cat_stops_the_download_when_the_reader_goes_away(make_ftp_server,
                                                          child_env) -> None:
    """A slow server (64 KiB/s: the 4 MiB file would take a minute): the reader closes
    the pipe after the first bytes; cat aborts the download (ABOR), exits 0 quietly and
    leaves no temporary folder."""
    server = make_ftp_server(throttle_bytes_per_second=64 * 1024)
    data = os.urandom(4 * 1024 * 1024)
    (server.root / "big.bin").write_bytes(data)
    env = {**child_env, "FTP_PASSWORD": server.password, "TMPDIR": str(server.root.parent)}
    reader, writer = os.pipe()
    with subprocess.Popen([sys.executable, "-m", "client", "cat", "-v",
                           server.url + "/big.bin"], env=env, stdout=writer,
                          stderr=subprocess.PIPE) as child:
        os.close(writer)
        assert os.read(reader, 10) == data[:10]
        os.close(reader)
        _, stderr = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 0, stderr
    assert b"ABOR" in stderr and b"Traceback" not in stderr
    assert not list(server.root.parent.glob("ftp-inspector-cat-*"))


def test_cat_of_a_missing_file_or_a_folder(ftp_server, child_env) -> None:
    missing = cli(child_env, "cat", ftp_server.url + "/nope.txt",
                  password=ftp_server.password)
    assert missing.returncode == 4 and missing.stdout == ""
    assert "nope.txt does not exist on the server" in missing.stderr
    folder = cli(child_env, "cat", ftp_server.url + "/docs", password=ftp_server.password)
    assert folder.returncode == 1 and "docs is a folder" in folder.stderr


def test_ladder_after_rm_and_on_stderr_for_cat(ftp_server, child_env) -> None:
    rm = cli(child_env, "rm", "--ladder", ftp_server.url + "/hello.txt",
             password=ftp_server.password)
    assert rm.returncode == 0, rm.stderr
    assert "DELE hello.txt" in rm.stdout
    cat = cli(child_env, "cat", "--ladder", ftp_server.url + "/empty.txt",
              password=ftp_server.password)
    assert cat.returncode == 0 and cat.stdout == ""
    assert "RETR empty.txt" in cat.stderr


def test_permission_denied_on_vsftpd(vsftpd_server, child_env) -> None:
    """vsftpd runs the session as the unprivileged account: a root-owned folder's file
    cannot be deleted, and the refusal is reported with exit code 4."""
    locked = vsftpd_server.root / "locked"
    locked.mkdir()
    (locked / "keep.txt").write_bytes(b"keep")
    os.chmod(locked, 0o755)  # root's, so the account may read but not change it
    url = vsftpd_server.url
    refused = cli(child_env, "rm", url + "/locked/keep.txt", password=vsftpd_server.password)
    assert refused.returncode == 4, refused.stderr
    assert "DELE" in refused.stderr and "550" in refused.stderr
    assert (locked / "keep.txt").exists()
    tree = cli(child_env, "rm", "-r", url + "/locked", password=vsftpd_server.password)
    assert tree.returncode == 4, tree.stderr
    assert "left" in tree.stderr and (locked / "keep.txt").exists()
    made = cli(child_env, "mkdir", "-p", url + "/mine/sub", password=vsftpd_server.password)
    assert made.returncode == 0, made.stderr
    assert Path(vsftpd_server.root / "mine" / "sub").is_dir()


def test_the_commands_over_ftps(ftps_server, child_env) -> None:
    """Explicit TLS required for login and data (PROT P): the listing and the transfer
    that rm -r and cat need go over TLS data connections."""
    tls = ("--tls", "explicit", "--ca-file", ftps_server.ca_file)
    url = ftps_server.url
    root = ftps_server.root
    made = cli(child_env, "mkdir", "-p", url + "/a/b", *tls, password=ftps_server.password)
    assert made.returncode == 0, made.stderr
    moved = cli(child_env, "mv", url + "/hello.txt", "a/b/", *tls,
                password=ftps_server.password)
    assert moved.returncode == 0, moved.stderr
    cat = cli(child_env, "cat", url + "/a/b/hello.txt", *tls, password=ftps_server.password,
              text=False)
    assert cat.returncode == 0 and cat.stdout == HELLO_TEXT
    tree = cli(child_env, "ls", "-R", url + "/a", *tls, password=ftps_server.password)
    assert tree.returncode == 0 and "a/b:" in tree.stdout
    removed = cli(child_env, "rm", "-r", url + "/a", *tls, password=ftps_server.password)
    assert removed.returncode == 0, removed.stderr
    assert not (root / "a").exists()


def test_rm_r_never_deletes_through_a_hostile_name(scripted_server, child_env) -> None:
    """The server lists ``../x``, ``/etc/passwd``, ``a/b``, ``..`` in the folder being
    deleted: none of them is sent in a DELE (joined to the folder they would name
    another path); the folder then stays, and the command says what it left."""
    from fixtures.scripted_faults import hostile_unix_listing, unix_listing
    from fixtures.scripted_steps import transfer

    hostile = hostile_unix_listing() + unix_listing([("-", b"a/b.txt", 5),
                                                     ("d", b"../up", 0)])

    def listing(session, argument):
        payload = (hostile if argument.rstrip("/").endswith("/top") else
                   unix_listing([("d", b"top", 0)]) if argument == "/" else b"")
        transfer(payload=payload).run(session, argument)

    server = scripted_server({"LIST": listing, "DELE": "250 Deleted.",
                              "RMD": "550 Directory not empty."})
    result = cli(child_env, "rm", "-r", "--timeout", "5",
                 f"ftp://alice@127.0.0.1:{server.port}//top", password=server.password)
    assert result.returncode == 4, result.stderr
    deleted = [line[5:] for line in server.lines() if line.startswith("DELE ")]
    assert "/top/good.txt" in deleted
    assert all(path.startswith("/top/") and ".." not in path and
               "/" not in path[len("/top/"):] for path in deleted), deleted
    removed_dirs = [line for line in server.lines() if line.startswith("RMD ")]
    assert all(".." not in line for line in removed_dirs), removed_dirs
    assert "'a/b.txt' was not used" in result.stderr
    assert "left /top" in result.stderr


def test_cat_streams_what_arrived_then_reports_a_broken_transfer(scripted_server,
                                                                 child_env) -> None:
    """The bytes are written as they arrive (not only once complete): a data connection
    that stalls after 100 000 bytes leaves those bytes on stdout, then exit code 3 and
    the explanation on stderr."""
    from fixtures.scripted_faults import stall_after

    payload = os.urandom(300_000)
    server = scripted_server({"RETR": stall_after(payload, 100_000),
                              "SIZE": f"213 {len(payload)}\r\n".encode()})
    result = cli(child_env, "cat", "--timeout", "5", "--data-timeout", "1",
                 f"ftp://alice@127.0.0.1:{server.port}/big.bin", password=server.password,
                 text=False)
    assert result.returncode == 3, result.stderr
    assert result.stdout == payload[:100_000]
    assert b"data connection failed" in result.stderr


def test_mv_without_a_new_path_names_it_as_its_help_does(child_env) -> None:
    """The help text speaks of NEWPATH; the usage line and the error must use that name."""
    forgot = cli(child_env, "mv", "ftp://127.0.0.1:1/a.txt")
    assert forgot.returncode == 1
    assert "required: NEWPATH" in forgot.stderr
    shown = cli(child_env, "mv", "--help")
    assert "NEWPATH" in shown.stdout.split("\n\n")[0]


def test_mv_into_a_missing_folder_names_that_folder(ftp_server, child_env) -> None:
    """`mv URL/hello.txt /nowhere/x.txt` said only "RNTO /nowhere/x.txt failed: 550 No
    such file or directory", which reads as if hello.txt were missing."""
    moved = cli(child_env, "mv", ftp_server.url + "/hello.txt", "/nowhere/x.txt",
                password=ftp_server.password)
    assert moved.returncode == 4, moved.stderr
    assert "/nowhere does not exist on the server" in moved.stderr, moved.stderr
    assert (ftp_server.root / "hello.txt").read_bytes() == HELLO_TEXT


def test_cat_writes_each_chunk_as_it_arrives(scripted_server, child_env) -> None:
    """The first 100 000 bytes come, then the server goes silent (for longer than the
    test waits: the data timeout is a minute). They are on the pipe while the transfer
    still runs: the reader then goes away, and cat ends the running transfer (ABOR,
    exit 0) instead of reporting it broken (exit 3) — a cat that wrote only what a
    file sink had flushed would have shown nothing before the data timeout."""
    from fixtures.scripted_faults import stall_after

    payload = bytes(range(256)) * 1200  # every byte value, CR and LF among them
    server = scripted_server({"RETR": stall_after(payload, 100_000),
                              "SIZE": f"213 {len(payload)}\r\n".encode()})
    env = {**child_env, "FTP_PASSWORD": server.password}
    reader, writer = os.pipe()
    with subprocess.Popen([sys.executable, "-m", "client", "cat", "-v", "--data-timeout",
                           "60", f"ftp://alice@127.0.0.1:{server.port}/big.bin"],
                          env=env, stdout=writer, stderr=subprocess.PIPE) as child:
        os.close(writer)
        received = b""
        while len(received) < 100_000:
            chunk = os.read(reader, 100_000 - len(received))
            assert chunk, "the pipe closed before the first bytes"
            received += chunk
        assert child.poll() is None  # the transfer is still running
        os.close(reader)
        _, stderr = child.communicate(timeout=TIMEOUT)
    assert received == payload[:100_000]
    assert child.returncode == 0, stderr
    assert b"ABOR" in stderr and b"Traceback" not in stderr


def test_cat_from_a_throttled_server_is_byte_exact(make_ftp_server, child_env) -> None:
    """A slow server (64 KiB/s): the bytes go out as they come, every byte value
    unchanged (binary, no line-end conversion), and nothing is left in a temporary
    folder."""
    server = make_ftp_server(throttle_bytes_per_second=64 * 1024)
    data = bytes(range(256)) * 256 + b"\r\n\n\r" + os.urandom(30_000)
    (server.root / "mixed.bin").write_bytes(data)
    env = {**child_env, "TMPDIR": str(server.root.parent)}
    done = cli(env, "cat", server.url + "/mixed.bin", password=server.password, text=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == data
    assert not list(server.root.parent.glob("ftp-inspector-cat-*"))


def test_cat_over_ftps_streams_the_protected_data_connection(ftps_server,
                                                            child_env) -> None:
    """Explicit TLS with PROT P: the bytes come through the protected data connection
    unchanged (every byte value, a megabyte of them)."""
    done = cli(child_env, "cat", ftps_server.url + "/random-1MiB.bin", "--ca-file",
               str(ftps_server.ca_file), password=ftps_server.password, text=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == big_file_bytes()
