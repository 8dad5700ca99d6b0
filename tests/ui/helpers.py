"""Steps the window's tests share: run a coroutine on the shared qasync loop while Qt
processes events, and press F5 in the remote pane until its listing is in."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication


def run(qtbot: Any, coro: Any, timeout: int = 15_000) -> Any:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def settle_layout(rounds: int = 10) -> None:
    """Run every pending layout pass now (each may post the next one, up the widget
    tree) instead of waiting a while for them."""
    for _ in range(rounds):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()


def press_f5(window: Any, qtbot: Any) -> None:
    """F5 in the remote pane, as a person presses it; returns once the new listing's
    lines are in the console and the connection is free again."""
    rows = window.console.model.rowCount()
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not window.connection.busy
                    and window.console.model.rowCount() > rows, timeout=15_000)
    window.bridge.flush()


@contextlib.contextmanager
def shown_window(qtbot: Any, tmp_path: Path, **options: Any) -> Iterator[Any]:
    """The main window over an empty local folder (``tmp_path/local``), shown; shut down
    after (sessions closed before the window goes). ``options`` go to ``MainWindow``."""
    from client.ui.main_window import MainWindow

    local = tmp_path / "local"
    local.mkdir()
    win = MainWindow(local_start=local, **options)
    win.show()
    try:
        yield win
    finally:
        task = asyncio.ensure_future(win.shutdown())
        qtbot.waitUntil(task.done, timeout=10_000)
        win.close()
        win.deleteLater()
