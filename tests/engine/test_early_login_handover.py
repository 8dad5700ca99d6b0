"""The hand-over of a login started before the engine loaded (client/engine/early_login.py)
to the session, when the server misbehaves: a reply nobody asked for, a reply that does
not come within the control timeout, a multi-line reply cut in two.

Each test starts the early login as the command line does, lets it finish, then
connects the session that takes it over, against the scripted server.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from client.engine.early_login import start_early_login
from client.engine.errors import ControlTimeoutError
from client.engine.events import Notice, ReplyReceived
from client.engine.session import FtpSession


def _session(settings, early) -> tuple[FtpSession, list]:
    session = FtpSession(settings, early_login=early)
    seen: list = []
    session.bus.subscribe(seen.append)
    return session, seen


def _replies(seen: list) -> list[str]:
    return [event.reply.text for event in seen if isinstance(event, ReplyReceived)]


def test_a_stray_reply_after_the_login_is_ignored_not_logged_in_again(scripted_server) -> None:
    """The server answers PASS twice in one write. The early login keeps the extra reply
    for the session, which shows it and ignores it as it ignores any reply nobody asked
    for, on the same connection: one connection, one PASS, no second login."""
    server = scripted_server({"PASS": b"230 Login successful.\r\n230 Stray second line.\r\n"},
                             password="")
    settings = server.settings()
    early = start_early_login(settings)
    assert early is not None
    early.finish()
    session, seen = _session(settings, early)

    async def run() -> str:
        async with session:
            return await session.pwd()

    assert asyncio.run(run()) == "/"
    assert server.connection_count == 1
    assert server.verbs().count("USER") == server.verbs().count("PASS") == 1
    assert "Stray second line." in _replies(seen)
    notices = [event.text for event in seen if isinstance(event, Notice)]
    assert any("ignored unexpected reply 230" in text for text in notices), notices


def test_a_reply_split_across_the_hand_over_is_read_whole(scripted_server) -> None:
    """A multi-line SYST reply whose end comes after the early login stopped reading:
    the session's parser goes on from the bytes the early one held."""
    release = threading.Event()

    def split_syst(session, argument: str) -> None:
        session.send(b"215-UNIX Type: L8\r\n215-first half\r\n")
        release.wait(10)
        session.send(b"215 second half\r\n")

    server = scripted_server({"SYST": split_syst}, password="")
    settings = server.settings(control_timeout=30.0)
    early = start_early_login(settings)
    assert early is not None
    assert server.wait_for_verb("SYST")
    release.set()
    early.finish()
    session, seen = _session(settings, early)

    async def run() -> None:
        async with session:
            pass

    asyncio.run(run())
    assert session.system == "UNIX Type: L8"
    assert server.connection_count == 1


@pytest.mark.parametrize("late", ["banner", "PASS"])
def test_a_reply_the_early_login_waited_for_in_vain_is_not_waited_for_again(
        scripted_server, late: str) -> None:
    """The early login waited the whole control timeout for the banner (or the answer to
    PASS). The session reports that timeout at that step; it does not wait a second
    control timeout, and a reply that comes afterwards does not revive the login."""
    release = threading.Event()

    def late_reply(text: bytes):
        def step(session, argument: str) -> None:
            release.wait(10)
            session.send(text)
        return step

    if late == "banner":
        server = scripted_server(banner=late_reply(b"220 Late banner.\r\n"), password="")
    else:
        server = scripted_server({"PASS": late_reply(b"230 Late login.\r\n")}, password="")
    settings = server.settings(control_timeout=0.3)
    early = start_early_login(settings)
    assert early is not None
    early.finish()  # the early login gave up waiting
    release.set()  # the server answers now: too late
    session, _ = _session(settings, early)

    async def run() -> None:
        async with session:
            pass

    with pytest.raises(ControlTimeoutError) as caught:
        asyncio.run(run())
    assert caught.value.step == ("banner" if late == "banner" else "pass")
    assert server.connection_count == 1
    assert server.verbs().count("PASS") == (1 if late == "PASS" else 0)
