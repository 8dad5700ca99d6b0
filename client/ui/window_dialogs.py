"""The window's dialogs: Preferences (speed limits, session log), the Site Manager,
proxy settings, About, and Server → Search remote files. Each is opened window-modal
(or, for the search, one non-modal dialog raised when open) and kept here so it is not
collected while shown."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from client import __version__
from client.config.sites import Site, SiteStore
from client.ui.dialogs import fit_title
from client.ui.failure_banner import Spawn
from client.ui.local_pane import LocalPane
from client.ui.preferences import Preferences, PreferencesDialog
from client.ui.remote_search import RemoteSearchDialog
from client.ui.session_log import SessionLogControl
from client.ui.speed_limits import SpeedLimitButton
from client.ui.tabs.manager import TabManager

if TYPE_CHECKING:
    from client.ui.proxy_dialog import ProxyDialog
    from client.ui.sites.dialog import SiteManagerDialog

__all__ = ["WindowDialogs"]

ConnectSite = Callable[[SiteStore, Site], Coroutine[Any, Any, Any]]


class WindowDialogs(QObject):
    """Opens the window's dialogs over ``window`` and applies what they answer."""

    def __init__(self, window: QWidget, tabs: TabManager, local_pane: LocalPane,
                 speed_limits: SpeedLimitButton, session_log: SessionLogControl, *,
                 spawn: Spawn, connect_site: ConnectSite) -> None:
        super().__init__(window)
        self.window = window
        self.tabs = tabs
        self.local_pane = local_pane
        self.speed_limits = speed_limits
        self.session_log = session_log
        self.spawn = spawn
        self.connect_site = connect_site
        self.preferences_dialog: PreferencesDialog | None = None
        self.site_manager: SiteManagerDialog | None = None
        self.proxy_dialog: ProxyDialog | None = None
        self.about_box: QMessageBox | None = None
        self.remote_search: RemoteSearchDialog | None = None

    def open_preferences(self) -> None:
        current = Preferences(limits=self.speed_limits.limits,
                              session_log=self.session_log.enabled)
        dialog = PreferencesDialog(current, self.window)
        dialog.accepted.connect(lambda: self._apply_preferences(dialog.result_value))
        dialog.open()
        self.preferences_dialog = dialog

    def _apply_preferences(self, chosen: Preferences) -> None:
        self.speed_limits.apply(chosen.limits)
        self.session_log.set_enabled(chosen.session_log)

    def open_site_manager(self) -> SiteManagerDialog:
        from client.ui.sites.dialog import SiteManagerDialog

        dialog = SiteManagerDialog(self.window, open_sites=lambda: {
            tab.site[1].site_id for tab in self.tabs.tabs()
            if tab.site is not None and tab.connection.is_connected})
        # connected: the site opens in a new tab unless the person unticks the box
        dialog.new_tab_box.setChecked(self.tabs.current.connection.is_connected)

        def connect(site: Site) -> None:
            if dialog.new_tab_box.isChecked() and self.tabs.current.connection.is_connected:
                self.tabs.new_tab()
            self.spawn(self.connect_site(dialog.store, site),
                       pane=self.tabs.current.remote_pane,
                       doing=self.tr("Connecting to {}").format(site.path))

        dialog.connect_requested.connect(lambda site, _path: connect(site))
        dialog.open()
        self.site_manager = dialog
        return dialog

    def open_proxy_settings(self) -> None:
        """File → Proxy settings…: the default proxy (window-modal, answers on close)."""
        from client.ui.proxy_dialog import ProxyDialog

        dialog = ProxyDialog(self.window)
        dialog.open()
        self.proxy_dialog = dialog

    def import_filezilla(self) -> None:
        self.open_site_manager().import_filezilla()

    def about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About FTP Inspector"),
                          self.tr("FTP Inspector {}\n\nAn FTP, FTPS and SFTP client that shows "
                                  "who dials whom on every data connection.").format(__version__),
                          QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("aboutDialog")
        fit_title(box)  # the whole title, not cut by the title bar
        box.open()
        self.about_box = box

    def open_remote_search(self) -> RemoteSearchDialog:
        """Server → Search remote files (F3): one non-modal dialog per tab (it searches,
        shows and downloads with that tab's server), raised when open, starting in the
        remote pane's folder unless a search is running; the pattern selected, so typing
        replaces it."""
        tab = self.tabs.current
        dialog = tab.search
        if dialog is None:
            dialog = tab.search = RemoteSearchDialog(
                tab.connection, open_in_pane=tab.remote_actions.show_found,
                download=lambda folder, entries: tab.transfers.download(
                    folder, entries, self.local_pane.current),
                spawn=lambda coro: self.spawn(coro, pane=tab.remote_pane),
                parent=self.window)
        previous, self.remote_search = self.remote_search, dialog
        if previous is not None and previous is not dialog and not previous.running:
            previous.hide()  # another tab's finished search: out of the way
        dialog.setWindowTitle(self.tr("Search remote files on {}").format(tab.title)
                              if tab.host is not None else self.tr("Search remote files"))
        if not dialog.running:
            dialog.folder.setText(tab.remote_pane.current_path or "/")
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.pattern.setFocus()
        dialog.pattern.selectAll()
        return dialog
