"""Dead links and faults: whatever breaks mid-transfer (data reset, control closed or
reset, 421, a server that goes silent without a FIN, a missing 226), the download ends
in a typed, explained error within its timeouts, the user's existing file is left
exactly as it was, and NAME.part holds a prefix of the file for resume."""

from __future__ import annotations

import asyncio
import time

import pytest
from fixtures.scripted_steps import close_control, transfer

from client.engine.errors import (
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
    LoginError,
)
from client.engine.events import EventBus
from client.engine.session import FtpSession

from .faults import BOUND, CUT, FAST, MID_TRANSFER_FAULTS, OLD_TARGET, PAYLOAD, size_reply

# Several 1 s timeouts plus slack for a loaded machine, well below the 20 s defaults.
TIMEOUT_BOUND = 10.0
REPLY_421 = b"421 Service not available, closing control connection.\r\n"


@pytest.mark.asyncio
async def test_every_byte_arrived_but_no_226_keeps_the_complete_file(scripted_server, tmp_path):
    """The server's SIZE was known and every byte arrived over a cleanly closed data
    connection; only the final reply never came: the file is complete, so it is kept
    (with a warning), and nothing is fetched again."""
    from client.engine.events import Notice

    server = scripted_server({"RETR": MID_TRANSFER_FAULTS["all-bytes-but-no-226"],
                              "SIZE": size_reply()})
    target = tmp_path / "file.bin"
    target.write_bytes(OLD_TARGET)
    bus = EventBus()
    notices: list[Notice] = []
    bus.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)
    session = FtpSession(server.settings(**FAST), bus=bus)
    await asyncio.wait_for(session.connect(), BOUND)
    try:
        await asyncio.wait_for(session.download("/file.bin", target), BOUND)
    finally:
        await asyncio.wait_for(session.close(), BOUND)
    assert target.read_bytes() == PAYLOAD
    assert not (tmp_path / "file.bin.part").exists()
    assert any("226" in n.text and "kept" in n.text for n in notices)


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", [f for f in MID_TRANSFER_FAULTS if f != "all-bytes-but-no-226"])
async def test_mid_transfer_fault_is_typed_bounded_and_keeps_files_safe(scripted_server,
                                                                       tmp_path, fault):
    server = scripted_server({"RETR": MID_TRANSFER_FAULTS[fault], "SIZE": size_reply()})
    target = tmp_path / "file.bin"
    target.write_bytes(OLD_TARGET)
    session = FtpSession(server.settings(**FAST), bus=EventBus())
    await asyncio.wait_for(session.connect(), BOUND)
    started = time.monotonic()
    try:
        with pytest.raises(FtpError) as caught:
            await asyncio.wait_for(session.download("/file.bin", target), BOUND)
    finally:
        elapsed = time.monotonic() - started
        await asyncio.wait_for(session.close(), BOUND)
    error = caught.value
    # Detected by the configured 1 s timeouts (a few of them at most: data, then the
    # final reply), not by the 20 s defaults: a missed setting would take 20 s or more.
    assert elapsed < TIMEOUT_BOUND, f"{fault}: {elapsed:.1f} s"
    assert isinstance(error, (DataChannelError, ConnectionLostError, ControlTimeoutError)), \
        repr(error)
    assert len(str(error)) > 20  # an explanation, not just a code
    assert target.read_bytes() == OLD_TARGET  # never truncated, never replaced
    part = tmp_path / "file.bin.part"
    assert part.exists(), "the .part must be kept for resume"
    kept = part.read_bytes()
    assert len(kept) <= CUT and PAYLOAD.startswith(kept)


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["data-reset", "data-stalls", "data-closed-early-then-226"])
async def test_after_a_data_fault_the_session_is_still_usable(scripted_server, tmp_path,
                                                              fault):
    """A data-connection failure must not desynchronise the control connection: the
    next command gets its own reply (or the session says plainly it is gone)."""
    server = scripted_server({"RETR": MID_TRANSFER_FAULTS[fault], "SIZE": size_reply()})
    async with FtpSession(server.settings(**FAST), bus=EventBus()) as session:
        with pytest.raises(FtpError):
            await asyncio.wait_for(session.download("/file.bin", tmp_path / "f"), BOUND)
        try:
            reply = await asyncio.wait_for(session.noop(), BOUND)
        except FtpError as error:  # acceptable: a typed "connection unusable"
            assert isinstance(error, (ConnectionLostError, ControlTimeoutError)), repr(error)
        else:
            assert reply.code == 200


# 421 at any point of a session: each verb the engine sends on the way to a download.
STAGES_421 = ["banner", "FEAT", "USER", "PASS", "OPTS", "SYST", "TYPE", "PWD", "SIZE",
              "PASV", "RETR"]


@pytest.mark.asyncio
@pytest.mark.parametrize("stage", STAGES_421)
async def test_421_at_any_point_ends_in_a_typed_error(scripted_server, tmp_path, stage):
    answer = [REPLY_421, close_control]
    if stage == "banner":
        server = scripted_server(banner=answer)
    else:
        handlers = {"RETR": transfer(payload=PAYLOAD), "SIZE": size_reply()}
        handlers[stage] = answer
        server = scripted_server(handlers)
    target = tmp_path / "file.bin"
    target.write_bytes(OLD_TARGET)

    async def whole_session() -> None:
        async with FtpSession(server.settings(**FAST), bus=EventBus()) as session:
            await session.download("/file.bin", target)

    try:
        await asyncio.wait_for(whole_session(), BOUND)
    except FtpError as error:
        assert isinstance(error, (ConnectError, LoginError, ConnectionLostError,
                                  CommandFailedError, DataChannelError)), repr(error)
        assert "421" in str(error) or "closed" in str(error).lower(), str(error)
    else:
        # The server closed the connection after its 421: nothing can have succeeded.
        pytest.fail(f"a 421 at {stage} was not reported")
    assert target.read_bytes() == OLD_TARGET


@pytest.mark.asyncio
async def test_connect_to_a_server_that_never_sends_a_banner(scripted_server):
    """TCP accepts, then nothing: the connect fails within the control timeout."""
    server = scripted_server(banner=lambda session, argument: session.wait_until_stopped())
    session = FtpSession(server.settings(**FAST), bus=EventBus())
    with pytest.raises(FtpError) as caught:
        await asyncio.wait_for(session.connect(), BOUND)
    await asyncio.wait_for(session.close(), BOUND)
    assert isinstance(caught.value, (ControlTimeoutError, ConnectError)), repr(caught.value)


@pytest.mark.asyncio
async def test_connect_to_a_blackholed_address_times_out(syn_blackhole):
    from client.engine.settings import ConnectionSettings

    settings = ConnectionSettings(host=syn_blackhole.host, port=syn_blackhole.port,
                                  user="alice", password="x", connect_timeout=1.0)
    session = FtpSession(settings, bus=EventBus())
    with pytest.raises(ConnectError) as caught:
        await asyncio.wait_for(session.connect(), BOUND)
    await session.close()
    assert "1" in str(caught.value)  # names the timeout it waited


@pytest.mark.asyncio
@pytest.mark.parametrize("upload_fault", ["reset", "close-control", "hang"])
async def test_upload_faults_are_typed_and_bounded(scripted_server, tmp_path, upload_fault):
    import time as _time

    from fixtures.socket_tools import abort_socket

    def stor(session, argument):
        session.send(b"150 Ok to send data.\r\n")
        sock = session.data.open(transfer())
        if sock is None:
            return
        got = 0
        while got < CUT:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += len(chunk)
        if upload_fault == "reset":
            abort_socket(sock)
            session.send(b"426 Failure writing network stream.\r\n")
        elif upload_fault == "close-control":
            _time.sleep(0.1)  # the fault itself: the server hangs up a moment after reading
            session.close()
        else:
            session.wait_until_stopped()

    server = scripted_server({"STOR": stor})
    source = tmp_path / "up.bin"
    source.write_bytes(PAYLOAD * 8)  # 2 MiB: more than the socket buffers hold
    async with FtpSession(server.settings(**FAST), bus=EventBus()) as session:
        with pytest.raises(FtpError) as caught:
            await asyncio.wait_for(session.upload(source, "/up.bin"), BOUND)
    assert isinstance(caught.value, (DataChannelError, ConnectionLostError,
                                     ControlTimeoutError)), repr(caught.value)
    assert source.read_bytes() == PAYLOAD * 8  # the source is never touched


def _trickle(first: bytes, unit: bytes):
    """A step that starts a reply and then sends ``unit`` every 0.2 s, forever: each
    byte keeps the connection "active", but the reply never completes."""

    def step(session, argument):
        session.send(first)
        while not session.server.stopping.wait(0.2) and not session.closed:
            session.send(unit)

    return step


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["banner", "PWD", "SIZE"])
@pytest.mark.parametrize("shape", ["endless-line", "endless-multiline"])
async def test_a_reply_that_never_completes_times_out(scripted_server, tmp_path, where, shape):
    """The control timeout bounds the wait for a whole reply, not the silence between
    bytes: a server trickling a reply that never ends cannot hold the client."""
    step = (_trickle(b"220-", b"x") if shape == "endless-line"
            else _trickle(b"220-start\r\n", b"220-more\r\n"))
    if where == "banner":
        server = scripted_server(banner=step)
    else:
        server = scripted_server({where: step, "RETR": transfer(payload=PAYLOAD)})

    async def whole_session() -> None:
        async with FtpSession(server.settings(**FAST), bus=EventBus()) as session:
            await session.download("/file.bin", tmp_path / "file.bin")

    with pytest.raises(FtpError) as caught:
        await asyncio.wait_for(whole_session(), BOUND)
    assert isinstance(caught.value, (ControlTimeoutError, ConnectError)), repr(caught.value)


@pytest.mark.asyncio
async def test_an_overlong_reply_line_is_a_protocol_error(scripted_server):
    from client.engine.errors import ServerProtocolError

    server = scripted_server(banner=b"220 " + b"A" * (1024 * 1024) + b"\r\n")
    session = FtpSession(server.settings(**FAST), bus=EventBus())
    with pytest.raises(FtpError) as caught:
        await asyncio.wait_for(session.connect(), BOUND)
    await session.close()
    assert isinstance(caught.value, (ServerProtocolError, ConnectError)), repr(caught.value)
    assert len(str(caught.value)) < 2000  # the message does not carry the megabyte
