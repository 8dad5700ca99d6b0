"""OPTS MLST (RFC 3659 §7.9): facts a server offers but does not send by default
(pyftpdlib's and ProFTPD's unix.mode and owner facts) are asked for after login, so an
MLSD listing has permissions and owners; a refusal changes nothing."""

from __future__ import annotations

import pytest

from client.engine.events import EventBus, LineSent
from client.engine.session import FtpSession


@pytest.mark.asyncio
async def test_offered_unix_facts_are_enabled_and_listed(ftp_server):
    sent: list[str] = []
    bus = EventBus()
    bus.subscribe(lambda e: sent.append(e.text) if isinstance(e, LineSent) else None)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        assert "unix.mode" in session.features.mlst_enabled
        listing = await session.list("/")
    assert any(line.startswith("OPTS MLST ") and "unix.mode;" in line for line in sent)
    hello = listing.by_name()["hello.txt"]
    assert hello.permissions is not None and len(hello.permissions) == 9
    assert hello.owner is not None


@pytest.mark.asyncio
async def test_a_refused_opts_mlst_changes_nothing(scripted_server):
    server = scripted_server({"OPTS": b"501 Option not understood.\r\n"},
                             features=["EPSV", "MLST type*;size*;modify*;unix.mode;"])
    async with FtpSession(server.info.settings()) as session:
        assert session.features.mlst_enabled == frozenset({"type", "size", "modify"})
        assert await session.pwd() == "/"
    assert any(line.startswith("OPTS MLST") for line in server.lines())


@pytest.mark.asyncio
async def test_nothing_is_asked_when_everything_is_on(scripted_server):
    server = scripted_server(features=["EPSV", "MLST type*;size*;modify*;"])
    async with FtpSession(server.info.settings()):
        pass
    assert not any(line.startswith("OPTS MLST") for line in server.lines())
