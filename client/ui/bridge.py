"""The one place where engine events become Qt signals.

Observers on an :class:`EventBus` are called synchronously by the engine (on whatever
thread emitted), so the bridge only appends to a queue. A timer (~50 ms) flushes the queue in batches; each flush works
for at most ``budget`` seconds and leaves the rest for the next turn of the event loop,
so 100,000 events arriving at once never block the window for more than one budget:
the number of events per flush adapts to what whole flushes (receivers included) cost,
and what the window keeps is moved out of the way of Python's full garbage collections
(see :func:`settle_long_lived_objects`).
"""

from __future__ import annotations

import gc
import threading
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from client.engine.events import (
    DataChannelEvent,
    EngineEvent,
    EventBus,
    QueueJobChanged,
    SessionStateChanged,
    TlsEstablished,
    TransferProgress,
)
from client.ui.console.lines import ConsoleLine, lines_from_event

__all__ = ["EngineBridge"]

#: events delivered between two calls of settle_long_lived_objects()
FREEZE_EVERY = 5_000
_FIRST_BATCH = 512
_SMALLEST_BATCH = 32
_LARGEST_BATCH = 16_384


class EngineBridge(QObject):
    """Batches engine events into Qt signals (all emitted on the GUI thread)."""

    #: every event of the batch, in order (for the inspector's diagram)
    events = Signal(object)
    #: list[ConsoleLine] for the protocol console
    console_lines = Signal(object)
    session_state = Signal(object)  # SessionStateChanged
    tls_established = Signal(object)  # TlsEstablished
    data_channel = Signal(object)  # DataChannelEvent
    #: list[TransferProgress]: the latest progress per transfer in this batch
    progress = Signal(object)
    #: list[TransferJob]: the latest state per queue job in this batch
    queue_jobs = Signal(object)
    #: internal: an event arrived on another thread; start the timer on ours
    _wake = Signal()

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 50,
                 budget: float = 0.020) -> None:
        super().__init__(parent)
        self._pending: deque[tuple[EngineEvent, float]] = deque()
        self._budget = budget
        # How many events one flush may take. The budget clock inside the loop only sees
        # the cost of building console lines; what the receivers then do with the batch
        # (console model, inspector ladder) costs as much again or more, so the limit
        # adapts to the measured cost of whole flushes: halved when a flush overran the
        # budget, grown while flushes stay well under it.
        self._batch_limit = _FIRST_BATCH
        self._delivered_since_freeze = 0
        self._interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._unsubscribers: list[Callable[[], None]] = []
        self._thread = threading.get_ident()
        self._wake.connect(self._start_timer, Qt.ConnectionType.QueuedConnection)

    def observe(self, bus: EventBus) -> Callable[[], None]:
        """Subscribe to ``bus``; returns a function that unsubscribes."""
        wall_origin = bus.wall_origin

        def on_event(event: EngineEvent) -> None:
            self._pending.append((event, wall_origin))  # deque.append is thread-safe
            if threading.get_ident() != self._thread:
                self._wake.emit()  # a QTimer may only be started from its own thread
            elif not self._timer.isActive():
                self._timer.start(self._interval_ms)

        unsubscribe = bus.subscribe(on_event)
        self._unsubscribers.append(unsubscribe)
        return unsubscribe

    def _start_timer(self) -> None:
        if self._pending and not self._timer.isActive():
            self._timer.start(self._interval_ms)

    def close(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self._timer.stop()

    @property
    def backlog(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Deliver queued events for at most one budget; reschedule if some remain."""
        started = time.perf_counter()
        deadline = started + self._budget
        limit = self._batch_limit
        batch: list[EngineEvent] = []
        lines: list[ConsoleLine] = []
        progress: dict[int, TransferProgress] = {}
        jobs: dict[object, object] = {}
        pending = self._pending
        while pending:
            event, wall_origin = pending.popleft()
            batch.append(event)
            lines.extend(lines_from_event(event, wall_origin))
            if isinstance(event, TransferProgress):
                progress[event.transfer_id] = event
            elif isinstance(event, QueueJobChanged):
                jobs[getattr(event.job, "job_id", id(event.job))] = event.job
            # checking the clock every 64 events keeps its cost out of the loop
            if len(batch) >= limit or (len(batch) & 0x3F == 0
                                       and time.perf_counter() > deadline):
                break
        if batch:
            self.events.emit(batch)
            for event in batch:
                if isinstance(event, SessionStateChanged):
                    self.session_state.emit(event)
                elif isinstance(event, TlsEstablished):
                    self.tls_established.emit(event)
                elif isinstance(event, DataChannelEvent):
                    self.data_channel.emit(event)
        if lines:
            self.console_lines.emit(lines)
        if progress:
            self.progress.emit(list(progress.values()))
        if jobs:
            self.queue_jobs.emit(list(jobs.values()))
        self._delivered_since_freeze += len(batch)
        if self._delivered_since_freeze >= FREEZE_EVERY:
            self._delivered_since_freeze = 0
            settle_long_lived_objects()
        if pending:
            self._adapt(len(batch), time.perf_counter() - started)
            self._timer.start(1)  # let the window paint, then continue

    def _adapt(self, taken: int, spent: float) -> None:
        if spent > self._budget:
            self._batch_limit = max(_SMALLEST_BATCH, min(self._batch_limit, taken) // 2)
        elif spent < self._budget / 2 and taken >= self._batch_limit:
            self._batch_limit = min(_LARGEST_BATCH, self._batch_limit * 2)


def settle_long_lived_objects() -> None:
    """Take what the window keeps out of Python's full garbage collections.

    Everything delivered here is kept for the session (console lines, the inspector's
    ladder, the events behind them: about four tracked objects per event). A full
    collection walks every tracked object, so with 100,000 lines shown one pass took
    120-210 ms, and it ran on the GUI thread in the middle of a flush: the largest
    freezes of the window. ``gc.freeze()`` moves the objects alive now to the permanent
    generation, which later collections skip; objects freed by their reference count
    (lines the console drops) still go at once. Young cyclic garbage is collected just
    before (a generation-1 pass costs a millisecond or two), so only cycles that were
    already old and about to die are kept for good — a bounded cost paid once per
    FREEZE_EVERY events.
    """
    gc.collect(1)
    gc.freeze()
