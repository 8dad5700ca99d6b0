"""Regression guard: PySide6 6.12.0 on Python < 3.12 drops a reference to None on every
Qt method that returns nothing, and the interpreter aborts (``none_dealloc``) after a
few thousand calls. Short suites pass and hide it; this makes ~200,000 such calls in
one process so a dependency bump cannot bring it back unnoticed."""

from __future__ import annotations

import sys


def test_many_none_returning_qt_calls(qapp) -> None:
    from PySide6.QtWidgets import QLabel, QProgressBar

    label = QLabel()
    bar = QProgressBar()
    bar.setRange(0, 1000)
    before = sys.getrefcount(None)
    for i in range(100_000):
        label.setText("x")  # returns None
        bar.setValue(i % 1000)  # returns None
    after = sys.getrefcount(None)
    # a leak of one reference per call would show as ~200,000 fewer (or more) refs
    assert abs(after - before) < 1000
