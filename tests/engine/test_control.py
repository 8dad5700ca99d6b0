"""The control connection and the session around it: 421 anywhere, control timeouts,
cancellation with ABOR, "require TLS", command injection, password redaction, keep-alive."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fixtures.scripted_steps import hang, transfer
from fixtures.waiting import until

from client.engine.errors import (
    ConnectionLostError,
    ControlTimeoutError,
    FtpError,
    LoginError,
    ServerProtocolError,
    TlsError,
)
from client.engine.events import LineSent, ReplyReceived, SessionState, SessionStateChanged
from client.engine.file_facts import parse_mdtm
from client.engine.session import FtpSession
from client.engine.settings import TlsMode
from client.protocol.commands import Command

from .conftest import Recorder

FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)


def settings_for(server, **overrides):
    values = dict(FAST)
    values.update(overrides)
    return server.info.settings(**values)


@pytest.mark.asyncio
async def test_421_as_a_reply_is_connection_lost(scripted_server, bus):
    server = scripted_server({"CWD": [b"421 Timeout.\r\n", lambda s, a: s.close()]})
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(ConnectionLostError) as caught:
            await session.cwd("/x")
        assert "421" in str(caught.value)
        assert session.state is SessionState.FAILED
        with pytest.raises(ConnectionLostError):
            await session.pwd()


@pytest.mark.asyncio
async def test_unsolicited_421_while_idle(scripted_server, bus):
    recorder = Recorder(bus)
    server = scripted_server({"NOOP": [b"200 ok\r\n", b"421 Idle timeout, bye.\r\n",
                                       lambda s, a: s.close()]})
    async with FtpSession(settings_for(server), bus=bus) as session:
        await session.noop()
        await until(lambda: session.state is SessionState.FAILED)  # the 421 was read
        with pytest.raises(ConnectionLostError):
            await session.pwd()
    assert any(r.reply.code == 421 for r in recorder.of(ReplyReceived))


@pytest.mark.asyncio
async def test_control_timeout_names_the_step(scripted_server, bus):
    server = scripted_server({"CWD": hang})
    async with FtpSession(settings_for(server, control_timeout=1.0), bus=bus) as session:
        with pytest.raises(ControlTimeoutError) as caught:
            await session.cwd("/slow")
        assert caught.value.step == "cwd"


@pytest.mark.asyncio
async def test_banner_timeout(scripted_server, bus):
    server = scripted_server(banner=hang)
    with pytest.raises(ControlTimeoutError) as caught:
        await FtpSession(settings_for(server, control_timeout=1.0), bus=bus).connect()
    assert caught.value.step == "banner"


@pytest.mark.asyncio
async def test_connect_refused_is_a_connect_error(bus):
    from fixtures.scripted_steps import unused_port

    from client.engine.errors import ConnectError
    from client.engine.settings import ConnectionSettings

    settings = ConnectionSettings(host="127.0.0.1", port=unused_port(), tls=TlsMode.OFF)
    with pytest.raises(ConnectError) as caught:
        await FtpSession(settings, bus=bus).connect()
    assert caught.value.step == "connect"


@pytest.mark.asyncio
async def test_wrong_password(scripted_server, bus):
    recorder = Recorder(bus)
    server = scripted_server()
    settings = settings_for(server, password="definitely-wrong-secret")
    with pytest.raises(LoginError) as caught:
        await FtpSession(settings, bus=bus).connect()
    assert caught.value.step == "pass"
    assert "definitely-wrong-secret" not in str(caught.value)
    assert all("definitely-wrong-secret" not in e.text for e in recorder.of(LineSent))
    assert "PASS ****" in [e.text for e in recorder.of(LineSent)]
    states = [e.state for e in recorder.of(SessionStateChanged)]
    assert states[-1] is SessionState.FAILED


@pytest.mark.asyncio
async def test_require_tls_never_sends_credentials_when_auth_fails(scripted_server, bus):
    server = scripted_server({"AUTH": b"500 AUTH not understood.\r\n"},
                             features=["AUTH TLS", "EPSV"])
    with pytest.raises(TlsError):
        await FtpSession(settings_for(server, tls=TlsMode.EXPLICIT), bus=bus).connect()
    assert "AUTH" in server.verbs()
    assert "USER" not in server.verbs() and "PASS" not in server.verbs()


@pytest.mark.asyncio
async def test_auto_tls_warns_and_continues_when_not_offered(scripted_server, bus):
    recorder = Recorder(bus)
    server = scripted_server(features=["EPSV"])
    async with FtpSession(settings_for(server, tls=TlsMode.AUTO), bus=bus):
        pass
    assert "AUTH" not in server.verbs()
    assert recorder.notices("tls")


@pytest.mark.asyncio
async def test_host_is_sent_before_auth_and_user_when_offered(scripted_server, bus):
    server = scripted_server(features=["HOST", "EPSV"])
    async with FtpSession(settings_for(server), bus=bus):
        pass
    verbs = server.verbs()
    assert verbs.index("HOST") < verbs.index("USER")
    assert server.lines()[verbs.index("HOST")] == "HOST 127.0.0.1"


@pytest.mark.asyncio
async def test_injection_is_refused_before_anything_is_sent(scripted_server, bus, tmp_path):
    server = scripted_server()
    async with FtpSession(settings_for(server), bus=bus) as session:
        before = len(server.verbs())
        with pytest.raises(FtpError):
            await session.download("a\r\nDELE b", tmp_path / "x")
        with pytest.raises(FtpError):
            await session.delete("a\nDELE b")
        with pytest.raises(FtpError):
            await session.upload(Path(__file__), "x\x00y")
        await session.noop()
        assert server.verbs()[before:] == ["NOOP"]


@pytest.mark.asyncio
async def test_cancel_sends_abor_and_keeps_the_part(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"p" * 3000, ending="stall")})
    async with FtpSession(settings_for(server, data_timeout=5.0), bus=bus) as session:
        task = asyncio.ensure_future(session.download("file.bin", tmp_path / "f.bin"))
        part = tmp_path / "f.bin.part"
        await asyncio.to_thread(server.wait_for,
                                lambda s: any("sent 3000" in e for e in s.events), 15)
        # Kept on purpose: nothing tells when the client has read those bytes (progress
        # is throttled and the .part is written when the transfer ends); this pause
        # lets loopback deliver them before the cancel.
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert "ABOR" in server.verbs()
        assert part.read_bytes() == b"p" * 3000
        assert not (tmp_path / "f.bin").exists()
        # the session is in step again
        reply = await session.noop()
        assert reply.code == 200


@pytest.mark.asyncio
async def test_keepalive_sends_noop_when_idle(scripted_server, bus):
    server = scripted_server()
    async with FtpSession(settings_for(server, keepalive_interval=0.2), bus=bus):
        assert await asyncio.to_thread(server.wait_for_verb, "NOOP", 15)


@pytest.mark.asyncio
async def test_close_is_idempotent_and_bounded(scripted_server, bus):
    server = scripted_server({"QUIT": hang})
    session = FtpSession(settings_for(server, control_timeout=1.0), bus=bus)
    await session.connect()
    await session.close()
    await session.close()
    assert session.state is SessionState.DISCONNECTED


def test_parse_mdtm():
    moment = parse_mdtm("20240131235959.5")
    assert moment is not None and moment.year == 2024 and moment.microsecond == 500000
    assert parse_mdtm("garbage") is None
    assert parse_mdtm("20241399000000") is None


@pytest.mark.asyncio
async def test_cancelled_upload_sends_abor(scripted_server, bus, tmp_path):
    def slow_reader(session, argument):
        session.send(b"150 Ok to send data.\r\n")
        session.data.open(transfer())
        session.wait_until_stopped(1.0)
        session.data.close()
        session.send(b"426 Transfer aborted.\r\n")

    server = scripted_server({"STOR": slow_reader})
    source = tmp_path / "big.bin"
    source.write_bytes(b"c" * (32 * 1024 * 1024))
    async with FtpSession(settings_for(server, data_timeout=5.0, control_timeout=3.0),
                          bus=bus) as session:
        task = asyncio.ensure_future(session.upload(source, "big.bin"))
        await asyncio.to_thread(server.wait_for, lambda s: any("accepted" in e for e in s.events), 15)
        # Kept on purpose: the client's first bytes on their way is not an event (the
        # progress is throttled and the socket buffers fill before its first report).
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the ABOR's answer may still be on its way (read in the background): the next
        # command waits for it and gets its own reply
        assert (await session.noop()).code == 200
        assert "ABOR" in server.verbs()


@pytest.mark.asyncio
async def test_an_extra_reply_does_not_shift_later_answers(scripted_server, bus):
    recorder = Recorder(bus)
    server = scripted_server({"CWD": b"250 Directory changed.\r\n250 and again.\r\n",
                              "PWD": b'257 "/there" is the current directory\r\n'})
    async with FtpSession(settings_for(server), bus=bus) as session:
        await session.quote("CWD /there")
        # the extra reply has arrived before PWD is sent
        await until(lambda: any("and again" in r.reply.text for r in recorder.of(ReplyReceived)))
        assert await session.pwd() == "/there"
    assert any("unexpected" in n.text for n in recorder.notices())


@pytest.mark.asyncio
async def test_session_states_in_order(ftps_server, bus):
    recorder = Recorder(bus)
    async with FtpSession(ftps_server.settings(), bus=bus) as session:
        await session.list()
    states = [e.state for e in recorder.of(SessionStateChanged)]
    first = [s for i, s in enumerate(states) if i == 0 or s is not states[i - 1]]
    assert first[:4] == [SessionState.CONNECTING, SessionState.TLS_HANDSHAKE,
                         SessionState.LOGGING_IN, SessionState.READY]
    assert SessionState.BUSY in first
    assert first[-2:] == [SessionState.CLOSING, SessionState.DISCONNECTED]


@pytest.mark.asyncio
async def test_421_in_place_of_the_banner(scripted_server, bus):
    server = scripted_server(banner=[b"421 Too many connections, try later.\r\n",
                                     lambda s, a: s.close()])
    with pytest.raises(ConnectionLostError) as caught:
        await FtpSession(settings_for(server), bus=bus).connect()
    assert caught.value.step == "banner"
    assert "Too many connections" in str(caught.value)


@pytest.mark.asyncio
async def test_user_refused_names_the_user_step(scripted_server, bus):
    server = scripted_server({"USER": b"530 This account may not log in.\r\n"})
    with pytest.raises(LoginError) as caught:
        await FtpSession(settings_for(server), bus=bus).connect()
    assert caught.value.step == "user"
    assert "PASS" not in server.verbs()


@pytest.mark.asyncio
async def test_account_is_sent_when_asked(scripted_server, bus):
    server = scripted_server({"PASS": b"332 Need account for login.\r\n",
                              "ACCT": b"230 Logged in with account.\r\n"})
    settings = settings_for(server, account="acct-42")
    async with FtpSession(settings, bus=bus):
        pass
    assert "ACCT acct-42" in server.lines()


@pytest.mark.asyncio
async def test_ssh_banner_says_this_is_an_ssh_server(scripted_server, bus):
    # a user who typed the SFTP port (22) into an FTP client
    server = scripted_server(banner=b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    with pytest.raises(ServerProtocolError) as caught:
        await FtpSession(settings_for(server), bus=bus).connect()
    text = str(caught.value)
    assert "SSH server" in text and "SFTP" in text and "OpenSSH_9.2p1" in text
    assert "not speaking FTP" not in text


@pytest.mark.asyncio
async def test_replies_share_one_deadline_timer(scripted_server, bus, monkeypatch):
    """Every command waits for its reply with the control timeout, enforced by one
    timer per connection that looks again when it fires, not by a timer armed and
    cancelled per reply (a tree of small files waits for four replies per file)."""
    server = scripted_server({})
    async with FtpSession(settings_for(server, control_timeout=30.0), bus=bus) as session:
        loop = asyncio.get_running_loop()
        armed: list[str] = []
        call_at, call_later = loop.call_at, loop.call_later

        def counting_call_at(when, callback, *args, **kwargs):
            armed.append(getattr(callback, "__qualname__", repr(callback)))
            return call_at(when, callback, *args, **kwargs)

        def counting_call_later(delay, callback, *args, **kwargs):
            armed.append(getattr(callback, "__qualname__", repr(callback)))
            return call_later(delay, callback, *args, **kwargs)

        monkeypatch.setattr(loop, "call_at", counting_call_at)
        monkeypatch.setattr(loop, "call_later", counting_call_later)
        for _ in range(20):
            await session.noop()
        assert len(armed) <= 1, armed


@pytest.mark.asyncio
async def test_a_shorter_wait_after_longer_ones_still_ends_on_time(scripted_server, bus):
    """The shared timer is moved earlier for a read with a shorter timeout (resync after
    ABOR reads with 0.05-0.3 s) than the one armed for the control timeout."""
    server = scripted_server({"CWD": hang})
    async with FtpSession(settings_for(server, control_timeout=60.0), bus=bus) as session:
        await session.noop()  # arms the timer for the 60 s control timeout
        control = session.control
        async with control.lock:
            control.send(session.path_command("CWD", "/slow"))
            with pytest.raises(ControlTimeoutError) as caught:
                # bounded well below the 60 s: only the 0.2 s deadline can end it
                await asyncio.wait_for(control.read_reply(0.2, step="cwd"), 20.0)
        assert "within 0.2 s" in caught.value.message and caught.value.step == "cwd"


@pytest.mark.asyncio
async def test_a_reply_longer_than_one_read_arrives_whole(scripted_server, bus):
    """The control connection reads 16 KiB at a time (a 256 KiB read per reply cost an
    mmap each): a 200 KiB multi-line reply still arrives as one reply, every line kept."""
    lines = [f" line {n:05d} {'x' * 60}".encode() for n in range(3000)]
    body = b"211-Features follow\r\n" + b"\r\n".join(lines) + b"\r\n211 End\r\n"
    assert len(body) > 150_000
    server = scripted_server({"STAT": [body]})
    async with FtpSession(settings_for(server), bus=bus) as session:
        transport = session.control.transport
        assert transport is not None and getattr(transport, "max_size", 0) <= 16 * 1024
        reply = await session.control.execute(Command("STAT"))
    assert reply.code == 211
    assert len(reply.lines) == len(lines) + 2
    assert reply.lines[1].endswith("x" * 60) and "02999" in reply.lines[-2]
