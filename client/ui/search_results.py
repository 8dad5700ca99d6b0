"""The remote search's result list: one typed row per match, appended as the search
finds them (a model, so a search that finds 100,000 names stays a list view)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from client.engine.search import SearchMatch
from client.engine.units import format_bytes
from client.protocol.listing import EntryKind
from client.protocol.text import escape_control

__all__ = ["ResultColumn", "SearchResultsModel", "SORT_ROLE"]

#: what a click on a column header sorts by (sizes as numbers, times as times)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class ResultColumn(enum.IntEnum):
    NAME = 0
    FOLDER = 1
    SIZE = 2
    MODIFIED = 3


_HEADERS = {ResultColumn.NAME: "Name", ResultColumn.FOLDER: "Folder",
            ResultColumn.SIZE: "Size", ResultColumn.MODIFIED: "Modified"}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


class SearchResultsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SearchMatch] = []

    # -- content ---------------------------------------------------------------------------
    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def add(self, matches: list[SearchMatch]) -> None:
        if not matches:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(matches) - 1)
        self._rows.extend(matches)
        self.endInsertRows()

    def found(self, row: int) -> SearchMatch:
        return self._rows[row]

    def matches(self) -> list[SearchMatch]:
        return list(self._rows)

    # -- Qt --------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(ResultColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_HEADERS[ResultColumn(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        found = self._rows[index.row()]
        entry = found.entry
        column = ResultColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is ResultColumn.NAME:
                suffix = "/" if entry.kind is EntryKind.DIR else ""
                return escape_control(entry.name) + suffix
            if column is ResultColumn.FOLDER:
                return escape_control(found.folder)
            if column is ResultColumn.SIZE:
                return format_bytes(entry.size) if entry.size is not None and \
                    entry.kind is not EntryKind.DIR else ""
            return _when(entry.modified)
        if role == SORT_ROLE:
            if column is ResultColumn.NAME:
                return entry.name.casefold()
            if column is ResultColumn.FOLDER:
                return found.folder
            if column is ResultColumn.SIZE:
                return -1 if entry.size is None else entry.size
            return entry.modified.timestamp() if entry.modified is not None else 0.0
        if role == Qt.ItemDataRole.ToolTipRole:
            return escape_control(found.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is ResultColumn.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
