"""The remote file list: a table model over ``ListingEntry`` values.

Sorting and filtering run on precomputed keys in one pass each (a 100,000-entry
directory sorts in a fraction of a second); folders always come first, whatever the
order, as in every file manager. Names from the server are shown with control
characters escaped; the real name is kept for commands (``ENTRY_ROLE``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from client.engine.units import format_size
from client.protocol.listing import EntryKind, ListingEntry
from client.protocol.text import escape_control
from client.ui.file_types import type_text
from client.ui.icons import icon_for_entry

__all__ = ["RemoteListModel", "ENTRY_ROLE", "REMOTE_MIME", "LIST_MIME", "COLUMNS", "entry_is_dir",
           "entry_is_unknown_link"]

_DIR, _LINK = EntryKind.DIR, EntryKind.LINK
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 10
#: drag payload: one remote path per line (UTF-8); only our panes understand it
REMOTE_MIME = "application/x-ftp-inspector-remote-paths"
#: which list a drag of remote rows came from (a drop on the same list is a move)
LIST_MIME = "application/x-ftp-inspector-remote-list"
COLUMNS = (QT_TRANSLATE_NOOP("RemoteListModel", "Name"),
           QT_TRANSLATE_NOOP("RemoteListModel", "Size"),
           QT_TRANSLATE_NOOP("RemoteListModel", "Type"),
           QT_TRANSLATE_NOOP("RemoteListModel", "Modified"),
           QT_TRANSLATE_NOOP("RemoteListModel", "Permissions"),
           QT_TRANSLATE_NOOP("RemoteListModel", "Owner"))
_NAME, _SIZE, _TYPE, _MODIFIED, _PERMS, _OWNER = range(6)


def entry_is_dir(entry: ListingEntry) -> bool:
    kind = entry.kind
    if kind is _DIR:
        return True
    # a symlink whose target looks like a folder (ls shows "name -> target/") is
    # treated as a folder for navigation
    return kind is _LINK and (entry.target or "").endswith("/")


def entry_is_unknown_link(entry: ListingEntry) -> bool:
    """A symbolic link whose listing does not say what it points to (``www -> /var/www``:
    an ``ls -l`` line never tells a folder from a file). Opening one asks the server
    (CWD into it; refused: a file), as FileZilla does."""
    return entry.kind is _LINK and not entry_is_dir(entry)


def transfer_size(entry: ListingEntry) -> int | None:
    """The size a transfer of ``entry`` will move, when the listing tells it: a
    symbolic link's listed size is the link's own (the length of its target's path), not
    the size of the file it points to, so it is unknown until the server is asked."""
    if _is_link(entry):
        return None
    return getattr(entry, "size", None)


def _is_link(entry: ListingEntry) -> bool:
    return entry.kind is _LINK


def _type_text(entry: ListingEntry) -> str:
    kind = entry.kind
    return type_text(entry.name, kind is _DIR or (kind is _LINK and (entry.target or "").endswith("/")),
                     kind is _LINK)


def human_size(size: int | None) -> str:
    """The application's one size format (see :mod:`client.engine.units`)."""
    return format_size(size)


def _date_text(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M")


def _date_key(value: datetime | None) -> float:
    if value is None:
        return float("-inf")
    try:
        return value.timestamp()
    except (OverflowError, OSError, ValueError):
        return float("-inf")


class RemoteListModel(QAbstractTableModel):
    """Entries of one remote folder (``path``), sorted and filtered."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self.path = ""
        self._all: list[ListingEntry] = []
        self._shown: list[ListingEntry] = []
        self._names: list[str] = []  # escaped display names of _shown
        self._filter = ""
        self._sort_column = _NAME
        self._sort_order = Qt.SortOrder.AscendingOrder

    # -- content -----------------------------------------------------------------------
    def set_listing(self, path: str, entries: Sequence[ListingEntry]) -> None:
        """Show ``entries`` of ``path`` (``.`` and ``..`` dropped)."""
        self.beginResetModel()
        self.path = path
        self._all = [e for e in entries if getattr(e, "name", "") not in ("", ".", "..")]
        self._apply()
        self.endResetModel()

    def clear(self) -> None:
        self.set_listing("", [])

    def entries(self) -> list[ListingEntry]:
        return list(self._shown)

    def entry(self, row: int) -> ListingEntry:
        return self._shown[row]

    def entries_in_rows(self, first: int, last: int) -> list[ListingEntry]:
        """The entries shown in rows ``first`` to ``last`` (inclusive), in one slice."""
        return self._shown[max(first, 0):last + 1]

    def row_of_name(self, name: str) -> int | None:
        for row, entry in enumerate(self._shown):
            if entry.name == name:
                return row
        return None

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._filter = text.casefold()
        self._apply()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort_column, self._sort_order = column, order
        self._apply()
        self.layoutChanged.emit()

    def _apply(self) -> None:
        items = self._all
        if self._filter:
            needle = self._filter
            items = [e for e in items if needle in e.name.casefold()]
        column = self._sort_column
        if column == _SIZE:
            key = lambda e: e.size if e.size is not None else -1  # noqa: E731
        elif column == _TYPE:
            key = _type_text
        elif column == _MODIFIED:
            key = lambda e: _date_key(e.modified)  # noqa: E731
        elif column == _PERMS:
            key = lambda e: e.permissions or ""  # noqa: E731
        elif column == _OWNER:
            key = lambda e: (e.owner or "", e.group or "")  # noqa: E731
        else:
            key = lambda e: e.name.casefold()  # noqa: E731
        reverse = self._sort_order == Qt.SortOrder.DescendingOrder
        # folders first in both orders: sort the two groups apart and join them
        folders = [e for e in items if entry_is_dir(e)]
        files = [e for e in items if not entry_is_dir(e)] if folders else list(items)
        folders.sort(key=key, reverse=reverse)
        files.sort(key=key, reverse=reverse)
        ordered = folders + files
        self._shown = ordered
        self._names = [escape_control(e.name) for e in ordered]

    # -- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("RemoteListModel", COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        entry = self._shown[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == _NAME:
                name = self._names[row]
                if _is_link(entry):
                    target = getattr(entry, "target", None)
                    return f"{name} → {escape_control(target)}" if target else f"{name} ↪"
                return name
            if column == _SIZE:
                return "" if entry_is_dir(entry) else human_size(entry.size)
            if column == _TYPE:
                return _type_text(entry)
            if column == _MODIFIED:
                return _date_text(entry.modified)
            if column == _PERMS:
                return escape_control(entry.permissions or "")
            if column == _OWNER:
                owner = " ".join(x for x in (entry.owner, entry.group) if x)
                return escape_control(owner)
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == _NAME:
            return icon_for_entry(entry.name, entry_is_dir(entry), _is_link(entry))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == _SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == _NAME:
            size = getattr(entry, "size", None)
            return f"{self._names[row]}\n{size} bytes" if size is not None else self._names[row]
        if role == ENTRY_ROLE:
            return entry
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        flags = base | Qt.ItemFlag.ItemIsDragEnabled
        if entry_is_dir(self._shown[index.row()]):
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def full_path(self, entry: ListingEntry) -> str:
        return posixpath.join(self.path or "/", entry.name)

    # -- drag and drop -------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [REMOTE_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        paths = [self.full_path(self._shown[r]) for r in rows]
        mime = QMimeData()
        # surrogateescape: a byte the charset could not decode travels as itself
        mime.setData(REMOTE_MIME, "\n".join(paths).encode("utf-8", "surrogateescape"))
        mime.setData(LIST_MIME, self.list_token())
        return mime

    def list_token(self) -> bytes:
        """This list, as a drag says where it came from."""
        return str(id(self)).encode("ascii")

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction
