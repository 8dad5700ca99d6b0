"""Feeding the ladder model from the engine bridge without ever blocking the window.

- Console numbering: the console numbers its lines (``seq``) in the order the bridge
  delivers them, one or more per event (``client.ui.console.lines.lines_from_event``).
  :class:`ConsoleRows` counts the same way, so every arrow knows the ``seq`` of the
  first console line of its event. This holds as long as the console and the feed are
  attached to the same bridge from the start and nothing else appends console lines.
- Time-bounded slices: a batch is queued and taken ``FEED_BUDGET`` seconds at a time.
- A log of recent events, so that choosing another control connection to show (the
  transfer queue opens its own) rebuilds the diagram from what was already seen.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable

from PySide6.QtCore import QObject, QTimer, Signal

from client.engine.events import (
    DataChannelEvent,
    EngineEvent,
    LineSent,
    Notice,
    QueueJobChanged,
    ReplyReceived,
    SessionStateChanged,
    TlsEstablished,
    TransferProgress,
)
from client.engine.ladder import LadderModel
from client.ui.console.lines import lines_from_event

__all__ = ["ConsoleRows", "LadderFeed", "console_line_count", "FEED_BUDGET", "LOG_LIMIT",
           "ITEM_LIMIT"]

FEED_BUDGET = 0.008  # seconds of model work per turn of the event loop
LOG_LIMIT = 200_000  # events kept for rebuilding the diagram with another filter
#: items the diagram holds at most; beyond, it is rebuilt from the newest four fifths of
#: the log (the console drops its oldest lines the same way): a session that runs for
#: days must not grow the window's memory without end
ITEM_LIMIT = 200_000

_ONE_LINE = frozenset({LineSent, DataChannelEvent, Notice, SessionStateChanged, TlsEstablished})
_NO_LINE = frozenset({QueueJobChanged})


def console_line_count(event: EngineEvent) -> int:
    """How many console lines ``lines_from_event`` makes for ``event``, without building
    them (the feed must keep up with 100,000 events; a test holds the two in step)."""
    kind = type(event)
    if isinstance(event, ReplyReceived):
        return max(1, len(event.reply.lines))
    if kind in _ONE_LINE:
        return 1
    if isinstance(event, TransferProgress):
        return 1 if event.done else 0
    if kind in _NO_LINE:
        return 0
    return len(lines_from_event(event, 0.0))  # a kind added later: ask the console


class ConsoleRows:
    """Numbers events by the console line (``seq``) their first line gets."""

    def __init__(self) -> None:
        self.next_seq = 0
        self._first_of: dict[int, int] = {}  # seq of a later line -> seq of its event's first

    def place(self, event: EngineEvent) -> int:
        count = console_line_count(event)
        seq = self.next_seq
        for extra in range(1, count):
            self._first_of[seq + extra] = seq
        self.next_seq += count
        return seq

    def event_row(self, seq: int) -> int:
        """The first line of the event that console line ``seq`` belongs to."""
        return self._first_of.get(seq, seq)


class LadderFeed(QObject):
    """Takes event batches into a :class:`LadderModel` in time-bounded slices."""

    #: the control connections seen so far (``["c1", "c2"]``), when a new one appears
    connections_changed = Signal(list)

    def __init__(self, model: LadderModel, parent: QObject | None = None, *,
                 log_limit: int = LOG_LIMIT, item_limit: int = ITEM_LIMIT) -> None:
        super().__init__(parent)
        self.model = model
        self.rows = ConsoleRows()
        self.connections: list[str] = []
        self._log: deque[tuple[EngineEvent, int]] = deque()
        self._log_limit = log_limit
        self._item_limit = item_limit
        self._backlog: deque[tuple[EngineEvent, int]] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._drain)

    def feed_events(self, events: Iterable[EngineEvent]) -> None:
        """Number and queue a batch, then take a first slice of it."""
        place, log, backlog = self.rows.place, self._log, self._backlog
        new_connection = False
        for event in events:
            entry = (event, place(event))
            log.append(entry)
            backlog.append(entry)
            if event.connection not in self.connections:
                self.connections.append(event.connection)
                new_connection = True
        if len(log) > self._log_limit:
            for _ in range(len(log) - self._log_limit + self._log_limit // 5):
                log.popleft()
        if new_connection:
            self.connections_changed.emit(list(self.connections))
        if len(self.model.items) + len(backlog) > self._item_limit:
            self._trim()
        self._drain()

    def _trim(self) -> None:
        """Rebuild the diagram from the newest events only (see ITEM_LIMIT)."""
        keep = self._item_limit * 4 // 5
        while len(self._log) > keep:
            self._log.popleft()
        self.model.clear(keep_time_origin=True)
        self._backlog = deque(self._log)

    def _drain(self) -> None:
        deadline = time.perf_counter() + FEED_BUDGET
        backlog, feed = self._backlog, self.model.feed
        count = 0
        while backlog:
            event, seq = backlog.popleft()
            feed(event, seq)
            count += 1
            if count & 0x3F == 0 and time.perf_counter() > deadline:
                break
        if backlog and not self._timer.isActive():
            self._timer.start(0)

    @property
    def backlog(self) -> int:
        """Events received but not yet in the model."""
        return len(self._backlog)

    def flush(self) -> None:
        """Take every queued event now (before a lookup or an export)."""
        feed = self.model.feed
        while self._backlog:
            event, seq = self._backlog.popleft()
            feed(event, seq)

    def show_connection(self, connection: str | None) -> None:
        """Draw only ``connection`` (None: every connection), rebuilt from the log."""
        if connection == self.model.connection:
            return
        self.model.clear(keep_time_origin=True)
        self.model.connection = connection
        self._backlog = deque(self._log)
        self._drain()

    def reset(self) -> None:
        """A new session: forget the diagram and the log (numbering continues, as the
        console's does)."""
        self._backlog.clear()
        self._log.clear()
        self.connections.clear()
        self.model.clear()
        self.connections_changed.emit([])
