"""Steps the window's tests share: run a coroutine on the shared qasync loop while Qt
processes events, and press F5 in the remote pane until its listing is in."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt


def run(qtbot: Any, coro: Any, timeout: int = 15_000) -> Any:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def press_f5(window: Any, qtbot: Any) -> None:
    """F5 in the remote pane, as a person presses it; returns once the new listing's
    lines are in the console and the connection is free again."""
    rows = window.console.model.rowCount()
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not window.connection.busy
                    and window.console.model.rowCount() > rows, timeout=15_000)
    window.bridge.flush()
