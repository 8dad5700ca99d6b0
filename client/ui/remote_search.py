"""Server → Search remote files (F3): find names in a remote folder tree by pattern,
size and date, down to a chosen depth, on a session of its own (browsing goes on).

Results arrive while the search runs; Cancel stops it at once. A folder that cannot be
listed is named in a list below the results, not an error that ends the search.
Double-click (or Show in pane) opens the result's folder in the remote pane with the
file selected; Download queues the selected results."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from client.engine.search import (
    DEFAULT_DEPTH,
    FolderEntered,
    FolderFailed,
    SearchCriteria,
    SearchMatch,
    parse_size,
    search_remote,
)
from client.protocol.text import escape_control
from client.ui.connection import RemoteConnection
from client.ui.search_results import SORT_ROLE, ResultColumn, SearchResultsModel

__all__ = ["RemoteSearchDialog"]

Spawn = Callable[[Coroutine[Any, Any, Any]], object]


def _day(text: str, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"the {what} date must look like 2024-03-31, not "
                         f"{escape_control(text)!r}") from None


class RemoteSearchDialog(QDialog):
    """Non-modal. ``open_in_pane(folder, name)`` and ``download(folder, entries)`` are
    coroutines of the window's (browse there and select; queue the downloads)."""

    def __init__(self, connection: RemoteConnection, *,
                 open_in_pane: Callable[[str, str], Coroutine[Any, Any, Any]],
                 download: Callable[[str, list[Any]], Coroutine[Any, Any, Any]],
                 spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Search remote files"))
        self.setObjectName("remoteSearch")
        self.connection = connection
        self._open_in_pane = open_in_pane
        self._download = download
        self._spawn = spawn
        self.task: asyncio.Task[None] | None = None
        self.model = SearchResultsModel(self)
        #: a header click sorts; until then rows stay in the order they were found
        self.sorted = QSortFilterProxyModel(self)
        self.sorted.setSourceModel(self.model)
        self.sorted.setSortRole(SORT_ROLE)
        self.failures = QStringListModel(self)
        self._build()
        self.resize(760, 520)

    # -- layout ----------------------------------------------------------------------------
    def _line(self, label: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(label)
        edit.setPlaceholderText(placeholder)
        return edit

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        """A row's label whose Alt+letter goes to ``buddy`` (a row of several widgets
        gets no buddy from QFormLayout)."""
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _build(self) -> None:
        self.folder = self._line(self.tr("Search in"), "/")
        self.pattern = self._line(self.tr("Name"), self.tr("e.g. *.log, report-202?-*"))
        self.pattern.setText("*")
        self.case_sensitive = QCheckBox(self.tr("Case-sensitive"), self)
        self.min_size = self._line(self.tr("Size from"), self.tr("e.g. 10K"))
        self.max_size = self._line(self.tr("Size to"), self.tr("e.g. 2.5M"))
        self.date_from = self._line(self.tr("Modified from"), "YYYY-MM-DD")
        self.date_to = self._line(self.tr("Modified to"), "YYYY-MM-DD")
        self.depth = QSpinBox(self)
        self.depth.setRange(0, 64)
        self.depth.setValue(DEFAULT_DEPTH)
        self.depth.setAccessibleName(self.tr("Depth"))
        self.depth.setToolTip(self.tr("How many folder levels below the start (0: that "
                                      "folder only)"))
        self.folders = QCheckBox(self.tr("Folders too"), self)
        self.folders.setChecked(True)

        form = QFormLayout()
        form.addRow(self.tr("Search &in:"), self.folder)
        name_row = QHBoxLayout()
        name_row.addWidget(self.pattern, 1)
        name_row.addWidget(self.case_sensitive)
        form.addRow(self._label(self.tr("&Name:"), self.pattern), name_row)
        for label, low, high in ((self.tr("Si&ze:"), self.min_size, self.max_size),
                                 (self.tr("&Modified:"), self.date_from, self.date_to)):
            row = QHBoxLayout()
            row.addWidget(low, 1)
            row.addWidget(QLabel(self.tr("to"), self))
            row.addWidget(high, 1)
            form.addRow(self._label(label, low), row)
        depth_row = QHBoxLayout()
        depth_row.addWidget(self.depth)
        depth_row.addWidget(self.folders)
        depth_row.addStretch(1)
        form.addRow(self._label(self.tr("De&pth:"), self.depth), depth_row)

        self.search_button = QPushButton(self.tr("&Search"), self)
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("&Cancel"), self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(self.search_button)
        controls.addWidget(self.cancel_button)
        controls.addWidget(self.status, 1)

        self.results = QTableView(self)
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setModel(self.sorted)
        self.results.setSortingEnabled(True)
        self.results.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results.setShowGrid(False)
        self.results.verticalHeader().hide()
        self.results.verticalHeader().setDefaultSectionSize(22)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results.horizontalHeader().resizeSection(ResultColumn.NAME, 220)
        self.results.horizontalHeader().resizeSection(ResultColumn.FOLDER, 260)
        self.results.doubleClicked.connect(self._activated)
        self.results.selectionModel().selectionChanged.connect(self._update_buttons)

        self.failed_label = QLabel(self)
        self.failed_view = QListView(self)
        self.failed_view.setAccessibleName(self.tr("Folders that could not be listed"))
        self.failed_view.setModel(self.failures)
        self.failed_view.setMaximumHeight(70)
        self.failed_label.hide()
        self.failed_view.hide()

        self.show_button = QPushButton(self.tr("Show in &pane"), self)
        self.show_button.clicked.connect(self.show_current)
        self.download_button = QPushButton(self.tr("&Download selected"), self)
        self.download_button.clicked.connect(self.download_selected)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.show_button)
        bottom.addWidget(self.download_button)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(controls)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.failed_label)
        layout.addWidget(self.failed_view)
        layout.addLayout(bottom)
        self._update_buttons()

    # -- searching -------------------------------------------------------------------------
    def criteria(self) -> SearchCriteria:
        """The form as criteria; raises ValueError with a message for the status line."""
        return SearchCriteria(
            pattern=self.pattern.text().strip() or "*",
            case_sensitive=self.case_sensitive.isChecked(),
            min_size=parse_size(self.min_size.text()),
            max_size=parse_size(self.max_size.text()),
            modified_from=_day(self.date_from.text(), "first"),
            modified_to=_day(self.date_to.text(), "last"),
            max_depth=self.depth.value(),
            folders=self.folders.isChecked())

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self) -> None:
        if self.running:
            return
        try:
            criteria = self.criteria()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        root = self.folder.text().strip() or "/"
        self.model.clear()
        self.failures.setStringList([])
        self.failed_label.hide()
        self.failed_view.hide()
        self.search_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Connecting…"))
        self.task = asyncio.ensure_future(self._run(root, criteria))
        self.task.add_done_callback(self._done)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def _run(self, root: str, criteria: SearchCriteria) -> None:
        folders = 0
        outcome = ""
        try:
            session = self.connection.new_session()  # its own: browsing goes on
            try:
                await session.connect()
                async for item in search_remote(session, root, criteria):
                    if isinstance(item, SearchMatch):
                        self.model.add([item])
                    elif isinstance(item, FolderEntered):
                        folders += 1
                        self.status.setText(self.tr("Searching {} … {} found").format(
                            escape_control(item.folder), self.model.rowCount()))
                    elif isinstance(item, FolderFailed):
                        self._failed(item)
            finally:
                with contextlib.suppress(Exception):
                    await session.close()
            outcome = self.tr("Done: {} found in {} folder(s)").format(
                self.model.rowCount(), folders)
        except asyncio.CancelledError:
            outcome = self.tr("Cancelled: {} found in {} folder(s)").format(
                self.model.rowCount(), folders)
        except Exception as exc:  # noqa: BLE001 - said in the dialog, not a crash
            message = getattr(exc, "message", None) or str(exc)
            outcome = self.tr("The search stopped: {}").format(escape_control(message))
        self._finish(outcome)

    def _finish(self, outcome: str) -> None:
        self.search_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        failed = self.failures.rowCount()
        if failed:
            outcome += self.tr("; {} folder(s) could not be listed").format(failed)
        self.status.setText(outcome)
        self._update_buttons()

    def _done(self, task: asyncio.Task[None]) -> None:
        """A task cancelled before it ran never reached its own ending."""
        if task.cancelled() and not self.search_button.isEnabled():
            self._finish(self.tr("Cancelled: {} found").format(self.model.rowCount()))

    def _failed(self, item: FolderFailed) -> None:
        row = self.failures.rowCount()
        self.failures.insertRows(row, 1)
        self.failures.setData(self.failures.index(row),
                              f"{escape_control(item.folder)}: {escape_control(item.message)}")
        self.failed_label.setText(self.tr("Folders that could not be listed:"))
        self.failed_label.show()
        self.failed_view.show()

    # -- using the results -----------------------------------------------------------------
    def selected_matches(self) -> list[SearchMatch]:
        rows = sorted({self.sorted.mapToSource(index).row()
                       for index in self.results.selectionModel().selectedRows()})
        return [self.model.found(row) for row in rows]

    def _update_buttons(self, *_args: object) -> None:
        chosen = bool(self.results.selectionModel().selectedRows())
        self.show_button.setEnabled(chosen)
        self.download_button.setEnabled(chosen)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            found = self.model.found(self.sorted.mapToSource(index).row())
            self._spawn(self._open_in_pane(found.folder, found.entry.name))

    def show_current(self) -> None:
        chosen = self.selected_matches()
        if chosen:
            self._spawn(self._open_in_pane(chosen[0].folder, chosen[0].entry.name))

    def download_selected(self) -> None:
        by_folder: dict[str, list[Any]] = {}
        for found in self.selected_matches():
            by_folder.setdefault(found.folder, []).append(found.entry)
        for folder, entries in by_folder.items():
            self._spawn(self._download(folder, entries))

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.cancel()
        super().closeEvent(event)

