"""Answering what the window asks, as a person would: file dialogs get a path in the
test's folder, message boxes and other dialogs are dismissed, popup menus closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMenu, QWidget


def open_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and isinstance(w, QDialog | QMenu)]


def answer_everything(folder: Path, *, keep: tuple[QWidget, ...] = ()) -> list[str]:
    """Answer each open dialog or menu (file dialogs: a file in ``folder``); returns
    what was answered."""
    answered: list[str] = []
    for widget in open_windows():
        if widget in keep:
            continue
        answered.append(f"{type(widget).__name__} {widget.windowTitle()!r}")
        if isinstance(widget, QFileDialog) and \
                widget.acceptMode() is QFileDialog.AcceptMode.AcceptOpen:
            widget.reject()  # nothing to open here: Cancel
        elif isinstance(widget, QFileDialog):
            suffix = widget.defaultSuffix() or "out"
            widget.selectFile(str(folder / f"answer-{len(answered)}.{suffix}"))
            widget.accept()
        elif isinstance(widget, QMenu):
            widget.close()
        else:
            widget.reject()
    return answered


def settle(qtbot: Any, window: Any, ms: int = 150) -> None:
    """Let the loop run what the click started (tasks, deferred slots, repaints).

    A fixed wait on purpose: the click-everything walk presses arbitrary controls, and
    there is no one event that says all a control started has run; tests that know
    what they wait for use ``qtbot.waitUntil``."""
    qtbot.wait(ms)
    window.bridge.flush()
