"""``--limit-rate`` as a user types it: curl's syntax, the rate kept, a bad value refused."""

from __future__ import annotations

import json
import subprocess
import sys


def cli(env: dict, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    return subprocess.run([sys.executable, "-m", "client", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_get_with_limit_rate_keeps_to_it(ftp_server, child_env, tmp_path) -> None:
    transcript = tmp_path / "t.jsonl"
    got = cli(child_env, "get", ftp_server.url + "/random-1MiB.bin", "-o", str(tmp_path),
              "--limit-rate", "512K", "--transcript", str(transcript),
              password=ftp_server.password)
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "random-1MiB.bin").read_bytes() == \
        (ftp_server.root / "random-1MiB.bin").read_bytes()
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    data = [r for r in records if r["kind"] == "data" and r["command"].startswith("RETR")]
    first = next(r for r in data if r["phase"] == "first-byte")
    closed = next(r for r in data if r["phase"] == "closed")
    rate = closed["bytes"] / (closed["elapsed"] - first["elapsed"])
    assert 0.9 * 512 * 1024 <= rate <= 1.1 * 512 * 1024, rate
    assert closed["rate_limit"] == 512 * 1024


def test_bad_limit_rate_is_refused(child_env) -> None:
    result = cli(child_env, "get", "ftp://127.0.0.1:1/x", "--limit-rate", "fast")
    assert result.returncode == 1
    assert "expected a rate such as 500K" in result.stderr
