"""Secrets: the password lives only in the keyring. A full CLI session (-v, --transcript,
a download, an upload, a refused login) and a full GUI session (site saved with its
password through the site manager into an in-memory keyring, connect, list, transfer,
export the console, save the window state) are run, then every file written under the
config, data and output folders, stdout/stderr and every log record are scanned for the
password, in clear and in the encodings a careless writer would use."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest


def encodings_of(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, base64.b64encode(raw), raw.hex().encode(), urllib.parse.quote(secret).encode(),
            secret.encode("utf-16-le"), raw[::-1]]


def leaks_in_files(folders: list[Path], secret: str) -> list[str]:
    found = []
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                found += [f"{path} ({needle[:6]!r}…)" for needle in encodings_of(secret)
                          if needle in data]
    return found


def leaks_in_text(text: str, secret: str) -> bool:
    data = text.encode("utf-8", "surrogateescape")
    return any(needle in data for needle in encodings_of(secret))


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=60)


def test_cli_session_never_writes_or_prints_the_password(ftp_server, child_env, tmp_path):
    secret = ftp_server.password
    assert len(secret) >= 8
    ftp_server.write_file("remote.txt", b"remote content\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "local.txt").write_text("local content\n")
    base = f"127.0.0.1:{ftp_server.port}"
    with_password = f"ftp://alice:{urllib.parse.quote(secret)}@{base}"
    env_password = {**child_env, "FTP_PASSWORD": secret}
    runs = [
        (["ls", "-v", "--transcript", str(work / "ls.jsonl"), with_password + "/"], child_env),
        (["ls", "-v", "--json", "--ladder", f"ftp://alice@{base}/"], env_password),
        (["get", "-v", "--transcript", str(work / "get.jsonl"), "-o", str(work / "got.txt"),
          with_password + "/remote.txt"], child_env),
        (["put", "-v", "--transcript", str(work / "put.jsonl"), str(work / "local.txt"),
          f"ftp://alice@{base}/uploaded.txt"], env_password),
        (["diagnose", "-v", "--transcript", str(work / "diag.jsonl"),
          f"ftp://alice@{base}/"], env_password),
        # A wrong password that contains the real one: its refusal must not echo it.
        (["ls", "-v", "--transcript", str(work / "bad.jsonl"),
          f"ftp://alice:{urllib.parse.quote(secret + 'x')}@{base}/"], child_env),
    ]
    outputs = []
    codes = []
    for args, env in runs:
        result = run_cli(args, env, work)
        codes.append(result.returncode)
        outputs.append((args[0], result.stdout, result.stderr))
    assert codes[:5] == [0, 0, 0, 0, 0], [(o[0], o[2][-500:]) for o in outputs]
    assert codes[5] == 2  # the refused login
    assert (work / "got.txt").read_bytes() == b"remote content\n"
    for name, stdout, stderr in outputs:
        assert not leaks_in_text(stdout, secret), f"{name} stdout"
        assert not leaks_in_text(stderr, secret), f"{name} stderr"
    assert "PASS ****" in (work / "ls.jsonl").read_text()
    config = Path(child_env["FTP_INSPECTOR_CONFIG_DIR"])
    assert leaks_in_files([work, config, tmp_path], secret) == []


@pytest.mark.gui
def test_gui_session_keeps_the_password_in_the_keyring_only(ftp_server, child_env, tmp_path):
    """The GUI session runs in a child process (tests/security/gui_session_child.py) so
    its Qt loop is its own; its stdout, stderr (all logging at DEBUG) and every file it
    wrote are scanned."""
    secret = ftp_server.password
    ftp_server.write_file("remote.bin", b"r" * 100_000)
    out = tmp_path / "gui-out"
    out.mkdir()
    env = {**child_env, "FTPI_TEST_SECRET": secret, "QT_QPA_PLATFORM": "offscreen"}
    child = Path(__file__).with_name("gui_session_child.py")
    result = subprocess.run([sys.executable, str(child), "127.0.0.1", str(ftp_server.port),
                             ftp_server.user, str(out)], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {"saved": True, "in_keyring": True, "downloaded": 100_000}
    assert "PASS ****" in (out / "console.text").read_text()
    assert "DEBUG" in result.stderr  # logging really was on
    assert not leaks_in_text(result.stdout, secret)
    assert not leaks_in_text(result.stderr, secret)
    config = Path(child_env["FTP_INSPECTOR_CONFIG_DIR"])
    assert any(config.rglob("*")), "the session saved nothing: the scan would prove nothing"
    assert leaks_in_files([config, tmp_path], secret) == []
    # The scan would have found it had it been written (base64, as one client did).
    (tmp_path / "probe").write_text(base64.b64encode(secret.encode()).decode())
    assert leaks_in_files([tmp_path], secret)


@pytest.mark.asyncio
async def test_engine_events_errors_reprs_and_debug_logs_hold_no_password(ftps_server,
                                                                         tmp_path, caplog):
    """In process, at DEBUG: the repr of every event (what any observer might log), of
    the settings and the session, every exception (str and repr, with its chain) and
    every log record are free of the password, over TLS and after a refused login."""
    import asyncio
    import logging
    import traceback

    from client.engine.errors import LoginError
    from client.engine.events import EventBus
    from client.engine.session import FtpSession

    caplog.set_level(logging.DEBUG)
    secret = ftps_server.password
    ftps_server.write_file("f.bin", b"f" * 10_000)
    bus = EventBus()
    events: list = []
    bus.subscribe(events.append)
    texts: list[str] = []
    settings = ftps_server.settings()
    texts += [repr(settings), str(settings)]
    async with FtpSession(settings, bus=bus) as session:
        texts.append(repr(session))
        await session.list()
        await session.download("f.bin", tmp_path / "f.bin")
    wrong = settings.replace(password=secret + "-wrong")
    session = FtpSession(wrong, bus=bus)
    with pytest.raises(LoginError) as caught:
        await asyncio.wait_for(session.connect(), 10)
    await session.close()
    texts += [str(caught.value), repr(caught.value),
              "".join(traceback.format_exception(caught.value))]
    texts += [repr(event) for event in events]
    texts += [f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    assert len(events) > 20
    leaked = [text[:200] for text in texts if leaks_in_text(text, secret)]
    assert leaked == []


MALFORMED_URLS = [
    "sftp://alice:{pw}@127.0.0.1/",
    "http://alice:{pw}@127.0.0.1/",
    "ftp//alice:{pw}@127.0.0.1/",
    "ftp://alice:{pw}@127.0.0.1:99999/",
    "ftp://alice:{pw}@[::1/",
    "ftp://alice:%ff{pw}@127.0.0.1/",
    "ftp://alice:{pw}%0d%0aDELE%20x@127.0.0.1/",
]


@pytest.mark.parametrize("template", MALFORMED_URLS)
def test_a_malformed_url_is_refused_without_echoing_its_password(template, child_env, tmp_path):
    secret = "S3cret-url-PW"
    url = template.format(pw=secret)
    done = run_cli(["ls", url], child_env, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip(), "a clear error is printed"
    assert not leaks_in_text(done.stdout + done.stderr, secret), done.stderr


@pytest.mark.parametrize("template", MALFORMED_URLS)
def test_quickconnect_errors_never_echo_the_password(template) -> None:
    from client.config.urls import parse_target

    secret = "S3cret-url-PW"
    try:
        parse_target(template.format(pw=secret))
    except ValueError as error:
        assert secret not in str(error)


def test_hide_url_password_keeps_everything_else() -> None:
    from client.protocol.text import hide_url_password

    assert hide_url_password("ftp://alice:pw@host:21/a@b") == "ftp://alice:****@host:21/a@b"
    assert hide_url_password("ftp://alice@host/") == "ftp://alice@host/"
    assert hide_url_password("ftp://host/path:x@y") == "ftp://host/path:x@y"
    assert hide_url_password("ftp//alice:pw@host/") == "ftp//alice:****@host/"
    assert hide_url_password("x://a:b:c@h") == "x://a:****@h"
