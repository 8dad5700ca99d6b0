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
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QWidget,
)

from client import APP_NAME
from client.config.appdirs import config_dir, data_dir
from client.config.history import QuickconnectHistory
from client.engine.events import EventBus
from client.engine.queue.saved import QueueSaver
from client.engine.ratelimit import shared_limiter
from client.ui.bookmarks_menu import BookmarksMenu
from client.ui.bridge import EngineBridge
from client.ui.capture_loader import CaptureLoader
from client.ui.certificates import GuiCertificateTrust
from client.ui.compare.tools import CompareTools
from client.ui.connect_flow import ConnectFlow
from client.ui.connection import SessionFactory
from client.ui.exists_dialog import ExistsAsker
from client.ui.failure_banner import FailureBanner, TaskRunner
from client.ui.hung_listing import HungListingAssistant
from client.ui.inspector.diagnose_install import install_diagnose, open_diagnose
from client.ui.inspector.diagnose_wizard import DiagnoseWizard
from client.ui.inspector.dock import InspectorDock
from client.ui.local_actions import LocalActions
from client.ui.local_pane import LocalPane
from client.ui.menus import build_menus
from client.ui.mode_switch import ModeSwitch
from client.ui.queue_restore import QueueRestoreOffer
from client.ui.queue_view import QueueWidget
from client.ui.quickconnect import QuickConnectBar, take_over_qsettings_history
from client.ui.quit_question import QuitGuard
from client.ui.remote.pane import RemotePane
from client.ui.session_log import SessionLogControl
from client.ui.sessions import WindowSessions
from client.ui.speed_limits import SpeedLimitButton
from client.ui.status import InspectorStatusBar
from client.ui.tab_order import order_window
from client.ui.tabs import ConnectionTab
from client.ui.tabs.manager import TabManager
from client.ui.tabs.wiring import wire_tab
from client.ui.transfer_commands import TransferCommands
from client.ui.window_dialogs import WindowDialogs
from client.ui.window_facade import WindowFacade
from client.ui.window_layout import lay_out
from client.ui.window_state import (
    inspector_dock_width,
    restore_dock_state,
    restore_window_state,
    save_window_state,
    saved_local_folder,
)

__all__ = ["MainWindow", "app_settings"]


def app_settings() -> QSettings:
    """Window state in the app's config folder (FTP_INSPECTOR_CONFIG_DIR)."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow, WindowFacade):
    """Builds the window's parts and wires them; the tab shown and the commands are
    reached through :class:`WindowFacade`."""

    #: emitted from closeEvent (the app then closes the sessions and stops the loop)
    closed = Signal()

    def __init__(self, *, local_start: Path | None = None,
                 session_factory: SessionFactory | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.settings = app_settings()
        self.inspector_dock: InspectorDock | None = None

        self.bus = EventBus()
        self.bridge = EngineBridge(self)
        self.bridge.observe(self.bus)
        self.runner = TaskRunner(self.bus.now, self.report_error, lambda: self.remote_pane)
        self.trust = GuiCertificateTrust(self)
        self.sessions = WindowSessions(self)  # FTP and SFTP; asks about host keys
        self.session_factory: SessionFactory = session_factory or self.sessions
        self.queue_concurrency = 2
        self.queue_processing = True  # "Process queue" (the queue's toggle, Ctrl+P)

        history = QuickconnectHistory()
        take_over_qsettings_history(self.settings, history)
        self.quick = QuickConnectBar(history, self)
        # the folder the window was closed in, unless told where to start
        self.local_pane = LocalPane(self, start=local_start or saved_local_folder(self.settings))
        self.queue = QueueWidget(self)
        self.status = InspectorStatusBar(self)
        self.setStatusBar(self.status)
        self.speed_limit_button = SpeedLimitButton(self.settings, shared_limiter(), self.status)
        self.status.addPermanentWidget(self.speed_limit_button)
        self.speed_limit_button.settings_wanted.connect(lambda: self.dialogs.open_preferences())
        self.session_log = SessionLogControl(self.bus, self.settings, self)
        self.queue_saver = QueueSaver(data_dir() / "queue.json")
        self.bus.subscribe(self.queue_saver)
        self.local_actions = LocalActions(self)
        self.exists_asker = ExistsAsker(self)
        # the dock's first panel is the first tab's diagram (the dock joins the window
        # once the window's state is restored, see _load_inspector)
        self.inspector_dock = InspectorDock(self)
        self.tabs = TabManager(self)
        self.transfer_commands = TransferCommands(self.tabs, self.local_pane, self.queue,
                                                  spawn=self.spawn, parent=self)
        self.tabs.new_tab(panel=self.inspector_dock.panel)
        # restored jobs go to the tab that connects to their site (the one shown then)
        self.queue_restore = QueueRestoreOffer(
            self.queue_saver, lambda jobs: self.transfers.restore(jobs),
            lambda site: self.connect_flow.open_site_to_restore(site), self)
        self.dialogs = WindowDialogs(self, self.tabs, self.local_pane, self.speed_limit_button,
                                     self.session_log, spawn=self.spawn,
                                     connect_site=self._connect_site)

        layout = lay_out(self, consoles=self.tabs.consoles, local_pane=self.local_pane,
                         remote_panes=self.tabs.widget, queue=self.queue, quick=self.quick)
        self.main_splitter, self.panes_splitter = layout.main_splitter, layout.panes_splitter
        self.toolbar = layout.toolbar

        menu = build_menus(self)
        self.disconnect_action = menu.disconnect
        self.refresh_action = menu.refresh
        self.mkdir_action = menu.mkdir
        self.passive_action = menu.passive
        self.active_action = menu.active
        self.toggle_mode_action = menu.toggle_mode
        self.extended_action = menu.extended
        self.menu_actions = menu
        self.preferences_action = menu.preferences
        self.open_log_folder_action = menu.open_log_folder
        self.inspector_menu: QMenu | None = None  # made by add_toolbar_action when needed
        self.modes = ModeSwitch(self.tabs, self.quick, self.status, menu)
        self.bookmarks = BookmarksMenu(self, self.tabs, self.local_pane, self.spawn)
        self.capture_loader = CaptureLoader(self)
        self._wire()
        self.compare_tools = CompareTools(
            menu, local=self.local_pane, remote=self.remote_pane, status=self.status,
            connection=self.connection, transfers=self.transfers, spawn=self.spawn,
            browse_remote=lambda path: self.remote_actions.browse(path), refresh=self.refresh,
            parent=self)
        self._restored_splits = restore_window_state(self)
        self._load_inspector()
        self.hung_listing = HungListingAssistant(self)
        self.connect_flow = ConnectFlow(
            self.tabs, self.bridge, self.quick, self.status, self.modes, self.hung_listing,
            self.queue_restore, spawn=self.spawn, open_target=self._open_target,
            activate=self.activateWindow, parent=self)
        self.failures = FailureBanner(
            self.bridge, self.tabs, self.sessions.asker, self.hung_listing,
            reconnect=self.connect_flow.reconnect, offer_sftp=self.connect_flow.offer_sftp,
            parent=self)
        self._load_diagnose()
        self.tabs.switched.connect(lambda tab: self.compare_tools.follow(
            tab.remote_pane, tab.connection, tab.transfers))
        self.order_tab_stops()
        # the dock exists only now; on first start it gets its width once the window is
        # laid out (resizeDocks before the first show works on a layout not yet sized)
        self._size_dock_on_show = not restore_dock_state(self)
        self._restore_offered = False
        self.quit_guard = QuitGuard(self, self.tabs.live_jobs)

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
        self.queue.processing_changed.connect(self.set_processing)
        commands = self.transfer_commands
        self.queue.connect_actions(commands.queue_action)
        self.exists_asker.cancel_requested.connect(lambda job: commands.queue_action("cancel", [job]))
        commands.wire_local_pane(self.local_actions)
        self.local_pane.banner.why_clicked.connect(self.show_console_line)

        q = self.quick
        q.connect_requested.connect(lambda s, p: self.tabs.connect_where(
            lambda: self.connect_flow.connect_quick(s, p)))
        q.disconnect_requested.connect(self.disconnect)
        q.mode_changed.connect(self.set_mode)
        q.commands_changed.connect(self.set_commands)
        q.invalid_input.connect(lambda text: self.remote_pane.banner.show_message(text))

    def wire_tab(self, tab: ConnectionTab) -> None:
        """A new tab's remote pane, console and connection, each tied to that tab."""
        wire_tab(self, tab)

    def hung_listing_follow(self, pane: RemotePane) -> None:
        assistant = getattr(self, "hung_listing", None)
        if assistant is not None:
            assistant.move_to(pane)

    def set_concurrency(self, count: int) -> None:
        self.queue_concurrency = count
        self.tabs.set_concurrency(count)

    def set_processing(self, on: bool) -> None:
        """Every tab's queue takes waiting jobs (True) or holds them."""
        self.queue_processing = on
        self.tabs.set_processing(on)

    def order_tab_stops(self) -> None:
        """Tab walks the window as it is read: quickconnect, the Passive/Active switch,
        console, local pane, remote pane, queue, inspector; it leaves every table."""
        if getattr(self, "menu_actions", None) is None:
            return  # still building the window
        q = self.quick
        fields = [q.host, q.user, q.password, q.port, q.tls, q.connect_button,
                  q.history_button, q.disconnect_button]
        table = getattr(getattr(self.inspector_dock, "panel", None), "table", None)
        order_window(self, [fields, [q.passive_button, q.active_button], self.console,
                            self.local_pane, self.remote_pane, self.queue, self.inspector_dock],
                     quiet=[self.console.view, table])

    # -- extension slots (inspector) ---------------------------------------------------------
    def add_dock(self, widget: QWidget, title: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{widget.objectName() or title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.menu_actions.view_menu.addAction(dock.toggleViewAction())
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
        self.menu_actions.view_menu.addAction(dock.toggleViewAction())

    def _load_diagnose(self) -> None:
        """The Diagnose wizard (toolbar, Inspector menu, the banner's Run Diagnose)."""
        self.diagnose_wizard: DiagnoseWizard | None = None
        self.diagnose_action = install_diagnose(self)
        self.modes.ftp_only.append(self.diagnose_action)

    def run_diagnose(self) -> DiagnoseWizard:
        """Open the Diagnose wizard for the current site and folder (or raise it)."""
        self.diagnose_wizard = open_diagnose(self)
        return self.diagnose_wizard

    def disconnect(self) -> None:
        """File → Disconnect (the tab shown). Defined here, not in WindowFacade: on a
        Qt object, ``QObject.disconnect`` would answer for a base class's method."""
        self.connect_flow.disconnect()

    # -- async plumbing ----------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any], *, pane: Any = None,
              doing: str = "") -> asyncio.Task[Any]:
        """Run ``coro`` on the qasync loop; a failure shows in ``pane``'s banner, whose
        "Why?" points at a console line logged since ``coro`` started."""
        return self.runner.spawn(coro, pane=pane, doing=doing)

    def report_error(self, exc: BaseException, *, pane: Any, doing: str = "",
                     since: float | None = None) -> None:
        """Show ``exc`` in ``pane``'s banner (see :class:`FailureBanner`)."""
        self.failures.show(exc, pane=pane, doing=doing, since=since)

    @property
    def last_error(self) -> str | None:
        return self.failures.last_error

    def show_console_line(self, seq: int) -> None:
        self.console.select_line(seq)
        self.console.view.setFocus()

    def show_busy(self, busy: bool) -> None:
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def save_state(self) -> None:
        save_window_state(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._restore_offered:  # what the last run left in the queue, once
            self._restore_offered = True
            QTimer.singleShot(0, self, self.queue_restore.offer)
        splits, self._restored_splits = self._restored_splits, []
        for split in splits:  # the saved proportions, in the size the window has now
            QTimer.singleShot(0, self, split.fit)
        if self._size_dock_on_show and self.inspector_dock is not None:
            self._size_dock_on_show = False
            self.resizeDocks([self.inspector_dock], [inspector_dock_width(self.width())],
                             Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.quit_guard.allows(event):
            return  # transfers are running: asked first
        save_window_state(self)
        self.runner.cancel_all()
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
