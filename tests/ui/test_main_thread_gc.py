"""Cyclic garbage holding QObjects is freed on the GUI thread only (client.ui.main_thread_gc).

Before, Python's automatic collector ran in whatever thread crossed its allocation
threshold — a server thread, an ``asyncio.to_thread`` worker — and a QObject with a
running timer destroyed there left its timer registered: the next tick was delivered to
freed memory (the rare segfault in ``QTimerInfoList::activateTimers``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

_CHILD = textwrap.dedent("""
    import os, sys, threading
    sys.path.insert(0, sys.argv[1])
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QEventLoop, QObject, QTimer
    from client.ui.app import InspectorApplication

    app = InspectorApplication([])

    class Dialogish(QObject):
        # a parentless QObject with a live timer, kept only by a reference cycle
        def __init__(self):
            super().__init__()
            self.timer = QTimer(self)
            self.timer.start(200)
            self.me = self

    Dialogish()

    def busy_worker():
        junk = [[] for _ in range(300_000)]  # crosses every collection threshold
        del junk

    worker = threading.Thread(target=busy_worker)
    worker.start()
    worker.join()
    spin = QEventLoop()
    QTimer.singleShot(800, spin.quit)  # the dropped timer would have fired 3 times
    spin.exec()
    print("alive")
""")


def test_a_qobject_with_a_timer_in_garbage_freed_by_a_busy_thread_does_not_crash(
        tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-X", "faulthandler", str(script), root],
                          capture_output=True, text=True, timeout=60, check=False)
    assert "Timers cannot be stopped from another thread" not in done.stderr, done.stderr
    assert done.returncode == 0 and "alive" in done.stdout, done.stderr


def test_cyclic_garbage_is_collected_on_the_gui_thread(qapp, qtbot) -> None:
    from client.ui.app import InspectorApplication

    assert isinstance(qapp, InspectorApplication)
    freed_in: list[threading.Thread] = []

    class Cycle:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            freed_in.append(threading.current_thread())

    Cycle()
    kept: list[list[object]] = []

    def busy_worker() -> None:
        kept.append([[] for _ in range(300_000)])

    worker = threading.Thread(target=busy_worker)
    worker.start()
    worker.join()
    assert freed_in == []  # the worker's allocations collected nothing
    qtbot.waitUntil(lambda: bool(freed_in), timeout=15_000)
    assert freed_in == [threading.main_thread()]
    kept.clear()


def test_collections_follow_the_automatic_collectors_rules() -> None:
    """Young garbage when generation 0 overflows; a full pass only when enough objects
    reached the oldest generation since the last one (a quarter of those that survived
    it), or the window would freeze for a full pass every few seconds with a long
    console."""
    from client.ui.main_thread_gc import generation_due

    thresholds = (700, 10, 10)
    assert generation_due((100, 5, 5), thresholds, 0, 0) == -1
    assert generation_due((701, 5, 5), thresholds, 0, 0) == 0
    assert generation_due((701, 11, 5), thresholds, 0, 0) == 1
    assert generation_due((701, 11, 11), thresholds, 100_000, 200_000) == 2
    assert generation_due((701, 11, 11), thresholds, 100_000, 110_000) == 1
    assert generation_due((701, 5, 11), thresholds, 100_000, 110_000) == 0
