"""The main window's menus and toolbar (File, Server, View, Help) and their shortcuts:
Ctrl+T new tab, Ctrl+W close tab, Ctrl+Tab / Ctrl+Shift+Tab next / previous tab,
Ctrl+S site manager, Ctrl+Shift+O open a packet capture, Ctrl+Q quit, Ctrl+D disconnect,
F5 refresh, F3 search remote files, Ctrl+M Passive/Active, Ctrl+F filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
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
    raw_command: QAction
    search_remote: QAction
    view_menu: QMenu
    compare: QAction  # directory comparison on/off (toolbar toggle)
    compare_size: QAction
    compare_time: QAction
    compare_both: QAction
    hide_identical: QAction
    sync_browsing: QAction
    synchronise: QAction
    preferences: QAction
    open_log_folder: QAction
    new_tab: QAction
    close_tab: QAction

    def ftp_only(self) -> tuple[QAction, ...]:
        """The actions only an FTP session has (greyed out for another)."""
        return (self.passive, self.active, self.toggle_mode, self.extended, self.raw_command)


def _comparison_actions(window: MainWindow, view: QMenu) -> dict[str, QAction]:
    """View → Directory comparison and Synchronised browsing, Server → Synchronise…;
    checkable ones left unconnected: the window wires them to their controllers."""
    def checkable(text: str, icon_name: str | None = None) -> QAction:
        action = QAction(window.tr(text), window, checkable=True)
        if icon_name:
            action.setIcon(icon(icon_name))
        return action

    compare = checkable("&Enable directory comparison", "compare")
    compare.setToolTip(window.tr("Directory comparison: mark files that are on one side "
                                 "only, differ in size, or are newer on one side"))
    size, time, both = (checkable("Compare file &size"), checkable("Compare modification "
                        "&time"), checkable("Compare size &and time"))
    rules = QActionGroup(window)
    for action in (size, time, both):
        rules.addAction(action)
    both.setChecked(True)
    hide = checkable("&Hide identical files")
    menu = view.addMenu(window.tr("Directory &comparison"))
    menu.addAction(compare)
    menu.addSeparator()
    menu.addActions([size, time, both])
    menu.addSeparator()
    menu.addAction(hide)
    browsing = checkable("S&ynchronised browsing", "sync-browse")
    browsing.setToolTip(window.tr("Synchronised browsing: opening a folder on one side "
                                  "opens the same folder on the other"))
    view.addAction(browsing)
    synchronise = QAction(icon("synchronise"), window.tr("S&ynchronise…"), window)
    synchronise.setToolTip(window.tr("Synchronise the two folders shown (preview first)"))
    return {"compare": compare, "compare_size": size, "compare_time": time,
            "compare_both": both, "hide_identical": hide, "sync_browsing": browsing,
            "synchronise": synchronise}


def build_menus(window: MainWindow) -> WindowActions:
    """File, Server, Transfer, View and Help menus, and the main toolbar, with their shortcuts."""
    bar = window.menuBar()
    file_menu = bar.addMenu(window.tr("&File"))
    new_tab = _action(window, window.tr("New &tab"), window.new_tab, "Ctrl+T")
    close_tab = _action(window, window.tr("&Close tab"), window.close_tab, "Ctrl+W")
    next_tab = _action(window, window.tr("&Next tab"), lambda: window.tabs.step(1),
                       QKeySequence(QKeySequence.StandardKey.NextChild))
    previous_tab = _action(window, window.tr("&Previous tab"), lambda: window.tabs.step(-1),
                           QKeySequence(QKeySequence.StandardKey.PreviousChild))
    next_tab.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.NextChild))
    # the first shortcut is the one the menu shows: the platform's list starts with
    # "Ctrl+Shift+Backtab" (how X11 names Shift+Tab), which no keyboard reads
    previous_tab.setShortcuts([QKeySequence("Ctrl+Shift+Tab"), *QKeySequence.keyBindings(
        QKeySequence.StandardKey.PreviousChild)])
    file_menu.addActions([new_tab, close_tab, next_tab, previous_tab])
    file_menu.addSeparator()
    site_manager = _action(window, window.tr("&Site Manager…"), window.open_site_manager,
                           "Ctrl+S", "sites")
    file_menu.addAction(site_manager)
    file_menu.addAction(_action(window, window.tr("Import FileZilla sites…"),
                                window.dialogs.import_filezilla))
    file_menu.addAction(_action(window, window.tr("&Proxy settings…"), window.dialogs.open_proxy_settings))
    file_menu.addAction(_action(window, window.tr("Open &capture…"),
                                lambda: window.capture_loader.choose_file(), "Ctrl+Shift+O"))
    file_menu.addSeparator()
    preferences = _action(window, window.tr("&Preferences…"), window.dialogs.open_preferences,
                          QKeySequence.StandardKey.Preferences)
    file_menu.addAction(preferences)
    file_menu.addSeparator()
    file_menu.addAction(_action(window, window.tr("&Quit"), window.close, "Ctrl+Q"))

    server = bar.addMenu(window.tr("&Server"))
    disconnect = _action(window, window.tr("&Disconnect"), window.disconnect, "Ctrl+D",
                         "disconnect")
    refresh = _action(window, window.tr("&Refresh"), window.refresh, "F5", "refresh")
    mkdir = _action(window, window.tr("Create &folder…"), lambda: window.spawn(
        window.remote_actions.mkdir(), pane=window.remote_pane, doing=window.tr("Creating the folder")),
        icon_name="new-folder")
    search_remote = _action(window, window.tr("Search remote &files…"),
                            window.dialogs.open_remote_search, "F3")
    server.addActions([disconnect, refresh, mkdir, search_remote])
    raw_command = _action(window, window.tr("Enter a raw &command"),
                          lambda: window.console.command.setFocus(), "Ctrl+Shift+C")
    server.addAction(raw_command)

    transfer = bar.addMenu(window.tr("&Transfer"))
    transfer.addAction(window.queue.process_action)
    transfer.addAction(_action(window, window.tr("Speed &limits…"),
                               window.dialogs.open_preferences))

    view = bar.addMenu(window.tr("&View"))
    passive = QAction(icon("passive"), window.tr("&Passive mode"), window, checkable=True)
    active = QAction(icon("active"), window.tr("&Active mode"), window, checkable=True)
    passive.setChecked(True)
    passive.triggered.connect(lambda: window.set_mode(TransferMode.PASSIVE))
    active.triggered.connect(lambda: window.set_mode(TransferMode.ACTIVE))
    toggle_mode = _action(window, window.tr("&Toggle Passive/Active"), lambda: window.modes.toggle_mode(),
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
    view.addSeparator()
    comparison = _comparison_actions(window, view)
    server.addSeparator()
    server.addAction(comparison["synchronise"])

    help_menu = bar.addMenu(window.tr("&Help"))
    open_log_folder = _action(window, window.tr("Open &log folder"),
                              lambda: window.session_log.show_folder(window))
    help_menu.addAction(open_log_folder)
    help_menu.addAction(_action(window, window.tr("&About FTP Inspector"), window.about))

    window.toolbar.addAction(site_manager)
    window.toolbar.addSeparator()
    window.toolbar.addActions([refresh, mkdir, disconnect])
    window.toolbar.addSeparator()
    window.toolbar.addActions([comparison["compare"], comparison["sync_browsing"],
                               comparison["synchronise"]])
    window.toolbar.addSeparator()
    disconnect.setEnabled(False)
    return WindowActions(site_manager=site_manager, disconnect=disconnect, refresh=refresh,
                         mkdir=mkdir, passive=passive, active=active,
                         toggle_mode=toggle_mode, extended=extended, raw_command=raw_command,
                         search_remote=search_remote, view_menu=view, preferences=preferences,
                         open_log_folder=open_log_folder, new_tab=new_tab, close_tab=close_tab,
                         **comparison)
