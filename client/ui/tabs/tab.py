"""One connection tab: what belongs to one server the window has open.

A tab owns its browsing :class:`RemoteConnection`, the remote pane that shows it, the
pane's actions, the transfers started from it (their queue opens sessions with the tab's
settings), and the console and inspector panel that show the tab's conversation. The
bus is the window's one bus: a tab knows its sessions by the connection ids its session
factory handed out, which is how the router sends each event to its tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from client.engine.events import (
    DataChannelEvent,
    EventBus,
    SessionState,
    SessionStateChanged,
    TlsEstablished,
)
from client.engine.remotefs import RemoteFileSystem
from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode
from client.ui.connection import RemoteConnection, SessionFactory

if TYPE_CHECKING:
    from client.ui.console.widget import ConsoleWidget
    from client.ui.inspector.dock import InspectorPanel
    from client.ui.remote.pane import RemotePane
    from client.ui.remote_actions import RemoteActions
    from client.ui.transfers import Transfers

__all__ = ["ConnectionTab", "TabParts"]

_CONNECTING = frozenset({SessionState.CONNECTING, SessionState.TLS_HANDSHAKE,
                         SessionState.LOGGING_IN})


@dataclass(frozen=True)
class TabParts:
    """The widgets a tab shows its connection in (made by the window, which owns the
    layout they go into)."""

    remote_pane: RemotePane
    console: ConsoleWidget
    panel: InspectorPanel


class ConnectionTab(QObject):
    #: the title, tooltip or state changed (the tab bar redraws the tab)
    changed = Signal()

    def __init__(self, bus: EventBus, *, trust: object | None,
                 session_factory: SessionFactory, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: connection ids ("c3") of every session this tab opened: browsing and queue
        self.ids: set[str] = set()
        self._factory = session_factory
        self.connection = RemoteConnection(bus, trust=trust, session_factory=self._open,
                                           parent=self)
        self.connection.connected.connect(lambda _where: self.changed.emit())
        self.connection.disconnected.connect(self.changed.emit)
        self.mode = TransferMode.PASSIVE
        self.commands = CommandFamily.CLASSIC
        self.state: SessionState | None = None
        #: the last events the status bar showed for this tab (shown again on switching)
        self.last_state: SessionStateChanged | None = None
        self.last_tls: TlsEstablished | None = None
        self.last_data: DataChannelEvent | None = None
        self.remote_pane: RemotePane
        self.console: ConsoleWidget
        self.panel: InspectorPanel
        self.remote_actions: RemoteActions
        self.transfers: Transfers
        self.site: Any = None  # (SiteStore, Site) when opened from the Site Manager
        self.search: Any = None  # its Search remote files dialog, once opened (F3)
        #: what quickconnect held when another tab was shown (a QuickFields), for a
        #: tab with no server yet
        self.quick_fields: Any = None
        self.diagnose_wizard: Any = None  # its Diagnose wizard, once opened
        #: the file name of the packet capture shown in this tab (File → Open capture…)
        self.capture_name: str | None = None
        #: what a tab opened by name is called (a Demo-menu scenario); a saved site's
        #: tab is called by the site's name
        self.label: str | None = None
        #: every tab of the window, this one included (the tab bar sets it)
        self.peers: Callable[[], list[ConnectionTab]] = lambda: [self]

    def _open(self, settings: ConnectionSettings, bus: EventBus, trust: Any) -> RemoteFileSystem:
        session = self._factory(settings, bus, trust)
        self.ids.add(session.connection_id)
        return session

    def attach(self, parts: TabParts, actions: RemoteActions, transfers: Transfers) -> None:
        """The widgets, actions and transfers the window made for this tab."""
        self.remote_pane, self.console, self.panel = parts.remote_pane, parts.console, parts.panel
        self.remote_actions, self.transfers = actions, transfers
        # the folder shown is in the tooltip, and may tell two tabs' titles apart
        parts.remote_pane.model.modelReset.connect(self._folder_shown)
        self._titled_path = ""

    def _folder_shown(self) -> None:
        if self.shown_path() != self._titled_path:
            self._titled_path = self.shown_path()
            self.changed.emit()

    # -- what the tab bar shows -------------------------------------------------------------
    @property
    def settings(self) -> ConnectionSettings | None:
        return self.connection.settings

    @property
    def state_text(self) -> str:
        if self.connection.is_connected:
            return self.tr("connected")
        if self.state in _CONNECTING:
            return self.tr("connecting")
        if self.state is SessionState.FAILED:
            return self.tr("connection failed")
        return self.tr("not connected")

    @property
    def host(self) -> str | None:
        """The server's host while connected or connecting, else None."""
        settings = self.connection.settings
        if settings is None or not (self.connection.is_connected or self.state in _CONNECTING):
            return None
        return settings.host

    @property
    def title(self) -> str:
        """The server's host, or "Not connected" (as FileZilla's tabs). When other tabs
        are on the same host, what tells them apart comes along: the port, the user, then
        the folder shown, and last a counter in tab order."""
        host = self.host
        if host is None:
            return self.capture_name or self.tr("Not connected")
        if self.name:
            return self.name
        same = [peer for peer in self.peers() if peer.host == host and not peer.name]
        if len(same) < 2:
            return host
        return disambiguated(self, same)

    @property
    def name(self) -> str | None:
        """The saved site's name (as FileZilla's tabs), or the tab's label."""
        site = self.site[1] if isinstance(self.site, tuple) else None
        return getattr(site, "name", None) or self.label

    @property
    def tooltip(self) -> str:
        """user@host:port, the folder shown and the state."""
        settings = self.connection.settings
        if settings is None:
            return self.tr("Capture {}").format(self.capture_name) if self.capture_name \
                else self.tr("Not connected")
        who = f"{settings.user}@" if settings.user else ""
        path = self.shown_path()
        where = f" {path}" if path and self.connection.is_connected else ""
        return f"{who}{_host_port(settings.host, settings.port)}{where} — {self.state_text}"

    def shown_path(self) -> str:
        """The remote folder the tab's pane shows ("" before a listing)."""
        pane = getattr(self, "remote_pane", None)
        return pane.current_path if pane is not None else ""

    @property
    def busy_with_transfers(self) -> bool:
        """Jobs of this tab are queued or running."""
        queue = self.transfers.queue
        return queue is not None and any(
            job.state.value in ("queued", "running") for job in queue.jobs())

    def owns(self, connection_id: str) -> bool:
        return connection_id in self.ids

    def on_state(self, event: SessionStateChanged) -> None:
        """A state change of one of this tab's sessions (only the browsing one counts)."""
        if event.connection != self.connection.connection_id:
            return
        self.state = event.state
        self.last_state = event
        if event.state in (SessionState.DISCONNECTED, SessionState.FAILED):
            self.last_tls = None
        self.changed.emit()


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def disambiguated(tab: ConnectionTab, same_host: list[ConnectionTab]) -> str:
    """``tab``'s title among ``same_host`` (the tabs on its host, itself included, in tab
    order): host, then port, user and folder as far as they differ, then a counter."""
    def parts(each: ConnectionTab) -> tuple[str, int, str]:
        settings = each.connection.settings
        assert settings is not None  # a tab with a host has settings
        return settings.user or "", settings.port, each.shown_path()

    user, port, path = parts(tab)
    others = [parts(each) for each in same_host]
    label = tab.host or ""
    if len({p for _, p, _ in others}) > 1:
        label = _host_port(label, port)
    if len({u for u, _, _ in others}) > 1 and user:
        label = f"{user}@{label}"
    twins = [each for each, (u, p, _) in zip(same_host, others, strict=True)
             if (u, p) == (user, port)]
    if len(twins) < 2:
        return label
    names = [_folder_name(each.shown_path()) for each in twins]
    name = _folder_name(path)
    if name and names.count(name) == 1:
        return f"{label} – {name}"
    return f"{label} ({twins.index(tab) + 1})"


def _folder_name(path: str) -> str:
    return (path.rstrip("/").rsplit("/", 1)[-1] or "/") if path else ""
