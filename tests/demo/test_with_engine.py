"""The product's own engine against each demo scenario: the failure class it reports is
the one the scenario was built to produce."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fixtures.demo_settings import demo_settings

from client.demo import BINARY_SAMPLE, DemoServer
from client.engine.errors import DataChannelError
from client.engine.events import DataFailure
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TransferMode

pytestmark = pytest.mark.asyncio


def settings_for(server: DemoServer, mode: TransferMode = TransferMode.PASSIVE,
                 **changes: object) -> ConnectionSettings:
    return demo_settings(server, mode=mode, **changes)


async def listed_names(server: DemoServer, mode: TransferMode, **changes: object) -> set[str]:
    async with FtpSession(settings_for(server, mode, **changes)) as session:
        result = await session.list("/")
    return {entry.name for entry in result.entries}


async def failure_of(server: DemoServer, mode: TransferMode) -> DataChannelError:
    with pytest.raises(DataChannelError) as caught:
        await listed_names(server, mode)
    return caught.value


@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
@pytest.mark.parametrize("scenario", ["healthy", "tls", "slow"])
async def test_engine_lists_and_downloads_intact(start_demo, tmp_path: Path, scenario: str,
                                                 mode: TransferMode) -> None:
    server = start_demo(scenario, throttle_bytes_per_second=4 * 1024 * 1024)
    target = tmp_path / "sample.bin"
    async with FtpSession(settings_for(server, mode, data_timeout=5)) as session:
        names = {entry.name for entry in (await session.list("/")).entries}
        result = await session.download("/" + BINARY_SAMPLE, target)
    assert {"README.txt", "photos 2024", "upload", "latest.bin"} <= names
    assert result.bytes_transferred == 2 * 1024 * 1024
    assert hashlib.sha256(target.read_bytes()).hexdigest() == server.sample.sha256[BINARY_SAMPLE]


async def test_engine_passive_blocked_is_an_unanswered_syn_and_active_works(start_demo) -> None:
    server = start_demo("passive-blocked")
    error = await failure_of(server, TransferMode.PASSIVE)
    assert error.failure is DataFailure.CONNECT_TIMEOUT
    assert "README.txt" in await listed_names(server, TransferMode.ACTIVE)


async def test_engine_passive_blocked_with_fallback_succeeds(start_demo) -> None:
    server = start_demo("passive-blocked")
    assert "README.txt" in await listed_names(server, TransferMode.PASSIVE, fallback=True)


async def test_engine_passive_refused(start_demo) -> None:
    server = start_demo("passive-refused")
    error = await failure_of(server, TransferMode.PASSIVE)
    assert error.failure is DataFailure.REFUSED
    assert "README.txt" in await listed_names(server, TransferMode.ACTIVE)


async def test_engine_default_policy_survives_nat_misconfigured(start_demo) -> None:
    # The network guard fails this test if the engine ever dials 192.0.2.10.
    server = start_demo("nat-misconfigured")
    assert "README.txt" in await listed_names(server, TransferMode.PASSIVE)


async def test_engine_active_blocked_nobody_connects_back(start_demo) -> None:
    server = start_demo("active-blocked", give_up_after=30)  # the client's 1 s comes first
    error = await failure_of(server, TransferMode.ACTIVE)
    assert error.failure is DataFailure.NEVER_CONNECTED_BACK
    assert "README.txt" in await listed_names(server, TransferMode.PASSIVE)


async def test_engine_stall_is_silence_after_150(start_demo) -> None:
    server = start_demo("stall")
    error = await failure_of(server, TransferMode.PASSIVE)
    assert error.failure is DataFailure.SILENT
