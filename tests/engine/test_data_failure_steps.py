"""Every data-channel failure names the step (the command it served), whatever the
phase it failed in: never connected back, silent after 150, refused dial."""

from __future__ import annotations

import pytest

from client.demo import DemoServer
from client.engine.errors import DataChannelError
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode


@pytest.mark.asyncio
@pytest.mark.parametrize("scenario, mode", [
    ("active-blocked", TransferMode.ACTIVE),
    ("stall", TransferMode.PASSIVE),
    ("passive-refused", TransferMode.PASSIVE),
    ("passive-blocked", TransferMode.PASSIVE),
])
async def test_data_failures_name_their_step(scenario, mode) -> None:
    with DemoServer(scenario, give_up_after=2.0) as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, tls=TlsMode.OFF, mode=mode,
                                      data_timeout=1.0, control_timeout=5.0)
        async with FtpSession(settings) as session:
            with pytest.raises(DataChannelError) as caught:
                await session.list("/")
    assert caught.value.step in ("MLSD", "LIST"), (scenario, caught.value.step)
