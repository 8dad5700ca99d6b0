"""`ftp-inspector demo-server` as a real subprocess (the same way a user or script runs it)."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from client.demo import SCENARIOS
from demo.rawftp import RawFtp, passive_transfer

REPO = Path(__file__).resolve().parents[2]
URL = re.compile(r"^(ftp|ftpes)://demo@127\.0\.0\.1:(\d+)/$")
PASSWORD_FILE = re.compile(r"password of user demo is in (\S+) ")


def start_cli(child_env, *args: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [sys.executable, "-m", "client", "demo-server", *args],
        cwd=REPO, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize(
    ("scenario", "stop_signal"),
    [("healthy", signal.SIGINT), ("tls", signal.SIGTERM), ("stall", signal.SIGHUP)],
)
def test_prints_url_first_serves_and_exits_0_on_signal(child_env, scenario, stop_signal) -> None:
    """The URL on stdout has no password: a generated one is in a file only the user
    can read, named on stderr, and removed at the stop."""
    process = start_cli(child_env, "--scenario", scenario)
    try:
        assert process.stdout is not None and process.stderr is not None
        first_line = process.stdout.readline().rstrip("\n")
        match = URL.match(first_line)
        assert match, first_line
        scheme, port = match.group(1), int(match.group(2))
        assert scheme == ("ftpes" if scenario == "tls" else "ftp")
        told = ""
        while not (found := PASSWORD_FILE.search(told)):
            line = process.stderr.readline()
            assert line, told
            told += line
        password_file = Path(found.group(1))
        assert password_file.stat().st_mode & 0o077 == 0
        password = password_file.read_text().strip()
        assert password and password not in told
        ftp = RawFtp("127.0.0.1", port)
        assert scenario in ftp.banner.text
        if scenario == "healthy":
            ftp.login("demo", password)
            assert b"README.txt" in passive_transfer(ftp, "NLST")
        ftp.quit()
        process.send_signal(stop_signal)
        process.wait(timeout=10)
        # read through the same buffered streams (communicate() would skip what
        # readline() has buffered already)
        out, err = process.stdout.read(), told + process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out == ""  # nothing after the URL on stdout
    sample_root = re.search(r"sample files: (\S+)", err)
    assert sample_root and not Path(sample_root.group(1)).exists()  # removed on the way out
    assert SCENARIOS[scenario] in err
    assert "stopped" in err
    assert password not in err
    assert not password_file.exists()
    if scenario == "tls":
        assert "SHA-256" in err and ".pem" in err


def test_list_scenarios(child_env) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "client", "demo-server", "--list-scenarios"],
        cwd=REPO, env=child_env, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(SCENARIOS)


def test_unknown_scenario_is_a_usage_error(child_env) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "client", "demo-server", "--scenario", "bogus"],
        cwd=REPO, env=child_env, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "bogus" in result.stderr and "passive-blocked" in result.stderr


def test_port_in_use_is_a_local_error(child_env, start_demo) -> None:
    busy = start_demo("healthy")
    result = subprocess.run(
        [sys.executable, "-m", "client", "demo-server", "--port", str(busy.port)],
        cwd=REPO, env=child_env, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"127.0.0.1:{busy.port}" in result.stderr


def test_sigint_with_a_client_still_connected_exits_cleanly(child_env) -> None:
    process = start_cli({**child_env, "FTP_PASSWORD": "stall-test"}, "--scenario", "stall")
    try:
        assert process.stdout is not None
        match = URL.match(process.stdout.readline().rstrip("\n"))
        assert match
        ftp = RawFtp("127.0.0.1", int(match.group(2)))
        ftp.login("demo", "stall-test")
        port = ftp.epsv()
        data = socket.create_connection(("127.0.0.1", port), timeout=5)
        assert ftp.command("LIST").preliminary  # a stalled transfer is in progress
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        assert data.recv(1) == b""  # the server closed the data connection on its way out
        data.close()
        ftp.sock.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopped" in err


def test_negative_give_up_after_is_a_usage_error(child_env) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "client", "demo-server", "--give-up-after", "-1"],
        cwd=REPO, env=child_env, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "give_up_after" in result.stderr
    assert "Traceback" not in result.stderr


def test_verbose_logs_sessions_without_the_password(child_env) -> None:
    """The password given in FTP_PASSWORD is the demo user's; it is never shown, and
    then no password file is written."""
    password = "chosen-Pass-7"
    process = start_cli({**child_env, "FTP_PASSWORD": password}, "-v")
    try:
        assert process.stdout is not None
        match = URL.match(process.stdout.readline().rstrip("\n"))
        assert match
        ftp = RawFtp("127.0.0.1", int(match.group(2)))
        ftp.login("demo", password)
        ftp.quit()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "USER 'demo' logged in" in err
    assert password not in err
    assert "the one in FTP_PASSWORD" in err and "password of user demo is in" not in err
