"""The inspector dock: the ladder diagram above the data-channel table, a toolbar
(zoom, fit, follow live, the connection shown, exports), fed by the engine bridge.

Plugging it into a window::

    dock = InspectorDock(window)
    dock.attach(bridge)                 # EngineBridge: its `events` signal feeds the model
    dock.connect_console(console)       # cross-selection with the ConsoleWidget
    dock.set_clock(session.bus.now)     # optional: exact running timers
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)

Arrows are numbered by console line (see :mod:`client.ui.inspector.feed`), so the
console and the dock must be attached to the same bridge from the start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from client.engine.events import EngineEvent
from client.engine.ladder import DataArrow, DataState, LadderModel
from client.engine.ladder_ascii import render_ladder
from client.ui.inspector.channel_table import DataChannelTableModel, DataChannelTableView
from client.ui.inspector.connection_menu import ConnectionMenu
from client.ui.inspector.export import export_csv, export_png, export_svg, export_text
from client.ui.inspector.feed import ConsoleRows, LadderFeed, console_line_count
from client.ui.inspector.ladder_view import LadderView

if TYPE_CHECKING:
    from client.ui.bridge import EngineBridge
    from client.ui.console.widget import ConsoleWidget

__all__ = ["InspectorDock", "InspectorPanel", "ConsoleRows", "console_line_count"]


class InspectorPanel(QWidget):
    """Ladder view, data-channel table and toolbar in one widget (the dock's content;
    usable on its own, e.g. in a tab)."""

    #: the console row (seq) of the arrow or table row the user selected
    console_row_selected = Signal(int)
    #: the user asked for an export that failed: a message for the status bar
    export_failed = Signal(str)
    #: a data connection stopped making progress (a ``DataArrow`` in state WAITING):
    #: the remote pane can show ``HungListingBanner.show_for_arrow(arrow, now)``
    data_connection_hung = Signal(object)
    #: a data connection failed (a ``DataArrow`` in state FAILED)
    data_connection_failed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *,
                 model: LadderModel | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.model = model if model is not None else LadderModel()
        self.feed = LadderFeed(self.model, self)
        self.ladder = LadderView(self.model, self)
        self.table_model = DataChannelTableModel(self.model, self)
        self.table = DataChannelTableView(self.table_model, self)
        self.toolbar = QToolBar(self.tr("Inspector"), self)
        self.toolbar.setObjectName("inspectorToolbar")
        self._build_actions()
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("inspectorSplitter")
        splitter.addWidget(self.ladder)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 130])  # the diagram first; the table needs a few rows
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter)

        self.ladder.console_row_selected.connect(self.console_row_selected)
        self.ladder.follow_live_changed.connect(self.follow_action.setChecked)
        self.ladder.item_selected.connect(self._arrow_selected)
        self.table.channel_selected.connect(self._channel_selected)
        # while the diagram follows the live end, the table shows its newest row too
        self.table_model.rowsInserted.connect(self._follow_table)
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(500)
        self._live_timer.timeout.connect(self._refresh_live)
        self._live_timer.start()
        self._announced: dict[int, DataState] = {}
        self.destroyed.connect(self.model.add_listener(self._watch_states))
        self.feed.connections_changed.connect(self._connections_changed)
        self.last_export: Path | None = None

    # -- actions -------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], None], *, shortcut: str | None = None,
                checkable: bool = False, checked: bool = False) -> QAction:
        action = QAction(self.tr(text), self)
        action.setCheckable(checkable)
        if checkable:
            action.setChecked(checked)
            action.toggled.connect(slot)
        else:
            action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.zoom_fit_action = self._action("Zoom to fit", self.ladder.zoom_to_fit)
        self.zoom_in_action = self._action("Zoom in", self.ladder.zoom_in, shortcut="Ctrl++")
        self.zoom_out_action = self._action("Zoom out", self.ladder.zoom_out, shortcut="Ctrl+-")
        self.zoom_reset_action = self._action("100 %", self.ladder.reset_zoom, shortcut="Ctrl+0")
        self.follow_action = self._action("Follow live", self._set_follow, checkable=True,
                                          checked=True)
        for action in (self.zoom_fit_action, self.zoom_in_action, self.zoom_out_action,
                       self.zoom_reset_action, self.follow_action):
            self.toolbar.addAction(action)
        menu = QMenu(self.tr("Export"), self)
        self.export_png_action = menu.addAction(self.tr("Diagram as PNG…"))
        self.export_png_action.triggered.connect(
            lambda: self._ask_path("PNG image (*.png)", ".png", self.export_png))
        self.export_svg_action = menu.addAction(self.tr("Diagram as SVG…"))
        self.export_svg_action.triggered.connect(
            lambda: self._ask_path("SVG image (*.svg)", ".svg", self.export_svg))
        self.export_text_action = menu.addAction(self.tr("Diagram as text (ASCII)…"))
        self.export_text_action.triggered.connect(
            lambda: self._ask_path("Text (*.txt)", ".txt", self.export_text))
        self.export_csv_action = menu.addAction(self.tr("Data connections as CSV…"))
        self.export_csv_action.triggered.connect(
            lambda: self._ask_path("CSV (*.csv)", ".csv", self.export_csv))
        self.connection_menu = ConnectionMenu(self)
        self.connection_menu.chosen.connect(self.feed.show_connection)
        menu.menuAction().setText(self.tr("Export"))
        menu.menuAction().setToolTip(self.tr("Export the diagram or the table"))
        # plain menu actions, not embedded widgets: the toolbar's » overflow lists them
        # when the dock is too narrow to show them all
        for action, name in ((self.connection_menu.menuAction(),
                              self.tr("Control connection to show")),
                             (menu.menuAction(), self.tr("Export the diagram or the table"))):
            self.toolbar.addAction(action)
            button = self.toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
                button.setAccessibleName(name)
        menu.addSeparator()
        self.copy_text_action = menu.addAction(self.tr("Copy diagram as text"))
        self.copy_text_action.triggered.connect(self.copy_text)
        self.export_menu = menu

    def _follow_table(self, *_args: object) -> None:
        if self.ladder.follow_live:
            self.table.scrollToBottom()

    def _set_follow(self, on: bool) -> None:
        self.ladder.set_follow_live(on)

    def _ask_path(self, name_filter: str, suffix: str, write: Callable[[Path], None]) -> None:
        """A non-modal save dialog (never exec() under qasync); writes when accepted."""
        dialog = QFileDialog(self, self.tr("Export"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr(name_filter))
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.selectFile(f"ftp-inspector-ladder{suffix}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self._write(write, Path(name)))
        dialog.open()

    def _write(self, write: Callable[[Path], None], path: Path) -> None:
        try:
            write(path)
        except OSError as error:
            self.export_failed.emit(self.tr("Export to {} failed: {}").format(path, error))

    def export_png(self, path: Path) -> None:
        self.flush()
        export_png(self.model, path, now=self.ladder.now())
        self.last_export = path

    def export_svg(self, path: Path) -> None:
        self.flush()
        export_svg(self.model, path, now=self.ladder.now())
        self.last_export = path

    def export_text(self, path: Path) -> None:
        self.flush()
        export_text(self.model, path, now=self.ladder.now())
        self.last_export = path

    def export_csv(self, path: Path) -> None:
        self.flush()
        export_csv(self.model, path, now=self.ladder.now())
        self.last_export = path

    def copy_text(self) -> str:
        """Put the ASCII ladder on the clipboard (for a ticket or a mail); returns it."""
        self.flush()
        text = render_ladder(self.model, width=100, now=self.ladder.now())
        QGuiApplication.clipboard().setText(text)
        return text

    # -- feeding -------------------------------------------------------------------------

    def attach(self, bridge: EngineBridge) -> None:
        """Feed the model from an ``EngineBridge``'s ``events`` signal (batches)."""
        bridge.events.connect(self.feed_events)

    def feed_events(self, events: Iterable[EngineEvent]) -> None:
        """Take a batch of events (in time-bounded slices, see ``LadderFeed``)."""
        self.feed.feed_events(events)

    @property
    def rows(self) -> ConsoleRows:
        return self.feed.rows

    @property
    def backlog(self) -> int:
        """Events received but not yet in the model."""
        return self.feed.backlog

    def flush(self) -> None:
        """Take every queued event now (tests, exports, lookups)."""
        self.feed.flush()

    def set_clock(self, clock: Callable[[], float] | None) -> None:
        self.ladder.set_clock(clock)

    def new_session(self) -> None:
        """Start a fresh diagram (console numbering continues, as the console's does),
        following its live end: where the person had scrolled in the old diagram means
        nothing in the new one."""
        self.feed.reset()
        self.ladder.set_follow_live(True)

    def _watch_states(self, kind: str, index: int) -> None:
        """Announce each data connection once when it turns WAITING and once when it
        FAILS."""
        if not isValid(self):
            return
        if kind == "cleared":
            self._announced.clear()
            return
        item = self.model.items[index]
        if not isinstance(item, DataArrow):
            return
        if item.state not in (DataState.WAITING, DataState.FAILED):
            self._announced.pop(index, None)  # moving again: a later hang is news
            return
        if self._announced.get(index) is item.state:
            return
        self._announced[index] = item.state
        if item.state is DataState.WAITING:
            self.data_connection_hung.emit(item)
        else:
            self.data_connection_failed.emit(item)

    def _connections_changed(self, connections: list[str]) -> None:
        self.connection_menu.set_connections(connections)

    def _refresh_live(self) -> None:
        if self.model.has_open_channels:
            now = self.ladder.now()
            self.model.refresh(now)
            self.table_model.refresh_live(now)

    # -- cross-selection -----------------------------------------------------------------

    def connect_console(self, console: ConsoleWidget) -> None:
        """Cross-select with a ``ConsoleWidget`` (``line_selected`` / ``select_line``)."""
        console.line_selected.connect(self.highlight_console_row)
        self.console_row_selected.connect(console.select_line)

    def highlight_console_row(self, seq: int) -> bool:
        self.flush()
        found = self.ladder.highlight_console_row(self.rows.event_row(seq))
        if found and self.ladder.selected is not None:
            item = self.model.items[self.ladder.selected]
            channel = getattr(item, "channel", None)
            if channel is not None:
                self.table.select_channel(channel)
        return found

    def _arrow_selected(self, index: int) -> None:
        channel = getattr(self.model.items[index], "channel", None)
        if channel is not None:
            self.table.select_channel(channel)

    def _channel_selected(self, channel: int) -> None:
        if self.ladder.select_channel(channel):
            index = self.model.index_of_channel(channel)
            if index is not None:
                self.console_row_selected.emit(self.model.event_for_item(index))


class InspectorDock(QDockWidget):
    """The panel in a dock widget, ready for ``QMainWindow.addDockWidget``. It can hold
    several panels (one per connection tab) and shows one: :attr:`panel`."""

    #: a data connection of any panel stopped making progress (a ``DataArrow``)
    data_connection_hung = Signal(object)

    def __init__(self, parent: QWidget | None = None, *,
                 model: LadderModel | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Inspector: connections diagram"))
        self.setObjectName("inspectorDock")
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("inspectorStack")
        self.setWidget(self.stack)
        self.add_panel(InspectorPanel(self.stack, model=model))

    @property
    def panel(self) -> InspectorPanel:
        """The panel shown."""
        panel = self.stack.currentWidget()
        assert isinstance(panel, InspectorPanel)
        return panel

    def add_panel(self, panel: InspectorPanel) -> InspectorPanel:
        self.stack.addWidget(panel)
        panel.data_connection_hung.connect(self.data_connection_hung)
        return panel

    def show_panel(self, panel: InspectorPanel) -> None:
        self.stack.setCurrentWidget(panel)

    def remove_panel(self, panel: InspectorPanel) -> None:
        self.stack.removeWidget(panel)
        panel.deleteLater()

    @property
    def model(self) -> LadderModel:
        return self.panel.model

    @property
    def ladder(self) -> LadderView:
        return self.panel.ladder

    def attach(self, bridge: QObject) -> None:
        self.panel.attach(bridge)

    def connect_console(self, console: QObject) -> None:
        self.panel.connect_console(console)

    def set_clock(self, clock: Callable[[], float] | None) -> None:
        self.panel.set_clock(clock)

    def new_session(self) -> None:
        self.panel.new_session()

    def feed_events(self, events: Iterable[EngineEvent]) -> None:
        self.panel.feed_events(events)
