"""The window's fixed layout: console on top, local and remote panes side by side,
transfer queue at the bottom (FileZilla's), and the main and quickconnect toolbars."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QSplitter, QToolBar, QWidget

__all__ = ["WindowLayout", "lay_out"]


@dataclass(frozen=True)
class WindowLayout:
    """The splitters whose sizes the window state saves, and the main toolbar."""

    main_splitter: QSplitter
    panes_splitter: QSplitter
    toolbar: QToolBar


def lay_out(window: QMainWindow, *, consoles: QWidget, local_pane: QWidget,
            remote_panes: QWidget, queue: QWidget, quick: QWidget) -> WindowLayout:
    """Place the parts in ``window`` (its central widget and toolbars)."""
    panes = QSplitter(Qt.Orientation.Horizontal, window)
    panes.setObjectName("panesSplitter")
    panes.addWidget(local_pane)
    panes.addWidget(remote_panes)
    main = QSplitter(Qt.Orientation.Vertical, window)
    main.setObjectName("mainSplitter")
    for part in (consoles, panes, queue):
        main.addWidget(part)
    for index, stretch in enumerate((2, 4, 1)):
        main.setStretchFactor(index, stretch)
    main.setSizes([230, 420, 150])
    window.setCentralWidget(main)

    quick_bar = QToolBar(window.tr("Quickconnect"), window)
    quick_bar.setObjectName("quickConnectToolbar")
    quick_bar.setMovable(False)
    quick_bar.addWidget(quick)
    toolbar = QToolBar(window.tr("Main"), window)
    toolbar.setObjectName("mainToolbar")
    window.addToolBar(toolbar)
    window.addToolBarBreak()
    window.addToolBar(quick_bar)
    return WindowLayout(main, panes, toolbar)
