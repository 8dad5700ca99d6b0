"""The transfer queue at the bottom of the window: one row per transfer (direction, local
and remote path, size, progress, rate, ETA, state) in three tabs — Queued (waiting and
running), Failed, Successful — over one model.

Rows are ``TransferJob`` values (``client.engine.queue``) or anything with the same
fields; the model only displays them. Buttons call back into the window (pause, resume,
cancel, retry, move, concurrency), which talks to the engine's queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QTabWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from client.protocol.text import escape_control
from client.ui.remote.listing_model import human_size

__all__ = ["QueueModel", "QueueWidget", "JOB_ROLE", "tab_of_state", "state_text", "STATE_LABELS"]

JOB_ROLE = Qt.ItemDataRole.UserRole + 30
#: column headers, marked for Qt's extractor and translated when shown (context QueueModel)
COLUMNS = ("", QT_TRANSLATE_NOOP("QueueModel", "Local file"),
           QT_TRANSLATE_NOOP("QueueModel", "Remote file"), QT_TRANSLATE_NOOP("QueueModel", "Size"),
           QT_TRANSLATE_NOOP("QueueModel", "Progress"), QT_TRANSLATE_NOOP("QueueModel", "Rate"),
           QT_TRANSLATE_NOOP("QueueModel", "ETA"), QT_TRANSLATE_NOOP("QueueModel", "State"))
#: the words the State column shows for a job's state (JobState values)
STATE_LABELS = {
    "queued": QT_TRANSLATE_NOOP("QueueModel", "queued"),
    "running": QT_TRANSLATE_NOOP("QueueModel", "running"),
    "paused": QT_TRANSLATE_NOOP("QueueModel", "paused"),
    "done": QT_TRANSLATE_NOOP("QueueModel", "done"),
    "failed": QT_TRANSLATE_NOOP("QueueModel", "failed"),
    "cancelled": QT_TRANSLATE_NOOP("QueueModel", "cancelled"),
    "skipped": QT_TRANSLATE_NOOP("QueueModel", "skipped"),
}
_PROGRESS = 4


def _state(job: object) -> str:
    state = getattr(job, "state", "")
    return str(getattr(state, "value", state)).lower()


def _translate(text: str) -> str:
    return QCoreApplication.translate("QueueModel", text) if text else text


def state_text(state: str) -> str:
    """The State column's word for ``state`` (an unknown state is shown as it is)."""
    label = STATE_LABELS.get(state)
    return _translate(label) if label else state


def tab_of_state(state: str) -> str:
    if state in ("done", "skipped"):
        return "successful"
    if state in ("failed", "cancelled"):
        return "failed"
    return "queued"


def _eta(job: object) -> str:
    size, done, rate = getattr(job, "size", None), getattr(job, "bytes_done", 0), getattr(job, "rate", 0.0)
    if not size or not rate or _state(job) != "running":
        return ""
    seconds = max(0, int((size - done) / rate))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class QueueModel(QAbstractTableModel):
    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[object] = []
        self._rows: dict[object, int] = {}

    def update_jobs(self, jobs: Iterable[object]) -> None:
        for job in jobs:
            job_id = job.job_id
            row = self._rows.get(job_id)
            if row is None:
                row = len(self._jobs)
                self.beginInsertRows(QModelIndex(), row, row)
                self._jobs.append(job)
                self._rows[job_id] = row
                self.endInsertRows()
            else:
                self._jobs[row] = job
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def update_progress(self, progress: Iterable[object]) -> None:
        """TransferProgress events: refresh bytes and rate between job updates."""
        for event in progress:
            row = self._rows.get(getattr(event, "transfer_id", None))
            if row is None:
                continue
            job = self._jobs[row]
            try:
                import dataclasses

                self._jobs[row] = dataclasses.replace(
                    job, bytes_done=event.bytes_done, rate=event.rate)  # type: ignore[attr-defined]
            except (TypeError, ValueError):
                continue
            self.dataChanged.emit(self.index(row, 3), self.index(row, 6))

    def set_order(self, jobs: list[object]) -> None:
        """The queue's own order (after a move)."""
        self.beginResetModel()
        self._jobs = list(jobs)
        self._rows = {j.job_id: i for i, j in enumerate(self._jobs)}
        self.endResetModel()

    def jobs(self) -> list[object]:
        return list(self._jobs)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _translate(COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        job = self._jobs[index.row()]
        column = index.column()
        if role == JOB_ROLE:
            return job
        if role == Qt.ItemDataRole.ToolTipRole and getattr(job, "error", None):
            return escape_control(str(job.error))  # type: ignore[attr-defined]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        size = getattr(job, "size", None)
        done = getattr(job, "bytes_done", 0)
        if column == 0:
            return "↓" if getattr(job, "direction", "") == "download" else "↑"
        if column == 1:
            return escape_control(str(getattr(job, "local_path", "")))
        if column == 2:
            return escape_control(str(getattr(job, "remote_path", "")))
        if column == 3:
            return human_size(size)
        if column == _PROGRESS:
            if size:
                return min(100, int(done * 100 / size))
            return 100 if _state(job) == "done" else 0
        if column == 5:
            rate = getattr(job, "rate", 0.0)
            return f"{human_size(int(rate))}/s" if rate and _state(job) == "running" else ""
        if column == 6:
            return _eta(job)
        if column == 7:
            state = state_text(_state(job))
            error = getattr(job, "error", None)
            if error:
                return QCoreApplication.translate("QueueModel", "{state}: {error}").format(
                    state=state, error=escape_control(str(error)))
            return state
        return None


class _StateFilter(QSortFilterProxyModel):
    def __init__(self, tab: str, parent: object | None = None) -> None:
        super().__init__(parent)
        self.tab = tab

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        job = self.sourceModel().data(self.sourceModel().index(row, 0, parent), JOB_ROLE)
        return tab_of_state(_state(job)) == self.tab


class _ProgressDelegate(QStyledItemDelegate):
    def paint(self, painter, option, index) -> None:  # noqa: ANN001
        value = index.data()
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, 100
        bar.progress = int(value or 0)
        bar.text = f"{bar.progress}%"
        bar.textVisible = True
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class QueueWidget(QWidget):
    concurrency_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transferQueue")
        self.model = QueueModel(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Transfer queue"))
        self.views: dict[str, QTreeView] = {}
        self.proxies: dict[str, _StateFilter] = {}
        for key, label in (("queued", self.tr("Queued")), ("failed", self.tr("Failed")),
                           ("successful", self.tr("Successful"))):
            proxy = _StateFilter(key, self)
            proxy.setSourceModel(self.model)
            view = QTreeView(self)
            view.setModel(proxy)
            view.setRootIsDecorated(False)
            view.setUniformRowHeights(True)
            view.setAlternatingRowColors(True)
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setItemDelegateForColumn(_PROGRESS, _ProgressDelegate(view))
            view.setAccessibleName(label)
            view.header().resizeSection(0, 28)
            view.header().resizeSection(1, 220)
            view.header().resizeSection(2, 220)
            self.views[key], self.proxies[key] = view, proxy
            self.tabs.addTab(view, label)
        self.model.rowsInserted.connect(self._update_tab_titles)
        self.model.dataChanged.connect(self._update_tab_titles)
        self.model.modelReset.connect(self._update_tab_titles)

        self.actions_bar = QHBoxLayout()
        self.buttons: dict[str, QToolButton] = {}
        for key, text in (("pause", self.tr("Pause")), ("resume", self.tr("Resume")),
                          ("cancel", self.tr("Cancel")), ("retry", self.tr("Retry")),
                          ("up", self.tr("Move up")), ("down", self.tr("Move down"))):
            button = QToolButton(self)
            button.setText(text)
            button.setAccessibleName(text)
            self.buttons[key] = button
            self.actions_bar.addWidget(button)
        self.actions_bar.addStretch(1)
        self.actions_bar.addWidget(QLabel(self.tr("Concurrent transfers:"), self))
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, 10)
        self.concurrency.setValue(2)
        self.concurrency.setAccessibleName(self.tr("Concurrent transfers"))
        self.concurrency.valueChanged.connect(self.concurrency_changed)
        self.actions_bar.addWidget(self.concurrency)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self.actions_bar)
        layout.addWidget(self.tabs, 1)

    def connect_actions(self, handler: Callable[[str, list[object]], None]) -> None:
        """``handler(action, selected_jobs)`` for each button."""
        for key, button in self.buttons.items():
            button.clicked.connect(lambda _=False, k=key: handler(k, self.selected_jobs()))

    def selected_jobs(self) -> list[object]:
        view = self.tabs.currentWidget()
        if not isinstance(view, QTreeView):
            return []
        return [view.model().data(i, JOB_ROLE) for i in view.selectionModel().selectedRows()]

    def _update_tab_titles(self, *_args: object) -> None:
        for i, (key, label) in enumerate((("queued", self.tr("Queued")),
                                          ("failed", self.tr("Failed")),
                                          ("successful", self.tr("Successful")))):
            self.tabs.setTabText(i, f"{label} ({self.proxies[key].rowCount()})")
