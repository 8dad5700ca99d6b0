"""Sorting and filtering of the local file list, as the remote list does them.

The proxy sits over a ``QFileSystemModel`` whose tree runs from the file system's root
down to the folder shown, so the filter applies only to the children of that folder
(the shown folder's ancestors must stay, or the list has no root left to show).
Sorting keeps folders first in both orders, compares names case-insensitively in
natural order (``file2`` before ``file10``), sizes by bytes and dates by the real
modification time — not by the text shown in those columns.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QFileSystemModel

from client.engine.units import format_size
from client.ui.file_types import type_text

__all__ = ["LocalFileProxy", "natural_key"]

NAME_COLUMN, SIZE_COLUMN, TYPE_COLUMN, MODIFIED_COLUMN = range(4)
_DIGITS = re.compile(r"([0-9]+)")

Index = QModelIndex | QPersistentModelIndex


@lru_cache(maxsize=65536)
def natural_key(name: str) -> tuple[object, ...]:
    """A sort key: case-insensitive, runs of digits compared by value.

    ``re.split`` with a group alternates text and digit runs, so the same positions of
    two keys always hold the same type. A digit run is keyed by (length without leading
    zeros, digits) instead of ``int``: equal for equal values, and safe for runs too long
    for ``int()``. The folded and the exact name break ties (``a1``/``a01``, ``A``/``a``).
    """
    folded = name.casefold()
    parts: list[object] = []
    for position, part in enumerate(_DIGITS.split(folded)):
        if position % 2:
            value = part.lstrip("0")
            parts.append((len(value), value))
        else:
            parts.append(part)
    return (tuple(parts), folded, name)


class LocalFileProxy(QSortFilterProxyModel):
    """Folders first, natural names, real sizes and dates; a filter on one folder."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._folder = ""

    def source(self) -> QFileSystemModel:
        return self.sourceModel()  # type: ignore[return-value]

    # -- filter -----------------------------------------------------------------------
    def set_folder(self, folder: str) -> None:
        """The folder whose children the list shows (and the filter applies to)."""
        if folder == self._folder:
            return
        self.beginFilterChange()
        self._folder = folder
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_filter_text(self, text: str) -> None:
        """Show only the children whose name contains ``text`` (case-insensitive)."""
        needle = text.casefold()
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filter_text(self) -> str:
        return self._needle

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.source()
        if model.filePath(source_parent) != self._folder:
            return True  # an ancestor of the shown folder, or another branch: keep it
        name = model.fileName(model.index(source_row, 0, source_parent))
        return self._needle in name.casefold()

    # -- what the size and date columns say ---------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Sizes and dates as the remote pane shows them (the application's one size
        format), not QFileSystemModel's own ("900 bytes", "4.88 KiB")."""
        if role == Qt.ItemDataRole.DisplayRole and index.column() == SIZE_COLUMN:
            source = self.mapToSource(index)
            model = self.source()
            return "" if model.isDir(source) else format_size(model.size(source))
        if role == Qt.ItemDataRole.DisplayRole and index.column() == TYPE_COLUMN:
            return self._type(self.mapToSource(index))  # the remote pane's words
        if role == Qt.ItemDataRole.DisplayRole and index.column() == MODIFIED_COLUMN:
            # the remote pane's form (QFileSystemModel's follows the locale: "6 12 2026")
            return self.source().lastModified(self.mapToSource(index)).toString(
                "yyyy-MM-dd HH:mm")
        return super().data(index, role)

    def _type(self, source: Index) -> str:
        model = self.source()
        info = model.fileInfo(source)
        return type_text(info.fileName(), info.isDir(), info.isSymLink() and not info.isDir())

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and section == MODIFIED_COLUMN):
            return QCoreApplication.translate("RemoteListModel", "Modified")  # as remote
        return super().headerData(section, orientation, role)

    # -- sort -------------------------------------------------------------------------
    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.source()
        left_dir, right_dir = model.isDir(left), model.isDir(right)
        if left_dir != right_dir:
            # Qt sorts descending by asking lessThan(right, left): answering by the
            # order keeps folders first both ways
            return left_dir if self.sortOrder() == Qt.SortOrder.AscendingOrder else right_dir
        column = left.column()
        if column == SIZE_COLUMN and not left_dir:
            a, b = model.size(left), model.size(right)
        elif column == MODIFIED_COLUMN:
            a, b = model.lastModified(left), model.lastModified(right)
        elif column == TYPE_COLUMN:
            a, b = self._type(left).casefold(), self._type(right).casefold()
        else:
            a = b = 0
        if a != b:
            return a < b  # type: ignore[operator]
        return natural_key(model.fileName(left)) < natural_key(model.fileName(right))
