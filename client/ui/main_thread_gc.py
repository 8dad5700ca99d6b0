"""Python's cyclic garbage collector, run on the GUI thread only.

The automatic collector runs in whichever thread happens to allocate when a threshold
is crossed: a demo or test server thread, an ``asyncio.to_thread`` worker (the
listing parser, the download writer). When a cycle it frees holds a QObject with a
running timer — a parentless dialog, a widget's QTimer, a closed qasync loop's timer
object — the QObject's destructor runs in that thread, where Qt cannot stop timers
("QObject::~QObject: Timers cannot be stopped from another thread"): the timer stays
registered with the GUI thread's dispatcher and its next tick is delivered to freed
memory — a segfault in ``QTimerInfoList::activateTimers``, rare and far from its cause.

So, once the application exists, automatic collection is switched off and a light
timer on the GUI thread collects with the same thresholds the automatic collector
uses. Reference counting still frees everything that is not cyclic, in any thread,
at once.
"""

from __future__ import annotations

import gc
from typing import Any

__all__ = ["collect_if_due", "generation_due", "install_main_thread_gc", "CHECK_INTERVAL_MS"]

#: how often the GUI thread looks at the allocation counts
CHECK_INTERVAL_MS = 100

_timer: Any = None


def generation_due(counts: tuple[int, int, int], thresholds: tuple[int, ...],
                   long_lived_total: int, long_lived_now: int) -> int:
    """The generation the automatic collector would collect now (-1: none). As CPython
    does, a full collection waits until the objects that reached the oldest generation
    since the last one are a quarter of those that survived it: with a large heap (a
    long console), full passes would otherwise freeze the window every few seconds."""
    if not thresholds[0] or counts[0] <= thresholds[0]:
        return -1
    for generation in (2, 1):
        if generation < len(thresholds) and counts[generation] > thresholds[generation]:
            if generation == 2 and long_lived_now - long_lived_total <= long_lived_total / 4:
                continue
            return generation
    return 0


_long_lived_total = 0


def collect_if_due() -> int:
    """Collect what the automatic collector would collect now; returns the generation
    collected, or -1. Once installed, automatic collection is switched off again if
    something turned it back on."""
    global _long_lived_total
    if _timer is not None and gc.isenabled():
        gc.disable()
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    full_due = counts[0] > thresholds[0] and counts[2] > thresholds[2]
    now = len(gc.get_objects(2)) if full_due else 0  # only then: it walks the oldest
    due = generation_due(counts, thresholds, _long_lived_total, now)
    if due >= 0:
        gc.collect(due)
    if due == 2:
        _long_lived_total = len(gc.get_objects(2))
    return due


def install_main_thread_gc(app: Any) -> None:
    """Switch automatic collection off and collect from a timer owned by ``app`` (the
    QApplication, on the GUI thread). Idempotent."""
    global _timer
    from PySide6.QtCore import QTimer

    gc.disable()
    if _timer is not None:
        return
    _timer = QTimer(app)
    _timer.setObjectName("mainThreadGarbageCollector")
    _timer.timeout.connect(collect_if_due)
    _timer.start(CHECK_INTERVAL_MS)
