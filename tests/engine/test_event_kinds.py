"""Observers that name the kinds of event they take: the engine builds no event (and no
annotation) nobody takes, and an observer of everything still gets every line."""

from __future__ import annotations

import pytest

from client.engine.events import (
    DataChannelEvent,
    EngineEvent,
    EventBus,
    LineSent,
    Notice,
    NoticeKind,
    ReplyReceived,
)
from client.engine.session import FtpSession
from client.protocol import annotate
from client.protocol.annotate import Severity


def _notice(text: str) -> Notice:
    return Notice(t=0.0, connection="c1", severity=Severity.INFO, text=text,
                  kind=NoticeKind.INFO)


def test_an_observer_gets_only_its_kinds_and_wants_follows_the_observers():
    bus = EventBus()
    assert not bus.wants(LineSent) and not bus.wants(Notice)
    notices: list[EngineEvent] = []
    stop = bus.subscribe(notices.append, kinds=(Notice,))
    assert bus.wants(Notice) and not bus.wants(LineSent)
    bus.emit(_notice("one"))
    bus.emit(LineSent(t=0.0, connection="c1", text="NOOP"))
    assert [event.text for event in notices] == ["one"]
    everything: list[EngineEvent] = []
    stop_all = bus.subscribe(everything.append)
    assert bus.wants(LineSent) and bus.wants(DataChannelEvent)
    bus.emit(LineSent(t=0.0, connection="c1", text="NOOP"))
    assert len(everything) == 1 and len(notices) == 1
    stop_all()
    assert not bus.wants(LineSent)
    stop()
    assert not bus.wants(Notice)


def test_unsubscribing_while_an_event_is_delivered_is_safe():
    bus = EventBus()
    seen: list[str] = []
    stops = []

    def first(event: EngineEvent) -> None:
        seen.append("first")
        stops[1]()  # removes the second observer during the delivery

    stops.append(bus.subscribe(first))
    stops.append(bus.subscribe(lambda event: seen.append("second")))
    bus.emit(_notice("x"))  # the delivery under way still reaches both
    bus.emit(_notice("y"))
    assert seen == ["first", "second", "first"]


@pytest.mark.asyncio
async def test_control_lines_nobody_shows_are_not_annotated(ftp_server, monkeypatch):
    """A front end without a console (the command line without -v) takes no control
    lines: none is annotated. A console that subscribes later gets every line from then
    on, each explained for the command it answers."""
    annotated: list[str] = []
    real_annotate = annotate.annotate

    def counting(line, direction, context):
        annotated.append(line)
        return real_annotate(line, direction, context)

    monkeypatch.setattr(annotate, "annotate", counting)
    bus = EventBus()
    notices: list[EngineEvent] = []
    bus.subscribe(notices.append, kinds=(Notice,))
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.pwd()
        assert annotated == []
        console: list[EngineEvent] = []
        bus.subscribe(console.append)
        await session.cwd("/")
    sent = [event.text for event in console if isinstance(event, LineSent)]
    replies = [event for event in console if isinstance(event, ReplyReceived)]
    assert sent[:2] == ["CWD /", "PWD"] and sent[-1] == "QUIT"
    assert [reply.reply.code for reply in replies][:2] == [250, 257]
    assert annotated  # lines are annotated again once somebody shows them
