"""Which command sets up the data connection: PASV/PORT on IPv4 by default (what
FileZilla, WinSCP, lftp and ftplib send, and what the inspector decodes), EPSV/EPRT when
asked for or on IPv6, and the other family once when the server does not know the first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.blackhole import full_backlog_listener
from fixtures.scripted_steps import epsv, transfer

from client.engine.errors import DataChannelError
from client.engine.events import DataChannelEvent, DataFailure
from client.engine.session import FtpSession
from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode

from .conftest import Recorder


def settings_for(server, **overrides) -> ConnectionSettings:
    return server.settings(**{"data_timeout": 2, "control_timeout": 5, **overrides})


def methods(recorder: Recorder) -> list[str | None]:
    return [e.method for e in recorder.events
            if isinstance(e, DataChannelEvent) and e.phase.value == "connected"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("mode", "sent", "not_sent"),
                         [(TransferMode.PASSIVE, "PASV", "EPSV"),
                          (TransferMode.ACTIVE, "PORT", "EPRT")])
async def test_ipv4_defaults_to_the_classic_commands(scripted_server, bus, tmp_path: Path,
                                                     mode, sent, not_sent) -> None:
    recorder = Recorder(bus)
    server = scripted_server({"RETR": transfer(payload=b"data")})
    async with FtpSession(settings_for(server, mode=mode), bus=bus) as session:
        await session.download("file.bin", tmp_path / "a.bin")
    verbs = server.verbs()
    assert sent in verbs and not_sent not in verbs
    assert methods(recorder) == [sent]


@pytest.mark.asyncio
@pytest.mark.parametrize(("mode", "sent", "not_sent"),
                         [(TransferMode.PASSIVE, "EPSV", "PASV"),
                          (TransferMode.ACTIVE, "EPRT", "PORT")])
async def test_extended_family_sends_epsv_and_eprt(scripted_server, bus, tmp_path: Path,
                                                   mode, sent, not_sent) -> None:
    server = scripted_server({"RETR": transfer(payload=b"data")})
    settings = settings_for(server, mode=mode).with_commands(CommandFamily.EXTENDED)
    async with FtpSession(settings, bus=bus) as session:
        await session.download("file.bin", tmp_path / "a.bin")
    assert sent in server.verbs() and not_sent not in server.verbs()


@pytest.mark.asyncio
@pytest.mark.parametrize(("mode", "classic", "extended"),
                         [(TransferMode.PASSIVE, "PASV", "EPSV"),
                          (TransferMode.ACTIVE, "PORT", "EPRT")])
async def test_unknown_classic_command_tries_the_extended_one_for_the_session(
        scripted_server, bus, tmp_path: Path, mode, classic, extended) -> None:
    recorder = Recorder(bus)
    server = scripted_server({classic: b"502 Command not implemented.\r\n",
                              "RETR": transfer(payload=b"data")})
    async with FtpSession(settings_for(server, mode=mode), bus=bus) as session:
        await session.download("file.bin", tmp_path / "a.bin")
        await session.download("file.bin", tmp_path / "b.bin")
    assert (tmp_path / "b.bin").read_bytes() == b"data"
    verbs = server.verbs()
    assert verbs.count(classic) == 1 and verbs.count(extended) == 2
    said = [n.text for n in recorder.notices("fallback")]
    assert any(f"does not know {classic}" in text and extended in text for text in said)


@pytest.mark.asyncio
async def test_pasv_refused_for_another_reason_is_not_retried_with_epsv(
        scripted_server, bus, tmp_path: Path) -> None:
    # vsftpd pasv_enable=NO: 550 is an answer about passive mode, not an unknown command
    server = scripted_server({"PASV": b"550 Permission denied.\r\n"})
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "a.bin")
    assert "EPSV" not in server.verbs()
    assert caught.value.failure is DataFailure.SERVER_REFUSED
    assert "try active mode" in str(caught.value)


@pytest.mark.asyncio
async def test_both_families_unknown_is_one_clear_failure(scripted_server, bus,
                                                          tmp_path: Path) -> None:
    server = scripted_server({"PASV": b"502 no\r\n", "EPSV": b"502 no\r\n"})
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "a.bin")
    assert server.verbs().count("PASV") == 1 and server.verbs().count("EPSV") == 1
    assert "refused EPSV too" in str(caught.value)


@pytest.mark.asyncio
async def test_dropped_epsv_port_costs_one_data_timeout_not_two(scripted_server, bus,
                                                                tmp_path: Path) -> None:
    # A SYN nobody answers: PASV would lead to the same host through the same firewall.
    hole = full_backlog_listener()
    try:
        server = scripted_server({"EPSV": epsv(port=hole.port)})
        settings = settings_for(server, use_epsv=True, data_timeout=1)
        async with FtpSession(settings, bus=bus) as session:
            with pytest.raises(DataChannelError) as caught:
                await session.list("/")
    finally:
        hole.close()
    assert caught.value.failure is DataFailure.CONNECT_TIMEOUT
    assert "PASV" not in server.verbs()  # one data timeout, not EPSV's plus PASV's


@pytest.mark.asyncio
async def test_switching_the_family_on_a_live_session_applies_to_the_next_listing(
        scripted_server, bus) -> None:
    server = scripted_server()
    async with FtpSession(settings_for(server), bus=bus) as session:
        await session.list("/")
        session.set_commands(CommandFamily.EXTENDED)
        await session.list("/")
        session.set_commands(CommandFamily.CLASSIC)
        await session.list("/")
    data_verbs = [v for v in server.verbs() if v in ("PASV", "EPSV")]
    assert data_verbs == ["PASV", "EPSV", "PASV"]


def test_family_names_the_command_of_each_mode() -> None:
    assert CommandFamily.CLASSIC.command(TransferMode.PASSIVE) == "PASV"
    assert CommandFamily.CLASSIC.command(TransferMode.ACTIVE) == "PORT"
    assert CommandFamily.EXTENDED.command(TransferMode.PASSIVE) == "EPSV"
    assert CommandFamily.EXTENDED.command(TransferMode.ACTIVE) == "EPRT"
    settings = ConnectionSettings(host="127.0.0.1")
    assert settings.commands is CommandFamily.CLASSIC
    assert settings.with_commands(CommandFamily.EXTENDED).commands is CommandFamily.EXTENDED
