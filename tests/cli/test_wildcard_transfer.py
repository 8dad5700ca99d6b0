"""``get`` of a pattern matched against the server's listing, ``put`` of several files,
and ``--ladder`` on both: against pyftpdlib and a scripted server that lists hostile
names (nothing may be written outside DEST). Over SFTP: tests/sftp/test_sftp_remote_commands.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fixtures.sample_tree import HELLO_TEXT
from fixtures.scripted_faults import hostile_mlsd_listing, hostile_unix_listing, unix_listing
from fixtures.scripted_steps import transfer

TIMEOUT = 60


def cli(env: dict, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    return subprocess.run([sys.executable, "-m", "client", *args], env=env,
                          capture_output=True, text=True, errors="surrogateescape",
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def test_get_pattern_downloads_the_matching_files_into_dest(ftp_server, child_env,
                                                            tmp_path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (ftp_server.root / ".hidden.txt").write_bytes(b"hidden")
    got = cli(child_env, "get", ftp_server.url + "/*.txt", "-o", str(dest) + "/",
              password=ftp_server.password)
    assert got.returncode == 0, got.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["empty.txt", "hello.txt",
                                                      "name with spaces.txt"]
    assert (dest / "hello.txt").read_bytes() == HELLO_TEXT
    assert "downloaded 3 of 3 matching files" in got.stderr
    nested = cli(child_env, "get", ftp_server.url + "/docs/n[aeiou]tes.*", "-o", str(dest),
                 password=ftp_server.password)
    assert nested.returncode == 0, nested.stderr
    assert (dest / "notes.md").exists()


def test_get_pattern_needs_an_existing_folder_and_a_match(ftp_server, child_env,
                                                          tmp_path) -> None:
    missing_dest = cli(child_env, "get", ftp_server.url + "/*.txt", "-o",
                       str(tmp_path / "nowhere"), password=ftp_server.password)
    assert missing_dest.returncode == 1 and "existing folder" in missing_dest.stderr
    to_stdout = cli(child_env, "get", ftp_server.url + "/*.txt", "-o", "-",
                    password=ftp_server.password)
    assert to_stdout.returncode == 1 and to_stdout.stdout == ""
    nothing = cli(child_env, "get", ftp_server.url + "/*.nope", "-o", str(tmp_path),
                  password=ftp_server.password)
    assert nothing.returncode == 4 and "matches" in nothing.stderr


def test_get_pattern_without_a_match_does_not_invent_a_server_refusal(ftp_server, child_env,
                                                                      tmp_path) -> None:
    """The server answered the listing well; no 550 and no LIST was involved."""
    nothing = cli(child_env, "get", ftp_server.url + "/docs/*.nope", "-o", str(tmp_path),
                  password=ftp_server.password)
    assert nothing.returncode == 4
    assert "no name in docs matches *.nope" in nothing.stderr
    assert "refused" not in nothing.stderr and "550" not in nothing.stderr
    assert "command:" not in nothing.stderr


def test_get_pattern_refuses_before_any_byte_when_one_target_exists(ftp_server, child_env,
                                                                   tmp_path) -> None:
    (tmp_path / "hello.txt").write_bytes(b"mine")
    refused = cli(child_env, "get", ftp_server.url + "/*.txt", "-o", str(tmp_path),
                  password=ftp_server.password)
    assert refused.returncode == 6, refused.stderr
    assert "nothing was downloaded" in refused.stderr
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".txt", ".part")] == \
        ["hello.txt"]
    assert (tmp_path / "hello.txt").read_bytes() == b"mine"
    skipping = cli(child_env, "get", "--skip-existing", ftp_server.url + "/*.txt", "-o",
                   str(tmp_path), password=ftp_server.password)
    assert skipping.returncode == 0, skipping.stderr
    assert (tmp_path / "hello.txt").read_bytes() == b"mine"
    assert (tmp_path / "empty.txt").exists() and (tmp_path / "name with spaces.txt").exists()
    assert not list(tmp_path.glob("*.part"))
    renamed = cli(child_env, "get", "--if-exists", "rename", ftp_server.url + "/h*.txt",
                  "-o", str(tmp_path), password=ftp_server.password)
    assert renamed.returncode == 0, renamed.stderr
    assert (tmp_path / "hello (1).txt").read_bytes() == HELLO_TEXT
    assert (tmp_path / "hello.txt").read_bytes() == b"mine"


@pytest.mark.parametrize("verb", ["LIST", "MLSD"])
def test_get_pattern_from_a_hostile_listing_writes_only_inside_dest(scripted_server,
                                                                    child_env, tmp_path,
                                                                    verb) -> None:
    def retrieve(session, argument):
        transfer(payload=b"content of " + argument.encode("utf-8", "surrogateescape")
                 ).run(session, argument)

    if verb == "LIST":
        listing = hostile_unix_listing() + unix_listing([("-", b"a/b.txt", 5)])
        server = scripted_server({"LIST": transfer(payload=listing), "RETR": retrieve})
    else:
        listing = hostile_mlsd_listing() + b"type=file;size=5; a/b.txt\r\n"
        server = scripted_server({"MLSD": transfer(payload=listing), "RETR": retrieve},
                                 features=["MLSD", "MLST type*;size*;modify*;", "UTF8"])
    arena = tmp_path / "arena"
    dest = arena / "box" / "dest"
    dest.mkdir(parents=True)
    (arena / "neighbour.txt").write_text("left alone")
    result = cli(child_env, "get", "--timeout", "5",
                 f"ftp://alice@127.0.0.1:{server.port}//hostile/*", "-o", str(dest),
                 password=server.password)
    assert result.returncode == 4, result.stderr[-2000:]
    outside = sorted(str(p.relative_to(arena)) for p in arena.rglob("*")
                     if p != dest and dest not in p.parents)
    assert outside == ["box", "neighbour.txt"]
    assert (dest / "good.txt").read_bytes() == b"content of /hostile/good.txt"
    for path in dest.iterdir():
        assert "/" not in path.name and "\x1b" not in path.name and path.is_file()
        assert not path.name.endswith(".part")
    retrieved = [line for line in server.lines() if line.startswith("RETR")]
    assert "RETR /hostile/good.txt" in retrieved
    assert not any(".." in line or "/etc" in line or "/abs" in line for line in retrieved)
    assert "not downloaded" in result.stderr and "\\x1b" in result.stderr
    assert "\x1b" not in result.stderr


def test_put_several_files_into_a_folder(ftp_server, child_env, tmp_path) -> None:
    sources = []
    for name in ("a.txt", "b.txt"):
        path = tmp_path / name
        path.write_bytes(name.encode() * 100)
        sources.append(str(path))
    done = cli(child_env, "put", *sources, ftp_server.url + "/upload/",
               password=ftp_server.password)
    assert done.returncode == 0, done.stderr
    assert (ftp_server.root / "upload" / "a.txt").read_bytes() == b"a.txt" * 100
    assert (ftp_server.root / "upload" / "b.txt").read_bytes() == b"b.txt" * 100

    (tmp_path / "c.txt").write_bytes(b"c")
    again = cli(child_env, "put", *sources, str(tmp_path / "c.txt"),
                ftp_server.url + "/upload/", password=ftp_server.password)
    assert again.returncode == 6, again.stderr
    assert "2 of the 3 files already exist" in again.stderr
    assert not (ftp_server.root / "upload" / "c.txt").exists()  # nothing uploaded
    pattern = cli(child_env, "put", "--overwrite", str(tmp_path / "*.txt"),
                  ftp_server.url + "/upload", password=ftp_server.password)
    assert pattern.returncode == 0, pattern.stderr
    assert (ftp_server.root / "upload" / "c.txt").read_bytes() == b"c"

    # an option between the files, as people type it (argparse had refused the URL)
    (tmp_path / "a.txt").write_bytes(b"new a")
    between = cli(child_env, "put", sources[0], "--overwrite", sources[1],
                  ftp_server.url + "/upload/", password=ftp_server.password)
    assert between.returncode == 0, between.stderr
    assert (ftp_server.root / "upload" / "a.txt").read_bytes() == b"new a"


def test_put_several_refuses_a_folder_and_two_files_of_one_name(ftp_server, child_env,
                                                                tmp_path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "same.txt").write_text("1")
    (tmp_path / "y" / "same.txt").write_text("2")
    clash = cli(child_env, "put", str(tmp_path / "x" / "same.txt"),
                str(tmp_path / "y" / "same.txt"), ftp_server.url + "/upload/",
                password=ftp_server.password)
    assert clash.returncode == 1 and "both be uploaded" in clash.stderr
    folder = cli(child_env, "put", str(tmp_path / "x"), str(tmp_path / "y" / "same.txt"),
                 ftp_server.url + "/upload/", password=ftp_server.password)
    assert folder.returncode == 1 and "is a folder" in folder.stderr
    assert list((ftp_server.root / "upload").iterdir()) == []


def test_ladder_on_get_and_put(ftp_server, child_env, tmp_path) -> None:
    got = cli(child_env, "get", "--ladder", ftp_server.url + "/hello.txt", "-o",
              str(tmp_path), password=ftp_server.password)
    assert got.returncode == 0, got.stderr
    assert "RETR hello.txt" in got.stdout and "PASV" in got.stdout
    to_stdout = cli(child_env, "get", "--ladder", ftp_server.url + "/hello.txt", "-o", "-",
                    password=ftp_server.password)
    assert to_stdout.returncode == 0
    assert to_stdout.stdout.startswith("Hello from") and "RETR" not in to_stdout.stdout
    assert "RETR hello.txt" in to_stdout.stderr
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(1000))
    put = cli(child_env, "put", "--ladder", str(source), ftp_server.url + "/upload/",
              password=ftp_server.password)
    assert put.returncode == 0, put.stderr
    assert "STOR upload/up.bin" in put.stdout
    failed = cli(child_env, "get", "--ladder", ftp_server.url + "/missing.bin", "-o",
                 str(tmp_path), password=ftp_server.password)
    assert failed.returncode == 4 and "RETR missing.bin" in failed.stdout


def test_help_of_get_put_and_ls_says_what_the_reference_says(child_env) -> None:
    """`get --help` and `put --help` had no description at all (patterns and several
    files were only hinted at in an argument's help), and `ls --help` said --depth works
    "with -R" while the reference says --depth alone implies -R (it does)."""
    get = cli(child_env, "get", "--help").stdout
    assert "Download" in get.split("positional arguments")[0] and "*.log" in get
    put = cli(child_env, "put", "--help").stdout
    assert "Upload" in put.split("positional arguments")[0]
    ls = " ".join(cli(child_env, "ls", "--help").stdout.split())
    assert "implies -R" in ls
