"""Every engine event on the window's one bus goes to the tab it belongs to.

A tab knows the connection ids of the sessions it opened (browsing and its queue's
workers). A connection no tab opened — Diagnose's sessions — belongs to the tab shown
when it first appears; a loaded packet capture, and the queues' own notices (all named
"queue"), go to the tab shown. A closed tab's sessions (its transfers
keep running in the queue) are shown by no console or diagram any more; the queue still
shows their progress. The console and the diagram of a tab see exactly the same events,
so the diagram's arrows keep pointing at the right console lines.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from client.engine.events import EngineEvent
from client.ui.console.lines import ConsoleLine
from client.ui.tabs.tab import ConnectionTab

__all__ = ["TabRouter"]

T = TypeVar("T")

#: names on the bus shared by every tab's queue: what they say goes to the tab shown
SHARED_NAMES = frozenset({"queue"})


class TabRouter:
    def __init__(self, tabs: Callable[[], Sequence[ConnectionTab]],
                 current: Callable[[], ConnectionTab]) -> None:
        self._tabs = tabs
        self._current = current
        self._adopted: dict[str, ConnectionTab | None] = {}
        self._diverted: ConnectionTab | None = None

    @contextlib.contextmanager
    def diverted_to(self, tab: ConnectionTab) -> Iterator[None]:
        """Everything routed meanwhile goes to ``tab``: a packet capture's replay, whose
        connection names ("c1" …) come from a bus of its own and say nothing of tabs."""
        self._diverted = tab
        try:
            yield
        finally:
            self._diverted = None

    def tab_for(self, connection: str) -> ConnectionTab | None:
        """The tab showing ``connection`` (None: its tab was closed)."""
        if self._diverted is not None:
            return self._diverted
        if connection in SHARED_NAMES:
            return self._current()
        for tab in self._tabs():
            if tab.owns(connection):
                return tab
        if connection not in self._adopted:
            self._adopted[connection] = self._current()
        return self._adopted[connection]

    def closed(self, tab: ConnectionTab) -> None:
        """``tab`` is gone: what its sessions still say is shown nowhere."""
        for connection in tab.ids:
            self._adopted[connection] = None
        for connection, owner in list(self._adopted.items()):
            if owner is tab:
                self._adopted[connection] = None

    def route_events(self, events: Iterable[EngineEvent]) -> None:
        """A bridge batch to the tabs' inspector panels."""
        for tab, batch in self._split(events, lambda e: e.connection):
            tab.panel.feed_events(batch)

    def route_lines(self, lines: Iterable[ConsoleLine]) -> None:
        """The bridge's console lines to the tabs' consoles."""
        for tab, batch in self._split(lines, lambda line: line.connection):
            tab.console.append(batch)

    def _split(self, items: Iterable[T], connection_of: Callable[[T], str]
                  ) -> list[tuple[ConnectionTab, list[T]]]:
        groups: dict[int, tuple[ConnectionTab, list[T]]] = {}
        last: str | None = None
        target: ConnectionTab | None = None
        for item in items:
            connection = connection_of(item)
            if connection != last:
                last, target = connection, self.tab_for(connection)
            if target is None:
                continue
            groups.setdefault(id(target), (target, []))[1].append(item)
        return list(groups.values())
