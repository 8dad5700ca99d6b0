"""After F2 the keyboard goes on from the renamed file, as in any file manager: the
remote list highlighted the new name but kept its keyboard position on the first row,
so the next arrow key jumped from the top of the list (and Shift+arrow selected from
there)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from client.demo import UPLOAD_FOLDER

from .helpers import connect

pytestmark = pytest.mark.gui


def _rename_with_f2(qtbot, window, view, name: str, selected, typed: str) -> None:
    """Click the row named ``name`` (again, should the list still be sorting under the
    mouse) until it is the selection, then F2 and type the new name."""
    def click_it() -> bool:
        model, root = view.model(), view.rootIndex()
        row = next((r for r in range(model.rowCount(root))
                    if model.index(r, 0, root).data() == name), None)
        if row is not None and selected() != [name]:
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                             pos=view.visualRect(model.index(row, 0, root)).center())
        return selected() == [name]

    qtbot.waitUntil(click_it, timeout=10_000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: any(isinstance(w, QInputDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QInputDialog) and w.isVisible())
    field = dialog.findChild(QLineEdit)
    qtbot.keyClicks(field, typed)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_arrow_keys_go_on_from_the_renamed_remote_file(window, qtbot, demo) -> None:
    folder = demo.root / UPLOAD_FOLDER / "f2-keys"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (folder / name).write_text(name)
    connect(window, qtbot, demo)
    pane = window.remote_pane
    edit = pane.path_bar.lineEdit()
    edit.setText(f"/{UPLOAD_FOLDER}/f2-keys")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.current_path.endswith("f2-keys") and not window.connection.busy,
                    timeout=15_000)
    view = pane.view
    _rename_with_f2(qtbot, window, view, "b.txt",
                    lambda: [e.name for e in pane.selected_entries()], "z")
    qtbot.waitUntil(lambda: (folder / "z.txt").exists() and not window.connection.busy
                    and pane.model.row_of_name("z.txt") is not None, timeout=15_000)
    assert [e.name for e in pane.selected_entries()] == ["z.txt"]
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert [e.name for e in pane.selected_entries()] == ["d.txt"]


def test_arrow_keys_go_on_from_the_renamed_local_file(window, qtbot) -> None:
    pane = window.local_pane
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (pane.current / name).write_text(name)
    view = pane.view
    model = view.model()

    def row_of(name: str) -> int | None:
        return next((r for r in range(model.rowCount(view.rootIndex()))
                     if model.index(r, 0, view.rootIndex()).data() == name), None)

    qtbot.waitUntil(lambda: row_of("d.txt") is not None)
    _rename_with_f2(qtbot, window, view, "b.txt",
                    lambda: [p.name for p in pane.selected_paths()], "z")
    qtbot.waitUntil(lambda: row_of("z.txt") is not None and row_of("b.txt") is None)
    qtbot.waitUntil(lambda: view.currentIndex().data() == "z.txt")
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.currentIndex().data() == "d.txt"
    assert [p.name for p in pane.selected_paths()] == ["d.txt"]
