"""The main window's menus and toolbar (File, Server, View, Help) and their shortcuts:
Ctrl+S site manager, Ctrl+Shift+O open a packet capture, Ctrl+Q quit, Ctrl+D disconnect,
F5 refresh, Ctrl+M Passive/Active, Ctrl+F filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from client.engine.settings import CommandFamily, TransferMode
from client.ui.icons import icon

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["WindowActions", "build_menus"]


def _action(window: MainWindow, text: str, slot: Any, shortcut: str | QKeySequence | None = None,
            icon_name: str | None = None) -> QAction:
    action = QAction(text, window)
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    return action


@dataclass(frozen=True)
class WindowActions:
    """The actions the window keeps a hand on (enabling, checking) after building its
    menus; the others only live in their menus."""

    site_manager: QAction
    disconnect: QAction
    refresh: QAction
    mkdir: QAction
    passive: QAction
    active: QAction
    toggle_mode: QAction
    extended: QAction
    view_menu: QMenu


def build_menus(window: MainWindow) -> WindowActions:
    """File, Server, View and Help menus, and the main toolbar, with their shortcuts."""
    bar = window.menuBar()
    file_menu = bar.addMenu(window.tr("&File"))
    site_manager = _action(window, window.tr("&Site Manager…"), window.open_site_manager,
                           "Ctrl+S", "sites")
    file_menu.addAction(site_manager)
    file_menu.addAction(_action(window, window.tr("Import FileZilla sites…"),
                                window.import_filezilla))
    file_menu.addAction(_action(window, window.tr("&Proxy settings…"), window.open_proxy_settings))
    file_menu.addAction(_action(window, window.tr("Open &capture…"),
                                lambda: window.capture_loader.choose_file(), "Ctrl+Shift+O"))
    file_menu.addSeparator()
    file_menu.addAction(_action(window, window.tr("&Quit"), window.close, "Ctrl+Q"))

    server = bar.addMenu(window.tr("&Server"))
    disconnect = _action(window, window.tr("&Disconnect"), window.disconnect, "Ctrl+D",
                         "disconnect")
    refresh = _action(window, window.tr("&Refresh"), window.refresh, "F5", "refresh")
    mkdir = _action(window, window.tr("Create &folder…"), lambda: window.spawn(
        window.actions.mkdir(), pane=window.remote_pane, doing=window.tr("Creating the folder")),
        icon_name="new-folder")
    server.addActions([disconnect, refresh, mkdir])
    server.addAction(_action(window, window.tr("Enter a raw &command"),
                             lambda: window.console.command.setFocus(), "Ctrl+Shift+C"))

    view = bar.addMenu(window.tr("&View"))
    passive = QAction(icon("passive"), window.tr("&Passive mode"), window, checkable=True)
    active = QAction(icon("active"), window.tr("&Active mode"), window, checkable=True)
    passive.setChecked(True)
    passive.triggered.connect(lambda: window.set_mode(TransferMode.PASSIVE))
    active.triggered.connect(lambda: window.set_mode(TransferMode.ACTIVE))
    toggle_mode = _action(window, window.tr("&Toggle Passive/Active"), window.toggle_mode,
                          "Ctrl+M")
    view.addActions([passive, active, toggle_mode])
    extended = QAction(window.tr("&Extended commands (EPSV/EPRT)"), window, checkable=True)
    extended.setToolTip(window.tr(
        "Off: PASV and PORT on IPv4 (their replies show the p1*256+p2 arithmetic). "
        "On: EPSV and EPRT (RFC 2428). IPv6 always uses EPSV/EPRT."))
    extended.toggled.connect(lambda on: window.set_commands(
        CommandFamily.EXTENDED if on else CommandFamily.CLASSIC))
    view.addAction(extended)
    view.addSeparator()
    view.addAction(_action(window, window.tr("&Filter files"), window.focus_filter, "Ctrl+F"))
    view.addAction(_action(window, window.tr("Search the &console"),
                           lambda: window.console.search.setFocus(), "Ctrl+Shift+F"))

    help_menu = bar.addMenu(window.tr("&Help"))
    help_menu.addAction(_action(window, window.tr("&About FTP Inspector"), window.about))

    window.toolbar.addAction(site_manager)
    window.toolbar.addSeparator()
    window.toolbar.addActions([refresh, mkdir, disconnect])
    window.toolbar.addSeparator()
    disconnect.setEnabled(False)
    return WindowActions(site_manager=site_manager, disconnect=disconnect, refresh=refresh,
                         mkdir=mkdir, passive=passive, active=active,
                         toggle_mode=toggle_mode, extended=extended, view_menu=view)
