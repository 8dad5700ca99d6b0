"""The command line writes the always-on session log as the window does: each
connection's annotated conversation in ``logs`` in the app's data folder, the password
masked; ``--no-log`` and the window's preference turn it off; commands that connect to
nothing never load it."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from cli.test_import_graph import run_and_report

TIMEOUT = 60


def cli(env: dict, *args: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args],
                          env={**env, "FTP_PASSWORD": password}, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def _logs(env: dict) -> Path:
    return Path(env["FTP_INSPECTOR_CONFIG_DIR"]) / "data" / "logs"


def test_ls_and_mirror_write_one_log_per_connection_without_the_password(
        ftp_server, child_env, tmp_path) -> None:
    listed = cli(child_env, "ls", ftp_server.url + "/docs", "-v", password=ftp_server.password)
    assert listed.returncode == 0, listed.stderr
    assert f"session log: {_logs(child_env)}" in listed.stderr
    files = sorted(_logs(child_env).glob("*.log"))
    assert len(files) == 1 and files[0].name.endswith("-c1.log")
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    text = files[0].read_text()
    assert text.startswith("# FTP Inspector session log: connection c1")
    assert " c1 > USER " in text and " c1 > PASS ****" in text
    assert " c1 < 226" in text and " c1 > MLSD" in text
    assert "  = " in text  # the annotations, as the console shows them
    assert ftp_server.password not in text

    copied = cli(child_env, "mirror", ftp_server.url + "/docs", str(tmp_path / "m"),
                 "--parallel", "2", "-q", password=ftp_server.password)
    assert copied.returncode == 0, copied.stderr
    # the first run's file, then the mirror's folder probe and its worker: one file per
    # connection, each named by the process and its connection
    mirrored = set(_logs(child_env).glob("*.log")) - set(files)
    assert len(mirrored) >= 2
    assert {path.name.rsplit("-", 1)[1] for path in mirrored} >= {"c1.log", "c2.log"}
    for path in _logs(child_env).glob("*.log"):
        assert ftp_server.password not in path.read_text()


def test_no_log_and_the_window_preference_turn_it_off(ftp_server, child_env) -> None:
    result = cli(child_env, "ls", ftp_server.url + "/", "--no-log",
                 password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert not _logs(child_env).exists() or not list(_logs(child_env).glob("*.log"))

    config = Path(child_env["FTP_INSPECTOR_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "window.ini").write_text("[sessionLog]\nenabled=false\n")
    result = cli(child_env, "ls", ftp_server.url + "/", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert not _logs(child_env).exists() or not list(_logs(child_env).glob("*.log"))

    (config / "window.ini").write_text("[sessionLog]\nenabled=true\n")
    result = cli(child_env, "ls", ftp_server.url + "/", password=ftp_server.password)
    assert result.returncode == 0, result.stderr
    assert len(list(_logs(child_env).glob("*.log"))) == 1


def test_a_command_that_fails_before_connecting_writes_no_log(child_env, tmp_path) -> None:
    result = cli(child_env, "get", "ftp://127.0.0.1:1/folder/", password="x")
    assert result.returncode == 1
    assert not _logs(child_env).exists()


def test_commands_without_a_connection_do_not_load_the_log(child_env) -> None:
    child = ("import sys\nfrom client.entry import main\n"
             "for args in (['--version'], ['explain', '227 Entering Passive Mode "
             "(10,0,0,5,195,80)']):\n"
             "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
             "print('client.engine.sessionlog' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", child], env=child_env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False"


def test_the_log_loads_neither_qt_nor_keyring(ftp_server, child_env) -> None:
    report = run_and_report(child_env, "ls", "-q", ftp_server.url + "/",
                            password=ftp_server.password)
    assert report["code"] == 0
    assert list(_logs(child_env).glob("*.log"))  # the log was written by this very run
    assert not [name for name in report["loaded"]
                if name.split(".")[0] in ("PySide6", "keyring", "qasync")]
