"""Window geometry, dock layout, splitter positions, column widths (panes and the three
tabs of the transfer queue) and the queue's "Concurrent transfers", kept in the app's
QSettings (``window.ini`` in the config folder) between runs.

The window always fits the screen it opens on: on first start it takes a size that suits
the screen's available area (a 1366x768 laptop gets nearly all of it, a 1920x1080
monitor a balanced part of it, centred), and a saved geometry from a larger monitor is
moved and shrunk onto the available area, so the status bar is never off screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHeaderView, QSplitter

from client.ui.splitter_fit import SavedSplit

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["restore_window_state", "restore_dock_state", "save_window_state",
           "saved_local_folder",
           "first_start_geometry",
           "clamp_to_available", "inspector_dock_width", "FRAME_ALLOWANCE"]

#: the size the layout was designed for; smaller screens get what they have
PREFERRED_WIDTH, PREFERRED_HEIGHT = 1280, 800
#: the largest first-start size on a big monitor (panes wider than this only spread out)
LARGEST_WIDTH, LARGEST_HEIGHT = 1680, 1000
#: room left for the window manager's title bar and borders (resize() sets the inside)
FRAME_ALLOWANCE = (16, 40)


def first_start_geometry(available: QRect) -> QRect:
    """The inside of the window on first start, centred in ``available`` (the screen
    minus panels): never larger than it, about 80 % of a large screen."""
    room_w = max(640, available.width() - FRAME_ALLOWANCE[0])
    room_h = max(480, available.height() - FRAME_ALLOWANCE[1])
    width = min(room_w, max(PREFERRED_WIDTH, min(LARGEST_WIDTH, int(available.width() * 0.8))))
    height = min(room_h, max(PREFERRED_HEIGHT, min(LARGEST_HEIGHT, int(available.height() * 0.85))))
    title_bar = FRAME_ALLOWANCE[1] - FRAME_ALLOWANCE[0] // 2
    left = available.x() + (available.width() - width) // 2
    top = available.y() + title_bar + max(0, (room_h - height) // 2)
    top = min(top, available.y() + available.height() - height)
    return QRect(max(available.x(), left), max(available.y(), top), width, height)


def clamp_to_available(frame: QRect, available: QRect) -> QRect:
    """``frame`` shrunk to fit ``available`` and moved inside it (a geometry saved on a
    bigger monitor, or with a monitor that is gone)."""
    width = min(frame.width(), available.width())
    height = min(frame.height(), available.height())
    left = min(max(frame.x(), available.x()), available.x() + available.width() - width)
    top = min(max(frame.y(), available.y()), available.y() + available.height() - height)
    return QRect(left, top, width, height)


def inspector_dock_width(window_width: int) -> int:
    """The inspector dock's first width: wide enough for both lifelines with their
    address labels and a decoded 227 line (about 460 px), a bit over a third of the
    window, leaving the file panes at least ~400 px each on a 1366 px screen."""
    return max(380, min(640, int(window_width * 0.36)))


def _available_geometry(window: MainWindow) -> QRect | None:
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return None
    return screen.availableGeometry()


def restore_window_state(window: MainWindow) -> list[SavedSplit]:
    """Put back what the last run saved; returns the splitters restored, whose saved
    proportions the window applies once shown at its real size (``SavedSplit.fit``)."""
    s = window.settings
    available = _available_geometry(window)
    geometry = s.value("window/geometry")
    if isinstance(geometry, QByteArray) and window.restoreGeometry(geometry):
        if available is not None and not window.isMaximized() and not window.isFullScreen():
            fitted = clamp_to_available(window.geometry(), available)
            if fitted != window.geometry():
                window.setGeometry(fitted)
    elif available is not None:
        window.setGeometry(first_start_geometry(available))
    else:
        window.resize(PREFERRED_WIDTH, PREFERRED_HEIGHT)
    restored: list[SavedSplit] = []
    for key, splitter in _splitters(window):
        value = s.value(f"splitters/{key}")
        if isinstance(value, QByteArray) and splitter.restoreState(value):
            sizes = _saved_sizes(s.value(f"splitters/{key}-sizes"))
            if sizes is not None:
                restored.append(SavedSplit(splitter, sizes))
    for key, header in _headers(window):
        value = s.value(f"columns/{key}")
        if isinstance(value, QByteArray):
            header.restoreState(value)
    window.queue.hide_idle_columns()  # saved by an earlier layout: still not shown
    if str(s.value("local/showHidden", "false")).lower() == "true":
        window.local_pane.set_show_hidden(True)
    concurrency = _saved_int(s.value("queue/concurrency"))
    if concurrency is not None:
        # the spin box keeps it within its range; valueChanged tells the transfers
        window.queue.concurrency.setValue(concurrency)
    return restored


def _splitters(window: MainWindow) -> list[tuple[str, QSplitter]]:
    return [("main", window.main_splitter), ("panes", window.panes_splitter),
            ("remote", window.remote_pane.splitter), ("local", window.local_pane.splitter)]


def _headers(window: MainWindow) -> list[tuple[str, QHeaderView]]:
    headers = [("remote", window.remote_pane.view.horizontalHeader()),
               ("local", window.local_pane.view.header())]
    headers += [(f"queue-{tab}", view.header()) for tab, view in window.queue.views.items()]
    return headers


def saved_local_folder(settings: QSettings) -> Path | None:
    """The local folder the window was closed in, if it is still a folder (a removed
    or unmounted one: None, the home folder then)."""
    value = settings.value("local/folder")
    if not value:
        return None
    folder = Path(str(value))
    return folder if folder.is_dir() else None


def _saved_int(value: object) -> int | None:
    """An int from QSettings (an INI file gives it back as text); None when absent or
    not a number (a hand-edited file)."""
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def _saved_sizes(value: object) -> tuple[int, ...] | None:
    """Sizes saved as "700,276" (a splitter's state keeps them too, but unreadable until
    the window is shown, and in the window size it was saved in)."""
    try:
        sizes = tuple(int(part) for part in str(value).split(",")) if value else None
    except ValueError:
        return None
    return sizes if sizes and all(size >= 0 for size in sizes) else None


def restore_dock_state(window: MainWindow) -> bool:
    """Toolbars and docks as they were left; called once the inspector dock exists (a
    dock created after ``restoreState`` keeps its default place and width). False when
    nothing was saved (first start: the caller sizes the dock)."""
    state = window.settings.value("window/state")
    return isinstance(state, QByteArray) and bool(window.restoreState(state))


def save_window_state(window: MainWindow) -> None:
    s = window.settings
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    for key, splitter in _splitters(window):
        s.setValue(f"splitters/{key}", splitter.saveState())
        s.setValue(f"splitters/{key}-sizes", ",".join(str(n) for n in splitter.sizes()))
    for key, header in _headers(window):
        s.setValue(f"columns/{key}", header.saveState())
    s.setValue("queue/concurrency", window.queue.concurrency.value())
    s.setValue("local/showHidden", window.local_pane.show_hidden_action.isChecked())
    s.setValue("local/folder", str(window.local_pane.current))
    s.sync()
