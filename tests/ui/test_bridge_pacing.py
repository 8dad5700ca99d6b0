"""The bridge paces itself by what whole flushes cost (receivers included), and keeps
what the window holds out of Python's full garbage collections.

The clock is a fake one that only advances when a receiver "works", so these tests
check the pacing rule itself, never the speed of this machine.
"""

from __future__ import annotations

import gc

import pytest

from client.engine.events import EventBus, LineSent
from client.ui import bridge as bridge_module
from client.ui.bridge import EngineBridge

pytestmark = pytest.mark.gui


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _flood(bus: EventBus, count: int) -> None:
    for i in range(count):
        bus.emit(LineSent(t=i / 1000, connection="c1", text=f"NOOP {i}"))


def test_batches_shrink_while_receivers_overrun_the_budget(qapp, monkeypatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(bridge_module.time, "perf_counter", clock)
    bus = EventBus()
    bridge = EngineBridge(budget=0.020)
    sizes: list[int] = []

    def slow_receiver(lines: list) -> None:
        sizes.append(len(lines))
        clock.now += 0.001 * len(lines)  # 1 ms per line: even 32 lines overrun 20 ms

    bridge.console_lines.connect(slow_receiver)
    bridge.observe(bus)
    _flood(bus, 5_000)
    for _ in range(6):
        bridge.flush()
    bridge.close()
    assert sizes[0] == bridge_module._FIRST_BATCH
    # every flush overran: each batch is half the one before, down to the floor
    assert sizes[1:4] == [256, 128, 64]
    assert sizes[4:] == [bridge_module._SMALLEST_BATCH] * 2


def test_batches_grow_again_while_flushes_stay_cheap(qapp, monkeypatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(bridge_module.time, "perf_counter", clock)
    bus = EventBus()
    bridge = EngineBridge(budget=0.020)
    sizes: list[int] = []
    bridge.console_lines.connect(lambda lines: sizes.append(len(lines)))
    bridge.observe(bus)
    _flood(bus, 5_000)
    for _ in range(3):
        bridge.flush()
    bridge.close()
    assert sizes == [512, 1024, 2048]


def test_every_event_still_arrives_in_order(qapp, monkeypatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(bridge_module.time, "perf_counter", clock)
    bus = EventBus()
    bridge = EngineBridge(budget=0.020)
    texts: list[str] = []

    def receiver(lines: list) -> None:
        texts.extend(line.text for line in lines)
        clock.now += 0.00005 * len(lines)

    bridge.console_lines.connect(receiver)
    bridge.observe(bus)
    _flood(bus, 3_000)
    while bridge.backlog:
        bridge.flush()
    bridge.close()
    assert texts == [f"NOOP {i}" for i in range(3_000)]


def test_delivered_objects_are_moved_out_of_full_collections(qapp) -> None:
    bus = EventBus()
    bridge = EngineBridge()
    kept: list = []
    bridge.console_lines.connect(kept.extend)
    bridge.observe(bus)
    before = gc.get_freeze_count()
    try:
        _flood(bus, bridge_module.FREEZE_EVERY)
        while bridge.backlog:
            bridge.flush()
        assert gc.get_freeze_count() > before
        assert len(kept) == bridge_module.FREEZE_EVERY
    finally:
        bridge.close()
        gc.unfreeze()
