"""The CLI against the Debian servers of the fixtures (skipped where not installed)."""

from __future__ import annotations

import json
import subprocess
import sys

TIMEOUT = 60


def cli(env: dict, password: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args],
                          env={**env, "FTP_PASSWORD": password}, capture_output=True,
                          text=True, timeout=TIMEOUT)


def test_ls_json_on_every_real_server(real_server, child_env) -> None:
    result = cli(child_env, real_server.password, "ls", real_server.url + "/docs", "--json",
                 "-q", "--tls", "off")
    assert result.returncode == 0, result.stderr
    entries = {e["name"]: e for e in json.loads(result.stdout)}
    assert entries["notes.md"]["type"] == "file"
    assert entries["notes.md"]["size"] == (real_server.root / "docs/notes.md").stat().st_size
    assert entries["nested"]["type"] == "dir"
    assert real_server.password not in result.stdout + result.stderr


def test_diagnose_healthy_on_every_real_server(real_server, child_env) -> None:
    result = cli(child_env, real_server.password, "diagnose", real_server.url + "/",
                 "--json", "--data-timeout", "2", "--tls", "off")
    data = json.loads(result.stdout)
    assert data["verdict"]["key"] == "healthy", data
    assert result.returncode == 0
    outcomes = {a["label"]: a["outcome"] for a in data["attempts"]}
    assert outcomes["EPSV"] == outcomes["PORT"] == outcomes["PASV (control address)"] == "ok"


def test_diagnose_proftpd_masquerade_is_nat(proftpd_masquerade_server, child_env) -> None:
    server = proftpd_masquerade_server
    result = cli(child_env, server.password, "diagnose", server.url + "/", "--json",
                 "--data-timeout", "2", "--tls", "off")
    data = json.loads(result.stdout)
    assert data["verdict"]["key"] == "nat-not-configured", data
    advertised = data["attempts"][1]
    assert advertised["outcome"] == "failed" and advertised["remote"].startswith("127.0.0.2:")
    assert "MasqueradeAddress" in " ".join(data["verdict"]["fixes"])


def test_diagnose_over_tls_with_session_reuse(real_ftps_server, child_env) -> None:
    server = real_ftps_server
    url = server.url.replace("ftp://", "ftpes://", 1) + "/"
    result = cli(child_env, server.password, "diagnose", url, "--json", "--data-timeout", "2",
                 "--ca-file", str(server.ca_file))
    data = json.loads(result.stdout)
    assert data["verdict"]["key"] == "healthy", data
    tls_row = data["attempts"][-1]
    assert tls_row["method"] == "TLS" and tls_row["outcome"] == "ok" and tls_row["tls"]
    assert server.password not in result.stdout + result.stderr


def test_ls_human_on_every_real_server(real_server, child_env) -> None:
    result = cli(child_env, real_server.password, "ls", real_server.url + "/", "-q",
                 "--tls", "off")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("d") and line.endswith(" docs") for line in lines), lines
    hello = next(line for line in lines if line.endswith(" hello.txt"))
    size = (real_server.root / "hello.txt").stat().st_size
    assert f" {size} " in hello and hello.startswith("-")


def test_implicit_ftps_url(ftps_implicit_server, child_env) -> None:
    server = ftps_implicit_server
    assert server.url.startswith("ftps://")
    result = cli(child_env, server.password, "ls", server.url + "/", "--json", "-q",
                 "--ca-file", str(server.ca_file))
    assert result.returncode == 0, result.stderr
    assert "hello.txt" in {e["name"] for e in json.loads(result.stdout)}


def test_active_only_server_diagnosis(ftp_active_only_server, child_env) -> None:
    server = ftp_active_only_server
    result = cli(child_env, server.password, "diagnose", server.url + "/", "--json",
                 "--data-timeout", "1", "--tls", "off")
    data = json.loads(result.stdout)
    assert data["verdict"]["key"] == "passive-disabled", data
    assert data["verdict"]["recommended"]["mode"] == "active"
    assert result.returncode == 3


def test_default_ls_sends_pasv_and_shows_the_arithmetic(real_server, child_env, tmp_path) -> None:
    import re

    transcript = tmp_path / "t.jsonl"
    result = cli(child_env, real_server.password, "ls", real_server.url + "/", "-v",
                 "--tls", "off", "--transcript", str(transcript))
    assert result.returncode == 0, result.stderr
    sent = [line.split(None, 2)[-1] for line in result.stderr.splitlines()
            if line.startswith(">")]
    assert "PASV" in sent and "EPSV" not in sent
    match = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", result.stderr)
    assert match, result.stderr
    p1, p2 = int(match.group(5)), int(match.group(6))
    assert f"{p1}*256+{p2} = {p1 * 256 + p2}" in result.stderr
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    decoded = [r["decoded"] for r in records if "decoded" in r]
    assert {"p1": p1, "p2": p2}.items() <= decoded[0].items()
    assert real_server.password not in result.stdout + result.stderr


def test_default_active_ls_sends_port_and_epsv_eprt_on_request(real_server, child_env) -> None:
    import re

    active = cli(child_env, real_server.password, "ls", real_server.url + "/", "-v",
                 "--tls", "off", "--mode", "active")
    assert active.returncode == 0, active.stderr
    port = re.search(r"^> +[\d.]+ PORT (\d+),(\d+),(\d+),(\d+),(\d+),(\d+)$",
                     active.stderr, re.MULTILINE)
    assert port, active.stderr
    p1, p2 = int(port.group(5)), int(port.group(6))
    assert f"{p1}*256+{p2} = {p1 * 256 + p2}" in active.stderr
    for options, command in ((["--epsv"], "EPSV"), (["--mode", "active", "--eprt"], "EPRT")):
        result = cli(child_env, real_server.password, "ls", real_server.url + "/", "-v",
                     "--tls", "off", *options)
        assert result.returncode == 0, result.stderr
        sent = [line.split()[2] for line in result.stderr.splitlines()
                if line.startswith(">") and len(line.split()) > 2]
        assert command in sent and {"PASV", "PORT"}.isdisjoint(sent), sent


def test_get_logs_in_early_on_every_real_server(real_server, child_env, tmp_path) -> None:
    """vsftpd, pure-ftpd (a 5-line 220-), ProFTPD (offers HOST, which the session sends):
    the login started while the program loads hands over to the session on each; the
    transcript has every line once."""
    target = tmp_path / "notes.md"
    transcript = tmp_path / "get.jsonl"
    result = cli(child_env, real_server.password, "get", "-q", real_server.url + "/docs/notes.md",
                 "-o", str(target), "--tls", "off", "--transcript", str(transcript))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == (real_server.root / "docs/notes.md").read_bytes()
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    sent = [r["text"] for r in records if r["kind"] == "send"]
    # ProFTPD offers HOST: the early login stops after FEAT and the session sends it
    login = [text for text in sent[:4] if not text.startswith("HOST ")]
    assert login[:3] == ["FEAT", f"USER {real_server.user}", "PASS ****"]
    assert sent.index("PASS ****") in (2, 3)
    assert [r.get("code") for r in records if r["kind"] == "recv"].count(230) == 1
    assert real_server.password not in transcript.read_text()


def test_the_remote_commands_on_every_real_server(real_server, child_env, tmp_path) -> None:
    """mkdir -p, put of several files, a pattern get, mv, chmod, cat, rm -r and rmdir as a
    person runs them one after the other, on each server's own replies and listings."""
    url, pw = real_server.url, real_server.password
    root = real_server.root
    tls = ("--tls", "off")
    made = cli(child_env, pw, "mkdir", "-p", url + "/work/a/b", *tls)
    assert made.returncode == 0, made.stderr
    assert (root / "work" / "a" / "b").is_dir()
    for name in ("one.log", "two.log", "three.txt"):
        (tmp_path / name).write_text(name)
    sent = cli(child_env, pw, "put", str(tmp_path / "one.log"), str(tmp_path / "two.log"),
               str(tmp_path / "three.txt"), url + "/work/", *tls)
    assert sent.returncode == 0, sent.stderr
    dest = tmp_path / "dest"
    dest.mkdir()
    got = cli(child_env, pw, "get", url + "/work/*.log", "-o", str(dest) + "/", *tls)
    assert got.returncode == 0, got.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["one.log", "two.log"]
    moved = cli(child_env, pw, "mv", url + "/work/three.txt", "a/", *tls)
    assert moved.returncode == 0, moved.stderr
    assert (root / "work" / "a" / "three.txt").read_text() == "three.txt"
    shown = cli(child_env, pw, "cat", url + "/work/a/three.txt", *tls)
    assert shown.returncode == 0 and shown.stdout == "three.txt", shown.stderr
    mode = cli(child_env, pw, "chmod", "600", url + "/work/one.log", *tls)
    assert mode.returncode in (0, 4), mode.stderr
    if mode.returncode == 0:
        assert (root / "work" / "one.log").stat().st_mode & 0o777 == 0o600
    full = cli(child_env, pw, "rmdir", url + "/work/a", *tls)
    assert full.returncode == 4 and "rm -r" in full.stderr, full.stderr
    gone = cli(child_env, pw, "rm", "-r", url + "/work", *tls)
    assert gone.returncode == 0, gone.stderr
    assert not (root / "work").exists()
    missing = cli(child_env, pw, "rm", url + "/work/one.log", *tls)
    assert missing.returncode == 4 and "does not exist" in missing.stderr, missing.stderr
