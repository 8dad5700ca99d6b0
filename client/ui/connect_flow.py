"""Opening and closing a tab's session: connect (quickconnect, site manager, command
line, Reconnect), disconnect, reconnect, the saved site a tab came from, and the site
of restored queue jobs. The tab that started connecting stays the one connected even
when another tab is shown meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, QTimer

from client.config.sites import Site, SiteStore
from client.engine.diagnose.model import SftpOffer
from client.engine.settings import ConnectionSettings
from client.ui.bridge import EngineBridge
from client.ui.failure_banner import Spawn
from client.ui.hung_listing import HungListingAssistant
from client.ui.mode_switch import ModeSwitch
from client.ui.queue_restore import QueueRestoreOffer, site_url
from client.ui.quickconnect import QuickConnectBar
from client.ui.sftp_offer import fill_quickconnect
from client.ui.status import InspectorStatusBar
from client.ui.tabs import ConnectionTab
from client.ui.tabs.manager import TabManager

__all__ = ["ConnectFlow"]


class ConnectFlow(QObject):
    """Connects, disconnects and reconnects the tab shown."""

    def __init__(self, tabs: TabManager, bridge: EngineBridge, quick: QuickConnectBar,
                 status: InspectorStatusBar, modes: ModeSwitch,
                 hung_listing: HungListingAssistant, queue_restore: QueueRestoreOffer, *,
                 spawn: Spawn, open_target: Callable[[str], Coroutine[Any, Any, Any]],
                 activate: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.tabs = tabs
        self.bridge = bridge
        self.quick = quick
        self.status = status
        self.modes = modes
        self.hung_listing = hung_listing
        self.queue_restore = queue_restore
        self.spawn = spawn
        self.open_target = open_target
        self.activate = activate

    async def connect_to(self, settings: ConnectionSettings, path: str | None = None) -> str:
        """Open a site in the tab shown and list ``path`` (default: the login folder);
        returns the folder shown."""
        tab = self.tabs.current
        tab.remote_pane.banner.hide()
        self.hung_listing.hide()
        await tab.transfers.reset()
        self.bridge.flush()  # the old session's last lines stay in the old diagram
        tab.panel.new_session()  # a fresh diagram per site; the console keeps its history
        shown = tab is self.tabs.current
        if isinstance(settings, ConnectionSettings):  # SFTP has no modes
            tab.mode, tab.commands = settings.mode, settings.commands
            if shown:
                self.modes.show_mode(settings.mode, settings.commands)
        if shown:
            self.status.server_label.setText(f"{settings.host}:{settings.port}")
        await tab.connection.connect(settings)
        if tab is self.tabs.current:
            self.queue_restore.connected(self.site_reference())
        tab.remote_pane.set_connected(True)
        tab.changed.emit()  # the tab bar, title and quickconnect follow
        return await tab.remote_actions.browse(path, after_login=True)

    def connect_quick(self, settings: ConnectionSettings, path: str | None) -> None:
        """Quickconnect: no saved site, so Diagnose's Apply saves nothing."""
        self.forget_site()
        pane = self.tabs.current.remote_pane
        self.spawn(self.connect_to(settings, path), pane=pane, doing=self.tr("Connecting"))

    def disconnect(self) -> None:
        self.spawn(self.close_session(self.tabs.current), doing=self.tr("Disconnecting"))

    async def close_session(self, tab: ConnectionTab | None = None) -> None:
        tab = tab or self.tabs.current
        await tab.transfers.reset()
        await tab.connection.disconnect()
        tab.remote_pane.set_connected(False)
        tab.changed.emit()

    def reconnect(self) -> None:
        """Open the site again and show the folder that was shown."""
        tab = self.tabs.current
        settings = tab.connection.settings
        if settings is not None:
            path = tab.remote_pane.current_path or None
            self.spawn(self.connect_to(settings, path), pane=tab.remote_pane,
                       doing=self.tr("Reconnecting"))

    def offer_sftp(self, offer: SftpOffer) -> None:
        """Fill the quickconnect bar with ``offer``'s sftp:// address (same user, same
        proxy)."""
        settings = self.tabs.current.connection.settings
        fill_quickconnect(self.quick, offer, settings.user if settings else "",
                          settings.proxy if settings is not None else None)
        self.activate()

    def remember_site(self, store: SiteStore, site: Site) -> None:
        """The open session came from this saved site: Diagnose's Apply saves there."""
        self.tabs.current.site = (store, site)
        self.tabs.current.label = None

    def forget_site(self) -> None:
        """A quickconnect session is no saved site: Diagnose's Apply saves nothing (and
        the tab is called by its host again)."""
        self.tabs.current.site = None
        self.tabs.current.label = None

    def site_reference(self, tab: ConnectionTab | None = None) -> str:
        """The site open in ``tab`` (default: the tab shown) as a saved queue names it:
        ``site:PATH`` or a URL without password."""
        tab = tab or self.tabs.current
        settings = tab.connection.settings
        if settings is None:
            return ""
        return site_url(settings, tab.site[1].path if tab.site else None)

    def open_site_to_restore(self, site: str) -> None:
        """Connect to the site of restored jobs: a saved site at once (its password is
        in the keyring); a URL fills quickconnect and waits for the password."""
        pane = self.tabs.current.remote_pane
        if site.startswith("site:") or "@" not in site:
            self.spawn(self.open_target(site), pane=pane, doing=self.tr("Connecting"))
            return
        self.quick.fill_from_url(site)
        QTimer.singleShot(0, self.quick.password, self.quick.password.setFocus)
        pane.banner.show_message(
            self.tr("Enter the password for {} and connect: the restored transfers start "
                    "then.").format(site), severity="info")
