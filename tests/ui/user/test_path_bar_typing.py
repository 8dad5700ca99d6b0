"""Typing a folder into a path bar and pressing Enter opens that folder. The bars
completed what was typed inline from their history: at /docs, typing "/" became
"/docs" before Enter (and the pane stayed where it was); in the local pane, typing the
parent of a folder visited before opened that folder instead."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from .helpers import connect

pytestmark = pytest.mark.gui


def _type_into(qtbot, window, combo, text: str) -> None:
    window.activateWindow()
    edit = combo.lineEdit()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_typing_the_root_in_the_remote_path_bar_opens_the_root(window, qtbot, demo) -> None:
    connect(window, qtbot, demo)
    pane = window.remote_pane
    _type_into(qtbot, window, pane.path_bar, "/docs")
    qtbot.waitUntil(lambda: pane.current_path == "/docs" and not window.connection.busy,
                    timeout=15_000)
    _type_into(qtbot, window, pane.path_bar, "/")
    qtbot.waitUntil(lambda: not window.connection.busy, timeout=15_000)
    qtbot.waitUntil(lambda: pane.current_path == "/", timeout=15_000)
    assert pane.path_bar.currentText() == "/"


def test_typing_a_parent_folder_in_the_local_path_bar_opens_it(window, qtbot) -> None:
    local = window.local_pane
    start = local.current
    (start / "inner").mkdir()
    _type_into(qtbot, window, local.path_bar, str(start / "inner"))
    qtbot.waitUntil(lambda: local.current == start / "inner")
    _type_into(qtbot, window, local.path_bar, str(start))
    assert local.current == start
    assert local.path_bar.currentText() == str(start)
