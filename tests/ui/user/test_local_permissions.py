"""Permissions of a local file, as on the remote side: right click a script in the local
list, Permissions…, tick Owner execute, OK; the file's mode is 744 on disk (before, the
local pane had no way to do it: a script to upload had to be made executable elsewhere)."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu

from .test_file_management import local_names, newest_visible

pytestmark = [pytest.mark.gui,
              pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")]


def _open_permissions_of(window, qtbot, name: str):
    from client.ui.dialogs import ChmodDialog

    pane = window.local_pane
    qtbot.waitUntil(lambda: name in local_names(pane))
    view = pane.view
    model, root = view.model(), view.rootIndex()
    row = next(r for r in range(model.rowCount(root))
               if model.index(r, 0, root).data() == name)
    spot = view.visualRect(model.index(row, 0, root)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    view.customContextMenuRequested.emit(spot)  # what a right click there sends
    qtbot.waitUntil(lambda: any(isinstance(w, QMenu) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    menu = newest_visible(QMenu)
    entry = next(a for a in menu.actions() if a.text() == "Permissions…")
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(entry).center())
    qtbot.waitUntil(lambda: any(isinstance(w, ChmodDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    return newest_visible(ChmodDialog)


def test_the_permissions_dialog_shows_its_whole_title(window, qtbot) -> None:
    """Under openbox at 1366x768 the title bar read "Change pe…P Inspector": the dialog
    was as narrow as its check boxes."""
    from client.ui.dialogs import TITLE_BAR_ROOM

    QGuiApplication.setApplicationDisplayName("FTP Inspector")
    (window.local_pane.current / "a.txt").write_text("a\n")
    dialog = _open_permissions_of(window, qtbot, "a.txt")
    font = QFont(QApplication.font())
    font.setBold(True)
    title = QFontMetrics(font).horizontalAdvance("Change permissions \u2014 FTP Inspector")
    assert dialog.width() >= title + TITLE_BAR_ROOM, (dialog.width(), title)
    dialog.reject()


def test_a_local_script_is_made_executable_from_its_menu(window, qtbot) -> None:
    from client.ui.dialogs import ChmodDialog

    pane = window.local_pane
    script = pane.current / "deploy.sh"
    script.write_text("#!/bin/sh\necho deployed\n")
    script.chmod(0o644)
    qtbot.waitUntil(lambda: "deploy.sh" in local_names(pane))
    view = pane.view
    model, root = view.model(), view.rootIndex()
    row = next(r for r in range(model.rowCount(root))
               if model.index(r, 0, root).data() == "deploy.sh")
    spot = view.visualRect(model.index(row, 0, root)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    view.customContextMenuRequested.emit(spot)  # what a right click there sends
    qtbot.waitUntil(lambda: any(isinstance(w, QMenu) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    menu = newest_visible(QMenu)
    entry = next(a for a in menu.actions() if a.text() == "Permissions…")
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(entry).center())
    qtbot.waitUntil(lambda: any(isinstance(w, ChmodDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = newest_visible(ChmodDialog)
    assert dialog.octal.text() == "644"
    owner_execute = next(b for b in dialog.boxes if b.accessibleName() == "Owner execute")
    qtbot.mouseClick(owner_execute, Qt.MouseButton.LeftButton)
    assert dialog.octal.text() == "744"
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: script.stat().st_mode & 0o777 == 0o744, timeout=15_000)
    assert not pane.banner.isVisible()


def test_files_of_different_permissions_are_said_to_differ(window, qtbot) -> None:
    """Select a 744 script and a 644 text, Permissions…: the dialog showed 744 as if
    both had it, and OK gave the text 744 without a word. It says that they differ and
    whose permissions it shows; Cancel leaves both as they were."""
    pane = window.local_pane
    script, text = pane.current / "run.sh", pane.current / "notes.txt"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o744)
    text.write_text("notes\n")
    text.chmod(0o644)
    qtbot.waitUntil(lambda: {"run.sh", "notes.txt"} <= set(local_names(pane)))
    view = pane.view
    model, root = view.model(), view.rootIndex()
    rows = {model.index(r, 0, root).data(): r for r in range(model.rowCount(root))}
    first = view.visualRect(model.index(rows["run.sh"], 0, root)).center()
    second = view.visualRect(model.index(rows["notes.txt"], 0, root)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, pos=second)
    from client.ui.dialogs import ChmodDialog

    view.customContextMenuRequested.emit(second)
    qtbot.waitUntil(lambda: any(isinstance(w, QMenu) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    menu = newest_visible(QMenu)
    entry = next(a for a in menu.actions() if a.text() == "Permissions…")
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(entry).center())
    qtbot.waitUntil(lambda: any(isinstance(w, ChmodDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = newest_visible(ChmodDialog)
    assert dialog.mixed_label is not None and dialog.mixed_label.isVisible()
    said = dialog.mixed_label.text()
    assert "differ" in said and "run.sh" in said and "all" in said, said
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert (script.stat().st_mode & 0o777, text.stat().st_mode & 0o777) == (0o744, 0o644)
