"""A server that drops an idle control connection is reported when it happens: the
session's state becomes FAILED and a ``connection-lost`` Notice says what the server did
(with its 421 text), within a second and without any further command — also when the
keep-alive's NOOP is what meets the closed (or silent) connection."""

from __future__ import annotations

import asyncio
import time

import pytest
from fixtures.scripted_faults import unsolicited
from fixtures.scripted_steps import close_control, hang, reset_control, sleep

from client.engine.errors import ConnectionLostError
from client.engine.events import EngineEvent, EventBus, Notice, SessionState, SessionStateChanged
from client.engine.session import FtpSession

FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)


class Watch:
    """Records the notices and state changes of one bus, with their arrival times."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[tuple[float, EngineEvent]] = []
        self.changed = asyncio.Event()
        bus.subscribe(self._seen)

    def _seen(self, event: EngineEvent) -> None:
        if isinstance(event, Notice | SessionStateChanged):
            self.events.append((time.monotonic(), event))
            self.changed.set()

    def lost_notices(self) -> list[Notice]:
        return [e for _, e in self.events if isinstance(e, Notice) and e.kind == "connection-lost"]

    def failed(self) -> list[SessionStateChanged]:
        return [e for _, e in self.events
                if isinstance(e, SessionStateChanged) and e.state is SessionState.FAILED]

    async def until_failed(self, timeout: float) -> float:
        """Seconds until a FAILED state and a connection-lost notice were both seen."""
        started = time.monotonic()
        async with asyncio.timeout(timeout):
            while not (self.failed() and self.lost_notices()):
                self.changed.clear()
                await self.changed.wait()
        return time.monotonic() - started


async def _idle_until_reported(server, bus: EventBus, **settings: object) -> Watch:
    watch = Watch(bus)
    session = FtpSession(server.info.settings(**{**FAST, **settings}), bus=bus)
    await session.connect()
    try:
        sent = len(server.verbs())
        # the drop comes ~0.3 s after login; reported within a second of it
        await watch.until_failed(15.0)  # a bound: no command is sent, so nothing else reports it
        assert session.state is SessionState.FAILED
        assert len(server.verbs()) == sent, "no command was needed to notice"
        with pytest.raises(ConnectionLostError):
            await session.pwd()
    finally:
        await session.close()
    return watch


@pytest.mark.asyncio
async def test_unsolicited_421_while_idle_is_reported_at_once(scripted_server, bus):
    server = scripted_server({"PASS": [b"230 Logged in.\r\n",
                                       unsolicited(b"421 Idle timeout (60 s), bye.\r\n", 0.5)]})
    watch = await _idle_until_reported(server, bus)
    [notice] = watch.lost_notices()
    assert "421" in notice.text and "Idle timeout (60 s), bye." in notice.text
    assert "while idle" in notice.text
    assert "421" in (watch.failed()[0].detail or "")
    assert len(watch.failed()) == 1, "one FAILED, not one per later command"


@pytest.mark.parametrize("drop, words", [(close_control, "closed the control connection"),
                                         (reset_control, "lost")])
@pytest.mark.asyncio
async def test_a_close_or_reset_while_idle_is_reported_at_once(scripted_server, bus, drop,
                                                                words):
    # PWD is the login's last command: the server answers, waits while the client sits
    # idle and logged in, then closes (FIN) or resets (RST) the control connection
    server = scripted_server({"PWD": [b'257 "/" is the current directory.\r\n', sleep(0.3),
                                      drop]})
    watch = await _idle_until_reported(server, bus)
    [notice] = watch.lost_notices()
    assert words in notice.text


@pytest.mark.asyncio
async def test_421_met_by_the_keepalive_is_reported(scripted_server, bus):
    server = scripted_server({"NOOP": [b"421 Timeout.\r\n", close_control]})
    watch = Watch(bus)
    async with FtpSession(server.info.settings(keepalive_interval=0.2, **FAST),
                          bus=bus) as session:
        await watch.until_failed(15.0)
        assert session.state is SessionState.FAILED
    [notice] = watch.lost_notices()
    assert "421" in notice.text and "Timeout." in notice.text
    assert "keep-alive" in notice.text
    assert server.verbs().count("NOOP") == 1


@pytest.mark.asyncio
async def test_a_keepalive_noop_without_answer_closes_and_says_so(scripted_server, bus):
    server = scripted_server({"NOOP": hang})
    watch = Watch(bus)
    async with FtpSession(server.info.settings(keepalive_interval=0.2,
                                               **{**FAST, "control_timeout": 0.5}),
                          bus=bus) as session:
        await watch.until_failed(15.0)
        assert session.state is SessionState.FAILED
        with pytest.raises(ConnectionLostError):
            await session.pwd()
    [notice] = watch.lost_notices()
    assert "keep-alive" in notice.text and "no reply" in notice.text


@pytest.mark.asyncio
async def test_a_failing_command_reports_through_its_error_not_a_notice(scripted_server, bus):
    """A command waiting for its reply gets the error; the state still turns FAILED once."""
    server = scripted_server({"CWD": [b"421 Timeout.\r\n", close_control]})
    watch = Watch(bus)
    async with FtpSession(server.info.settings(**FAST), bus=bus) as session:
        with pytest.raises(ConnectionLostError):
            await session.cwd("/x")
        with pytest.raises(ConnectionLostError):
            await session.pwd()
    assert watch.lost_notices() == []
    assert len(watch.failed()) == 1


@pytest.mark.asyncio
async def test_quit_and_close_are_not_reported_as_a_loss(scripted_server, bus):
    server = scripted_server()
    watch = Watch(bus)
    async with FtpSession(server.info.settings(**FAST), bus=bus):
        pass
    await asyncio.sleep(0.2)  # kept: the check is that no loss is reported meanwhile
    assert watch.lost_notices() == [] and watch.failed() == []
