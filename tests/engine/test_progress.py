"""Progress events: at most 10 per second per transfer, a final ``done`` event, offsets
for resumed transfers."""

from __future__ import annotations

from client.engine import progress as progress_module
from client.engine.events import EventBus, TransferProgress
from client.engine.progress import ProgressReporter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_updates_are_throttled_to_ten_per_second(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(progress_module.time, "monotonic", clock.monotonic)
    bus = EventBus()
    events: list[TransferProgress] = []
    bus.subscribe(lambda e: events.append(e) if isinstance(e, TransferProgress) else None)
    callback: list[TransferProgress] = []
    reporter = ProgressReporter(bus, "c1", transfer_id=5, direction="download",
                                remote_path="/f", total=20_000_000, offset=1_000,
                                on_progress=callback.append)
    for step in range(1, 10_001):  # 10,000 chunks over 10 seconds of (fake) time
        clock.now += 0.001
        reporter.update(step * 1_000)
    reporter.finish()
    assert 95 <= len(events) <= 101
    assert events[-1].done and events[-1].bytes_done == 1_000 + 10_000_000
    assert callback == events
    assert all(e.transfer_id == 5 for e in events)
    # 1,000 bytes per millisecond = 1,000,000 B/s
    assert abs(events[-1].rate - 1_000_000) < 1_000


def test_a_failing_callback_does_not_stop_the_transfer():
    def broken(event):
        raise RuntimeError("observer bug")

    reporter = ProgressReporter(EventBus(), "c1", transfer_id=1, direction="upload",
                                remote_path="/f", total=None, on_progress=broken)
    reporter.update(10)
    reporter.finish()
