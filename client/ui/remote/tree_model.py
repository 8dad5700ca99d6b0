"""The remote folder tree: a lazy QAbstractItemModel of folders.

A folder's children are unknown until it is listed; ``fetchMore`` asks for the listing
through ``fetch_requested`` (the window lists it on the control connection) and
:meth:`set_children` fills it in. Every listing the file list shows feeds the tree too.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from client.protocol.text import escape_control
from client.ui.icons import icon

__all__ = ["RemoteTreeModel", "PATH_ROLE"]

PATH_ROLE = Qt.ItemDataRole.UserRole + 20


def _order(name: str) -> tuple[str, str]:
    """Folders sorted as a person reads them (case folded), ties broken by the name."""
    return name.casefold(), name


class _Node:
    __slots__ = ("name", "path", "parent", "children", "requested", "listed")

    def __init__(self, name: str, path: str, parent: _Node | None) -> None:
        self.name = name
        self.path = path
        self.parent = parent
        self.children: list[_Node] | None = None  # None: nothing known yet
        self.requested = False  # a listing was asked for and has not arrived
        self.listed = False  # children holds a full listing (not just a path on the way)

    def row(self) -> int:
        return 0 if self.parent is None or self.parent.children is None else \
            self.parent.children.index(self)


class RemoteTreeModel(QAbstractItemModel):
    #: a folder whose children are needed (the window lists it)
    fetch_requested = Signal(str)

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("", "", None)  # invisible
        # "/" appears with the first folder of a connection: an empty tab shows none
        self._top: _Node | None = None
        self._root.children = []

    def reset(self) -> None:
        """No connection: no folders, not even "/"."""
        self.beginResetModel()
        self._top = None
        self._root.children = []
        self.endResetModel()

    def _top_node(self) -> _Node:
        """"/", made (and shown) when the first path arrives."""
        if self._top is None:
            top = _Node("/", "/", self._root)
            self._insert(self._root, [top])
            self._top = top
        return self._top

    # -- structure -----------------------------------------------------------------------
    def _node(self, index: QModelIndex | QPersistentModelIndex) -> _Node:
        return index.internalPointer() if index.isValid() else self._root  # type: ignore[return-value]

    def index(self, row: int, column: int,
              parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if node.children is None or not 0 <= row < len(node.children) or column != 0:
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        node = self._node(parent)
        return len(node.children) if node.children is not None else 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        node = self._node(parent)
        return node is self._root or not node.listed or bool(node.children)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        node = self._node(parent)
        return node is not self._root and not node.listed and not node.requested

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        node = self._node(parent)
        if self.canFetchMore(parent):
            node.requested = True
            self.fetch_requested.emit(node.path)

    def _find(self, path: str) -> _Node | None:
        node = self._top
        if node is None:
            return None
        for part in (p for p in path.split("/") if p):
            node = next((c for c in node.children or [] if c.name == part), None)
            if node is None:
                return None
        return node

    def mark_requested(self, path: str, requested: bool = True) -> None:
        """A listing of ``path`` is on its way (the file list asked): no second fetch.
        Only folders already in the tree are marked; a typed path that does not exist
        must not appear in the tree."""
        node = self._find(path)
        if node is not None:
            node.requested = requested

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        node = self._node(index)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return escape_control(node.name)
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("folder")
        if role == PATH_ROLE:
            return node.path
        if role == Qt.ItemDataRole.ToolTipRole:
            return escape_control(node.path)
        return None

    # -- content -------------------------------------------------------------------------
    def ensure_path(self, path: str) -> QModelIndex:
        """Create the nodes from / down to ``path`` (unlisted) and return its index."""
        node = self._top_node()
        parts = [p for p in path.split("/") if p]
        for part in parts:
            if node.children is None:
                self._insert(node, [])
            assert node.children is not None
            found = next((c for c in node.children if c.name == part), None)
            if found is None:
                found = _Node(part, posixpath.join(node.path, part), node)
                self._insert(node, [found])
            node = found
        return self.createIndex(node.row(), 0, node)

    def _insert(self, node: _Node, new: list[_Node]) -> None:
        parent_index = QModelIndex() if node is self._root else self.createIndex(node.row(), 0, node)
        if node.children is None:
            node.children = []
        if not new:
            return
        first = len(node.children)
        self.beginInsertRows(parent_index, first, first + len(new) - 1)
        node.children.extend(new)
        self.endInsertRows()

    def set_children(self, path: str, folder_names: Iterable[str]) -> None:
        """The listing of ``path`` arrived: its sub-folders are ``folder_names``. Known
        sub-folders keep their own subtrees and their rows (removing and inserting them
        all again lost the tree's current folder: a listing of / after the login folder
        /files moved the highlight to /); vanished ones are removed."""
        index = self.ensure_path(path)
        node = self._node(index)
        wanted = sorted(set(folder_names), key=_order)
        node.requested = False
        node.listed = True
        if node.children is None:
            node.children = []
        children = node.children
        keep = set(wanted)
        for row in range(len(children) - 1, -1, -1):
            if children[row].name not in keep:
                self.beginRemoveRows(index, row, row)
                del children[row]
                self.endRemoveRows()
        if [c.name for c in children] != [n for n in wanted if n in {c.name for c in children}]:
            # kept folders out of order (one added by ensure_path before any listing):
            # put them in order in one go
            self.layoutAboutToBeChanged.emit()
            before = {id(c): self.createIndex(r, 0, c) for r, c in enumerate(children)}
            children.sort(key=lambda c: _order(c.name))
            for row, child in enumerate(children):
                self.changePersistentIndex(before[id(child)], self.createIndex(row, 0, child))
            self.layoutChanged.emit()
        for row, name in enumerate(wanted):
            if row < len(children) and children[row].name == name:
                continue
            self.beginInsertRows(index, row, row)
            children.insert(row, _Node(name, posixpath.join(path or "/", name), node))
            self.endInsertRows()

    def fetch_failed(self, path: str) -> None:
        """Listing ``path`` failed: allow another try when the user expands it again."""
        self.mark_requested(path, False)
