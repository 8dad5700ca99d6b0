"""The remote pane: path bar with history, back/forward/up/refresh, filter box, inline
error banner, the lazy folder tree and the file list.

It only emits what the user asked for (open this folder, download these, upload those,
rename, delete, …); the window performs it through the engine.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QUrl,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.protocol.listing import ListingEntry
from client.ui.banner import InlineBanner
from client.ui.charset_bar import CharsetBar
from client.ui.history import NavigationHistory
from client.ui.icons import icon
from client.ui.list_first_splitter import ListFirstSplitter
from client.ui.path_bar import typed_path_wins
from client.ui.remote.file_view import LOCAL_MIME, RemoteFileView
from client.ui.remote.listing_model import (
    ENTRY_ROLE,
    RemoteListModel,
    entry_is_dir,
    entry_is_unknown_link,
)
from client.ui.remote.tree_model import PATH_ROLE, RemoteTreeModel
from client.ui.remote.tree_view import RemoteTreeView

__all__ = ["RemotePane", "RemoteFileView", "LOCAL_MIME"]

class RemotePane(QWidget):
    navigate_requested = Signal(str)  # a remote folder to show
    refresh_requested = Signal()
    download_requested = Signal(list)  # list[ListingEntry] of the current folder
    upload_requested = Signal(list, str)  # list[Path], remote folder
    open_requested = Signal(object)  # a file entry to open with the default application
    #: a link of unknown kind was opened: (the link, the entries to download if it is a
    #: file); the window tries to change into it and downloads when the server refuses
    link_open_requested = Signal(object, list)
    mkdir_requested = Signal()
    rename_requested = Signal(object)
    #: remote paths to move into a folder (dragged onto it in the list)
    move_requested = Signal(list, str)
    delete_requested = Signal(list)
    chmod_requested = Signal(list)
    copy_url_requested = Signal(list)
    tree_fetch_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remotePane")
        self.history = NavigationHistory()
        self.model = RemoteListModel(self)
        self.tree_model = RemoteTreeModel(self)
        self.tree_model.fetch_requested.connect(self.tree_fetch_requested)

        self.back_button = self._button("back", self.tr("Back"), self.go_back)
        self.forward_button = self._button("forward", self.tr("Forward"), self.go_forward)
        self.up_button = self._button("up", self.tr("Up one folder"), self.go_up)
        self.refresh_button = self._button("refresh", self.tr("Refresh (F5)"),
                                           self.refresh_requested.emit)
        self.path_bar = QComboBox(self)
        self.path_bar.setEditable(True)
        self.path_bar.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.path_bar.setAccessibleName(self.tr("Remote path"))
        # a deep folder must not widen the pane's minimum (the other pane paid for it)
        self.path_bar.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.path_bar.setMinimumContentsLength(10)
        typed_path_wins(self.path_bar)  # Enter opens what was typed
        self.path_bar.lineEdit().returnPressed.connect(
            lambda: self.navigate_requested.emit(self.path_bar.currentText().strip() or "/"))
        self.path_bar.activated.connect(
            lambda i: self.navigate_requested.emit(self.path_bar.itemText(i)))
        self.filter_box = QLineEdit(self)
        self.filter_box.setPlaceholderText(self.tr("Filter (Ctrl+F)"))
        self.filter_box.setAccessibleName(self.tr("Filter remote files"))
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.model.set_filter)
        self.filter_box.setMaximumWidth(180)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.back_button, self.forward_button, self.up_button, self.refresh_button):
            bar.addWidget(widget)
        bar.addWidget(self.path_bar, 1)
        bar.addWidget(self.filter_box)

        self.banner = InlineBanner(self)
        self.charset_bar = CharsetBar(self)

        self.tree = RemoteTreeView(self)
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName(self.tr("Remote folders"))
        self.tree.clicked.connect(self._tree_clicked)
        self.tree.activated.connect(self._tree_clicked)

        self.view = RemoteFileView(self)
        self.view.setObjectName("remoteFiles")
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Remote files"))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().resizeSection(0, 220)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.view.doubleClicked.connect(self._activated)
        self.view.files_dropped.connect(self._dropped)
        self.view.entries_moved.connect(self.move_requested)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self._add_key_actions()

        self.splitter = ListFirstSplitter(self.tree, self.view, self)
        self.splitter.setObjectName("remoteSplitter")
        # the tree and the list may get short (a few rows, they scroll) so that a banner
        # above them has room for its text and buttons on a 768-pixel screen
        line = self.view.fontMetrics().height()
        self.tree.setMinimumHeight(line * 2)
        self.view.setMinimumHeight(line * 3)  # its header and two rows
        # the file list is what a person works in: a third for the folder tree, two
        # thirds for the list (scaled to the real height; a saved split wins)
        self.splitter.setSizes([100, 200])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.charset_bar)
        layout.addWidget(self.splitter, 1)
        self.set_connected(False)

    def _button(self, icon_name: str, text: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(icon_name))
        button.setToolTip(text)
        button.setAccessibleName(text)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def _add_key_actions(self) -> None:
        def add(shortcut: QKeySequence | str, slot: object) -> None:
            action = QAction(self.view)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.view.addAction(action)

        add("Return", lambda: self._activated(self.view.currentIndex()))
        add("Enter", lambda: self._activated(self.view.currentIndex()))
        add("F2", self._rename_current)
        add("Del", lambda: self._emit_selected(self.delete_requested))
        add("Backspace", self.go_up)
        add("Alt+Left", self.go_back)
        add("Alt+Right", self.go_forward)

    # -- state --------------------------------------------------------------------------
    @property
    def current_path(self) -> str:
        return self.model.path

    def set_connected(self, connected: bool) -> None:
        self.charset_bar.reset()  # a new session: offers dismissed for the last one again
        # connected, an empty tree only waits for its first listing (which may hang)
        self.tree.placeholder = (self.tr("No folder listed yet") if connected
                                 else self.tr("Not connected"))
        self.tree.viewport().update()
        for widget in (self.back_button, self.forward_button, self.up_button,
                       self.refresh_button, self.path_bar, self.view, self.tree):
            widget.setEnabled(connected)
        if not connected:
            self.model.clear()
            self.tree_model.reset()
            self.path_bar.clear()
            self.history = NavigationHistory()
        else:
            self._update_buttons()

    def show_listing(self, path: str, entries: list[ListingEntry]) -> None:
        """A listing of ``path`` arrived: show it and remember the visit."""
        self.banner.hide()
        self.model.set_listing(path, entries)
        self.history.visit(path)
        self.path_bar.blockSignals(True)
        self.path_bar.clear()
        self.path_bar.addItems(self.history.recent())
        self.path_bar.setCurrentText(path)
        self.path_bar.blockSignals(False)
        self.tree_model.set_children(path, (e.name for e in entries if entry_is_dir(e)))
        tree_index = self.tree_model.ensure_path(path)
        self.tree.expand(tree_index)
        self.tree.setCurrentIndex(tree_index)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.back_button.setEnabled(self.history.can_go_back())
        self.forward_button.setEnabled(self.history.can_go_forward())
        self.up_button.setEnabled(self.current_path not in ("", "/"))

    # -- selection ----------------------------------------------------------------------
    def selected_entries(self) -> list[ListingEntry]:
        """The selected entries in the order shown. Computed from the selection's ranges
        (``selectedRows()`` asks ``flags()`` for every cell: 4 s for 100,000 rows), so
        it stays cheap before every action and context menu."""
        entries: list[object] = []
        for top, bottom in self.view.selected_row_spans():
            entries.extend(self.model.entries_in_rows(top, bottom))
        return entries

    def select_names(self, names: list[str]) -> None:
        """Select the entries named; the first becomes the current row (arrow keys go on
        from it, not from the top of the new listing)."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        first = None
        for name in names:
            row = self.model.row_of_name(name)
            if row is not None:
                first = first if first is not None else self.model.index(row, 0)
                selection.select(self.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                                 | QItemSelectionModel.SelectionFlag.Rows)
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollTo(first)

    def _emit_selected(self, signal: SignalInstance) -> None:
        entries = self.selected_entries()
        if entries:
            signal.emit(entries)

    # -- gestures -----------------------------------------------------------------------
    def go_back(self) -> None:
        place = self.history.back()
        if place is not None:
            self.navigate_requested.emit(place)

    def go_forward(self) -> None:
        place = self.history.forward()
        if place is not None:
            self.navigate_requested.emit(place)

    def go_up(self) -> None:
        path = self.current_path.rstrip("/")
        if path:
            self.navigate_requested.emit(path.rsplit("/", 1)[0] or "/")

    def _tree_clicked(self, index: QModelIndex) -> None:
        path = self.tree_model.data(index, PATH_ROLE)
        if path and path != self.current_path:
            self.navigate_requested.emit(path)

    def _activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        entry = self.model.data(self.model.index(index.row(), 0), ENTRY_ROLE)
        if entry_is_dir(entry):
            self.navigate_requested.emit(self.model.full_path(entry))
        elif entry_is_unknown_link(entry):
            self.link_open_requested.emit(entry, self.selected_entries() or [entry])
        else:
            self._emit_selected(self.download_requested)

    def _rename_current(self) -> None:
        entries = self.selected_entries()
        if len(entries) == 1:
            self.rename_requested.emit(entries[0])

    def _dropped(self, paths: list[Path], target: str) -> None:
        self.upload_requested.emit(paths, target or self.current_path)

    def _context_menu(self, pos: object) -> None:
        if not self.view.indexAt(pos).isValid():  # type: ignore[arg-type]
            # empty space: the folder's own menu, as file managers do, whatever was
            # selected before (a right click there keeps the selection)
            self.view.clearSelection()
        entries = self.selected_entries()
        menu = QMenu(self)
        if entries:
            menu.addAction(icon("download"), self.tr("Download"),
                           lambda: self.download_requested.emit(entries))
            files = [e for e in entries if not entry_is_dir(e)]
            if len(files) == 1 and len(entries) == 1:
                menu.addAction(self.tr("Open with default application"),
                               lambda: self.open_requested.emit(files[0]))
            menu.addSeparator()
        menu.addAction(icon("new-folder"), self.tr("Create folder…"), self.mkdir_requested.emit)
        if len(entries) == 1:
            menu.addAction(self.tr("Rename… (F2)"), lambda: self.rename_requested.emit(entries[0]))
        if entries:
            menu.addAction(self.tr("Delete (Del)"), lambda: self.delete_requested.emit(entries))
            menu.addAction(self.tr("Permissions…"), lambda: self.chmod_requested.emit(entries))
            menu.addAction(self.tr("Copy URL"), lambda: self.copy_url_requested.emit(entries))
        menu.addSeparator()
        menu.addAction(icon("refresh"), self.tr("Refresh"), self.refresh_requested.emit)
        menu.popup(self.view.viewport().mapToGlobal(pos))  # type: ignore[arg-type]


def remote_url(host: str, port: int, path: str, scheme: str = "ftp") -> str:
    """``ftp://host:port/path`` with the path percent-encoded (never a password). A byte
    the charset could not decode is written as itself (``%98``), which the URL parser
    reads back as that byte."""
    url = QUrl()
    url.setScheme(scheme)
    url.setHost(host)
    if port != 21:
        url.setPort(port)
    url.setPath(quote(path.encode("utf-8", "surrogateescape"), safe="/"),
                QUrl.ParsingMode.TolerantMode)
    return url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
