"""``ftp-inspector ls|get|put|mirror`` with sftp:// URLs and SFTP sites against sshd:
exit code 5 and the fingerprint for an unknown key, --accept-new-host-key, a changed key
refused, --identity and FTP_PASSWORD, and the password never in the output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

TIMEOUT = 60


@pytest.fixture
def env(child_env, tmp_path) -> dict:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    child_env["HOME"] = str(home)
    child_env.pop("SSH_AUTH_SOCK", None)
    return child_env


def cli(env: dict, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    extra = {"FTP_PASSWORD": password} if password else {}
    return subprocess.run([sys.executable, "-m", "client", *args], env={**env, **extra},
                          capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)


def _trust(env: dict, server) -> None:
    Path(env["HOME"], ".ssh", "known_hosts").write_text(
        f"[{server.host}]:{server.port} {server.host_key_pub}\n")


def test_unknown_host_key_exits_5_with_fingerprint(sshd_server, env) -> None:
    result = cli(env, "ls", sshd_server.url(), "-i", str(sshd_server.key_file))
    assert result.returncode == 5, result.stderr
    assert sshd_server.host_fingerprint in result.stderr
    assert "--accept-new-host-key" in result.stderr
    app_known = Path(env["FTP_INSPECTOR_CONFIG_DIR"]) / "known_hosts"
    assert not app_known.exists()
    # accepted and stored; the next run needs no flag
    result = cli(env, "ls", sshd_server.url(), "-i", str(sshd_server.key_file),
                 "--accept-new-host-key")
    assert result.returncode == 0, result.stderr
    assert sshd_server.host_key_pub.split()[1] in app_known.read_text()
    assert cli(env, "ls", sshd_server.url(), "-i", str(sshd_server.key_file)).returncode == 0


def test_changed_host_key_is_refused_even_with_accept_new(sshd_server, env) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    Path(env["HOME"], ".ssh", "known_hosts").write_text(
        f"[{sshd_server.host}]:{sshd_server.port} {other}\n")
    result = cli(env, "ls", sshd_server.url(), "-i", str(sshd_server.key_file),
                 "--accept-new-host-key")
    assert result.returncode == 5
    assert "HAS CHANGED" in result.stderr and sshd_server.host_fingerprint in result.stderr


def test_ls_get_put_mirror_with_key_and_password(sshd_server, env, tmp_path) -> None:
    _trust(env, sshd_server)
    (sshd_server.root / "docs" / "sub").mkdir(parents=True)
    (sshd_server.root / "docs" / "a.txt").write_bytes(b"alpha\n")
    (sshd_server.root / "docs" / "sub" / "b.bin").write_bytes(os.urandom(70_000))
    sshd_server.own()
    key = ("-i", str(sshd_server.key_file))
    listing = cli(env, "ls", sshd_server.url("docs"), "--json", *key)
    assert listing.returncode == 0, listing.stderr
    entries = {e["name"]: e for e in json.loads(listing.stdout)}
    assert entries["a.txt"]["size"] == 6 and entries["sub"]["type"] == "dir"

    out = tmp_path / "out"
    out.mkdir()
    got = cli(env, "get", sshd_server.url("docs/a.txt"), "-o", str(out), *key)
    assert got.returncode == 0, got.stderr
    assert (out / "a.txt").read_bytes() == b"alpha\n"

    source = tmp_path / "up.txt"
    source.write_text("uploaded\n")
    put = cli(env, "put", str(source), sshd_server.url("docs/"), "-v",
              password=sshd_server.password)
    assert put.returncode == 0, put.stderr
    assert (sshd_server.root / "docs" / "up.txt").read_text() == "uploaded\n"
    assert "auth password" in put.stderr and "WRITE" in put.stderr
    assert sshd_server.password not in put.stdout + put.stderr

    mirror = cli(env, "mirror", sshd_server.url("docs"), str(tmp_path / "m"), "--parallel",
                 "2", *key)
    assert mirror.returncode == 0, mirror.stderr
    assert (tmp_path / "m" / "sub" / "b.bin").read_bytes() == \
        (sshd_server.root / "docs" / "sub" / "b.bin").read_bytes()

    record_file = tmp_path / "missing.jsonl"
    missing = cli(env, "get", sshd_server.url("docs/nothing"), "-o", str(out), *key,
                  "--transcript", str(record_file))
    assert missing.returncode == 4 and "SSH_FX_NO_SUCH_FILE" in missing.stderr
    records = [json.loads(line) for line in record_file.read_text().splitlines()]
    refused = [r for r in records if r["kind"] == "sftp" and r["status"] == 2]
    assert refused and refused[0]["request"] == "STAT"
    assert refused[0]["status_name"] == "SSH_FX_NO_SUCH_FILE" and refused[0]["meaning"]


def test_wrong_password_exit_2_lists_methods(sshd_server, env) -> None:
    _trust(env, sshd_server)
    result = cli(env, "ls", sshd_server.url(), "--transcript",
                 str(Path(env["HOME"]) / "t.jsonl"), password="not-" + sshd_server.password)
    assert result.returncode == 2
    assert "tried: password (user alice): rejected" in result.stderr
    assert "not-" + sshd_server.password not in result.stderr + result.stdout
    transcript = (Path(env["HOME"]) / "t.jsonl").read_text()
    assert sshd_server.password not in transcript
    kinds = {json.loads(line)["kind"] for line in transcript.splitlines()}
    assert {"ssh-version", "ssh-algorithms", "ssh-host-key", "ssh-auth"} <= kinds
    auth = [json.loads(line) for line in transcript.splitlines()
            if json.loads(line)["kind"] == "ssh-auth"]
    assert auth[0]["method"] == "password" and auth[0]["outcome"] == "rejected"


def test_sftp_site(sshd_server, env, tmp_path) -> None:
    _trust(env, sshd_server)
    sites = Path(env["FTP_INSPECTOR_CONFIG_DIR"]) / "sites.json"
    sites.parent.mkdir(parents=True, exist_ok=True)
    sites.write_text(json.dumps({"version": 1, "sites": [{
        "name": "box", "host": sshd_server.host, "port": sshd_server.port,
        "user": sshd_server.user, "protocol": "sftp", "key_file": str(sshd_server.key_file),
        "site_id": "sftp-test-site"}]}))
    (sshd_server.root / "site.txt").write_text("from a site\n")
    sshd_server.own()
    result = cli(env, "ls", "site:box", "--json")
    assert result.returncode == 0, result.stderr
    assert "site.txt" in {e["name"] for e in json.loads(result.stdout)}


def test_diagnose_refuses_sftp(sshd_server, env) -> None:
    result = cli(env, "diagnose", sshd_server.url())
    assert result.returncode == 1 and "FTP only" in result.stderr


def test_default_identity_from_home(sshd_server, env) -> None:
    """Without --identity the usual ~/.ssh/id_ed25519 is offered, as OpenSSH's sftp does."""
    import shutil

    _trust(env, sshd_server)
    shutil.copy(sshd_server.key_file, Path(env["HOME"], ".ssh", "id_ed25519"))
    result = cli(env, "ls", sshd_server.url(), "-v")
    assert result.returncode == 0, result.stderr
    assert "auth publickey (" + str(Path(env["HOME"], ".ssh", "id_ed25519")) in result.stderr


def test_an_ftp_port_given_as_sftp_says_it_speaks_ftp(ftp_server, env) -> None:
    """A pyftpdlib port given as sftp://: the error names SSH and that port and says an
    FTP server answered — not a firewall, not FTP's control port 21."""
    result = cli(env, "ls", f"sftp://alice@{ftp_server.host}:{ftp_server.port}/",
                 "--timeout", "20")
    assert result.returncode == 2, result.stderr
    err = result.stderr
    assert f"SSH connection to {ftp_server.host}:{ftp_server.port}" in err
    assert "this port speaks FTP" in err and "ftp://" in err and "220" in err
    assert f"no SSH server on port {ftp_server.port}" in err
    assert "firewall may drop" not in err and "control port (21" not in err
