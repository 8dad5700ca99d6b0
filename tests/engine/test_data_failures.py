"""Each data-connection failure class, detected within a short timeout and reported with
the right DataFailure, phase and endpoints (scripted servers doing exactly the bad thing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.scripted_steps import epsv, pasv, transfer, unused_port

from client.engine.errors import DataChannelError
from client.engine.events import DataChannelEvent, DataFailure, DataPhase
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

from .conftest import Recorder

# Generous by default so a loaded machine cannot turn a slow reply into a failure;
# the tests of timeout classes pass SHORT explicitly.
FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)
SHORT = 1.0


def settings_for(server, **overrides):
    values = dict(FAST)
    values.update(overrides)
    return server.info.settings(**values)


async def failing_download(server, bus, tmp_path: Path, **overrides) -> DataChannelError:
    async with FtpSession(settings_for(server, **overrides), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
        # The session is still usable after the failure (control resynchronised).
        await session.noop()
    assert not (tmp_path / "file.bin").exists()
    return caught.value


def failed_event(recorder: Recorder) -> DataChannelEvent:
    failed = [e for e in recorder.of(DataChannelEvent) if e.phase is DataPhase.FAILED]
    assert len(failed) == 1
    return failed[0]


@pytest.mark.asyncio
async def test_refused(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    dead_port = unused_port()
    server = scripted_server({"PASV": pasv(port=dead_port)})
    error = await failing_download(server, bus, tmp_path, use_epsv=False)
    assert error.failure is DataFailure.REFUSED
    assert error.phase is DataPhase.CONNECTING
    assert error.remote is not None and error.remote.port == dead_port
    assert "RETR" not in server.verbs()
    assert failed_event(recorder).failure is DataFailure.REFUSED


@pytest.mark.asyncio
async def test_syn_unanswered(scripted_server, syn_blackhole, bus, tmp_path):
    server = scripted_server({"PASV": pasv(port=syn_blackhole.port)})
    error = await failing_download(server, bus, tmp_path, use_epsv=False, data_timeout=SHORT)
    assert error.failure is DataFailure.CONNECT_TIMEOUT
    assert error.phase is DataPhase.CONNECTING
    assert error.remote is not None and error.remote.port == syn_blackhole.port
    assert 0.9 <= error.elapsed < 3


@pytest.mark.asyncio
async def test_silent_after_150(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"", ending="stall")})
    error = await failing_download(server, bus, tmp_path, data_timeout=SHORT)
    assert error.failure is DataFailure.SILENT
    assert error.phase is DataPhase.CONNECTED
    assert error.local is not None and error.remote is not None
    assert "ABOR" in server.verbs()


@pytest.mark.asyncio
async def test_stalled_mid_transfer(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"x" * 5000, ending="stall")})
    error = await failing_download(server, bus, tmp_path, data_timeout=SHORT)
    assert error.failure is DataFailure.STALLED
    assert error.phase is DataPhase.FIRST_BYTE
    # the partial file is kept for resume
    assert (tmp_path / "file.bin.part").read_bytes() == b"x" * 5000


@pytest.mark.asyncio
async def test_reset_mid_transfer(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"y" * 5000, ending="reset", final=None)})
    error = await failing_download(server, bus, tmp_path)
    assert error.failure is DataFailure.RESET


@pytest.mark.asyncio
async def test_426_after_data_is_closed_before_226(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(
        payload=b"z" * 100, final=b"426 Connection closed; transfer aborted.\r\n")})
    error = await failing_download(server, bus, tmp_path)
    assert error.failure is DataFailure.CLOSED_EARLY
    assert error.reply_code == 426


@pytest.mark.asyncio
async def test_short_file_with_226_fails_the_size_check(scripted_server, bus, tmp_path):
    server = scripted_server({
        "SIZE": b"213 1000\r\n",
        "RETR": transfer(payload=b"a" * 400),
    }, features=["EPSV", "SIZE", "REST STREAM"])
    error = await failing_download(server, bus, tmp_path)
    assert error.failure is DataFailure.CLOSED_EARLY
    assert error.step == "size-check"
    assert (tmp_path / "file.bin.part").stat().st_size == 400


@pytest.mark.asyncio
async def test_425_from_the_server(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": b"425 Can't open data connection.\r\n"})
    error = await failing_download(server, bus, tmp_path)
    assert error.failure is DataFailure.SERVER_REFUSED
    assert error.reply_code == 425


@pytest.mark.asyncio
async def test_server_never_connects_back(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"RETR": transfer(connect_back=False)})
    error = await failing_download(server, bus, tmp_path, mode=TransferMode.ACTIVE, data_timeout=SHORT)
    assert error.failure is DataFailure.NEVER_CONNECTED_BACK
    assert error.phase is DataPhase.LISTENING
    assert error.local is not None and error.local.host == "127.0.0.1"
    assert recorder.phases()[0] == "listening"


@pytest.mark.asyncio
async def test_connection_from_a_wrong_peer_is_refused(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"RETR": transfer(payload=b"evil", source_address="127.0.0.2")})
    error = await failing_download(server, bus, tmp_path, mode=TransferMode.ACTIVE, data_timeout=SHORT)
    assert error.failure is DataFailure.WRONG_PEER
    assert "127.0.0.2" in str(error)
    assert any("127.0.0.2" in n.text for n in recorder.notices())


@pytest.mark.asyncio
@pytest.mark.parametrize("advertised", ["10.0.0.5", "192.0.2.10"])
@pytest.mark.parametrize("policy", ["auto", "control"])
async def test_unroutable_227_is_substituted_and_never_dialled(scripted_server, bus, tmp_path,
                                                             advertised, policy):
    from client.protocol.addresses import PasvPolicy

    recorder = Recorder(bus)
    server = scripted_server({"PASV": pasv(advertise=advertised),
                              "RETR": transfer(payload=b"hello")})
    settings = settings_for(server, use_epsv=False, pasv_policy=PasvPolicy(policy))
    async with FtpSession(settings, bus=bus) as session:
        await session.download("file.bin", tmp_path / "file.bin")
    assert (tmp_path / "file.bin").read_bytes() == b"hello"
    event = recorder.of(DataChannelEvent)[0]
    assert event.advertised is not None and event.advertised.host == advertised
    assert event.address_note
    connecting = [e for e in recorder.of(DataChannelEvent) if e.phase is DataPhase.CONNECTING]
    assert connecting[0].remote.host == "127.0.0.1"
    assert recorder.notices("substitution")


@pytest.mark.asyncio
async def test_control_policy_always_dials_the_control_peer(scripted_server, bus, tmp_path):
    from client.protocol.addresses import PasvPolicy

    server = scripted_server({"PASV": pasv(advertise="127.0.0.2"),
                              "RETR": transfer(payload=b"ok")})
    settings = settings_for(server, use_epsv=False, pasv_policy=PasvPolicy.CONTROL)
    async with FtpSession(settings, bus=bus) as session:
        await session.download("file.bin", tmp_path / "file.bin")
    assert (tmp_path / "file.bin").read_bytes() == b"ok"


@pytest.mark.asyncio
async def test_advertised_policy_dials_what_the_server_says(scripted_server, bus, tmp_path):
    """ADVERTISED trusts the 227 address: a loopback address where nothing listens
    proves it is dialled as given (a non-loopback one is never dialled in tests)."""
    from client.protocol.addresses import PasvPolicy

    server = scripted_server({"PASV": pasv(advertise="127.0.0.2")})
    error = await failing_download(server, bus, tmp_path, use_epsv=False,
                                   pasv_policy=PasvPolicy.ADVERTISED)
    assert error.failure is DataFailure.REFUSED
    assert error.remote is not None and error.remote.host == "127.0.0.2"


@pytest.mark.asyncio
@pytest.mark.parametrize("advertised", ["192.0.2.10", "0.0.0.0"])
async def test_advertised_policy_refuses_an_address_nothing_can_answer(scripted_server, bus,
                                                                       tmp_path, advertised):
    """Even 'trust the advertised address' never dials 0.0.0.0 (Linux would connect to
    this machine) or a documentation address: a typed UNROUTABLE failure, nothing
    dialled (the suite's network guard would fail the test otherwise)."""
    from client.protocol.addresses import PasvPolicy

    server = scripted_server({"PASV": pasv(advertise=advertised)})
    error = await failing_download(server, bus, tmp_path, use_epsv=False,
                                   pasv_policy=PasvPolicy.ADVERTISED)
    assert error.failure is DataFailure.UNROUTABLE
    assert error.remote is None
    assert "RETR" not in server.verbs()


@pytest.mark.asyncio
async def test_unreachable_epsv_port_falls_back_to_pasv_for_the_session(scripted_server, bus,
                                                                      tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"EPSV": epsv(port=unused_port()),
                              "RETR": transfer(payload=b"data")})
    async with FtpSession(settings_for(server, use_epsv=True), bus=bus) as session:
        await session.download("file.bin", tmp_path / "a.bin")
        await session.download("file.bin", tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == b"data"
    verbs = server.verbs()
    assert verbs.count("EPSV") == 1 and verbs.count("PASV") == 2
    assert recorder.notices("fallback")


@pytest.mark.asyncio
async def test_epsv_refused_uses_pasv(scripted_server, bus, tmp_path):
    server = scripted_server({"EPSV": b"500 Unknown command.\r\n",
                              "RETR": transfer(payload=b"data")})
    async with FtpSession(settings_for(server, use_epsv=True), bus=bus) as session:
        await session.download("file.bin", tmp_path / "a.bin")
    assert (tmp_path / "a.bin").read_bytes() == b"data"


@pytest.mark.asyncio
async def test_eprt_refused_uses_port(scripted_server, bus, tmp_path):
    server = scripted_server({"EPRT": b"500 Unknown command.\r\n",
                              "RETR": transfer(payload=b"data")})
    async with FtpSession(settings_for(server, mode=TransferMode.ACTIVE, use_eprt=True),
                          bus=bus) as session:
        await session.download("file.bin", tmp_path / "a.bin")
        await session.download("file.bin", tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == b"data"
    assert server.verbs().count("EPRT") == 1 and server.verbs().count("PORT") == 2


@pytest.mark.asyncio
async def test_fallback_to_active_after_passive_fails(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"PASV": pasv(port=unused_port()),
                              "EPSV": b"500 no\r\n",
                              "RETR": transfer(payload=b"data")})
    async with FtpSession(settings_for(server, fallback=True), bus=bus) as session:
        await session.download("file.bin", tmp_path / "a.bin")
        assert session.mode is TransferMode.ACTIVE
    assert (tmp_path / "a.bin").read_bytes() == b"data"
    assert any("retrying once in active" in n.text for n in recorder.notices("fallback"))


@pytest.mark.asyncio
async def test_425_after_150_ends_the_active_wait_at_once(scripted_server, bus, tmp_path):
    """A server that says 150 and then 425 (it could not reach us) must not leave the
    client waiting for the whole data timeout: the failure is the server's refusal."""
    server = scripted_server({"RETR": [b"150 Opening data connection.\r\n",
                                       b"425 Failed to establish connection.\r\n"]})
    error = await failing_download(server, bus, tmp_path, mode=TransferMode.ACTIVE,
                                   data_timeout=30.0)
    assert error.failure is DataFailure.SERVER_REFUSED
    assert error.reply_code == 425
    assert error.phase is DataPhase.LISTENING


@pytest.mark.asyncio
async def test_fallback_is_not_used_for_content_failures(scripted_server, bus, tmp_path):
    """A transfer that broke after data flowed is not a mode problem: no retry."""
    recorder = Recorder(bus)
    server = scripted_server({"RETR": transfer(
        payload=b"z" * 100, final=b"426 Connection closed; transfer aborted.\r\n")})
    error = await failing_download(server, bus, tmp_path, fallback=True)
    assert error.failure is DataFailure.CLOSED_EARLY
    assert not recorder.notices("fallback")
    assert server.verbs().count("RETR") == 1


@pytest.mark.asyncio
async def test_unreadable_227_is_a_server_failure(scripted_server, bus, tmp_path):
    server = scripted_server({"PASV": b"227 Entering Passive Mode (no numbers here)\r\n"})
    error = await failing_download(server, bus, tmp_path, use_epsv=False)
    assert error.failure is DataFailure.SERVER_REFUSED
    assert "227" in str(error)
    assert "RETR" not in server.verbs()


@pytest.mark.asyncio
async def test_unreadable_229_falls_back_to_pasv(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"EPSV": b"229 Entering Extended Passive Mode (broken)\r\n",
                              "RETR": transfer(payload=b"ok")})
    async with FtpSession(settings_for(server, use_epsv=True), bus=bus) as session:
        await session.download("file.bin", tmp_path / "f.bin")
    assert (tmp_path / "f.bin").read_bytes() == b"ok"
    assert "PASV" in server.verbs()
    assert recorder.notices("fallback")


@pytest.mark.asyncio
async def test_missing_file_is_a_command_failure_not_a_data_channel_one(scripted_server, bus,
                                                                      tmp_path):
    from client.engine.errors import CommandFailedError

    recorder = Recorder(bus)
    server = scripted_server({"RETR": b"550 No such file.\r\n"})
    async with FtpSession(settings_for(server, fallback=True), bus=bus) as session:
        with pytest.raises(CommandFailedError) as caught:
            await session.download("missing.bin", tmp_path / "m.bin")
        await session.noop()
    assert caught.value.reply_code == 550
    assert failed_event(recorder).failure is DataFailure.SERVER_REFUSED
    assert not recorder.notices("fallback")
    assert server.verbs().count("RETR") == 1
    assert not (tmp_path / "m.bin").exists()


@pytest.mark.asyncio
async def test_ipv6_active_address_never_falls_back_to_port(scripted_server, bus, tmp_path):
    """PORT cannot carry an IPv6 address: when EPRT is refused, the failure says so and
    no PORT is sent."""
    server = scripted_server({"EPRT": b"500 EPRT not understood.\r\n"})
    error = await failing_download(server, bus, tmp_path, mode=TransferMode.ACTIVE,
                                   active_address="::1")
    assert error.failure is DataFailure.SERVER_REFUSED
    assert "IPv6" in str(error)
    eprt = [line for line in server.lines() if line.startswith("EPRT")]
    assert eprt and eprt[0].startswith("EPRT |2|::1|")
    assert "PORT" not in server.verbs()
