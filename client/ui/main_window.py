"""The main window: quickconnect bar, protocol console, local and remote panes side by
side, transfer queue at the bottom, status bar, menus — FileZilla's layout, with the
console explaining the data connections.

Extension slots for the inspector (``client.ui.inspector``, loaded lazily when present):
``add_dock(widget, title, area)`` and ``add_toolbar_action(action, menu="Inspector")``.
An inspector package exposes ``install(window: MainWindow) -> None``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
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
from client.config.appdirs import config_dir
from client.config.sites import Site, SiteStore
from client.engine.data.opening import extended_only
from client.engine.errors import (
    CertificateError,
    ConnectionLostError,
    ControlTimeoutError,
    FtpError,
)
from client.engine.events import EventBus, SessionState, SessionStateChanged
from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode
from client.protocol.text import escape_control
from client.ui.bridge import EngineBridge
from client.ui.capture_loader import CaptureLoader
from client.ui.certificates import GuiCertificateTrust
from client.ui.connection import RemoteConnection
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
from client.ui.queue_view import QueueWidget
from client.ui.quickconnect import QuickConnectBar
from client.ui.remote.pane import RemotePane
from client.ui.remote_actions import RemoteActions
from client.ui.status import InspectorStatusBar
from client.ui.tab_order import chain_regions, quiet_focus_arrival, release_tab_from_views
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
    """Window state and history in the app's config folder (FTP_INSPECTOR_CONFIG_DIR)."""
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

    def __init__(self, *, local_start: Path | None = None) -> None:
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
        self.connection = RemoteConnection(self.bus, trust=self.trust, parent=self)

        self.quick = QuickConnectBar(self.settings, self)
        self.console = ConsoleWidget(self)
        self.local_pane = LocalPane(self, start=local_start)
        self.remote_pane = RemotePane(self)
        self.queue = QueueWidget(self)
        self.status = InspectorStatusBar(self)
        self.setStatusBar(self.status)
        self.actions = RemoteActions(self)
        self.local_actions = LocalActions(self)
        self.exists_asker = ExistsAsker(self)
        self.transfers = Transfers(self.connection, self.bus, on_jobs=self.queue.model.update_jobs,
                                   on_finished=self._transfer_finished,
                                   ask_exists=self.exists_asker)

        panes = QSplitter(Qt.Orientation.Horizontal, self)
        panes.setObjectName("panesSplitter")
        panes.addWidget(self.local_pane)
        panes.addWidget(self.remote_pane)
        self.main_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.console)
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
        self.inspector_menu: QMenu | None = None  # made by add_toolbar_action when needed
        self.capture_loader = CaptureLoader(self)
        self._wire()
        restore_window_state(self)
        self._load_inspector()
        self.hung_listing = HungListingAssistant(self)
        self._load_diagnose()
        self._order_tab_stops()
        # the dock exists only now; on first start it gets its width once the window is
        # laid out (resizeDocks before the first show works on a layout not yet sized)
        self._size_dock_on_show = not restore_dock_state(self)

    # -- structure --------------------------------------------------------------------------
    def _wire(self) -> None:
        b = self.bridge
        b.console_lines.connect(self.console.append)
        b.session_state.connect(self._session_state)
        b.tls_established.connect(self.status.on_tls)
        b.data_channel.connect(self.status.on_data_channel)
        b.queue_jobs.connect(self.queue.model.update_jobs)
        b.queue_jobs.connect(self.transfers.jobs_changed)
        b.progress.connect(self.queue.model.update_progress)
        self.queue.concurrency_changed.connect(self.transfers.set_concurrency)
        self.queue.connect_actions(self._queue_action)
        self.exists_asker.cancel_requested.connect(lambda job: self._queue_action("cancel", [job]))

        q = self.quick
        q.connect_requested.connect(self._forget_site)
        q.connect_requested.connect(lambda s, p: self.spawn(self.connect_to(s, p),
                                                            pane=self.remote_pane,
                                                            doing=self.tr("Connecting")))
        q.disconnect_requested.connect(self.disconnect)
        q.mode_changed.connect(self.set_mode)
        q.commands_changed.connect(self.set_commands)
        q.invalid_input.connect(lambda text: self.remote_pane.banner.show_message(text))
        self.console.command_entered.connect(self.send_raw)

        r, a = self.remote_pane, self.actions
        rp = {"pane": r}
        r.navigate_requested.connect(lambda p: self.spawn(a.browse(p), doing=self.tr("Opening {}").format(p), **rp))
        r.refresh_requested.connect(self.refresh)
        r.tree_fetch_requested.connect(lambda p: self.spawn(a.fetch_tree(p), doing=self.tr("Listing {}").format(p), **rp))
        r.download_requested.connect(lambda entries: self.spawn(self.download_entries(entries),
                                                                doing=self.tr("Download"), **rp))
        r.upload_requested.connect(lambda paths, target: self.spawn(
            self.upload_paths(paths, target), doing=self.tr("Upload"), **rp))
        r.mkdir_requested.connect(self.mkdir_action.trigger)
        r.rename_requested.connect(lambda e: self.spawn(a.rename(e), doing=self.tr("Rename"), **rp))
        r.delete_requested.connect(lambda es: self.spawn(a.delete(es), doing=self.tr("Delete"), **rp))
        r.chmod_requested.connect(lambda es: self.spawn(a.chmod(es), doing=self.tr("Changing permissions"), **rp))
        r.copy_url_requested.connect(a.copy_urls)
        r.open_requested.connect(lambda e: self.spawn(a.open_with_default_app(e), doing=self.tr("Opening"), **rp))
        r.link_open_requested.connect(lambda link, selection: self.spawn(
            a.open_link(link, selection), doing=self.tr("Opening {}").format(r.model.full_path(link)), **rp))
        r.banner.why_clicked.connect(self.show_console_line)
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
        self.connection.busy_changed.connect(self._busy)

    def _order_tab_stops(self) -> None:
        """Tab walks the window as it is read: quickconnect, the Passive/Active switch,
        console, local pane, remote pane, queue, inspector; it leaves every table."""
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
        """The inspector dock (diagram and data-channel table), fed by the bridge."""
        dock = InspectorDock(self)
        dock.attach(self.bridge)
        dock.connect_console(self.console)
        dock.set_clock(self.bus.now)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.view_menu.addAction(dock.toggleViewAction())
        self.inspector_dock = dock

    def _load_diagnose(self) -> None:
        """The Diagnose wizard (toolbar, Inspector menu, the banner's Run Diagnose)."""
        self.current_site: tuple[SiteStore, Site] | None = None  # opened from the site manager
        self.diagnose_wizard: DiagnoseWizard | None = None
        self.diagnose_action = install_diagnose(self)

    def remember_site(self, store: SiteStore, site: Site) -> None:
        """The open session came from this saved site: Diagnose's Apply saves there."""
        self.current_site = (store, site)

    def _forget_site(self, *_args: object) -> None:
        """A quickconnect session is no saved site: Diagnose's Apply saves nothing."""
        self.current_site = None

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
        model = self.console.model
        if since is not None:
            code = exc.reply_code if isinstance(exc, FtpError) else None
            seq = model.line_for_failure(since, code)
        else:
            seq = model.last_error_seq
            if seq is None and model.lines():
                seq = model.seq_of_row(model.rowCount() - 1) if model.rowCount() else None
        self.last_error = describe_error(exc, doing=doing)
        if self.hung_listing.handles(exc, pane):
            self.hung_listing.show(exc, seq)
            return
        action = None
        if _reconnect_may_help(exc) and self.connection.settings is not None:
            action = (self.tr("Reconnect"), self.reconnect)
        pane.banner.show_message(self.last_error, seq=seq, action=action)

    def _session_state(self, event: SessionStateChanged) -> None:
        """The status bar follows the browsing session (the queue's workers and Diagnose
        have sessions of their own on the same bus). When that session fails while no
        operation of the window's runs — the server dropped the idle connection — the
        remote pane says so at once and offers Reconnect (a failing operation shows its
        own error)."""
        if event.connection != self.connection.connection_id:
            return
        self.status.on_state(event)
        session = self.connection.session
        if (event.state is SessionState.FAILED and not self.connection.busy
                and getattr(session, "connection_id", None) == event.connection
                and self.connection.settings is not None):
            self.remote_pane.banner.show_message(
                self.tr("The connection to the server was lost: {}").format(
                    escape_control(event.detail or self.tr("closed by the server"))),
                action=(self.tr("Reconnect"), self.reconnect))

    def reconnect(self) -> None:
        """Open the site again and show the folder that was shown."""
        settings = self.connection.settings
        if settings is not None:
            path = self.remote_pane.current_path or None
            self.spawn(self.connect_to(settings, path), pane=self.remote_pane,
                       doing=self.tr("Reconnecting"))

    def show_console_line(self, seq: int) -> None:
        self.console.select_line(seq)
        self.console.view.setFocus()

    def _busy(self, busy: bool) -> None:
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # -- commands ----------------------------------------------------------------------------
    async def connect_to(self, settings: ConnectionSettings, path: str | None = None) -> str:
        """Open a site (quickconnect, site manager, command line, Reconnect) and list
        ``path`` (default: the login folder); returns the folder shown."""
        self.remote_pane.banner.hide()
        self.hung_listing.hide()
        await self.transfers.reset()
        new_session = getattr(self.inspector_dock, "new_session", None)
        if callable(new_session):
            self.bridge.flush()  # the old session's last lines stay in the old diagram
            new_session()  # a fresh diagram per site; the console keeps its history
        self.set_mode(settings.mode)
        self.set_commands(settings.commands)
        self.status.server_label.setText(f"{settings.host}:{settings.port}")
        await self.connection.connect(settings)
        server = self.connection.session.server if self.connection.session else None
        self.quick.set_ipv6(server is not None and extended_only(server.host))
        self.remote_pane.set_connected(True)
        self.quick.set_connected(True)
        self.disconnect_action.setEnabled(True)
        self.setWindowTitle(f"{settings.user}@{settings.host} — {APP_NAME}")
        return await self.actions.browse(path, after_login=True)

    def disconnect(self) -> None:
        self.spawn(self._disconnect(), doing=self.tr("Disconnecting"))

    async def _disconnect(self) -> None:
        await self.transfers.reset()
        await self.connection.disconnect()
        self.quick.set_ipv6(False)
        self.remote_pane.set_connected(False)
        self.quick.set_connected(False)
        self.disconnect_action.setEnabled(False)
        self.setWindowTitle(APP_NAME)

    def refresh(self) -> None:
        if self.connection.is_connected:
            self.spawn(self.actions.refresh(), pane=self.remote_pane, doing=self.tr("Refresh"))
        self.local_pane.refresh()

    def set_mode(self, mode: TransferMode) -> None:
        self.quick.set_mode(mode)
        self.passive_action.setChecked(mode is TransferMode.PASSIVE)
        self.active_action.setChecked(mode is TransferMode.ACTIVE)
        self.status.set_mode(mode)
        if self.connection.settings is None or self.connection.settings.mode is not mode:
            self.connection.set_mode(mode)

    def set_commands(self, family: CommandFamily) -> None:
        """Classic (PASV/PORT) or extended (EPSV/EPRT) for the next data connection."""
        self.quick.set_command_family(family)
        self.extended_action.setChecked(family is CommandFamily.EXTENDED)
        self.status.set_commands(family)
        settings = self.connection.settings
        if settings is None or settings.commands is not family:
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

    def _transfer_finished(self, job: object) -> None:
        direction = getattr(job, "direction", "")
        if direction == "upload" and self.connection.is_connected:
            remote_dir = str(getattr(job, "remote_path", "")).rsplit("/", 1)[0] or "/"
            if remote_dir == self.remote_pane.current_path.rstrip("/") or (
                    remote_dir == "/" and self.remote_pane.current_path == "/"):
                self.spawn(self.actions.refresh(), pane=self.remote_pane)
        elif direction == "download":
            self.local_pane.files.setRootPath(str(self.local_pane.current))

    def _queue_action(self, action: str, jobs: list[object]) -> None:
        order = self.transfers.apply(action, jobs)
        if order is not None:
            self.queue.model.set_order(order)

    def send_raw(self, line: str) -> None:
        async def run() -> None:
            await self.connection.quote(line)

        self.spawn(run(), pane=self.remote_pane, doing=self.tr("The raw command"))

    # -- dialogs -----------------------------------------------------------------------------
    def open_site_manager(self) -> None:
        from client.ui.sites.dialog import SiteManagerDialog, connect_site

        dialog = SiteManagerDialog(self)
        dialog.connect_requested.connect(lambda site, _path: self.spawn(
            connect_site(self, dialog.store, site), pane=self.remote_pane,
            doing=self.tr("Connecting to {}").format(site.path)))
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
        if self._size_dock_on_show and self.inspector_dock is not None:
            self._size_dock_on_show = False
            self.resizeDocks([self.inspector_dock], [inspector_dock_width(self.width())],
                             Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        save_window_state(self)
        for task in list(self._tasks):
            task.cancel()
        self.bridge.close()
        self.actions.close()
        super().closeEvent(event)
        self.closed.emit()

    async def shutdown(self) -> None:
        """Close the sessions (QUIT with a bounded wait) before the loop stops."""
        await self.transfers.reset()
        await self.connection.disconnect()
