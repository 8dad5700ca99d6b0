"""The local pane: QFileSystemModel folder tree and file list with the remote pane's
gestures (path bar with history, back/forward/up, filter, Enter/double-click to
upload, drag to the remote pane, drop remote files here to download). F5 is the
window's Refresh, which refreshes this pane too: a second F5 here would make the key
ambiguous, and Qt would then run neither."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import (
    QDir,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileSystemModel,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from client.ui.banner import InlineBanner
from client.ui.history import NavigationHistory
from client.ui.icons import icon
from client.ui.list_first_splitter import ListFirstSplitter
from client.ui.local_icons import EntryIconProvider
from client.ui.local_proxy import LocalFileProxy
from client.ui.path_bar import typed_path_wins
from client.ui.remote.listing_model import REMOTE_MIME

__all__ = ["LocalPane"]

_FILES = QDir.Filter.AllEntries | QDir.Filter.NoDotAndDotDot
_FOLDERS = QDir.Filter.AllDirs | QDir.Filter.NoDotAndDotDot | QDir.Filter.Drives


class LocalFileView(QTreeView):
    """Accepts remote paths dragged from the remote pane (a download), and its own rows
    dropped on one of its folders (a move)."""

    remote_dropped = Signal(list, str)  # remote paths, local target folder ("" = current)
    local_moved = Signal(list, str)  # local paths of the list, the folder they go into

    def _move_target(self, event: QDropEvent | QDragMoveEvent) -> tuple[list[Path], str] | None:
        """Files of the folder shown dragged onto one of its sub-folders (not onto one of
        themselves): the paths and that folder; else None."""
        mime = event.mimeData()
        model = self.model()
        if not mime.hasUrls() or model is None:
            return None
        index = self.indexAt(event.position().toPoint())
        if not index.isValid():
            return None
        folder = Path(str(model.data(index.siblingAtColumn(0),
                                     QFileSystemModel.Roles.FilePathRole)))
        paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if (not paths or not folder.is_dir() or folder in paths
                or any(p.parent != folder.parent for p in paths)):
            return None
        return paths, str(folder)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(REMOTE_MIME) or event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(REMOTE_MIME) or self._move_target(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        moved = None if mime.hasFormat(REMOTE_MIME) else self._move_target(event)
        if moved is not None:
            event.acceptProposedAction()
            self.local_moved.emit(*moved)
            return
        if not mime.hasFormat(REMOTE_MIME):
            event.ignore()
            return
        paths = [p for p in bytes(mime.data(REMOTE_MIME)).decode(
            "utf-8", "surrogateescape").splitlines() if p]
        index = self.indexAt(event.position().toPoint())
        target = ""
        model = self.model()
        if index.isValid() and model is not None:
            candidate = Path(str(model.data(index, QFileSystemModel.Roles.FilePathRole)))
            if candidate.is_dir():
                target = str(candidate)
        event.acceptProposedAction()
        self.remote_dropped.emit(paths, target)


class LocalPane(QWidget):
    upload_requested = Signal(list)  # list[Path]
    mkdir_requested = Signal()
    rename_requested = Signal(object)  # Path
    delete_requested = Signal(list)  # list[Path]
    chmod_requested = Signal(list)  # list[Path] (POSIX: their permission bits)
    download_dropped = Signal(list, object)  # remote paths, local folder Path
    move_requested = Signal(list, object)  # list[Path] into a folder Path (a drag)
    folder_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, start: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("localPane")
        self.history = NavigationHistory()
        self.icons = EntryIconProvider()
        self.dirs = QFileSystemModel(self)
        self.dirs.setIconProvider(self.icons)
        self.dirs.setFilter(_FOLDERS)
        self.dirs.setRootPath("")
        self.files = QFileSystemModel(self)
        self.files.setIconProvider(self.icons)
        self.files.setFilter(_FILES)
        self.files.setReadOnly(True)
        self.proxy = LocalFileProxy(self)
        self.proxy.setSourceModel(self.files)

        self.back_button = self._button("back", self.tr("Back"), self.go_back)
        self.forward_button = self._button("forward", self.tr("Forward"), self.go_forward)
        self.up_button = self._button("up", self.tr("Up one folder"), self.go_up)
        self.refresh_button = self._button("refresh", self.tr("Refresh (F5)"), self.refresh)
        self.path_bar = QComboBox(self)
        self.path_bar.setEditable(True)
        self.path_bar.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.path_bar.setAccessibleName(self.tr("Local path"))
        # a deep folder must not widen the pane's minimum (it squeezed the remote pane)
        self.path_bar.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.path_bar.setMinimumContentsLength(10)
        typed_path_wins(self.path_bar)  # Enter opens what was typed
        self.path_bar.lineEdit().returnPressed.connect(
            lambda: self.set_folder(Path(self.path_bar.currentText()).expanduser()))
        self.path_bar.activated.connect(lambda i: self.set_folder(Path(self.path_bar.itemText(i))))
        self.filter_box = QLineEdit(self)
        self.filter_box.setPlaceholderText(self.tr("Filter (Ctrl+F)"))
        self.filter_box.setAccessibleName(self.tr("Filter local files"))
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setMaximumWidth(180)
        self.filter_box.textChanged.connect(self._filter)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.back_button, self.forward_button, self.up_button, self.refresh_button):
            bar.addWidget(widget)
        bar.addWidget(self.path_bar, 1)
        bar.addWidget(self.filter_box)

        self.banner = InlineBanner(self)

        self.tree = QTreeView(self)
        self.tree.setModel(self.dirs)
        self.tree.setHeaderHidden(True)
        for column in range(1, self.dirs.columnCount()):
            self.tree.hideColumn(column)
        self.tree.setAccessibleName(self.tr("Local folders"))
        self.tree.clicked.connect(lambda i: self.set_folder(Path(self.dirs.filePath(i))))
        # the tree loads lazily: show the current folder once its parent is read
        self.dirs.directoryLoaded.connect(self._reveal_current)

        self.view = LocalFileView(self)
        self.view.setObjectName("localFiles")
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setUniformRowHeights(True)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setAccessibleName(self.tr("Local files"))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.view.header().resizeSection(0, 220)
        self.view.doubleClicked.connect(self._activated)
        self.view.remote_dropped.connect(self._remote_dropped)
        self.view.local_moved.connect(lambda paths, folder: self.move_requested.emit(
            paths, Path(folder)))
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        for key, slot in (("Return", lambda: self._activated(self.view.currentIndex())),
                          ("Enter", lambda: self._activated(self.view.currentIndex())),
                          ("Backspace", self.go_up), ("Alt+Left", self.go_back),
                          ("Alt+Right", self.go_forward),
                          ("F2", self._rename_current),
                          ("Del", lambda: self._emit_paths(self.delete_requested))):
            action = QAction(self.view)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.view.addAction(action)

        # dot files (.htaccess, .env) are hidden until asked for; the window remembers
        self.show_hidden_action = QAction(self.tr("Show &hidden files"), self)
        self.show_hidden_action.setCheckable(True)
        self.show_hidden_action.setShortcut(QKeySequence("Ctrl+H"))
        self.show_hidden_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.show_hidden_action.toggled.connect(self.set_show_hidden)
        self.view.addAction(self.show_hidden_action)  # Ctrl+H in the list

        self.splitter = ListFirstSplitter(self.tree, self.view, self)
        self.splitter.setObjectName("localSplitter")
        # the file list is what a person works in: a third for the folder tree, two
        # thirds for the list (scaled to the real height; a saved split wins)
        self.splitter.setSizes([100, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.current: Path = Path()
        #: a file to select once the model lists it (renamed or made a moment ago)
        self.to_select: Path | None = None
        for signal in (self.proxy.rowsInserted, self.proxy.layoutChanged,
                       self.files.directoryLoaded):
            signal.connect(self._select_soon)
        self.set_folder(start or Path.home())

    def _button(self, icon_name: str, text: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(icon_name))
        button.setToolTip(text)
        button.setAccessibleName(text)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # -- navigation ---------------------------------------------------------------------
    def set_folder(self, folder: Path, *, record: bool = True) -> None:
        folder = folder.resolve()
        if not folder.is_dir():
            self.banner.show_message(self.tr("{} is not a folder you can open").format(folder))
            return
        self.banner.hide()
        self.current = folder
        root = self.files.setRootPath(str(folder))
        self.proxy.set_folder(self.files.filePath(root))
        self.view.setRootIndex(self.proxy.mapFromSource(root))
        self._reveal_current("")
        if record:
            self.history.visit(str(folder))
        self.path_bar.blockSignals(True)
        self.path_bar.clear()
        self.path_bar.addItems(self.history.recent())
        self.path_bar.setCurrentText(str(folder))
        self.path_bar.blockSignals(False)
        self.back_button.setEnabled(self.history.can_go_back())
        self.forward_button.setEnabled(self.history.can_go_forward())
        self.up_button.setEnabled(folder.parent != folder)
        self.folder_changed.emit(str(folder))

    def _reveal_current(self, _loaded: str) -> None:
        index = self.dirs.index(str(self.current))
        if not index.isValid():
            return
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        if self.tree.currentIndex() != index:
            self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)

    def go_back(self) -> None:
        place = self.history.back()
        if place:
            self.set_folder(Path(place), record=False)

    def go_forward(self) -> None:
        place = self.history.forward()
        if place:
            self.set_folder(Path(place), record=False)

    def go_up(self) -> None:
        if self.current.parent != self.current:
            self.set_folder(self.current.parent)

    def refresh(self) -> None:
        # QFileSystemModel watches the folder; re-rooting forces a re-read on demand
        self.files.setRootPath("")
        self.set_folder(self.current, record=False)

    def set_show_hidden(self, on: bool) -> None:
        """Show or hide dot files and folders in the list and the tree."""
        hidden = QDir.Filter.Hidden if on else QDir.Filter(0)
        self.files.setFilter(_FILES | hidden)
        self.dirs.setFilter(_FOLDERS | hidden)
        self.view.setRootIndex(self.proxy.mapFromSource(self.files.index(str(self.current))))
        if self.show_hidden_action.isChecked() != on:
            self.show_hidden_action.setChecked(on)

    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self.view.setRootIndex(self.proxy.mapFromSource(self.files.index(str(self.current))))

    # -- selection and gestures ---------------------------------------------------------
    def selected_paths(self) -> list[Path]:
        rows = self.view.selectionModel().selectedRows()
        return [Path(self.files.filePath(self.proxy.mapToSource(i))) for i in rows]

    def select_path(self, path: Path) -> None:
        """Select ``path`` and make it the list's current row (where arrow keys go on
        from), now or as soon as the file system model lists it."""
        self.to_select = path
        self._select_pending()

    def _select_soon(self, *_args: object) -> None:
        """Not inside the model's own signal: changing the selection while the view
        still applies that change to it is not safe."""
        if self.to_select is not None:
            QTimer.singleShot(0, self, self._select_pending)

    def _select_pending(self) -> None:
        path = self.to_select
        if path is None:
            return
        if path.parent != self.current:
            self.to_select = None  # the person went elsewhere meanwhile
            return
        index = self.proxy.mapFromSource(self.files.index(str(path)))
        if not index.isValid():
            return
        self.to_select = None
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)

    def _activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        path = Path(self.files.filePath(self.proxy.mapToSource(index)))
        if path.is_dir():
            self.set_folder(path)
        else:
            selected = self.selected_paths() or [path]
            self.upload_requested.emit(selected)

    def _rename_current(self) -> None:
        paths = self.selected_paths()
        if len(paths) == 1:
            self.rename_requested.emit(paths[0])

    def _emit_paths(self, signal: SignalInstance) -> None:
        paths = self.selected_paths()
        if paths:
            signal.emit(paths)

    def _remote_dropped(self, paths: list[str], target: str) -> None:
        self.download_dropped.emit(paths, Path(target) if target else self.current)

    def _context_menu(self, pos: object) -> None:
        if not self.view.indexAt(pos).isValid():  # type: ignore[arg-type]
            # empty space: the folder's own menu, as file managers do, whatever was
            # selected before (a right click there keeps the selection)
            self.view.clearSelection()
        paths = self.selected_paths()
        menu = QMenu(self)
        if paths:
            menu.addAction(icon("upload"), self.tr("Upload"), lambda: self.upload_requested.emit(paths))
            menu.addSeparator()
        menu.addAction(icon("new-folder"), self.tr("Create folder…"), self.mkdir_requested.emit)
        if len(paths) == 1:
            menu.addAction(self.tr("Rename… (F2)"), lambda: self.rename_requested.emit(paths[0]))
        if paths:
            menu.addAction(self.tr("Delete (Del)"), lambda: self.delete_requested.emit(paths))
            if os.name == "posix":  # Windows has no permission bits to set
                menu.addAction(self.tr("Permissions…"),
                               lambda: self.chmod_requested.emit(paths))
        menu.addSeparator()
        menu.addAction(self.show_hidden_action)
        menu.addAction(icon("refresh"), self.tr("Refresh"), self.refresh)
        menu.popup(self.view.viewport().mapToGlobal(pos))  # type: ignore[arg-type]
