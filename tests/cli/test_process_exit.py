"""How the ``ftp-inspector`` program ends after a command-line command: exit handlers
run, output is complete and the exit status kept, and the interpreter's teardown (freeing
every module's objects, 10–25 ms of a short command) is skipped. Real processes; the
window's exit is the usual one (tests/ui/test_app_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fixtures.sample_tree import HELLO_TEXT

#: Runs the program as the console script does, with an exit handler and an object
#: whose finaliser only the interpreter's teardown would call.
_PROGRAM = r"""
import atexit, sys
atexit.register(lambda: print("exit handler ran", flush=True))

class Teardown:
    def __del__(self):
        print("teardown ran", flush=True)

kept = Teardown()
sys.argv = ["ftp-inspector", *sys.argv[1:]]
from client.entry import run
run()
"""


def _program(env: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _PROGRAM, *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_command_output_and_status_survive_the_quick_exit(child_env) -> None:
    done = _program(child_env, "explain", "227 Entering Passive Mode (10,0,0,5,195,80)",
                    "this is not FTP")
    assert done.returncode == 1  # one line made no sense
    assert "10.0.0.5:50000" in done.stdout and "not an FTP control line" in done.stderr
    assert done.stdout.rstrip().endswith("exit handler ran")
    assert "teardown ran" not in done.stdout


def test_get_with_transcript_is_complete_on_disk(ftp_server, child_env, tmp_path: Path) -> None:
    target = tmp_path / "hello.txt"
    transcript = tmp_path / "get.jsonl"
    done = _program({**child_env, "FTP_PASSWORD": ftp_server.password}, "get", "-q",
                    ftp_server.url + "/hello.txt", "-o", str(target), "--transcript",
                    str(transcript))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == HELLO_TEXT
    records = [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]
    assert {"kind": "send", "text": "QUIT"}.items() <= records[-3].items()
    assert records[-1].get("state") == "disconnected"  # the last event reached the file
    assert ftp_server.password not in transcript.read_text(encoding="utf-8")


def test_usage_errors_and_help_exit_as_before(child_env) -> None:
    done = _program(child_env, "get")
    assert done.returncode == 1 and "usage:" in done.stderr
    done = _program(child_env, "explain", "--help")
    assert done.returncode == 0 and "usage:" in done.stdout
