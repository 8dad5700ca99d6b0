"""Which tab's console and diagram an event of the window's one bus goes to."""

from __future__ import annotations

from dataclasses import dataclass, field

from client.engine.events import Notice, Severity
from client.ui.console.lines import lines_from_event
from client.ui.tabs.router import TabRouter


@dataclass
class Part:
    got: list = field(default_factory=list)

    def feed_events(self, events) -> None:
        self.got.extend(events)

    def append(self, lines) -> None:
        self.got.extend(lines)


@dataclass
class Tab:
    ids: set
    panel: Part = field(default_factory=Part)
    console: Part = field(default_factory=Part)

    def owns(self, connection: str) -> bool:
        return connection in self.ids


def notice(connection: str) -> Notice:
    return Notice(t=0.0, connection=connection, severity=Severity.INFO, text=connection)


def test_events_and_lines_go_to_the_tab_that_opened_the_connection() -> None:
    one, two = Tab({"c1", "c3"}), Tab({"c2"})
    shown = [two]
    router = TabRouter(lambda: [one, two], lambda: shown[0])
    events = [notice(c) for c in ("c1", "c2", "c3", "c9", "queue")]
    router.route_events(events)
    router.route_lines([line for e in events for line in lines_from_event(e, 0.0)])
    assert [e.connection for e in one.panel.got] == ["c1", "c3"]
    # c9 (Diagnose) is adopted by the tab shown when it appears; "queue" follows the tab shown
    assert [e.connection for e in two.panel.got] == ["c2", "c9", "queue"]
    assert [line.connection for line in one.console.got] == ["c1", "c3"]
    shown[0] = one
    assert router.tab_for("c9") is two and router.tab_for("queue") is one
    with router.diverted_to(two):  # a packet capture's own "c1"
        assert router.tab_for("c1") is two
    assert router.tab_for("c1") is one


def test_a_closed_tabs_connections_are_shown_nowhere() -> None:
    one, two = Tab({"c1"}), Tab({"c2"})
    tabs, shown = [one, two], [two]
    router = TabRouter(lambda: tabs, lambda: shown[0])
    assert router.tab_for("c7") is two  # adopted while tab 2 was shown
    tabs.remove(two)
    shown[0] = one
    router.closed(two)
    router.route_events([notice("c2"), notice("c7")])
    assert two.panel.got == [] and one.panel.got == []
