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
