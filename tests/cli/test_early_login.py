"""``get`` logs in while the engine loads (client/engine/early_login.py): the server sees
exactly the commands the engine's own login sends, once; the inspector sees every line,
in order, with the times they happened; errors read as before.

Real processes against pyftpdlib; the server records every command it receives.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fixtures.scripted_steps import unused_port

from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings

PASSWORD = "early-secret-7"
PAYLOAD = b"thirty-four bytes of a small file\n"


@dataclass
class RecordingServer:
    port: int
    root: Path
    seen: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"ftp://alice@127.0.0.1:{self.port}/{path}"


@pytest.fixture
def recording_server(tmp_path: Path) -> Iterator[RecordingServer]:
    """pyftpdlib in a thread; ``seen`` lists the verbs of every command it received."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer

    root = tmp_path / "root"
    root.mkdir()
    (root / "small.txt").write_bytes(PAYLOAD)
    authorizer = DummyAuthorizer()
    authorizer.add_user("alice", PASSWORD, str(root), perm="elradfmw")
    seen: list[str] = []

    class Recording(FTPHandler):
        def pre_process_command(self, line: str, cmd: str, arg: str) -> None:
            seen.append(cmd)
            super().pre_process_command(line, cmd, arg)

    Recording.authorizer = authorizer
    server = FTPServer(("127.0.0.1", 0), Recording, ioloop=IOLoop())
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"timeout": 0.05, "handle_exit": False}, daemon=True)
    thread.start()
    try:
        yield RecordingServer(server.address[1], root, seen)
    finally:
        server.close_all()
        thread.join(5)


def _get(env: dict, url: str, target: Path, *extra: str,
         password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "client", "get", "-q", url, "-o",
                           str(target), *extra], env={**env, "FTP_PASSWORD": password},
                          capture_output=True, text=True, timeout=60)


def test_the_server_sees_the_engines_own_login_once(recording_server, child_env,
                                                     tmp_path: Path) -> None:
    settings = ConnectionSettings(host="127.0.0.1", port=recording_server.port, user="alice",
                                  password=PASSWORD)

    async def engine_alone() -> None:
        async with FtpSession(settings) as session:
            await session.download("small.txt", tmp_path / "reference.txt")

    asyncio.run(engine_alone())
    reference = list(recording_server.seen)
    recording_server.seen.clear()
    done = _get(child_env, recording_server.url("small.txt"), tmp_path / "small.txt")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "small.txt").read_bytes() == PAYLOAD
    assert recording_server.seen == reference
    # before RETR: the login (FEAT, USER, PASS; FEAT again, OPTS UTF8 and OPTS MLST,
    # SYST, TYPE I, PWD), the size and the passive address; after it the file's time
    assert reference == ["FEAT", "USER", "PASS", "FEAT", "OPTS", "OPTS", "SYST", "TYPE",
                         "PWD", "SIZE", "PASV", "RETR", "MDTM", "QUIT"]


def test_the_transcript_has_every_line_in_order(recording_server, child_env,
                                                tmp_path: Path) -> None:
    transcript = tmp_path / "get.jsonl"
    done = _get(child_env, recording_server.url("small.txt"), tmp_path / "small.txt",
                "--transcript", str(transcript))
    assert done.returncode == 0, done.stderr
    text = transcript.read_text(encoding="utf-8")
    assert PASSWORD not in text
    records = [json.loads(line) for line in text.splitlines()]
    lines = [(r["kind"], r.get("code") or r.get("text")) for r in records
             if r["kind"] in ("send", "recv")]
    assert lines[:2] == [("recv", 220), ("send", "FEAT")]
    sent = [text for kind, text in lines if kind == "send"]
    assert sent[1:4] == ["USER alice", "PASS ****", "FEAT"]
    assert sent.count("USER alice") == 1
    times = [r["t"] for r in records]
    assert times == sorted(times)  # replayed lines keep their real, increasing times


def test_a_wrong_password_is_refused_once_as_before(recording_server, child_env,
                                                     tmp_path: Path) -> None:
    done = _get(child_env, recording_server.url("small.txt"), tmp_path / "small.txt",
                password="not-the-password")
    assert done.returncode == 2, done.stderr
    assert "login as 'alice' was refused" in done.stderr and "at step pass" in done.stderr
    assert "not-the-password" not in done.stderr + done.stdout
    assert recording_server.seen.count("PASS") == 1
    assert not (tmp_path / "small.txt").exists()


def test_a_refused_connection_reads_as_before(child_env, tmp_path: Path) -> None:
    done = _get(child_env, f"ftp://alice@127.0.0.1:{unused_port()}/small.txt",
                tmp_path / "small.txt", "--timeout", "2")
    assert done.returncode == 2
    assert "could not connect to 127.0.0.1" in done.stderr and "at step connect" in done.stderr


def test_with_tls_offered_the_login_continues_with_auth_tls(ftps_server, child_env,
                                                            tmp_path: Path) -> None:
    """The early login stops after FEAT when the server offers TLS: the password is sent
    only inside TLS, by the session, on the same connection."""
    transcript = tmp_path / "get.jsonl"
    url = ftps_server.url.replace("ftpes://", "ftp://", 1) + "/hello.txt"
    done = _get(child_env, url, tmp_path / "hello.txt", "--ca-file",
                str(ftps_server.ca_file), "--transcript", str(transcript),
                password=ftps_server.password)
    assert done.returncode == 0, done.stderr
    sent = [json.loads(line).get("text") for line in transcript.read_text().splitlines()
            if json.loads(line)["kind"] == "send"]
    assert sent[:3] == ["FEAT", "AUTH TLS", "PBSZ 0"]
    assert sent.index("USER alice") > sent.index("AUTH TLS")


def test_nothing_is_dialled_for_a_get_that_cannot_start(recording_server, child_env,
                                                       tmp_path: Path) -> None:
    done = _get(child_env, recording_server.url("small.txt"), tmp_path / "missing" / "x.txt")
    assert done.returncode == 1 and "does not exist" in done.stderr
    assert recording_server.seen == []


def test_the_login_starts_before_the_engine_loads(recording_server, child_env,
                                                  tmp_path: Path) -> None:
    """The point of it all: the server is dialled (and the login under way) before
    asyncio and the session are imported, so that importing them overlaps the
    server's check of the password."""
    program = (
        "import socket, sys\n"
        "connect = socket.create_connection\n"
        "def recording(*args, **kwargs):\n"
        "    loaded = sorted(m for m in ('asyncio', 'client.engine.session') if m in sys.modules)\n"
        "    print('dialled with', loaded, file=sys.stderr, flush=True)\n"
        "    return connect(*args, **kwargs)\n"
        "socket.create_connection = recording\n"
        "sys.argv = ['ftp-inspector', *sys.argv[1:]]\n"
        "from client.entry import run\n"
        "run()\n")
    done = subprocess.run([sys.executable, "-c", program, "get", "-q",
                           recording_server.url("small.txt"), "-o", str(tmp_path / "s.txt")],
                          env={**child_env, "FTP_PASSWORD": PASSWORD}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "dialled with []" in done.stderr
    assert (tmp_path / "s.txt").read_bytes() == PAYLOAD


def test_ls_and_put_log_in_early_too(recording_server, child_env, tmp_path: Path) -> None:
    env = {**child_env, "FTP_PASSWORD": PASSWORD}
    listing = subprocess.run([sys.executable, "-m", "client", "ls", "-q", "--json",
                              recording_server.url("")], env=env, capture_output=True,
                             text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert [e["name"] for e in json.loads(listing.stdout)] == ["small.txt"]
    assert recording_server.seen[:3] == ["FEAT", "USER", "PASS"]
    assert recording_server.seen.count("PASS") == 1
    recording_server.seen.clear()
    source = tmp_path / "up.txt"
    source.write_bytes(b"uploaded while logged in early\n")
    put = subprocess.run([sys.executable, "-m", "client", "put", "-q", str(source),
                          recording_server.url("up.txt")], env=env, capture_output=True,
                         text=True, timeout=60)
    assert put.returncode == 0, put.stderr
    assert (recording_server.root / "up.txt").read_bytes() == source.read_bytes()
    assert recording_server.seen.count("USER") == recording_server.seen.count("PASS") == 1


def test_every_real_server_sees_one_login_and_the_transcript_every_line(
        real_server, child_env, tmp_path: Path) -> None:
    """pyftpdlib, vsftpd, pure-ftpd and ProFTPD: the login the early thread carries up
    to PWD (USER and PASS once; ProFTPD's HOST included), the download on the same
    connection, every line in the transcript in order with increasing times, the
    password nowhere."""
    transcript = tmp_path / "get.jsonl"
    target = tmp_path / "notes.md"
    done = subprocess.run([sys.executable, "-m", "client", "get", "-q", "--tls", "off",
                           real_server.url + "/docs/notes.md", "-o", str(target),
                           "--transcript", str(transcript)],
                          env={**child_env, "FTP_PASSWORD": real_server.password},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == (real_server.root / "docs/notes.md").read_bytes()
    text = transcript.read_text(encoding="utf-8")
    assert real_server.password not in text + done.stderr + done.stdout
    records = [json.loads(line) for line in text.splitlines()]
    sent = [r["text"].split()[0] for r in records if r["kind"] == "send"]
    assert sent.count("HOST") <= 1  # ProFTPD offers it: sent right after FEAT
    sent = [verb for verb in sent if verb != "HOST"]
    assert sent[:3] == ["FEAT", "USER", "PASS"]
    login = sent[3:sent.index("PWD") + 1]
    assert login[0] == "FEAT" and login[-2:] == ["TYPE", "PWD"] and "SYST" in login
    assert sent.count("USER") == sent.count("PASS") == sent.count("RETR") == 1
    assert [r["t"] for r in records] == sorted(r["t"] for r in records)
    assert not any(r["kind"] == "notice" and "unexpected" in r.get("text", "")
                   for r in records)


def test_nothing_is_dialled_for_a_get_whose_target_exists(recording_server, child_env,
                                                         tmp_path: Path) -> None:
    """The file is there and no option says what to do with it: the command stops with
    exit code 6 before a word reaches the server, as it always stopped before the
    transfer."""
    target = tmp_path / "small.txt"
    target.write_bytes(b"already here\n")
    done = _get(child_env, recording_server.url("small.txt"), target)
    assert done.returncode == 6 and "already exists" in done.stderr
    assert recording_server.seen == []
    assert target.read_bytes() == b"already here\n"


def test_the_session_log_keeps_the_times_the_lines_happened(scripted_server, child_env,
                                                            tmp_path: Path) -> None:
    """The server takes 0.3 s to accept the password. The session shows the early
    login's lines when it takes the connection over, but the session log, like the
    transcript, stamps each with the time it was sent or received."""
    from datetime import datetime

    from fixtures.scripted_steps import sleep

    server = scripted_server({"PASS": [sleep(0.3), b"230 Login successful.\r\n"]},
                             password="")
    transcript = tmp_path / "ls.jsonl"
    done = subprocess.run([sys.executable, "-m", "client", "ls", "-q",
                           f"ftp://alice@127.0.0.1:{server.port}/", "--transcript",
                           str(transcript)],
                          env={**child_env, "FTP_PASSWORD": PASSWORD}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    sent_at = next(r["t"] for r in records if r.get("text") == "PASS ****")
    answered_at = next(r["t"] for r in records if r.get("code") == 230)
    logs = list((Path(child_env["FTP_INSPECTOR_CONFIG_DIR"]) / "data/logs").glob("*.log"))
    assert len(logs) == 1
    stamps = {}
    for line in logs[0].read_text().splitlines():
        for key, marker in (("pass", " > PASS ****"), ("230", " < 230 ")):
            if marker in line:
                stamps[key] = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f")
    logged = (stamps["230"] - stamps["pass"]).total_seconds()
    assert answered_at - sent_at >= 0.29
    assert abs(logged - (answered_at - sent_at)) < 0.003
