"""The Synchronise preview: one row per action of the plan, each with a check box the
user can clear to leave that action out."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from client.engine.sync import ActionKind, SyncAction
from client.engine.units import format_bytes
from client.protocol.text import escape_control

__all__ = ["PreviewModel"]

Index = QModelIndex | QPersistentModelIndex
_ACTION, _PATH, _SIZE, _REASON = range(4)


class PreviewModel(QAbstractTableModel):
    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._actions: list[SyncAction] = []
        self._checked: list[bool] = []
        self._words = {
            ActionKind.MKDIR_LOCAL: self.tr("Create local folder"),
            ActionKind.MKDIR_REMOTE: self.tr("Create remote folder"),
            ActionKind.UPLOAD: self.tr("Upload"),
            ActionKind.DOWNLOAD: self.tr("Download"),
            ActionKind.DELETE_LOCAL: self.tr("Delete local"),
            ActionKind.DELETE_REMOTE: self.tr("Delete remote"),
        }

    def set_actions(self, actions: list[SyncAction]) -> None:
        self.beginResetModel()
        self._actions = list(actions)
        self._checked = [True] * len(actions)
        self.endResetModel()

    def checked_actions(self) -> list[SyncAction]:
        return [a for a, on in zip(self._actions, self._checked, strict=True) if on]

    def action(self, row: int) -> SyncAction:
        return self._actions[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._actions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 4

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Action"), self.tr("Path"), self.tr("Size"), self.tr("Why"))[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        action = self._actions[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == _ACTION:
            return Qt.CheckState.Checked if self._checked[index.row()] else Qt.CheckState.Unchecked
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == _ACTION:
            return self._words[action.kind]
        if column == _PATH:
            return escape_control(action.relpath) + ("/" if action.is_dir else "")
        if column == _SIZE:
            return "" if action.size is None else format_bytes(action.size)
        return action.reason

    def setData(self, index: Index, value: object,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == _ACTION:
            state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(value)
            self._checked[index.row()] = state == Qt.CheckState.Checked
            self.dataChanged.emit(index, index, [role])
            return True
        return False

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == _ACTION:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags
