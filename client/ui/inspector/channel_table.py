"""The data-channel panel: a table model of every data connection, and its view.

Rows come from :func:`client.engine.ladder.channel_rows` (Qt-free), so the CSV export
and the CLI show the same cells. Selecting a row emits the channel, which the dock
uses to highlight the arrow in the ladder.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget
from shiboken6 import isValid

from client.engine.ladder import (
    COLUMNS,
    ChannelRow,
    DataArrow,
    DataState,
    LadderModel,
    NoteMark,
    channel_row,
)
from client.ui.chosen_index import on_index_chosen

__all__ = ["DataChannelTableModel", "DataChannelTableView", "CHANNEL_ROLE"]

CHANNEL_ROLE = Qt.ItemDataRole.UserRole + 1

_STATE_COLOURS = {
    DataState.FAILED: QColor("#e0413a"),
    DataState.WAITING: QColor("#d08a00"),
    DataState.CONNECTING: QColor("#2f7fd8"),
    DataState.SETUP: QColor("#2f7fd8"),
}
_SFTP_REASON = QT_TRANSLATE_NOOP(
    "DataChannelTableModel",
    "No data connections: this is an SFTP session. SFTP carries every listing and "
    "transfer inside its one SSH connection, so there is no data connection to open, "
    "no passive or active mode and no port range to forward.")
_SFTP_REASON_SHORT = QT_TRANSLATE_NOOP(
    "DataChannelTableModel",
    "No data connections: SFTP uses its one SSH connection (point here for why).")
_NUMERIC = {"channel", "connect_time", "first_byte_time", "duration", "bytes"}
#: the headers of the engine's COLUMNS (which the CSV keeps in English), marked for Qt's
#: extractor and translated when shown (context DataChannelTableModel)
_HEADERS = {
    "channel": QT_TRANSLATE_NOOP("DataChannelTableModel", "#"),
    "command": QT_TRANSLATE_NOOP("DataChannelTableModel", "Command"),
    "mode": QT_TRANSLATE_NOOP("DataChannelTableModel", "Mode / method"),
    "advertised": QT_TRANSLATE_NOOP("DataChannelTableModel", "Advertised"),
    "used": QT_TRANSLATE_NOOP("DataChannelTableModel", "Address used"),
    "why": QT_TRANSLATE_NOOP("DataChannelTableModel", "Why"),
    "initiator": QT_TRANSLATE_NOOP("DataChannelTableModel", "Initiator"),
    "connect_time": QT_TRANSLATE_NOOP("DataChannelTableModel", "Connect (s)"),
    "first_byte_time": QT_TRANSLATE_NOOP("DataChannelTableModel", "First byte (s)"),
    "duration": QT_TRANSLATE_NOOP("DataChannelTableModel", "Duration (s)"),
    "bytes": QT_TRANSLATE_NOOP("DataChannelTableModel", "Bytes"),
    "limit": QT_TRANSLATE_NOOP("DataChannelTableModel", "Speed limit"),
    "outcome": QT_TRANSLATE_NOOP("DataChannelTableModel", "Outcome"),
    "phases": QT_TRANSLATE_NOOP("DataChannelTableModel", "Phase times (s)"),
}


class DataChannelTableModel(QAbstractTableModel):
    """One row per data connection of a :class:`LadderModel`, kept live."""

    def __init__(self, ladder: LadderModel, parent: object | None = None) -> None:
        super().__init__(parent)
        self.ladder = ladder
        self._rows: list[ChannelRow] = []
        self._row_of_item: dict[int, int] = {}
        self._changed: set[int] = set()
        self._flush_pending = False
        #: why the table is empty (an SFTP session has no data connections), or None
        self.no_data_reason: str | None = None
        self._remove = ladder.add_listener(self._on_ladder)
        self.destroyed.connect(self._remove)  # the ladder model may outlive the table
        for arrow in ladder.data_arrows():
            self._append(arrow)

    # -- keeping up with the ladder ------------------------------------------------------

    def _on_ladder(self, kind: str, index: int) -> None:
        if not isValid(self):
            return
        if kind == "cleared":
            self.no_data_reason = None
            self.beginResetModel()
            self._rows.clear()
            self._row_of_item.clear()
            self._changed.clear()
            self.endResetModel()
            return
        item = self.ladder.items[index]
        if isinstance(item, NoteMark) and item.kind == "sftp" and self.no_data_reason is None:
            self.no_data_reason = QCoreApplication.translate("DataChannelTableModel", _SFTP_REASON)
            self.layoutChanged.emit()  # the view shows the reason while there are no rows
        if not isinstance(item, DataArrow):
            return
        if index not in self._row_of_item:
            self._append(item)
            return
        # coalesce: a transfer changes its arrow often; repaint the row once per turn
        self._changed.add(index)
        if not self._flush_pending:
            self._flush_pending = True
            QTimer.singleShot(0, self, self.flush_changes)

    def _append(self, arrow: DataArrow) -> None:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(channel_row(arrow))
        self._row_of_item[arrow.index] = row
        self.endInsertRows()

    def flush_changes(self, now: float | None = None) -> None:
        """Rebuild the rows whose arrows changed (also called by the dock's timer to
        move the running timers of live connections)."""
        self._flush_pending = False
        changed, self._changed = self._changed, set()
        for index in changed:
            row = self._row_of_item[index]
            arrow = self.ladder.items[index]
            assert isinstance(arrow, DataArrow)
            self._rows[row] = channel_row(arrow, now)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def refresh_live(self, now: float) -> None:
        """Update the outcome column of connections still open (running timers)."""
        for index, row in self._row_of_item.items():
            if self._rows[row].state.is_open:
                self._changed.add(index)
        self.flush_changes(now)

    # -- reading -------------------------------------------------------------------------

    def rows(self) -> list[ChannelRow]:
        return list(self._rows)

    def row_of_channel(self, channel: int) -> int | None:
        for row, cells in enumerate(self._rows):
            if cells.channel == channel:
                return row
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            key, header = COLUMNS[section]
            return QCoreApplication.translate("DataChannelTableModel", _HEADERS.get(key, header))
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        cells = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.ToolTipRole and key != "outcome":
            return f"{cells.cell(key)}\n{self.tr('phases')}: {cells.phases}"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = cells.cell(key)
            return f"{value:,}" if key == "bytes" and role == Qt.ItemDataRole.DisplayRole else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and key == "outcome":
            return _STATE_COLOURS.get(cells.state)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == CHANNEL_ROLE:
            return cells.channel
        return None

    def close(self) -> None:
        self._remove()


class DataChannelTableView(QTableView):
    """The table; emits the channel of the row the user selects."""

    channel_selected = Signal(int)

    def __init__(self, model: DataChannelTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataChannelTable")
        self._syncing = False
        #: the text last painted over the empty table ("" when none)
        self.painted_reason = ""
        self.setAccessibleName(self.tr("Data connections"))
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((30, 90, 100, 120, 120, 150, 60, 70, 80, 76, 70, 70)):
            self.setColumnWidth(column, width)
        on_index_chosen(self, self._row_chosen)
        model.layoutChanged.connect(self._reason_changed)
        model.modelReset.connect(self._reason_changed)

    def _reason_changed(self) -> None:
        reason = getattr(self.model(), "no_data_reason", None) or ""
        self.setAccessibleDescription(reason)
        self.viewport().setToolTip(reason)
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """An empty table of an SFTP session says why it is empty."""
        super().paintEvent(event)
        model = self.model()
        reason = getattr(model, "no_data_reason", None)
        if reason and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            rect = self.viewport().rect().adjusted(12, 8, -12, -8)
            flags = int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
                        | Qt.TextFlag.TextWordWrap)
            metrics = painter.fontMetrics()
            if metrics.boundingRect(rect, flags, reason).height() > rect.height():
                # a short table cut the sentence off mid-line: the short form (on one
                # line if need be), the whole reason in the tooltip
                reason = QCoreApplication.translate("DataChannelTableModel", _SFTP_REASON_SHORT)
                if metrics.boundingRect(rect, flags, reason).height() > rect.height():
                    reason = metrics.elidedText(reason, Qt.TextElideMode.ElideRight, rect.width())
            self.painted_reason = reason
            painter.drawText(rect, flags, reason)
            painter.end()

    def _row_chosen(self, current: QModelIndex) -> None:
        if not self._syncing:
            self.channel_selected.emit(int(current.data(CHANNEL_ROLE)))

    def select_channel(self, channel: int) -> bool:
        model = self.model()
        assert isinstance(model, DataChannelTableModel)
        row = model.row_of_channel(channel)
        if row is None:
            return False
        self._syncing = True
        try:
            self.selectRow(row)
        finally:
            self._syncing = False
        return True
