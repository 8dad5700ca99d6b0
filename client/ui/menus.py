"""The main window's menus and toolbar (File, Server, View, Help) and their shortcuts:
Ctrl+S site manager, Ctrl+Shift+O open a packet capture, Ctrl+Q quit, Ctrl+D disconnect,
F5 refresh, Ctrl+M Passive/Active, Ctrl+F filter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence

from client.engine.settings import CommandFamily, TransferMode
from client.ui.icons import icon

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["build_menus"]


def _action(window: MainWindow, text: str, slot: Any, shortcut: str | QKeySequence | None = None,
            icon_name: str | None = None) -> QAction:
    action = QAction(text, window)
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    return action


def build_menus(window: MainWindow) -> None:
    """File, Server, View and Help menus, and the main toolbar, with their shortcuts."""
    bar = window.menuBar()
    file_menu = bar.addMenu(window.tr("&File"))
    window.site_manager_action = _action(window, window.tr("&Site Manager…"), window.open_site_manager,
                                            "Ctrl+S", "sites")
    file_menu.addAction(window.site_manager_action)
    file_menu.addAction(_action(window, window.tr("Import FileZilla sites…"),
                                     window.import_filezilla))
    file_menu.addAction(_action(window, window.tr("Open &capture…"),
                                lambda: window.capture_loader.choose_file(), "Ctrl+Shift+O"))
    file_menu.addSeparator()
    file_menu.addAction(_action(window, window.tr("&Quit"), window.close, "Ctrl+Q"))

    server = bar.addMenu(window.tr("&Server"))
    window.disconnect_action = _action(window, window.tr("&Disconnect"), window.disconnect, "Ctrl+D",
                                          "disconnect")
    window.refresh_action = _action(window, window.tr("&Refresh"), window.refresh, "F5", "refresh")
    window.mkdir_action = _action(window, window.tr("Create &folder…"), lambda: window.spawn(
        window.actions.mkdir(), pane=window.remote_pane, doing=window.tr("Creating the folder")),
        icon_name="new-folder")
    server.addActions([window.disconnect_action, window.refresh_action, window.mkdir_action])
    server.addAction(_action(window, window.tr("Enter a raw &command"),
                                  lambda: window.console.command.setFocus(), "Ctrl+Shift+C"))

    view = bar.addMenu(window.tr("&View"))
    window.passive_action = QAction(icon("passive"), window.tr("&Passive mode"), window, checkable=True)
    window.active_action = QAction(icon("active"), window.tr("&Active mode"), window, checkable=True)
    window.passive_action.setChecked(True)
    window.passive_action.triggered.connect(lambda: window.set_mode(TransferMode.PASSIVE))
    window.active_action.triggered.connect(lambda: window.set_mode(TransferMode.ACTIVE))
    window.toggle_mode_action = _action(window, window.tr("&Toggle Passive/Active"),
                                           window.toggle_mode, "Ctrl+M")
    view.addActions([window.passive_action, window.active_action, window.toggle_mode_action])
    window.extended_action = QAction(window.tr("&Extended commands (EPSV/EPRT)"), window,
                                     checkable=True)
    window.extended_action.setToolTip(window.tr(
        "Off: PASV and PORT on IPv4 (their replies show the p1*256+p2 arithmetic). "
        "On: EPSV and EPRT (RFC 2428). IPv6 always uses EPSV/EPRT."))
    window.extended_action.toggled.connect(lambda on: window.set_commands(
        CommandFamily.EXTENDED if on else CommandFamily.CLASSIC))
    view.addAction(window.extended_action)
    view.addSeparator()
    view.addAction(_action(window, window.tr("&Filter files"), window.focus_filter,
                                "Ctrl+F"))
    view.addAction(_action(window, window.tr("Search the &console"),
                                lambda: window.console.search.setFocus(), "Ctrl+Shift+F"))
    window.view_menu = view
    window.inspector_menu = None  # created by add_toolbar_action when needed

    help_menu = bar.addMenu(window.tr("&Help"))
    help_menu.addAction(_action(window, window.tr("&About FTP Inspector"), window.about))

    window.toolbar.addAction(window.site_manager_action)
    window.toolbar.addSeparator()
    window.toolbar.addActions([window.refresh_action, window.mkdir_action, window.disconnect_action])
    window.toolbar.addSeparator()
    window.disconnect_action.setEnabled(False)
