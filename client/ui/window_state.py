"""Window geometry, dock layout, splitter positions and column widths, kept in the app's
QSettings (``window.ini`` in the config folder) between runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["restore_window_state", "save_window_state"]


def restore_window_state(window: MainWindow) -> None:
    s = window.settings
    geometry = s.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    else:
        window.resize(1240, 780)
    for key, splitter in (("main", window.main_splitter), ("panes", window.panes_splitter),
                          ("remote", window.remote_pane.splitter),
                          ("local", window.local_pane.splitter)):
        value = s.value(f"splitters/{key}")
        if isinstance(value, QByteArray):
            splitter.restoreState(value)
    for key, header in (("remote", window.remote_pane.view.horizontalHeader()),
                        ("local", window.local_pane.view.header())):
        value = s.value(f"columns/{key}")
        if isinstance(value, QByteArray):
            header.restoreState(value)
    state = s.value("window/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)


def save_window_state(window: MainWindow) -> None:
    s = window.settings
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    s.setValue("splitters/main", window.main_splitter.saveState())
    s.setValue("splitters/panes", window.panes_splitter.saveState())
    s.setValue("splitters/remote", window.remote_pane.splitter.saveState())
    s.setValue("splitters/local", window.local_pane.splitter.saveState())
    s.setValue("columns/remote", window.remote_pane.view.horizontalHeader().saveState())
    s.setValue("columns/local", window.local_pane.view.header().saveState())
    s.sync()
