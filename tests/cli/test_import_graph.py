"""What each command loads: a plain ``get``, ``ls``, ``--version`` or ``explain`` must
not pay for the window, the keyring, the certificate tooling, SSH, SOCKS or the demo
server, and a plain-FTP ``get`` not for what only other commands use.

Each command runs to completion in a child process (a real transfer against pyftpdlib
for get/ls); the child then reports which modules it had loaded. This checks the import
graph, not a timing: start-up speed is measured by ``python -m bench``.
"""

from __future__ import annotations

import ast
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.sample_tree import HELLO_TEXT

#: Modules no headless FTP command needs: Qt and its asyncio bridge, the keyring, the
#: certificate-making and pyOpenSSL libraries, SSH and SOCKS, the FTP server library,
#: and our own window and demo-server packages.
HEAVY = ("PySide6", "shiboken6", "qasync", "keyring", "cryptography", "OpenSSL",
         "asyncssh", "python_socks", "pyftpdlib", "client.ui", "client.demo")

#: What a plain-FTP ``get`` leaves alone besides: diagnosis, SFTP, uploads, checksum
#: verification, the netrc parser (the URL names the user and FTP_PASSWORD is set),
#: JSON (no --transcript, no default-proxy file), the installed-metadata reader,
#: configparser (no window.ini with a session-log preference in it), the rules for an
#: existing target (there is none), the certificate tools (no TLS), and the code of
#: patterns, ``ls -R`` and the commands that change the server; nor the IDNA codec (the
#: host is ASCII: ``getaddrinfo`` is given bytes) or the password prompt (getpass,
#: termios: FTP_PASSWORD is set).
NOT_FOR_GET = ("client.engine.diagnose", "client.engine.portmap", "client.engine.sftp",
               "client.engine.upload", "client.engine.verify", "netrc", "json",
               "importlib.metadata", "configparser", "client.engine.exists",
               "client.engine.trust", "client.cli.wildcard_transfer",
               "client.cli.remote_ops", "client.cli.listing_tree", "client.cli.ls_command",
               "client.cli.listing_output", "encodings.idna", "stringprep", "getpass",
               "termios")

#: What a plain ``get`` does not load at all, checked without ``site`` (this machine's
#: site hooks load shutil into every process): shutil and the compression modules it
#: imports (the progress line reads the terminal's width itself).
NOT_FOR_GET_WITHOUT_SITE = ("shutil", "bz2", "lzma")

#: What ``ls`` leaves alone: the code of get, put and mirror and of their options.
NOT_FOR_LS = ("client.cli.transfer_commands", "client.cli.exists_option",
              "client.cli.mirror_sync", "client.engine.upload",
              "client.engine.queue")

#: ``explain`` is the protocol layer alone: no event loop, no engine.
NOT_FOR_EXPLAIN = ("asyncio", "ssl", "client.engine", "client.config", "importlib.metadata")

#: What ``get`` has not loaded yet when it dials the server: the login runs while these
#: load (client/cli/early_start.py), so each of them before the dial is waited for.
#: platformdirs (with tempfile and shutil) is not needed on Linux to find the folder of
#: the default-proxy file (client/config/appdirs.py).
NOT_BEFORE_DIAL = ("asyncio", "ssl", "logging", "typing", "client.engine.events",
                   "client.engine.errors", "client.engine.session",
                   "client.protocol.annotate", "client.protocol.addresses", "client.cli.runner",
                   "shutil", "tempfile", "platformdirs")

#: The child reports with repr, not json: its report must not load what it checks.
_CHILD = r"""
import sys
from client.entry import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
print("\n" + repr({"code": code, "loaded": sorted(sys.modules)}))
"""


def run_and_report(env: dict, *args: str, password: str | None = None) -> dict:
    if password is not None:
        env = {**env, "FTP_PASSWORD": password}
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def loaded_of(loaded: list[str], packages: tuple[str, ...]) -> list[str]:
    """The loaded modules that are one of ``packages`` or inside one of them."""
    return [name for name in loaded
            if any(name == p or name.startswith(p + ".") for p in packages)]


def test_get_downloads_without_loading_gui_keyring_or_tls_tooling(
        ftp_server, child_env, tmp_path: Path) -> None:
    target = tmp_path / "hello.txt"
    report = run_and_report(child_env, "get", "-q", ftp_server.url + "/hello.txt", "-o",
                            str(target), password=ftp_server.password)
    assert report["code"] == 0
    assert target.read_bytes() == HELLO_TEXT  # the whole get path really ran
    assert loaded_of(report["loaded"], HEAVY) == []


def test_plain_get_loads_only_what_a_download_runs(ftp_server, child_env,
                                                   tmp_path: Path) -> None:
    """Diagnosis, SFTP, uploads and checksums load on first use, not for every get."""
    assert "@" in ftp_server.url  # the URL names the user: netrc has nothing to add
    target = tmp_path / "hello.txt"
    report = run_and_report(child_env, "get", "-q", ftp_server.url + "/hello.txt", "-o",
                            str(target), password=ftp_server.password)
    assert report["code"] == 0 and target.read_bytes() == HELLO_TEXT
    assert loaded_of(report["loaded"], NOT_FOR_GET) == []


def test_get_leaves_no_settings_folder_behind(ftp_server, child_env, tmp_path: Path) -> None:
    """Looking for a default proxy (and the log preference) reads the settings folder;
    it does not create it. What a get writes there is its session log, and only that
    (the test's settings override puts the data folder inside it)."""
    settings = Path(child_env["FTP_INSPECTOR_CONFIG_DIR"])
    assert not settings.exists()
    report = run_and_report(child_env, "get", "-q", "--no-log", ftp_server.url + "/hello.txt",
                            "-o", str(tmp_path / "hello.txt"), password=ftp_server.password)
    assert report["code"] == 0
    assert not settings.exists()
    report = run_and_report(child_env, "get", "-q", "--overwrite", ftp_server.url + "/hello.txt",
                            "-o", str(tmp_path / "hello.txt"), password=ftp_server.password)
    assert report["code"] == 0
    written = {p.relative_to(settings).parts[:2] for p in settings.rglob("*") if p.is_file()}
    assert written == {("data", "logs")}


def test_ls_lists_without_loading_gui_keyring_or_tls_tooling(ftp_server, child_env) -> None:
    report = run_and_report(child_env, "ls", "-q", ftp_server.url + "/",
                            password=ftp_server.password)
    assert report["code"] == 0
    assert loaded_of(report["loaded"], HEAVY) == []


def test_ls_loads_no_transfer_command_code(ftp_server, child_env) -> None:
    """``ls`` is its own command module: the code of get, put and mirror stays unloaded."""
    report = run_and_report(child_env, "ls", "-q", ftp_server.url + "/",
                            password=ftp_server.password)
    assert report["code"] == 0
    assert "client.cli.ls_command" in report["loaded"]
    assert loaded_of(report["loaded"], NOT_FOR_LS) == []


@pytest.mark.parametrize("args", [("--version",),
                                  ("explain", "227 Entering Passive Mode (10,0,0,5,195,80)")])
def test_version_and_explain_load_nothing_heavy(child_env, args: tuple[str, ...]) -> None:
    report = run_and_report(child_env, *args)
    assert report["code"] in (0, None)
    assert loaded_of(report["loaded"], HEAVY) == []


def test_explain_loads_the_protocol_layer_only(child_env) -> None:
    report = run_and_report(child_env, "explain", "PASV",
                            "227 Entering Passive Mode (10,0,0,5,195,80)")
    assert report["code"] == 0
    assert loaded_of(report["loaded"], NOT_FOR_EXPLAIN) == []


def test_explain_does_not_load_typing(child_env) -> None:
    """``typing`` costs ``explain`` ~3 ms; its modules import it for type checkers only.
    Run without ``site`` (``-S``): a site hook of this machine loads it into every
    process, a user's virtual environment does not."""
    done = subprocess.run([sys.executable, "-S", "-c", _CHILD, "explain", "PASV",
                           "227 Entering Passive Mode (10,0,0,5,195,80)"],
                          env=child_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert loaded_of(report["loaded"], ("typing", "asyncio", "json")) == []


def test_the_check_sees_a_heavy_import(child_env) -> None:
    """The child's report is real: a command that does load the demo server (and with it
    pyftpdlib) is caught."""
    report = run_and_report(child_env, "demo-server", "--help")
    assert "pyftpdlib" in {name.split(".")[0] for name in loaded_of(report["loaded"], HEAVY)}


def test_version_does_not_even_load_argparse(child_env) -> None:
    """``--version`` is answered before the command line is parsed: argparse (and
    gettext with it) stays unloaded."""
    child = ("import sys\nfrom client.entry import main\nmain(['--version'])\n"
             "print('argparse' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", child], env=child_env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["ftp-inspector " + done.stdout.split()[1], "False"]


def run_get_without_site(ftp_server, child_env: dict, tmp_path: Path,
                         setup: str) -> subprocess.CompletedProcess:
    """``get`` of the hello file in a child run without ``site`` (``-S``, the packages'
    folders on the path instead, the network guard imported by hand), ``setup`` run
    first: this machine's site hooks load ``typing`` and ``shutil`` into every process,
    a user's virtual environment does not. The settings folder is found as a user's."""
    program = (
        "import sitecustomize, sys\n"
        f"{setup}"
        "sys.argv = ['ftp-inspector', *sys.argv[1:]]\n"
        "from client.entry import run\n"
        "run()\n")
    paths = [child_env["PYTHONPATH"], *site.getsitepackages()]
    home = tmp_path / "home"  # the settings folder found as a user's: no override
    home.mkdir()
    env = {name: value for name, value in child_env.items()
           if name != "FTP_INSPECTOR_CONFIG_DIR" and not name.startswith("XDG_")}
    env.update(PYTHONPATH=os.pathsep.join(paths), HOME=str(home),
               FTP_PASSWORD=ftp_server.password)
    target = tmp_path / "hello.txt"
    done = subprocess.run([sys.executable, "-S", "-c", program, "get", "-q",
                           ftp_server.url + "/hello.txt", "-o", str(target)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == HELLO_TEXT
    assert list((home / ".local/share/ftp-inspector/logs").glob("*.log"))  # where it was
    return done


def test_get_dials_before_loading_the_engine_logging_or_typing(ftp_server, child_env,
                                                               tmp_path: Path) -> None:
    """Everything loaded before the early login dials is waited for in full; what loads
    after it overlaps the server's login. Recorded when the main thread starts the
    login's thread (at the thread's connect the main thread has gone on importing, as
    far as the machine's load lets it)."""
    setup = (
        "import threading\n"
        "start = threading.Thread.start\n"
        "def recording(thread):\n"
        "    if thread.name == 'early-login':\n"
        f"        watched = {NOT_BEFORE_DIAL!r}\n"
        "        loaded = sorted(m for m in watched if m in sys.modules)\n"
        "        print('dialled with', loaded, file=sys.stderr, flush=True)\n"
        "    return start(thread)\n"
        "threading.Thread.start = recording\n")
    done = run_get_without_site(ftp_server, child_env, tmp_path, setup)
    assert "dialled with []" in done.stderr, done.stderr


def test_plain_get_loads_no_shutil(ftp_server, child_env, tmp_path: Path) -> None:
    """What a ``get`` has loaded when it exits (the exit handlers report it)."""
    setup = (
        "import atexit\n"
        "def report():\n"
        f"    watched = {NOT_FOR_GET_WITHOUT_SITE!r}\n"
        "    loaded = sorted(m for m in watched if m in sys.modules)\n"
        "    print('ended with', loaded, file=sys.stderr, flush=True)\n"
        "atexit.register(report)\n")
    done = run_get_without_site(ftp_server, child_env, tmp_path, setup)
    assert "ended with []" in done.stderr, done.stderr


def test_get_collects_no_garbage_while_it_loads(ftp_server, child_env, tmp_path: Path) -> None:
    """The program collects rarely while it loads (client/cli/__init__.py): from the
    command-line package's start until the engine is loaded no collection walks the
    objects loading creates; after that the loaded objects are frozen out of the
    collections that the transfer's garbage starts. (Before: ~40 collections, 7-12 ms.)"""
    setup = (
        "import gc\n"
        "early = []\n"
        "def watch(phase, info):\n"
        "    loading = 'client.cli' in sys.modules and 'client.cli.runner' not in sys.modules\n"
        "    if phase == 'start' and loading:\n"
        "        early.append(info['generation'])\n"
        "gc.callbacks.append(watch)\n"
        "import atexit\n"
        "atexit.register(lambda: print('collections while loading', early,\n"
        "                              'frozen', gc.get_freeze_count() > 0,\n"
        "                              'thresholds', gc.get_threshold(), file=sys.stderr))\n")
    done = run_get_without_site(ftp_server, child_env, tmp_path, setup)
    default = "(700, 10, 10)"
    assert f"collections while loading [] frozen True thresholds {default}" in done.stderr, \
        done.stderr


def test_a_caller_of_main_keeps_its_collector_as_it_was(
        ftp_server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Only the program tunes the process's collector: a caller of ``main`` (a test, a
    script) finds the thresholds as they were and nothing frozen."""
    import gc

    from client.entry import main

    monkeypatch.setenv("FTP_PASSWORD", ftp_server.password)
    before = (gc.get_threshold(), gc.get_freeze_count())
    assert main(["ls", "-q", "--no-log", ftp_server.url + "/"]) == 0
    assert "hello.txt" in capsys.readouterr().out
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
