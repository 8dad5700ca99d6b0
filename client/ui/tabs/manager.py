"""The window's connection tabs: making a tab (its remote pane, console, inspector panel,
actions and transfers, wired to the window), switching (the status bar, quickconnect,
menus, title and inspector follow the tab shown), and closing (asks while connected or
transferring; the closed tab's transfers keep running in the queue; QUIT is sent).

The local pane, the queue view and the inspector dock stay one for the window: the dock
shows the current tab's panel, the queue lists every tab's jobs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QStackedWidget

from client import APP_NAME
from client.engine.data.opening import extended_only
from client.engine.events import (
    DataChannelEvent,
    DataPhase,
    SessionState,
    SessionStateChanged,
    TlsEstablished,
)
from client.engine.queue.jobs import TransferJob
from client.engine.sftp.settings import SftpSettings
from client.protocol.text import escape_control
from client.ui.console.widget import ConsoleWidget
from client.ui.dialogs import fit_title
from client.ui.inspector.dock import InspectorPanel
from client.ui.quick_fields import EMPTY, fields_of, read_fields, show_fields
from client.ui.remote.pane import RemotePane
from client.ui.remote_actions import RemoteActions
from client.ui.tabs.bar import ConnectionTabs
from client.ui.tabs.router import TabRouter
from client.ui.tabs.tab import ConnectionTab, TabParts
from client.ui.transfers import Transfers

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["TabManager"]


class TabManager(QObject):
    #: the tab shown changed (after the window's chrome followed it)
    switched = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.widget = ConnectionTabs(window)
        self.consoles = QStackedWidget(window)
        self.consoles.setObjectName("consoleStack")
        self.router = TabRouter(self.widget.tabs, lambda: self.widget.current)
        #: closed tabs whose transfers still run or wait to be resumed or retried (their
        #: queue closes once nothing is left to do)
        self.retired: list[ConnectionTab] = []
        self.question: QMessageBox | None = None  # "Close the tab?"
        self.where_box: QMessageBox | None = None  # "Connect in a new tab?"
        self._left: ConnectionTab | None = None  # the tab shown before (its fields kept)
        self.widget.current_changed.connect(self._shown)
        self.widget.new_tab_requested.connect(self.new_tab)
        self.widget.close_requested.connect(self.ask_close)

    @property
    def current(self) -> ConnectionTab:
        return self.widget.current

    def tabs(self) -> list[ConnectionTab]:
        return self.widget.tabs()

    # -- making a tab ----------------------------------------------------------------------
    def new_tab(self, panel: InspectorPanel | None = None) -> ConnectionTab:
        """A tab with no connection, shown. ``panel``: the dock's first panel (the first
        tab's); later tabs get a panel of their own in the dock."""
        w = self.window
        tab = ConnectionTab(w.bus, trust=w.trust, session_factory=w.session_factory, parent=self)
        dock = w.inspector_dock
        if panel is None:
            panel = InspectorPanel(dock.stack if dock is not None else None)
            if dock is not None:
                dock.add_panel(panel)
        console = ConsoleWidget(self.consoles)
        pane = RemotePane(self.widget.stack)
        if self.tabs():  # a new tab's pane looks like the one shown (columns, tree size)
            shown = self.current.remote_pane
            pane.splitter.restoreState(shown.splitter.saveState())
            pane.view.horizontalHeader().restoreState(shown.view.horizontalHeader().saveState())
        parts = TabParts(remote_pane=pane, console=console, panel=panel)
        tab.attach(parts, RemoteActions(w, connection=tab.connection, pane=parts.remote_pane),
                   Transfers(tab.connection, w.bus, on_jobs=w.queue.model.update_jobs,
                             on_finished=lambda job: w.transfer_commands.transfer_finished(tab, job),
                             ask_exists=w.exists_asker, saver=w.queue_saver,
                             site=lambda: w.site_reference(tab)))
        tab.transfers.set_concurrency(w.queue_concurrency)
        tab.transfers.set_processing(w.queue_processing)
        panel.set_clock(w.bus.now)
        panel.connect_console(console)
        self.consoles.addWidget(console)
        w.wire_tab(tab)
        tab.changed.connect(lambda: self._chrome(tab) if tab is self.current else None)
        self.widget.add(tab)
        return tab

    # -- switching -------------------------------------------------------------------------
    def _shown(self, tab: ConnectionTab) -> None:
        w = self.window
        if getattr(w, "menu_actions", None) is None:
            self._left = tab
            return  # the first tab, while the window is being built
        self.consoles.setCurrentWidget(tab.console)
        self._follow_fields(tab)
        if w.inspector_dock is not None:
            w.inspector_dock.show_panel(tab.panel)
        w.hung_listing_follow(tab.remote_pane)
        settings = tab.connection.settings
        w.status.show_connection(tab.last_state, tab.last_tls, tab.last_data,
                                 f"{settings.host}:{settings.port}" if settings else "")
        w.modes.show_mode(tab.mode, tab.commands)
        self._chrome(tab)
        w.order_tab_stops()
        self.switched.emit(tab)

    def _follow_fields(self, tab: ConnectionTab) -> None:
        """Quickconnect shows the tab's server (or what was typed in a tab that has none):
        the fields of the tab left are kept with it."""
        quick = self.window.quick
        left, self._left = self._left, tab
        if left is tab:
            return
        if left is not None:
            left.quick_fields = read_fields(quick)
        settings = tab.connection.settings
        show_fields(quick, fields_of(settings) if settings is not None
                    else tab.quick_fields or EMPTY)

    def _chrome(self, tab: ConnectionTab) -> None:
        """What outside the tab shows of its connection and changes with its state: the
        title, quickconnect's Connect/Disconnect, the menus' Disconnect and FTP-only
        actions (the status bar follows the events themselves)."""
        w = self.window
        if getattr(w, "diagnose_action", None) is None:
            return
        connection = tab.connection
        connected = connection.is_connected
        settings = connection.settings
        title = tab.title
        if tab.name and settings is not None:  # "Shop — alice@ftp.example.com"
            who = f"{settings.user}@" if settings.user else ""
            title = f"{tab.name} — {who}{settings.host}"
        elif settings is not None and settings.user and not title.startswith(f"{settings.user}@"):
            title = f"{settings.user}@{title}"  # the tab's title names the user at times
        w.setWindowTitle(f"{title} — {APP_NAME}"
                         if connected and settings is not None else APP_NAME)
        server = connection.session.server if connection.session is not None else None
        w.quick.set_ipv6(server is not None and extended_only(server.host))
        w.quick.set_connected(connected)
        w.quick.set_ftp_session(connected and connection.ftp is not None)
        w.disconnect_action.setEnabled(connected)
        w.modes.offer_ftp_controls(connection.ftp is not None or not connected)
        # the status bar speaks of the tab's protocol while it connects or after it
        # failed too (an SFTP attempt read "No TLS", "Passive (PASV)")
        w.status.set_one_connection(connection.ftp is None and isinstance(settings, SftpSettings))
        w.show_busy(connection.busy)

    # -- following the engine -------------------------------------------------------------
    def on_session_state(self, event: SessionStateChanged) -> None:
        """Each tab follows its browsing session (the queue's workers and Diagnose have
        sessions of their own on the same bus); the status bar follows the tab shown.
        When a tab's session fails while no operation of the window's runs on it — the
        server dropped the idle connection — its remote pane says so at once and offers
        Reconnect (a failing operation shows its own error)."""
        tab = self.router.tab_for(event.connection)
        if tab is None or event.connection != tab.connection.connection_id:
            return
        tab.on_state(event)
        if tab is self.current:
            self.window.status.on_state(event)
        connection = tab.connection
        session = connection.session
        if (event.state is SessionState.FAILED and not connection.busy
                and session is not None and session.connection_id == event.connection
                and connection.settings is not None):
            hung = getattr(self.window, "hung_listing", None)
            if hung is not None:  # its buttons needed the connection that is gone
                hung.no_longer_applies(tab.remote_pane)
            tab.remote_pane.banner.show_message(
                self.tr("The connection to the server was lost: {}").format(
                    escape_control(event.detail or self.tr("closed by the server"))),
                action=(self.tr("Reconnect"), self.window.reconnect))

    def on_tls(self, event: TlsEstablished) -> None:
        tab = self.router.tab_for(event.connection)
        if tab is None:
            return
        if event.channel is None and event.connection == tab.connection.connection_id:
            tab.last_tls = event  # shown again when the tab is shown again
        if tab is self.current:  # the queue's data channels say "data session reused"
            self.window.status.on_tls(event)

    def on_data_channel(self, event: DataChannelEvent) -> None:
        tab = self.router.tab_for(event.connection)
        if tab is not None:
            if event.phase in (DataPhase.CONNECTED, DataPhase.CLOSED, DataPhase.FAILED):
                tab.last_data = event  # what the status bar shows of a data connection
            if tab is self.current:
                self.window.status.on_data_channel(event)

    def step(self, delta: int) -> None:
        self.widget.step(delta)

    def connect_where(self, start: Callable[[], object]) -> None:
        """Connect in the tab shown when it has no connection; otherwise ask, as
        FileZilla does: in a new tab (the default), in this one, or not at all."""
        if not self.current.connection.is_connected:
            start()
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Connect"),
                          self.tr("This tab is connected to {}.").format(self.current.title),
                          QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("whichTabQuestion")
        box.setInformativeText(self.tr("Open the new connection in a new tab, or close this "
                                       "tab's connection and connect here?"))
        new = box.addButton(self.tr("In a &new tab"), QMessageBox.ButtonRole.AcceptRole)
        here = box.addButton(self.tr("In &this tab"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(new)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is new:
                typed = read_fields(self.window.quick)
                self.new_tab()
                show_fields(self.window.quick, typed)  # the new tab's server
                start()
            elif clicked is here:
                start()

        box.finished.connect(answered)
        self.where_box = box
        fit_title(box)  # the whole title, not cut by the title bar
        box.open()

    # -- closing ---------------------------------------------------------------------------
    def ask_close(self, tab: ConnectionTab | None = None) -> None:
        """Close ``tab`` (default: the one shown); asks first while it is connected or its
        transfers run (FileZilla does)."""
        tab = tab or self.current
        kept = tab.transfers.has_kept_jobs()
        if not (tab.connection.is_connected or tab.busy_with_transfers or kept):
            self.close(tab)
            return
        text = self.tr("Close the tab of {}?").format(tab.title)
        detail = self.tr("The connection is closed (QUIT).")
        if tab.busy_with_transfers:
            detail += " " + self.tr("Its transfers keep running in the queue.")
        if kept:
            detail += " " + self.tr("Its paused and failed transfers stay in the queue: "
                                    "resume or retry them there.")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Close tab"), text,
                          QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
                          self.window)
        box.setObjectName("closeTabQuestion")
        box.setInformativeText(detail)
        box.setDefaultButton(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda result: self.close(tab)
                             if result == QMessageBox.StandardButton.Close else None)
        self.question = box
        fit_title(box)  # the whole title, not cut by the title bar
        box.open()  # never exec() under qasync

    def close(self, tab: ConnectionTab) -> asyncio.Task[Any] | None:
        """Close ``tab`` now: QUIT on its browsing session; its queue keeps running
        until no job is left to run, resume or retry. The last tab is replaced by an empty one."""
        if tab not in self.tabs():
            return None
        if len(self.tabs()) == 1:
            self.new_tab()
        self.widget.remove(tab)
        self.router.closed(tab)
        hung = getattr(self.window, "hung_listing", None)
        if hung is not None:
            hung.forget(tab.remote_pane)
        self.consoles.removeWidget(tab.console)
        tab.console.deleteLater()
        if self.window.inspector_dock is not None:
            self.window.inspector_dock.remove_panel(tab.panel)
        tab.remote_actions.close()
        if tab.search is not None:
            tab.search.close()  # its search stops with the tab
        self.retired.append(tab)
        return self.window.spawn(self._retire(tab), doing=self.tr("Closing the tab"))

    async def _retire(self, tab: ConnectionTab) -> None:
        await tab.connection.disconnect()
        tab.remote_pane.deleteLater()
        await tab.transfers.wait_settled()  # paused and failed jobs stay resumable
        await tab.transfers.reset()
        if tab in self.retired:
            self.retired.remove(tab)
            tab.deleteLater()

    async def shutdown(self) -> None:
        """Every tab's sessions closed (QUIT, bounded wait), open and retired."""
        everything = self.tabs() + self.retired
        await asyncio.gather(*(t.transfers.reset() for t in everything), return_exceptions=True)
        await asyncio.gather(*(t.connection.disconnect() for t in everything),
                             return_exceptions=True)

    # -- the shared queue ------------------------------------------------------------------
    def live_jobs(self) -> list[TransferJob]:
        """Every job of every tab's queue (closed tabs' too) as the engine has it now
        (the queue view keeps rows of queues already closed)."""
        return [job for tab in self.tabs() + self.retired if tab.transfers.queue is not None
                for job in tab.transfers.queue.jobs()]

    def owner_of(self, job: TransferJob) -> ConnectionTab | None:
        for tab in self.tabs() + self.retired:
            queue = tab.transfers.queue
            if queue is None:
                continue
            try:
                queue.job(job.job_id)
            except KeyError:
                continue
            return tab
        return None

    def jobs_changed(self, jobs: list[TransferJob]) -> None:
        """Each job's change to its tab's transfers (which report finished ones)."""
        by_tab: dict[int, tuple[ConnectionTab, list[TransferJob]]] = {}
        for job in jobs:
            tab = self.owner_of(job)
            if tab is not None:
                by_tab.setdefault(id(tab), (tab, []))[1].append(job)
        for tab, mine in by_tab.values():
            tab.transfers.jobs_changed(mine)

    def queue_action(self, action: str, jobs: list[TransferJob]) -> list[TransferJob] | None:
        """A queue button on jobs of any tab; the new order of every job after a move."""
        by_tab: dict[int, tuple[ConnectionTab, list[TransferJob]]] = {}
        for job in jobs:
            tab = self.owner_of(job)
            if tab is not None:
                by_tab.setdefault(id(tab), (tab, []))[1].append(job)
        moved = False
        for tab, mine in by_tab.values():
            moved = tab.transfers.apply(action, mine) is not None or moved
        if not moved:
            return None
        order: list[TransferJob] = []
        for tab in self.tabs() + self.retired:
            if tab.transfers.queue is not None:
                order += tab.transfers.queue.jobs()
        return order

    def set_concurrency(self, count: int) -> None:
        for tab in self.tabs():
            tab.transfers.set_concurrency(count)

    def set_processing(self, on: bool) -> None:
        for tab in self.tabs():
            tab.transfers.set_processing(on)

