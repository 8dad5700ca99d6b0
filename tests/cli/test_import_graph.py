"""What each command loads: a plain ``get``, ``ls``, ``--version`` or ``explain`` must
not pay for the window, the keyring, the certificate tooling or the demo server.

Each command runs to completion in a child process (a real transfer against pyftpdlib
for get/ls); the child then reports which modules it had loaded. This checks the import
graph, not a timing: start-up speed is measured by ``python -m bench``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.sample_tree import HELLO_TEXT

#: Modules no headless command needs: Qt and its asyncio bridge, the keyring, the
#: certificate-making and pyOpenSSL libraries, the FTP server library, and our own
#: window and demo-server packages.
HEAVY = ("PySide6", "shiboken6", "qasync", "keyring", "cryptography", "OpenSSL",
         "pyftpdlib", "client.ui", "client.demo")

_CHILD = r"""
import json, sys
from client.entry import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
loaded = sorted({name for name in sys.modules
                 if name.split(".")[0] in {"PySide6", "shiboken6", "qasync", "keyring",
                                           "cryptography", "OpenSSL", "pyftpdlib"}
                 or name.startswith(("client.ui", "client.demo"))})
print("\n" + json.dumps({"code": code, "loaded": loaded}))
"""


def run_and_report(env: dict, *args: str, password: str | None = None) -> dict:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def heavy_in(loaded: list[str]) -> list[str]:
    return [name for name in loaded if name.split(".")[0] in HEAVY or name.startswith(HEAVY)]


def test_get_downloads_without_loading_gui_keyring_or_tls_tooling(
        ftp_server, child_env, tmp_path: Path) -> None:
    target = tmp_path / "hello.txt"
    report = run_and_report(child_env, "get", "-q", ftp_server.url + "/hello.txt", "-o",
                            str(target), password=ftp_server.password)
    assert report["code"] == 0
    assert target.read_bytes() == HELLO_TEXT  # the whole get path really ran
    assert heavy_in(report["loaded"]) == []


def test_ls_lists_without_loading_gui_keyring_or_tls_tooling(ftp_server, child_env) -> None:
    report = run_and_report(child_env, "ls", "-q", ftp_server.url + "/",
                            password=ftp_server.password)
    assert report["code"] == 0
    assert heavy_in(report["loaded"]) == []


@pytest.mark.parametrize("args", [("--version",),
                                  ("explain", "227 Entering Passive Mode (10,0,0,5,195,80)")])
def test_version_and_explain_load_nothing_heavy(child_env, args: tuple[str, ...]) -> None:
    report = run_and_report(child_env, *args)
    assert report["code"] in (0, None)
    assert heavy_in(report["loaded"]) == []


def test_the_check_sees_a_heavy_import(child_env) -> None:
    """The child's report is real: a command that does load the demo server (and with it
    pyftpdlib) is caught."""
    report = run_and_report(child_env, "demo-server", "--help")
    assert "pyftpdlib" in {name.split(".")[0] for name in heavy_in(report["loaded"])}


def test_version_does_not_even_load_argparse(child_env) -> None:
    """``--version`` is answered before the command line is parsed: argparse (and
    gettext with it) stays unloaded."""
    child = ("import sys\nfrom client.entry import main\nmain(['--version'])\n"
             "print('argparse' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", child], env=child_env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["ftp-inspector " + done.stdout.split()[1], "False"]
