"""ls/get/put/mirror/diagnose as a user runs them: child processes (under the loopback
guard) against pyftpdlib and the demo server. Few and fast; formatting is tested
in-process elsewhere."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from client.demo import DemoServer

TIMEOUT = 60


def cli(env: dict, *args: str, cwd: Path | None = None,
        password: str | None = None) -> subprocess.CompletedProcess:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    return subprocess.run([sys.executable, "-m", "client", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=TIMEOUT)


def test_ls_human_json_verbose_and_transcript(ftp_server, child_env, tmp_path) -> None:
    transcript = tmp_path / "t.jsonl"
    human = cli(child_env, "ls", ftp_server.url + "/", "-v", "--transcript", str(transcript),
                password=ftp_server.password)
    assert human.returncode == 0, human.stderr
    lines = human.stdout.splitlines()
    assert any(line.startswith("d") and line.endswith(" docs") for line in lines)
    assert any(line.startswith("-") and line.endswith(" name with spaces.txt") for line in lines)
    # -v: sent, received, notes, the password never shown
    assert "> " in human.stderr and "PASS ****" in human.stderr
    assert any(line.startswith("<") and " 230" in line for line in human.stderr.splitlines())
    assert any(line.startswith("*") and "data #1" in line for line in human.stderr.splitlines())
    assert "\x1b[" not in human.stderr  # not a terminal: no colour
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    kinds = {r["kind"] for r in records}
    assert {"send", "recv", "annotation", "data", "notice"} <= kinds
    assert all("t" in r and "text" in r for r in records)
    assert {"text": "PASS ****"}.items() <= next(
        r for r in records if r["kind"] == "send" and r["text"].startswith("PASS")).items()
    data = next(r for r in records if r["kind"] == "data" and r["phase"] == "connected")
    assert data["initiator"] == "client" and data["local"] and data["remote"]
    decoded = next(r for r in records if r["kind"] == "annotation" and "decoded" in r)
    assert decoded["decoded"]["port"] > 0
    for output in (human.stdout, human.stderr, transcript.read_text()):
        assert ftp_server.password not in output

    as_json = cli(child_env, "ls", ftp_server.url + "/docs", "--json",
                  password=ftp_server.password)
    assert as_json.returncode == 0, as_json.stderr
    entries = {e["name"]: e for e in json.loads(as_json.stdout)}
    assert entries["notes.md"]["type"] == "file" and entries["nested"]["type"] == "dir"
    assert set(entries["notes.md"]) == {"name", "type", "size", "modified", "permissions",
                                        "target"}


def test_port_transcript_decodes_p1_p2(ftp_server, child_env, tmp_path) -> None:
    transcript = tmp_path / "t.jsonl"
    result = cli(child_env, "ls", ftp_server.url + "/", "--mode", "active", "--no-eprt", "-q",
                 "--transcript", str(transcript), password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    port = next(r for r in records if r["kind"] == "annotation"
                and r.get("fields", {}).get("kind") == "port")
    d = port["decoded"]
    assert d["host"] == "127.0.0.1" and d["p1"] * 256 + d["p2"] == d["port"]
    data = next(r for r in records if r["kind"] == "data" and r["phase"] == "connected")
    assert data["initiator"] == "server"


def test_get_put_roundtrip_and_resume(ftp_server, child_env, tmp_path) -> None:
    got = cli(child_env, "get", ftp_server.url + "/random-1MiB.bin", "-o", str(tmp_path),
              password=ftp_server.password)
    assert got.returncode == 0, got.stderr
    local = tmp_path / "random-1MiB.bin"
    assert local.read_bytes() == (ftp_server.root / "random-1MiB.bin").read_bytes()
    # a partial download is completed by --resume
    (tmp_path / "again.bin.part").write_bytes(local.read_bytes()[:1000])
    resumed = cli(child_env, "get", ftp_server.url + "/random-1MiB.bin", "-o",
                  str(tmp_path / "again.bin"), "--resume", password=ftp_server.password)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "again.bin").read_bytes() == local.read_bytes()
    assert "resumed from byte 1000" in resumed.stderr

    upload = tmp_path / "up.txt"
    upload.write_bytes(b"uploaded\r\nby the CLI\n")
    put = cli(child_env, "put", str(upload), ftp_server.url + "/upload/",
              password=ftp_server.password)
    assert put.returncode == 0, put.stderr
    assert (ftp_server.root / "upload" / "up.txt").read_bytes() == upload.read_bytes()
    # --resume continues a partial upload
    ftp_server.write_file("upload/big.bin", local.read_bytes()[:4096])
    resumed_put = cli(child_env, "put", str(local), ftp_server.url + "/upload/big.bin",
                      "--resume", password=ftp_server.password)
    assert resumed_put.returncode == 0, resumed_put.stderr
    assert "resumed from byte 4096" in resumed_put.stderr
    assert (ftp_server.root / "upload" / "big.bin").read_bytes() == local.read_bytes()


def test_mirror_parallel(ftp_server, child_env, tmp_path) -> None:
    dest = tmp_path / "copy"
    result = cli(child_env, "mirror", ftp_server.url + "/docs", str(dest), "--parallel", "3",
                 password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert (dest / "notes.md").read_bytes() == (ftp_server.root / "docs/notes.md").read_bytes()
    assert (dest / "nested" / "deep.txt").is_file()
    assert "2 of 2 files" in result.stderr


@pytest.mark.parametrize("args, code, needle", [
    (["ls", "http://x/"], 1, "expected a URL"),
    (["ls", "ftp://127.0.0.1:1/a%0d%0aDELE%20x"], 1, "CR"),
    (["get", "ftp://alice@127.0.0.1:1/x"], 1, "no password for 'alice'"),
    # argparse's own errors follow the contract too: usage errors exit 1, never 2
    (["ls"], 1, "the following arguments are required"),
    (["ls", "ftp://127.0.0.1:1/", "--mode", "sideways"], 1, "invalid choice"),
    (["ls", "ftp://127.0.0.1:1/", "--timeout", "0"], 1, "timeout"),
    (["demo-server", "--port", "abc"], 1, "invalid"),
    (["--no-such-option"], 1, "unrecognized arguments"),
    # a mistyped command is not taken for a URL to open in the window
    (["lsx"], 1, "neither a command"),
    (["lsx", "ftp://127.0.0.1:1/"], 1, "unrecognized arguments"),
])
def test_usage_errors_before_connecting(child_env, args, code, needle) -> None:
    result = cli(child_env, *args)
    assert result.returncode == code
    assert needle in result.stderr


def test_connect_refused_exits_2_with_endpoint_and_cause(child_env) -> None:
    result = cli(child_env, "ls", "ftp://127.0.0.1:1/", "--timeout", "2")
    assert result.returncode == 2
    assert "127.0.0.1:1" in result.stderr and "likely cause" in result.stderr
    assert "at step connect" in result.stderr


def test_exit_codes_login_command_and_data(ftp_server, child_env, tmp_path) -> None:
    wrong = cli(child_env, "ls", ftp_server.url + "/", password="not-the-password")
    assert wrong.returncode == 2, wrong.stderr
    assert "not-the-password" not in wrong.stderr + wrong.stdout
    missing = cli(child_env, "get", ftp_server.url + "/no-such-file.txt", cwd=tmp_path,
                  password=ftp_server.password)
    assert missing.returncode == 4, missing.stderr
    assert "550" in missing.stderr


def test_blocked_passive_listing_exits_3_naming_step_and_endpoints(child_env) -> None:
    with DemoServer("passive-refused", give_up_after=2.0) as server:
        result = cli(child_env, "ls", server.url, "--data-timeout", "1", "--ladder")
        fallback = cli(child_env, "ls", server.url, "--data-timeout", "1", "--fallback", "-q")
    assert result.returncode == 3
    assert "data connection failed" in result.stderr
    assert "127.0.0.1:" in result.stderr and "refused" in result.stderr
    assert "likely cause" in result.stderr
    assert "FTP Inspector ladder" in result.stdout and "X" in result.stdout  # failed arrow
    assert server.password not in result.stderr
    assert fallback.returncode == 0, fallback.stderr
    assert "README.txt" in fallback.stdout


def test_diagnose_json_and_text(child_env) -> None:
    with DemoServer("nat-misconfigured") as server:
        as_json = cli(child_env, "diagnose", server.url, "--data-timeout", "1", "--json")
        text = cli(child_env, "diagnose", server.url, "--data-timeout", "1", "-q")
    assert as_json.returncode == 3, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["verdict"]["key"] == "nat-not-configured"
    assert [a["method"] for a in data["attempts"]][:5] == ["EPSV", "PASV", "PASV", "EPRT", "PORT"]
    assert data["attempts"][1]["outcome"] == "not-attempted"
    assert "NAT address not configured" in text.stdout
    assert "pasv_address=" in text.stdout and "MasqueradeAddress" in text.stdout
    assert server.password not in as_json.stdout + as_json.stderr + text.stdout + text.stderr


def test_tls_demo_needs_its_certificate(child_env) -> None:
    with DemoServer("tls") as server:
        refused = cli(child_env, "ls", server.url, "-q")
        trusted = cli(child_env, "ls", server.url, "-q", "--ca-file", str(server.ca_file))
        fingerprint = server.cert_fingerprint_sha256
    assert refused.returncode == 5, refused.stderr
    assert fingerprint and fingerprint in refused.stderr and "--ca-file" in refused.stderr
    assert trusted.returncode == 0, trusted.stderr
    assert "README.txt" in trusted.stdout


def test_sha_of_downloaded_demo_file(child_env, tmp_path) -> None:
    with DemoServer("healthy") as server:
        result = cli(child_env, "get", server.url + "data/sample-2mb.bin", "-q", cwd=tmp_path)
        expected = server.sample.sha256["data/sample-2mb.bin"]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert hashlib.sha256((tmp_path / "sample-2mb.bin").read_bytes()).hexdigest() == expected


def test_ls_of_hostile_names_escapes_them(scripted_server, child_env) -> None:
    from fixtures.scripted_data import transfer
    from fixtures.scripted_faults import hostile_unix_listing

    server = scripted_server({"LIST": transfer(payload=hostile_unix_listing())},
                             features=["SIZE", "UTF8"])
    result = subprocess.run(
        [sys.executable, "-m", "client", "ls", f"ftp://{server.info.user}@127.0.0.1:"
         f"{server.port}/", "-v", "--tls", "off"],
        env={**child_env, "FTP_PASSWORD": server.info.password}, capture_output=True,
        timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    for stream in (result.stdout, result.stderr):
        assert b"\x1b" not in stream and b"\x07" not in stream and b"\x00" not in stream
    assert b"esc-\\x1b[31mred" in result.stdout
    assert b"good.txt" in result.stdout and b"subdir" in result.stdout
    assert server.info.password.encode() not in result.stdout + result.stderr


def test_mirror_reports_each_failed_file(scripted_server, child_env, tmp_path) -> None:
    from fixtures.scripted_data import transfer
    from fixtures.scripted_faults import unix_listing

    listing = unix_listing([("-", b"good.txt", 5), ("-", b"secret.txt", 5)])

    def retr(session, argument: str) -> None:
        if argument.endswith("secret.txt"):
            session.send(b"550 Permission denied.\r\n")
        else:
            transfer(payload=b"hello").run(session, argument)

    server = scripted_server({"LIST": transfer(payload=listing), "RETR": retr,
                              "SIZE": b"213 5\r\n", "MDTM": b"550 not available\r\n"},
                             features=["SIZE", "UTF8"])
    result = cli({**child_env, "FTP_PASSWORD": server.info.password}, "mirror",
                 f"ftp://{server.info.user}@127.0.0.1:{server.port}/", str(tmp_path / "m"),
                 "--tls", "off", "--parallel", "1")
    assert result.returncode == 4, result.stderr
    assert (tmp_path / "m" / "good.txt").read_bytes() == b"hello"
    assert not (tmp_path / "m" / "secret.txt").exists()
    assert "failed: /secret.txt" in result.stderr or "failed: secret.txt" in result.stderr
    assert "550" in result.stderr


def test_without_a_display_the_window_says_it_runs_unseen(child_env) -> None:
    """On a machine without X11 or Wayland the window can only run offscreen: it says
    so on stderr at once (an explicit QT_QPA_PLATFORM means the caller chose)."""
    env = {k: v for k, v in child_env.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    child = subprocess.Popen([sys.executable, "-m", "client"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stderr is not None
        first = child.stderr.readline()
    finally:
        child.terminate()
        child.communicate(timeout=TIMEOUT)
    assert "no display" in first and "offscreen" in first



def test_a_reader_that_goes_away_is_not_an_error(ftp_server, child_env) -> None:
    """ls … | head: the pipe closes before the listing is written; no 'Broken pipe'
    error, no traceback, exit 0 (as ls and cat)."""
    env = {**child_env, "FTP_PASSWORD": ftp_server.password}
    child = subprocess.Popen([sys.executable, "-m", "client", "ls", ftp_server.url + "/", "-v"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None
    child.stdout.close()  # gone before the first line arrives
    _, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 0, err
    assert b"Traceback" not in err and b"Broken pipe" not in err


def test_get_into_a_missing_folder_is_refused_before_connecting(child_env, tmp_path) -> None:
    missing = tmp_path / "no-such-folder"
    for output in (str(missing / "x.bin"), str(missing) + "/"):
        result = cli(child_env, "get", "ftp://127.0.0.1:1/x.bin", "-o", output,
                     password="irrelevant")
        assert result.returncode == 1, result.stderr
        assert "does not exist" in result.stderr
    assert not missing.exists()
