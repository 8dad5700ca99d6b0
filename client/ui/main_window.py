"""The main window: quickconnect bar, protocol console, local and remote panes side by
side, transfer queue at the bottom, status bar, menus — FileZilla's layout, with the
console explaining the data connections. Connection tabs (``client.ui.tabs``) each have
their own remote pane, console and diagram; ``connection``, ``remote_pane``, ``console``,
``remote_actions`` and ``transfers`` name the tab shown's.

Extension slots for the inspector (``client.ui.inspector``, loaded lazily when present):
``add_dock(widget, title, area)`` and ``add_toolbar_action(action, menu="Inspector")``.
An inspector package exposes ``install(window: MainWindow) -> None``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolBar,
    QWidget,
)

from client import APP_NAME, __version__
from client.config.appdirs import config_dir, data_dir
from client.config.history import QuickconnectHistory
from client.config.sites import Site, SiteStore
from client.engine.diagnose.model import SftpOffer
from client.engine.errors import (
    CertificateError,
    ConnectionLostError,
    ControlTimeoutError,
    FtpError,
)
from client.engine.events import EventBus
from client.engine.queue.saved import QueueSaver
from client.engine.ratelimit import shared_limiter
from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode
from client.engine.sftp.errors import ChangedHostKeyError
from client.ui.bridge import EngineBridge
from client.ui.capture_loader import CaptureLoader
from client.ui.certificates import GuiCertificateTrust
from client.ui.compare.tools import CompareTools
from client.ui.connection import RemoteConnection, SessionFactory
from client.ui.console.widget import ConsoleWidget
from client.ui.error_text import describe_error
from client.ui.exists_dialog import ExistsAsker
from client.ui.hung_listing import HungListingAssistant
from client.ui.inspector.diagnose_install import install_diagnose, open_diagnose
from client.ui.inspector.diagnose_wizard import DiagnoseWizard
from client.ui.inspector.dock import InspectorDock
from client.ui.local_actions import LocalActions
from client.ui.local_pane import LocalPane
from client.ui.menus import build_menus
from client.ui.preferences import Preferences, PreferencesDialog
from client.ui.queue_restore import QueueRestoreOffer, site_url
from client.ui.queue_view import QueueWidget
from client.ui.quickconnect import QuickConnectBar, take_over_qsettings_history
from client.ui.remote.pane import RemotePane
from client.ui.remote_actions import RemoteActions
from client.ui.remote_search import RemoteSearchDialog
from client.ui.session_log import SessionLogControl
from client.ui.sessions import WindowSessions
from client.ui.sftp_offer import fill_quickconnect, sftp_offer_for_error
from client.ui.speed_limits import SpeedLimitButton
from client.ui.status import InspectorStatusBar
from client.ui.tab_order import chain_regions, quiet_focus_arrival, release_tab_from_views
from client.ui.tabs import ConnectionTab
from client.ui.tabs.manager import TabManager
from client.ui.tabs.wiring import wire_tab
from client.ui.transfers import Transfers
from client.ui.window_state import (
    inspector_dock_width,
    restore_dock_state,
    restore_window_state,
    save_window_state,
)

__all__ = ["MainWindow", "app_settings"]

log = logging.getLogger(__name__)


def app_settings() -> QSettings:
    """Window state in the app's config folder (FTP_INSPECTOR_CONFIG_DIR)."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def _reconnect_may_help(exc: BaseException) -> bool:
    """A lost or silent connection, or a certificate the person refused (connecting
    again asks again); not a pinned certificate that changed (it would fail the same)."""
    if isinstance(exc, CertificateError):
        return exc.expected_fingerprint is None
    return isinstance(exc, ConnectionLostError | ControlTimeoutError)


class MainWindow(QMainWindow):
    #: emitted from closeEvent (the app then closes the sessions and stops the loop)
    closed = Signal()

    def __init__(self, *, local_start: Path | None = None,
                 session_factory: SessionFactory | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.settings = app_settings()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.last_error: str | None = None
        self.inspector_dock: InspectorDock | None = None

        self.bus = EventBus()
        self.bridge = EngineBridge(self)
        self.bridge.observe(self.bus)
        self.trust = GuiCertificateTrust(self)
        self.sessions = WindowSessions(self)  # FTP and SFTP; asks about host keys
        self.session_factory: SessionFactory = session_factory or self.sessions
        self.queue_concurrency = 2

        history = QuickconnectHistory()
        take_over_qsettings_history(self.settings, history)
        self.quick = QuickConnectBar(history, self)
        self.local_pane = LocalPane(self, start=local_start)
        self.queue = QueueWidget(self)
        self.status = InspectorStatusBar(self)
        self.setStatusBar(self.status)
        self.speed_limit_button = SpeedLimitButton(self.settings, shared_limiter(), self.status)
        self.status.addPermanentWidget(self.speed_limit_button)
        self.speed_limit_button.settings_wanted.connect(self.open_preferences)
        self.session_log = SessionLogControl(self.bus, self.settings, self)
        self.queue_saver = QueueSaver(data_dir() / "queue.json")
        self.bus.subscribe(self.queue_saver)
        self.remote_search: RemoteSearchDialog | None = None  # Server → Search remote files
        self.local_actions = LocalActions(self)
        self.exists_asker = ExistsAsker(self)
        # the dock's first panel is the first tab's diagram (the dock joins the window
        # once the window's state is restored, see _load_inspector)
        self.inspector_dock = InspectorDock(self)
        self.tabs = TabManager(self)
        self.tabs.new_tab(panel=self.inspector_dock.panel)
        # restored jobs go to the tab that connects to their site (the one shown then)
        self.queue_restore = QueueRestoreOffer(
            self.queue_saver, lambda jobs: self.transfers.restore(jobs),
            self._open_site_to_restore, self)

        panes = QSplitter(Qt.Orientation.Horizontal, self)
        panes.setObjectName("panesSplitter")
        panes.addWidget(self.local_pane)
        panes.addWidget(self.tabs.widget)
        self.main_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.tabs.consoles)
        self.main_splitter.addWidget(panes)
        self.main_splitter.addWidget(self.queue)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 4)
        self.main_splitter.setStretchFactor(2, 1)
        self.main_splitter.setSizes([230, 420, 150])
        self.panes_splitter = panes
        self.setCentralWidget(self.main_splitter)

        quick_bar = QToolBar(self.tr("Quickconnect"), self)
        quick_bar.setObjectName("quickConnectToolbar")
        quick_bar.setMovable(False)
        quick_bar.addWidget(self.quick)
        self.toolbar = QToolBar(self.tr("Main"), self)
        self.toolbar.setObjectName("mainToolbar")
        self.addToolBar(self.toolbar)
        self.addToolBarBreak()
        self.addToolBar(quick_bar)

        menu = build_menus(self)
        self.site_manager_action = menu.site_manager
        self.disconnect_action = menu.disconnect
        self.refresh_action = menu.refresh
        self.mkdir_action = menu.mkdir
        self.passive_action = menu.passive
        self.active_action = menu.active
        self.toggle_mode_action = menu.toggle_mode
        self.extended_action = menu.extended
        self.view_menu = menu.view_menu
        self.menu_actions = menu
        self.preferences_action = menu.preferences
        self.open_log_folder_action = menu.open_log_folder
        self.inspector_menu: QMenu | None = None  # made by add_toolbar_action when needed
        self.new_tab_action = menu.new_tab
        self.close_tab_action = menu.close_tab
        self.capture_loader = CaptureLoader(self)
        self._wire()
        self.compare_tools = CompareTools(
            menu, local=self.local_pane, remote=self.remote_pane, status=self.status,
            connection=self.connection, transfers=self.transfers, spawn=self.spawn,
            browse_remote=lambda path: self.remote_actions.browse(path), refresh=self.refresh,
            parent=self)
        restore_window_state(self)
        self._load_inspector()
        self.hung_listing = HungListingAssistant(self)
        self._load_diagnose()
        self.tabs.switched.connect(lambda tab: self.compare_tools.follow(
            tab.remote_pane, tab.connection, tab.transfers))
        self.order_tab_stops()
        # the dock exists only now; on first start it gets its width once the window is
        # laid out (resizeDocks before the first show works on a layout not yet sized)
        self._size_dock_on_show = not restore_dock_state(self)
        self._restore_offered = False

    # -- structure --------------------------------------------------------------------------
    def _wire(self) -> None:
        b, tabs = self.bridge, self.tabs
        b.console_lines.connect(tabs.router.route_lines)
        b.events.connect(tabs.router.route_events)
        b.session_state.connect(tabs.on_session_state)
        b.tls_established.connect(tabs.on_tls)
        b.data_channel.connect(tabs.on_data_channel)
        b.queue_jobs.connect(self.queue.model.update_jobs)
        b.queue_jobs.connect(tabs.jobs_changed)
        b.progress.connect(self.queue.model.update_progress)
        self.queue.concurrency_changed.connect(self.set_concurrency)
        self.queue.connect_actions(self._queue_action)
        self.exists_asker.cancel_requested.connect(lambda job: self._queue_action("cancel", [job]))

        q = self.quick
        q.connect_requested.connect(lambda s, p: self.in_which_tab(lambda: (
            self._forget_site(), self.spawn(self.connect_to(s, p), pane=self.remote_pane,
                                            doing=self.tr("Connecting")))))
        q.disconnect_requested.connect(self.disconnect)
        q.mode_changed.connect(self.set_mode)
        q.commands_changed.connect(self.set_commands)
        q.invalid_input.connect(lambda text: self.remote_pane.banner.show_message(text))

        self.local_pane.banner.why_clicked.connect(self.show_console_line)
        self.local_pane.upload_requested.connect(lambda paths: self.spawn(
            self.upload_paths(paths, self.remote_pane.current_path), pane=self.local_pane,
            doing=self.tr("Upload")))
        self.local_pane.download_dropped.connect(lambda paths, folder: self.spawn(
            self.transfers.download_paths(paths, folder), pane=self.local_pane,
            doing=self.tr("Download")))
        lp, la = self.local_pane, self.local_actions
        lp.mkdir_requested.connect(lambda: self.spawn(la.mkdir(), pane=lp, doing=self.tr("Create folder")))
        lp.rename_requested.connect(lambda p: self.spawn(la.rename(p), pane=lp, doing=self.tr("Rename")))
        lp.delete_requested.connect(lambda ps: self.spawn(la.delete(ps), pane=lp, doing=self.tr("Delete")))

    def wire_tab(self, tab: ConnectionTab) -> None:
        """A new tab's remote pane, console and connection, each tied to that tab."""
        wire_tab(self, tab)

    def _if_shown(self, tab: ConnectionTab, then: Callable[[], object]) -> None:
        if tab is self.current_tab:
            then()

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

    def in_which_tab(self, start: Callable[[], object]) -> None:
        """Connect in the tab shown when it has no connection; otherwise ask, as
        FileZilla does: in a new tab (the default), in this one, or not at all."""
        self.tabs.connect_where(start)

    def hung_listing_follow(self, pane: RemotePane) -> None:
        assistant = getattr(self, "hung_listing", None)
        if assistant is not None:
            assistant.move_to(pane)

    def set_concurrency(self, count: int) -> None:
        self.queue_concurrency = count
        self.tabs.set_concurrency(count)

    def order_tab_stops(self) -> None:
        """Tab walks the window as it is read: quickconnect, the Passive/Active switch,
        console, local pane, remote pane, queue, inspector; it leaves every table."""
        if getattr(self, "menu_actions", None) is None:
            return  # still building the window
        release_tab_from_views(self)
        q = self.quick
        fields = [q.host, q.user, q.password, q.port, q.tls, q.connect_button,
                  q.history_button, q.disconnect_button]
        regions: list[Any] = [fields, [q.passive_button, q.active_button], self.console,
                              self.local_pane, self.remote_pane, self.queue]
        if self.inspector_dock is not None:
            regions.append(self.inspector_dock)
        chain_regions(self, regions)
        quiet_focus_arrival(self.console.view)
        table = getattr(getattr(self.inspector_dock, "panel", None), "table", None)
        if table is not None:
            quiet_focus_arrival(table)

    # -- extension slots (inspector) ---------------------------------------------------------
    def add_dock(self, widget: QWidget, title: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{widget.objectName() or title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def add_toolbar_action(self, action: QAction, menu: str = "Inspector") -> None:
        self.toolbar.addAction(action)
        if self.inspector_menu is None:
            self.inspector_menu = self.menuBar().insertMenu(
                self.menuBar().actions()[-1], QMenu(self.tr(menu), self)).menu()
        self.inspector_menu.addAction(action)

    def _load_inspector(self) -> None:
        """The inspector dock (diagram and data-channel table of the tab shown)."""
        dock = self.inspector_dock
        assert dock is not None
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.view_menu.addAction(dock.toggleViewAction())

    def _load_diagnose(self) -> None:
        """The Diagnose wizard (toolbar, Inspector menu, the banner's Run Diagnose)."""
        self.diagnose_wizard: DiagnoseWizard | None = None
        self.diagnose_action = install_diagnose(self)

    def remember_site(self, store: SiteStore, site: Site) -> None:
        """The open session came from this saved site: Diagnose's Apply saves there."""
        self.current_site = (store, site)

    def _forget_site(self, *_args: object) -> None:
        """A quickconnect session is no saved site: Diagnose's Apply saves nothing."""
        self.current_site = None

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
                spawn=lambda coro: self.spawn(coro, pane=tab.remote_pane), parent=self)
        previous, self.remote_search = self.remote_search, dialog
        if previous is not None and previous is not dialog and not previous.running:
            previous.hide()  # another tab's finished search: out of the way
        dialog.setWindowTitle(self.tr("Search remote files on {}").format(tab.title)
                              if tab.host is not None else self.tr("Search remote files"))
        if not dialog.running:
            dialog.folder.setText(self.remote_pane.current_path or "/")
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.pattern.setFocus()
        dialog.pattern.selectAll()
        return dialog

    def run_diagnose(self) -> DiagnoseWizard:
        """Open the Diagnose wizard for the current site and folder (or raise it)."""
        self.diagnose_wizard = open_diagnose(self)
        return self.diagnose_wizard

    # -- async plumbing ----------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any], *, pane: Any = None,
              doing: str = "") -> asyncio.Task[Any]:
        """Run ``coro`` on the qasync loop; a failure shows in ``pane``'s banner, whose
        "Why?" points at a console line logged since ``coro`` started."""
        started = self.bus.now()
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if t.cancelled():
                return
            exc = t.exception()
            if exc is not None:
                self.report_error(exc, pane=pane or self.remote_pane, doing=doing,
                                  since=started)

        task.add_done_callback(done)
        return task

    def report_error(self, exc: BaseException, *, pane: Any, doing: str = "",
                     since: float | None = None) -> None:
        """Show ``exc`` in ``pane``'s banner. ``since`` (the bus clock when the failed
        operation began) ties the banner's "Why?" to a line of that operation: the
        failing reply (matched by its code when the error carries one), else its
        newest error or line; no "Why?" when it logged nothing. Without ``since`` the
        newest error line anywhere is used."""
        log.debug("operation failed", exc_info=exc)
        self.bridge.flush()  # the failing lines are in the console before "Why?" is offered
        tab = next((t for t in self.tabs.tabs() if t.remote_pane is pane), self.current_tab)
        model = tab.console.model
        if since is not None:
            code = exc.reply_code if isinstance(exc, FtpError) else None
            seq = model.line_for_failure(since, code)
        else:
            seq = model.last_error_seq
            if seq is None and model.lines():
                seq = model.seq_of_row(model.rowCount() - 1) if model.rowCount() else None
        self.last_error = describe_error(exc, doing=doing)
        if isinstance(exc, ChangedHostKeyError):  # the strong warning, beside the banner
            asyncio.ensure_future(self.sessions.asker.show_changed(exc))
        if self.hung_listing.handles(exc, pane):
            self.hung_listing.show(exc, seq)
            return
        action = None
        offer = sftp_offer_for_error(exc, tab.connection.settings)
        if offer is not None:
            action = (self.tr("Connect with SFTP"), lambda: self.offer_sftp(offer))
        elif _reconnect_may_help(exc) and tab.connection.settings is not None:
            action = (self.tr("Reconnect"), self.reconnect)
        pane.banner.show_message(self.last_error, seq=seq, action=action)

    def reconnect(self) -> None:
        """Open the site again and show the folder that was shown."""
        settings = self.connection.settings
        if settings is not None:
            path = self.remote_pane.current_path or None
            self.spawn(self.connect_to(settings, path), pane=self.remote_pane,
                       doing=self.tr("Reconnecting"))

    def offer_sftp(self, offer: SftpOffer) -> None:
        """Fill the quickconnect bar with ``offer``'s sftp:// address (same user)."""
        settings = self.connection.settings
        fill_quickconnect(self.quick, offer, settings.user if settings else "")
        self.activateWindow()

    def offer_ftp_controls(self, offered: bool) -> None:
        """Modes, PASV/EPSV, raw commands and Diagnose exist only for an FTP session:
        greyed out while another kind of session is open."""
        for action in (*self.menu_actions.ftp_only(), self.diagnose_action):
            action.setEnabled(offered)
        self.console.command.setEnabled(offered)
        self.quick.set_ftp_controls(offered)
        self.status.set_one_connection(not offered)

    def show_console_line(self, seq: int) -> None:
        self.console.select_line(seq)
        self.console.view.setFocus()

    def show_busy(self, busy: bool) -> None:
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # -- commands ----------------------------------------------------------------------------
    async def connect_to(self, settings: ConnectionSettings, path: str | None = None) -> str:
        """Open a site in the tab shown (quickconnect, site manager, command line,
        Reconnect) and list ``path`` (default: the login folder); returns the folder
        shown. The tab stays the one connected even when another is shown meanwhile."""
        tab = self.current_tab
        tab.remote_pane.banner.hide()
        self.hung_listing.hide()
        await tab.transfers.reset()
        self.bridge.flush()  # the old session's last lines stay in the old diagram
        tab.panel.new_session()  # a fresh diagram per site; the console keeps its history
        if isinstance(settings, ConnectionSettings):  # SFTP has no modes
            tab.mode, tab.commands = settings.mode, settings.commands
            self._if_shown(tab, lambda: self.show_mode(settings.mode, settings.commands))
        self._if_shown(tab, lambda: self.status.server_label.setText(
            f"{settings.host}:{settings.port}"))
        await tab.connection.connect(settings)
        if tab is self.current_tab:
            self.queue_restore.connected(self.site_reference())
        tab.remote_pane.set_connected(True)
        tab.changed.emit()  # the tab bar, title and quickconnect follow
        return await tab.remote_actions.browse(path, after_login=True)

    def disconnect(self) -> None:
        self.spawn(self._disconnect(self.current_tab), doing=self.tr("Disconnecting"))

    async def _disconnect(self, tab: ConnectionTab | None = None) -> None:
        tab = tab or self.current_tab
        await tab.transfers.reset()
        await tab.connection.disconnect()
        tab.remote_pane.set_connected(False)
        tab.changed.emit()

    def refresh(self) -> None:
        if self.connection.is_connected:
            self.spawn(self.remote_actions.refresh(), pane=self.remote_pane, doing=self.tr("Refresh"))
        self.local_pane.refresh()

    def show_mode(self, mode: TransferMode, family: CommandFamily) -> None:
        """The mode switch, menus and status bar show ``mode`` and ``family`` (the tab
        shown's), without changing any connection."""
        self.quick.set_mode(mode)
        self.passive_action.setChecked(mode is TransferMode.PASSIVE)
        self.active_action.setChecked(mode is TransferMode.ACTIVE)
        self.status.set_mode(mode)
        self.quick.set_command_family(family)
        blocked = self.extended_action.blockSignals(True)
        self.extended_action.setChecked(family is CommandFamily.EXTENDED)
        self.extended_action.blockSignals(blocked)
        self.status.set_commands(family)

    def set_mode(self, mode: TransferMode) -> None:
        """Passive/Active for the tab shown's next data connection."""
        self.current_tab.mode = mode
        self.quick.set_mode(mode)
        self.passive_action.setChecked(mode is TransferMode.PASSIVE)
        self.active_action.setChecked(mode is TransferMode.ACTIVE)
        self.status.set_mode(mode)
        current = self.connection.settings
        if not isinstance(current, ConnectionSettings) or current.mode is not mode:
            self.connection.set_mode(mode)

    def set_commands(self, family: CommandFamily) -> None:
        """Classic (PASV/PORT) or extended (EPSV/EPRT) for the next data connection."""
        self.current_tab.commands = family
        self.quick.set_command_family(family)
        self.extended_action.setChecked(family is CommandFamily.EXTENDED)
        self.status.set_commands(family)
        settings = self.connection.settings
        if not isinstance(settings, ConnectionSettings) or settings.commands is not family:
            self.connection.set_commands(family)

    def toggle_mode(self) -> None:
        self.set_mode(TransferMode.PASSIVE if self.quick.mode is TransferMode.ACTIVE
                      else TransferMode.ACTIVE)

    def focus_filter(self) -> None:
        focused = self.focusWidget()
        pane = self.local_pane if focused is not None and self.local_pane.isAncestorOf(focused) \
            else self.remote_pane
        pane.filter_box.setFocus()
        pane.filter_box.selectAll()

    async def download_entries(self, entries: list[object], local_dir: Path | None = None) -> list[int]:
        """Download remote entries of the current folder (double-click, Enter, menu, drag)."""
        return await self.transfers.download(self.remote_pane.current_path, entries,
                                             local_dir or self.local_pane.current)

    async def upload_paths(self, paths: list[Path], remote_dir: str | None = None) -> list[int]:
        """Upload local files or folders (Enter, menu, drag from the local pane or desktop)."""
        return await self.transfers.upload(paths, remote_dir or self.remote_pane.current_path)

    def transfer_finished(self, tab: ConnectionTab, job: object) -> None:
        """A job of ``tab`` is done: an upload into the folder its pane shows refreshes
        the pane; a download refreshes the local pane."""
        direction = getattr(job, "direction", "")
        pane = tab.remote_pane
        if direction == "upload" and tab.connection.is_connected and tab in self.tabs.tabs():
            remote_dir = str(getattr(job, "remote_path", "")).rsplit("/", 1)[0] or "/"
            if remote_dir == pane.current_path.rstrip("/") or (
                    remote_dir == "/" and pane.current_path == "/"):
                self.spawn(tab.remote_actions.refresh(), pane=pane)
        elif direction == "download":
            self.local_pane.files.setRootPath(str(self.local_pane.current))

    def _queue_action(self, action: str, jobs: list[Any]) -> None:
        order = self.tabs.queue_action(action, jobs)
        if order is not None:
            self.queue.model.set_order(order)

    def send_raw(self, line: str) -> None:
        async def run() -> None:
            await self.connection.quote(line)

        self.spawn(run(), pane=self.remote_pane, doing=self.tr("The raw command"))

    def site_reference(self, tab: ConnectionTab | None = None) -> str:
        """The site open in ``tab`` (default: the tab shown) as a saved queue names it:
        ``site:PATH`` or a URL without password."""
        tab = tab or self.current_tab
        settings = tab.connection.settings
        if settings is None:
            return ""
        return site_url(settings, tab.site[1].path if tab.site else None)

    def _open_site_to_restore(self, site: str) -> None:
        """Connect to the site of restored jobs: a saved site at once (its password is
        in the keyring); a URL fills quickconnect and waits for the password."""
        from client.ui.app import open_target

        if site.startswith("site:") or "@" not in site:
            self.spawn(open_target(self, site), pane=self.remote_pane,
                       doing=self.tr("Connecting"))
            return
        self.quick.fill_from_url(site)
        QTimer.singleShot(0, self.quick.password, self.quick.password.setFocus)
        self.remote_pane.banner.show_message(
            self.tr("Enter the password for {} and connect: the restored transfers start "
                    "then.").format(site), severity="info")

    # -- dialogs -----------------------------------------------------------------------------
    def open_preferences(self) -> None:
        current = Preferences(limits=self.speed_limit_button.limits,
                              session_log=self.session_log.enabled)
        dialog = PreferencesDialog(current, self)
        dialog.accepted.connect(lambda: self._apply_preferences(dialog.result_value))
        dialog.open()
        self.preferences_dialog = dialog

    def _apply_preferences(self, chosen: Preferences) -> None:
        self.speed_limit_button.apply(chosen.limits)
        self.session_log.set_enabled(chosen.session_log)

    def open_site_manager(self) -> None:
        from client.ui.sites.dialog import SiteManagerDialog, connect_site

        dialog = SiteManagerDialog(self)
        # connected: the site opens in a new tab unless the person unticks the box
        dialog.new_tab_box.setChecked(self.connection.is_connected)

        def connect(site: Site) -> None:
            if dialog.new_tab_box.isChecked() and self.connection.is_connected:
                self.tabs.new_tab()
            self.spawn(connect_site(self, dialog.store, site), pane=self.remote_pane,
                       doing=self.tr("Connecting to {}").format(site.path))

        dialog.connect_requested.connect(lambda site, _path: connect(site))
        dialog.open()
        self.site_manager = dialog

    def open_proxy_settings(self) -> None:
        """File → Proxy settings…: the default proxy (window-modal, answers on close)."""
        from client.ui.proxy_dialog import ProxyDialog

        dialog = ProxyDialog(self)
        dialog.open()
        self.proxy_dialog = dialog

    def import_filezilla(self) -> None:
        self.open_site_manager()
        self.site_manager.import_filezilla()

    def about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About FTP Inspector"),
                          self.tr("FTP Inspector {}\n\nAn FTP/FTPS client that shows who dials "
                                  "whom on every data connection.").format(__version__),
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("aboutDialog")
        box.open()
        self.about_box = box

    def save_state(self) -> None:
        save_window_state(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._restore_offered:  # what the last run left in the queue, once
            self._restore_offered = True
            QTimer.singleShot(0, self, self.queue_restore.offer)
        if self._size_dock_on_show and self.inspector_dock is not None:
            self._size_dock_on_show = False
            self.resizeDocks([self.inspector_dock], [inspector_dock_width(self.width())],
                             Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        save_window_state(self)
        for task in list(self._tasks):
            task.cancel()
        self.bridge.close()
        for tab in self.tabs.tabs():
            tab.remote_actions.close()
        super().closeEvent(event)
        self.closed.emit()

    async def shutdown(self) -> None:
        """Close every tab's sessions (QUIT with a bounded wait) before the loop stops."""
        await self.tabs.shutdown()
        self.queue_saver.save()
        self.session_log.close()
