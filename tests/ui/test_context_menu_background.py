"""Right-clicking the empty space below the files, with a file selected, opens the
folder's own menu (Create folder, Refresh), not the selected file's (Download, Delete);
right-clicking a file still opens the file's menu. Both panes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from client.demo import DemoServer
from client.engine.settings import TransferMode

from .test_main_window import connect_quick

pytestmark = pytest.mark.gui


def _menu_after_right_click(qtbot, view, pos: QPoint) -> list[str]:
    texts: list[str] = []

    def read() -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            texts.extend(a.text() for a in popup.actions() if a.text())
            popup.close()

    viewport = view.viewport()
    # a right click: the press (the view's selection rules), then the context-menu
    # event the window system sends, then the release
    qtbot.mousePress(viewport, Qt.MouseButton.RightButton, pos=pos)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                       viewport.mapToGlobal(pos)))
    qtbot.mouseRelease(viewport, Qt.MouseButton.RightButton, pos=pos)
    QTimer.singleShot(0, read)
    qtbot.waitUntil(lambda: bool(texts), timeout=15_000)
    return texts


def _empty_space(view) -> QPoint:
    last = view.visualRect(view.model().index(view.model().rowCount() - 1, 0))
    point = QPoint(20, last.bottom() + 20)
    assert point.y() < view.viewport().height() and not view.indexAt(point).isValid()
    return point


def _click_row(qtbot, view, row: int) -> QPoint:
    centre = view.visualRect(view.model().index(row, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    return centre


def test_remote_pane_background_menu(window, qtbot) -> None:
    window.resize(1366, 900)
    with DemoServer("healthy", give_up_after=2.0) as demo:
        connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
        view = window.remote_pane.view
        model = view.model()
        row = next(r for r in range(model.rowCount())
                   if model.index(r, 0).data().startswith("README"))
        on_file = _click_row(qtbot, view, row)
        assert window.remote_pane.selected_entries()
        background = _menu_after_right_click(qtbot, view, _empty_space(view))
        assert "Create folder…" in background and "Refresh" in background
        assert "Download" not in background and "Delete (Del)" not in background
        on_it = _menu_after_right_click(qtbot, view, on_file)
        assert "Download" in on_it


def test_local_pane_background_menu(window, qtbot) -> None:
    window.resize(1366, 900)
    (window.local_pane.current / "notes.txt").write_text("x")
    view = window.local_pane.view
    qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) > 0, timeout=15_000)
    index = view.model().index(0, 0, view.rootIndex())
    centre = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert window.local_pane.selected_paths()
    empty = QPoint(20, view.visualRect(index).bottom() + 40)
    assert not view.indexAt(empty).isValid()
    background = _menu_after_right_click(qtbot, view, empty)
    assert "Create folder…" in background and "Upload" not in background
