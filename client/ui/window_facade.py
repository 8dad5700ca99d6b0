"""What the main window offers its parts, its menus and the inspector: the parts of the
tab shown, and the commands, each forwarded to the part that does it (``TabManager``,
``ConnectFlow``, ``ModeSwitch``, ``TransferCommands``, ``WindowDialogs``).

:class:`client.ui.main_window.MainWindow` builds and wires those parts; this base class
holds no state of its own and builds nothing, so the window's public surface stays in
one place without the window's construction around it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from client.engine.events import SessionState

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from client.config.sites import Site, SiteStore
    from client.engine.diagnose.model import SftpOffer
    from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode
    from client.ui.connect_flow import ConnectFlow
    from client.ui.connection import RemoteConnection
    from client.ui.console.widget import ConsoleWidget
    from client.ui.hung_listing import HungListingAssistant
    from client.ui.local_pane import LocalPane
    from client.ui.mode_switch import ModeSwitch
    from client.ui.preferences import PreferencesDialog
    from client.ui.quickconnect import QuickConnectBar
    from client.ui.remote.pane import RemotePane
    from client.ui.remote_actions import RemoteActions
    from client.ui.remote_search import RemoteSearchDialog
    from client.ui.tabs import ConnectionTab
    from client.ui.tabs.manager import TabManager
    from client.ui.transfer_commands import TransferCommands
    from client.ui.transfers import Transfers
    from client.ui.window_dialogs import WindowDialogs

__all__ = ["WindowFacade"]


class WindowFacade:
    """The tab shown and the window's commands, for a ``QMainWindow`` that has built
    the parts named below (see ``MainWindow.__init__``) and runs coroutines with
    ``spawn``. ``disconnect`` is the window's own (see ``MainWindow.disconnect``)."""

    tabs: TabManager
    quick: QuickConnectBar
    local_pane: LocalPane
    modes: ModeSwitch
    connect_flow: ConnectFlow
    hung_listing: HungListingAssistant
    transfer_commands: TransferCommands
    dialogs: WindowDialogs

    # -- the tab shown -----------------------------------------------------------------------
    @property
    def current_tab(self) -> ConnectionTab:
        return self.tabs.current

    @property
    def connection(self) -> RemoteConnection:
        """The browsing connection of the tab shown."""
        return self.tabs.current.connection

    @property
    def remote_pane(self) -> RemotePane:
        return self.tabs.current.remote_pane

    @property
    def remote_actions(self) -> RemoteActions:
        return self.tabs.current.remote_actions

    @property
    def console(self) -> ConsoleWidget:
        return self.tabs.current.console

    @property
    def transfers(self) -> Transfers:
        return self.tabs.current.transfers

    @property
    def current_site(self) -> tuple[SiteStore, Site] | None:
        """The saved site the tab shown was opened from (Diagnose's Apply saves there)."""
        site: tuple[SiteStore, Site] | None = self.tabs.current.site
        return site

    @current_site.setter
    def current_site(self, site: tuple[SiteStore, Site] | None) -> None:
        self.tabs.current.site = site

    def new_tab(self) -> ConnectionTab:
        """File → New tab (Ctrl+T): an empty tab, shown, Host focused."""
        tab = self.tabs.new_tab()
        self.quick.host.setFocus()
        return tab

    def close_tab(self) -> None:
        """File → Close tab (Ctrl+W): asks first while connected or transferring."""
        self.tabs.ask_close()

    # -- commands (the tab shown's; see ConnectFlow and ModeSwitch) -----------------------
    async def connect_to(self, settings: ConnectionSettings, path: str | None = None) -> str:
        """Open a site in the tab shown and list ``path``; returns the folder shown."""
        return await self.connect_flow.connect_to(settings, path)

    def reconnect(self) -> None:
        self.connect_flow.reconnect()

    def offer_sftp(self, offer: SftpOffer) -> None:
        self.connect_flow.offer_sftp(offer)

    def remember_site(self, store: SiteStore, site: Site) -> None:
        self.connect_flow.remember_site(store, site)

    def site_reference(self, tab: ConnectionTab | None = None) -> str:
        return self.connect_flow.site_reference(tab)

    async def _connect_site(self, store: SiteStore, site: Site) -> str:
        from client.ui.sites.connect import connect_site

        return await connect_site(self, store, site)

    async def _open_target(self, target: str) -> None:
        from client.ui.app import open_target

        await open_target(self, target)

    def refresh(self) -> None:
        if self.connection.is_connected and self.current_tab.state is SessionState.FAILED \
                and not self.connection.busy:
            # the server dropped the connection (an idle timeout): F5 opens it again and
            # lists the folder shown, as FileZilla does, instead of failing on the dead one
            self.remote_pane.banner.hide()
            self.reconnect()
        elif self.connection.is_connected:
            # F5 is a retry: the last failure's banners go until this attempt's outcome
            self.remote_pane.banner.hide()
            self.hung_listing.hide_if_over()
            self.spawn(self.remote_actions.refresh(), pane=self.remote_pane, doing=self.tr("Refresh"))
        self.local_pane.refresh()

    def set_mode(self, mode: TransferMode) -> None:
        self.modes.set_mode(mode)

    def set_commands(self, family: CommandFamily) -> None:
        self.modes.set_commands(family)

    def focus_filter(self) -> None:
        focused = self.focusWidget()
        pane = self.local_pane if focused is not None and self.local_pane.isAncestorOf(focused) \
            else self.remote_pane
        pane.filter_box.setFocus()
        pane.filter_box.selectAll()

    async def download_entries(self, entries: list[object], local_dir: Path | None = None) -> list[int]:
        return await self.transfer_commands.download_entries(entries, local_dir)

    async def upload_paths(self, paths: list[Path], remote_dir: str | None = None) -> list[int]:
        return await self.transfer_commands.upload_paths(paths, remote_dir)

    def send_raw(self, line: str) -> None:
        async def run() -> None:
            await self.connection.quote(line)

        self.spawn(run(), pane=self.remote_pane, doing=self.tr("The raw command"))

    # -- dialogs (see WindowDialogs) -------------------------------------------------------
    def open_site_manager(self) -> None:
        self.dialogs.open_site_manager()

    def about(self) -> None:
        self.dialogs.about()

    @property
    def site_manager(self) -> Any:
        return self.dialogs.site_manager

    @property
    def about_box(self) -> QMessageBox | None:
        return self.dialogs.about_box

    @property
    def preferences_dialog(self) -> PreferencesDialog | None:
        return self.dialogs.preferences_dialog

    @property
    def remote_search(self) -> RemoteSearchDialog | None:
        return self.dialogs.remote_search

