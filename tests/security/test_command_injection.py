"""Command injection: a path, name or credential holding CR, LF or NUL is refused before
a byte is sent, through every entry point of the engine and the queue, so a server never
receives the smuggled second command (RFC 959 ends a command at CRLF; RFC 2640's CR-NUL
escaping is deliberately not supported)."""

from __future__ import annotations

import asyncio

import pytest

from client.engine.errors import FtpError
from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession

INJECTIONS = [
    "evil\r\nDELE victim.txt",
    "evil\nDELE victim.txt",
    "evil\rDELE victim.txt",
    "evil\x00DELE victim.txt",
    "\r\nDELE victim.txt",
]

# bounds for a loaded machine: no test here waits for a timeout to happen
FAST = dict(control_timeout=15.0, data_timeout=15.0, connect_timeout=15.0)


def operations(tmp_path):
    """Each engine entry point that puts a user-supplied string on the wire."""
    local = tmp_path / "up.bin"
    local.write_bytes(b"x")
    return {
        "cwd": lambda s, bad: s.cwd(bad),
        "mkdir": lambda s, bad: s.mkdir(bad),
        "rmdir": lambda s, bad: s.rmdir(bad),
        "delete": lambda s, bad: s.delete(bad),
        "rename-from": lambda s, bad: s.rename(bad, "/ok"),
        "rename-to": lambda s, bad: s.rename("/ok", bad),
        "chmod": lambda s, bad: s.chmod(bad, 0o644),
        "size": lambda s, bad: s.size(bad),
        "mdtm": lambda s, bad: s.mdtm(bad),
        "list": lambda s, bad: s.list(bad),
        "stat": lambda s, bad: s.stat(bad),
        "stat_listing": lambda s, bad: s.stat_listing(bad),
        "download": lambda s, bad: s.download(bad, tmp_path / "down.bin"),
        "upload": lambda s, bad: s.upload(local, bad),
        "quote": lambda s, bad: s.quote("SITE " + bad),
    }


def assert_nothing_smuggled(server, before: int) -> None:
    lines = server.lines()
    assert not any("DELE" in line for line in lines), lines
    # Whatever the operation sent before refusing (e.g. PASV), no line carries the
    # payload and nothing after it was a command the client did not mean.
    assert not any("victim" in line for line in lines[before:]), lines[before:]


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", INJECTIONS, ids=["crlf", "lf", "cr", "nul", "leading-crlf"])
async def test_every_session_entry_point_refuses_cr_lf_nul(scripted_server, tmp_path, bad):
    server = scripted_server()
    async with FtpSession(server.settings(**FAST), bus=EventBus()) as session:
        for name, operation in operations(tmp_path).items():
            before = len(server.lines())
            with pytest.raises(FtpError) as caught:
                await asyncio.wait_for(operation(session, bad), 10)
            message = str(caught.value)
            assert "nothing was sent" in message or "CR" in message or "LF" in message \
                or "NUL" in message, (name, message)
            assert_nothing_smuggled(server, before)
            # The connection is still in step: the next command gets its own reply.
            reply = await session.noop()
            assert reply.code == 200, name
    assert "DELE" not in server.verbs()
    assert server.verbs().count("NOOP") == len(operations(tmp_path))


@pytest.mark.asyncio
@pytest.mark.parametrize("field", ["user", "password", "account"])
async def test_credentials_with_line_breaks_are_refused_before_login(scripted_server, field):
    # For the account the server must ask for it (332), or ACCT is never built.
    server = scripted_server({"PASS": "332 Need account for login."} if field == "account"
                             else None)
    settings = server.settings(**FAST).replace(**{field: "alice\r\nDELE victim.txt"})
    session = FtpSession(settings, bus=EventBus())
    with pytest.raises(FtpError) as caught:
        await asyncio.wait_for(session.connect(), 10)
    await session.close()
    assert "DELE" not in server.verbs()
    assert not any("victim" in line for line in server.lines())
    # The refusal never repeats the secret it refused.
    if field != "user":
        assert "alice\r\n" not in str(caught.value)
        assert "victim" not in str(caught.value)


@pytest.mark.asyncio
async def test_queue_jobs_with_injected_paths_fail_without_sending(scripted_server, tmp_path):
    server = scripted_server()
    bus = EventBus()

    async def make() -> FtpSession:
        session = FtpSession(server.settings(**FAST), bus=bus)
        await session.connect()
        return session

    source = tmp_path / "src.bin"
    source.write_bytes(b"payload")
    queue = TransferQueue(make, bus=bus, retries=2, retry_delay=0.01,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        down = queue.add_download("/a\r\nDELE victim.txt", tmp_path / "down.bin")
        up = queue.add_upload(source, "/b\nDELE victim.txt")
        await asyncio.wait_for(queue.wait_idle(), 20)
    finally:
        await queue.close()
    for job_id in (down, up):
        job = queue.job(job_id)
        assert job.state is JobState.FAILED, job
        assert job.attempts == 1  # a refused path is permanent: never retried
    assert "DELE" not in server.verbs()
    assert not any("victim" in line for line in server.lines())
    assert not (tmp_path / "down.bin").exists()


@pytest.mark.parametrize("encoded", ["%0d%0aDELE%20victim.txt", "%0aDELE%20victim.txt",
                                     "%00DELE%20victim.txt"])
@pytest.mark.parametrize("command", ["ls", "get"])
def test_cli_urls_with_encoded_line_breaks_are_refused(scripted_server, child_env, tmp_path,
                                                       encoded, command):
    """A URL pasted from a hostile web page: percent-encoded CR/LF/NUL in the path."""
    import subprocess
    import sys

    server = scripted_server()
    env = {**child_env, "FTP_PASSWORD": server.password}
    args = [sys.executable, "-m", "client", command, "--timeout", "3"]
    if command == "get":
        args += ["-o", str(tmp_path / "out.bin")]
    args.append(f"ftp://alice@127.0.0.1:{server.port}/dir/x{encoded}")
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert "DELE" not in server.verbs()
    assert not any("victim" in line for line in server.lines())
    assert "\r" not in result.stderr and "\x00" not in result.stderr
