"""The suite's collector rule (tests/conftest.py): a test without Qt runs with Python's
automatic cyclic collector, as a command-line process has it, also after a window test
made the QApplication in the same worker — whose collector timer, ticking whenever
pytest-qt processes events around a test, would otherwise switch it off again, so the
code under test (the listing parser's collector pause) took a path that depended on
which worker ran it. The two tests run in this order in one worker."""

from __future__ import annotations

import gc
import sys
import time

import pytest

pytestmark = pytest.mark.xdist_group("conftest-collector")


def test_a_window_test_leaves_the_window_collector_on(qapp: object) -> None:
    from client.ui import main_thread_gc

    assert main_thread_gc._timer is not None and main_thread_gc._timer.isActive()
    assert not gc.isenabled()


def test_a_headless_test_after_it_keeps_the_automatic_collector() -> None:
    assert gc.isenabled()
    window_gc = sys.modules.get("client.ui.main_thread_gc")
    if window_gc is not None:
        from PySide6.QtCore import QCoreApplication

        # what pytest-qt does around every test phase, once the timer is due
        time.sleep(window_gc.CHECK_INTERVAL_MS / 1000 * 1.5)
        QCoreApplication.processEvents()
    assert gc.isenabled()


def test_a_second_headless_test_keeps_it_too() -> None:
    assert gc.isenabled()


def test_the_next_window_test_gets_the_window_collector_back(qapp: object) -> None:
    from client.ui import main_thread_gc

    assert main_thread_gc._timer is not None and main_thread_gc._timer.isActive()
    assert not gc.isenabled()
