"""The active-mode address setting must be an IP address: a host name
(``my-nat-box.example``) is refused before anything is sent for the data connection,
as a local settings error naming the setting — not as a protocol error that a front end
would blame on the server."""

from __future__ import annotations

import pytest

from client.engine.errors import LocalError, SettingsError
from client.engine.events import DataChannelEvent
from client.engine.session import FtpSession
from client.engine.settings import TransferMode, active_address_problem

from .conftest import Recorder

# bounds for a loaded machine: no test here waits for a timeout to happen
FAST = dict(data_timeout=15.0, control_timeout=15.0, connect_timeout=15.0)


@pytest.mark.parametrize("value", ["my-nat-box.example", "localhost", "1.2.3", "1.2.3.4 ",
                                   "::1::2", "10.0.0.1\r\nDELE x", ""])
def test_names_and_malformed_addresses_are_refused(value: str) -> None:
    problem = active_address_problem(value)
    assert problem is not None and "not an IPv4 or IPv6 address" in problem
    assert "\r" not in problem and "\n" not in problem


@pytest.mark.parametrize("value", ["203.0.113.7", "127.0.0.1", "::1", "2001:db8::5",
                                   "::ffff:192.0.2.1"])
def test_ip_addresses_are_accepted(value: str) -> None:
    assert active_address_problem(value) is None


@pytest.mark.parametrize("use_eprt", [True, False])
@pytest.mark.asyncio
async def test_a_host_name_is_a_settings_error_before_eprt_or_port(scripted_server, bus,
                                                                   use_eprt: bool) -> None:
    recorder = Recorder(bus)
    server = scripted_server()
    settings = server.info.settings(mode=TransferMode.ACTIVE, use_eprt=use_eprt,
                                    active_address="my-nat-box.example", **FAST)
    async with FtpSession(settings, bus=bus) as session:
        with pytest.raises(SettingsError) as caught:
            await session.list("/")
        reply = await session.noop()  # the control connection is untouched
    assert reply.code == 200
    error = caught.value
    assert isinstance(error, LocalError) and error.exit_code == 1
    assert error.setting == "active_address"
    assert "active_address" in error.message and "my-nat-box.example" in error.message
    assert not {"EPRT", "PORT", "LIST", "MLSD"} & set(server.verbs())
    assert recorder.of(DataChannelEvent) == []  # no listener was opened


@pytest.mark.asyncio
async def test_an_ip_address_is_announced(scripted_server, bus) -> None:
    server = scripted_server()
    settings = server.info.settings(mode=TransferMode.ACTIVE, active_address="127.0.0.1",
                                    **FAST)
    async with FtpSession(settings, bus=bus) as session:
        await session.list("/")
    assert any(line.startswith("PORT 127,0,0,1,") for line in server.lines())
