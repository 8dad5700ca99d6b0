"""Transfer progress, throttled to at most 10 events per second per transfer.

The data path calls :meth:`ProgressReporter.update` for every chunk; all it costs there
is one clock read and a comparison. Rate is smoothed (exponential average) so the
display does not jitter with TCP's bursts.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from client.engine.events import EventBus, TransferProgress

__all__ = ["ProgressReporter", "next_transfer_id"]

_transfer_ids = itertools.count(1)
MIN_INTERVAL = 0.1  # seconds: <= 10 events per second


def next_transfer_id() -> int:
    return next(_transfer_ids)


class ProgressReporter:
    def __init__(self, bus: EventBus, connection: str, *, transfer_id: int, direction: str,
                 remote_path: str, total: int | None, offset: int = 0,
                 on_progress: Callable[[TransferProgress], None] | None = None) -> None:
        self.bus = bus
        self.connection = connection
        self.transfer_id = transfer_id
        self.direction = direction
        self.remote_path = remote_path
        self.total = total
        self.offset = offset
        self.on_progress = on_progress
        self.started = time.monotonic()
        self._next = self.started + MIN_INTERVAL
        self._last_time = self.started
        self._last_bytes = 0
        self._rate = 0.0
        self.bytes = 0

    def update(self, connection_bytes: int) -> None:
        """``connection_bytes``: bytes moved on the current data connection so far."""
        self.bytes = connection_bytes
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + MIN_INTERVAL
        self._emit(now, done=False)

    def finish(self) -> None:
        self._emit(time.monotonic(), done=True)

    def _emit(self, now: float, *, done: bool) -> None:
        span = now - self._last_time
        if span > 0:
            instant = (self.bytes - self._last_bytes) / span
            self._rate = instant if self._rate == 0.0 else 0.7 * self._rate + 0.3 * instant
        if done:
            elapsed = now - self.started
            self._rate = self.bytes / elapsed if elapsed > 0 else self._rate
        self._last_time = now
        self._last_bytes = self.bytes
        to_bus = self.bus.wants(TransferProgress)
        if not to_bus and self.on_progress is None:
            return  # nobody shows progress: no event is built
        event = TransferProgress(
            t=self.bus.now(), connection=self.connection, transfer_id=self.transfer_id,
            direction=self.direction, remote_path=self.remote_path,
            bytes_done=self.offset + self.bytes, total=self.total, rate=self._rate, done=done)
        if to_bus:
            self.bus.emit(event)
        if self.on_progress is not None:
            try:
                self.on_progress(event)
            except Exception:  # noqa: BLE001 - a progress callback must not stop a transfer
                pass
