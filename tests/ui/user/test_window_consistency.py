"""The window's parts agree with each other, as a person notices when they do not: the
Synchronise dialog compares the way the panes do (and remembers the last choice), the
console keeps its lines on a small screen, both file lists show the same icons, a new
tab's diagram counts its own time, an empty tab's folder tree says it is not connected."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.engine.sync import CompareRule

from ..helpers import shown_window
from .helpers import connect

pytestmark = pytest.mark.gui


def open_synchronise(window, qtbot):
    """The Synchronise… toolbar button."""
    action = window.compare_tools.actions.synchronise
    button = window.toolbar.widgetForAction(action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.compare_tools.dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
    return dialog


def test_synchronise_starts_with_the_panes_rule_and_remembers_the_last_choice(
        window, qtbot, demo, tmp_path) -> None:
    connect(window, qtbot, demo)
    # the panes compare by size and time until told otherwise: so does the dialog
    assert window.compare_tools.actions.compare_both.isChecked()
    dialog = open_synchronise(window, qtbot)
    assert dialog.rule.currentText() == "Size and time"
    assert dialog.options().rule is CompareRule.BOTH
    dialog.reject()

    # View → Directory comparison → modification time: the dialog follows
    window.compare_tools.actions.compare_time.trigger()
    dialog = open_synchronise(window, qtbot)
    assert dialog.rule.currentText() == "Modification time"

    # the person picks Size in the dialog (one step up with the keyboard)
    dialog.rule.setFocus()
    qtbot.keyClick(dialog.rule, Qt.Key.Key_Up)
    assert dialog.rule.currentText() == "Size"
    dialog.reject()
    dialog = open_synchronise(window, qtbot)
    assert dialog.rule.currentText() == "Size"
    dialog.reject()

    # and after a restart the choice is still there, for the dialog and the panes
    (tmp_path / "again").mkdir()
    with shown_window(qtbot, tmp_path / "again") as again:
        assert again.compare_tools.actions.compare_size.isChecked()
        connect(again, qtbot, demo)
        dialog = open_synchronise(again, qtbot)
        assert dialog.rule.currentText() == "Size"
        dialog.reject()
