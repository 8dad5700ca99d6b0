"""Everyday file management as a person does it: the permissions dialog, hidden local
files, the transfer queue's own menu. Against the demo server on loopback."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from client.demo import UPLOAD_FOLDER

from .helpers import connect, run

pytestmark = pytest.mark.gui


def newest_visible(kind):
    return next(w for w in reversed(QApplication.topLevelWidgets())
                if isinstance(w, kind) and w.isVisible())


def test_the_permissions_field_takes_only_octal_and_ok_waits_for_three_digits(
        window, qtbot, demo) -> None:
    """Typing 999 into the numeric field showed 999 and OK then applied the old mode
    (644) without a word; now only octal digits go in, OK waits for three of them,
    and what the field says is what is applied."""
    from client.ui.dialogs import ChmodDialog

    target = demo.root / UPLOAD_FOLDER / "perm-me.txt"
    target.write_text("x")
    target.chmod(0o644)
    connect(window, qtbot, demo)
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    entry = next(e for e in window.remote_pane.model.entries() if e.name == target.name)
    task = asyncio.ensure_future(window.remote_actions.chmod([entry]))
    qtbot.waitUntil(lambda: any(isinstance(w, ChmodDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = newest_visible(ChmodDialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    field = dialog.octal
    field.setFocus()

    def retype(text: str) -> None:
        qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(field, Qt.Key.Key_Backspace)
        qtbot.keyClicks(field, text)

    retype("999")
    assert field.text() != "999"
    assert not ok.isEnabled() or dialog.mode == int(field.text(), 8)
    retype("75")
    assert not ok.isEnabled()  # two digits are not a mode yet
    qtbot.keyClicks(field, "5")
    assert field.text() == "755" and ok.isEnabled() and dialog.mode == 0o755
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert target.stat().st_mode & 0o777 == 0o755
