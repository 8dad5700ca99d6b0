"""The transfer queue at the bottom of the window: one row per transfer (direction, local
and remote path, size, progress, rate, ETA, state) in three tabs — Queued (waiting and
running), Failed, Successful — over one model.

Rows are the engine's ``TransferJob`` values, one column per :class:`QueueColumn`; the
model only displays them. Buttons call back into the window (pause, resume,
cancel, retry, move, concurrency), which talks to the engine's queue.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QMenu,
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

from client.engine.events import TransferProgress
from client.engine.queue.jobs import JobState, TransferJob
from client.protocol.text import escape_control
from client.ui.queue_menu import applies, queue_menu, removable
from client.ui.remote.listing_model import human_size

__all__ = ["QueueModel", "QueueWidget", "QueueColumn", "QueueTab", "JOB_ROLE", "tab_of_state",
           "state_text", "STATE_LABELS"]

JOB_ROLE = Qt.ItemDataRole.UserRole + 30


class QueueColumn(enum.IntEnum):
    """The queue's columns, in order."""

    DIRECTION = 0
    LOCAL = 1
    REMOTE = 2
    SIZE = 3
    PROGRESS = 4
    RATE = 5
    ETA = 6
    STATE = 7


class QueueTab(enum.StrEnum):
    """The three tabs over the one model, by the state of a job (the values name the
    tabs' saved column widths)."""

    QUEUED = "queued"
    FAILED = "failed"
    SUCCESSFUL = "successful"


#: column headers, marked for Qt's extractor and translated when shown (context QueueModel)
HEADERS: dict[QueueColumn, str] = {
    QueueColumn.DIRECTION: "",
    QueueColumn.LOCAL: QT_TRANSLATE_NOOP("QueueModel", "Local file"),
    QueueColumn.REMOTE: QT_TRANSLATE_NOOP("QueueModel", "Remote file"),
    QueueColumn.SIZE: QT_TRANSLATE_NOOP("QueueModel", "Size"),
    QueueColumn.PROGRESS: QT_TRANSLATE_NOOP("QueueModel", "Progress"),
    QueueColumn.RATE: QT_TRANSLATE_NOOP("QueueModel", "Rate"),
    QueueColumn.ETA: QT_TRANSLATE_NOOP("QueueModel", "ETA"),
    QueueColumn.STATE: QT_TRANSLATE_NOOP("QueueModel", "State"),
}
#: the words the State column shows for a job's state
STATE_LABELS: dict[JobState, str] = {
    JobState.QUEUED: QT_TRANSLATE_NOOP("QueueModel", "queued"),
    JobState.RUNNING: QT_TRANSLATE_NOOP("QueueModel", "running"),
    JobState.PAUSED: QT_TRANSLATE_NOOP("QueueModel", "paused"),
    JobState.DONE: QT_TRANSLATE_NOOP("QueueModel", "done"),
    JobState.FAILED: QT_TRANSLATE_NOOP("QueueModel", "failed"),
    JobState.CANCELLED: QT_TRANSLATE_NOOP("QueueModel", "cancelled"),
    JobState.SKIPPED: QT_TRANSLATE_NOOP("QueueModel", "skipped"),
}
_TABS: dict[JobState, QueueTab] = {
    JobState.DONE: QueueTab.SUCCESSFUL, JobState.SKIPPED: QueueTab.SUCCESSFUL,
    JobState.FAILED: QueueTab.FAILED, JobState.CANCELLED: QueueTab.FAILED,
}


def _translate(text: str) -> str:
    return QCoreApplication.translate("QueueModel", text) if text else text


def state_text(state: JobState) -> str:
    """The State column's word for ``state``."""
    return _translate(STATE_LABELS[state])


def tab_of_state(state: JobState) -> QueueTab:
    return _TABS.get(state, QueueTab.QUEUED)


def _eta(job: TransferJob) -> str:
    if not job.size or not job.rate or job.state is not JobState.RUNNING:
        return ""
    seconds = max(0, int((job.size - job.bytes_done) / job.rate))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class QueueModel(QAbstractTableModel):
    """One row per :class:`TransferJob`, in the queue's order; the tabs filter it."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[TransferJob] = []
        self._rows: dict[int, int] = {}

    def update_jobs(self, jobs: Iterable[TransferJob]) -> None:
        for job in jobs:
            row = self._rows.get(job.job_id)
            if row is None:
                row = len(self._jobs)
                self.beginInsertRows(QModelIndex(), row, row)
                self._jobs.append(job)
                self._rows[job.job_id] = row
                self.endInsertRows()
            else:
                self._jobs[row] = job
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(QueueColumn) - 1))

    def update_progress(self, progress: Iterable[TransferProgress]) -> None:
        """TransferProgress events: refresh bytes and rate between job updates."""
        for event in progress:
            row = self._rows.get(event.transfer_id) if event.transfer_id is not None else None
            if row is None:
                continue
            self._jobs[row] = dataclasses.replace(self._jobs[row], bytes_done=event.bytes_done,
                                                  rate=event.rate)
            self.dataChanged.emit(self.index(row, QueueColumn.SIZE),
                                  self.index(row, QueueColumn.ETA))

    def set_order(self, jobs: list[TransferJob]) -> None:
        """The queue's own order (after a move)."""
        self.beginResetModel()
        self._jobs = list(jobs)
        self._rows = {j.job_id: i for i, j in enumerate(self._jobs)}
        self.endResetModel()

    def jobs(self) -> list[TransferJob]:
        return list(self._jobs)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QueueColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _translate(HEADERS[QueueColumn(section)])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        job = self._jobs[index.row()]
        if role == JOB_ROLE:
            return job
        if role == Qt.ItemDataRole.ToolTipRole and job.error:
            return escape_control(job.error)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._display(job, QueueColumn(index.column()))

    @staticmethod
    def _display(job: TransferJob, column: QueueColumn) -> object:
        running = job.state is JobState.RUNNING
        if column is QueueColumn.DIRECTION:
            return "↓" if job.direction == "download" else "↑"
        if column is QueueColumn.LOCAL:
            return escape_control(str(job.local_path))
        if column is QueueColumn.REMOTE:
            return escape_control(job.remote_path)
        if column is QueueColumn.SIZE:
            return human_size(job.size)
        if column is QueueColumn.PROGRESS:
            if job.size:
                return min(100, int(job.bytes_done * 100 / job.size))
            return 100 if job.state is JobState.DONE else 0
        if column is QueueColumn.RATE:
            return f"{human_size(int(job.rate))}/s" if job.rate and running else ""
        if column is QueueColumn.ETA:
            return _eta(job)
        state = state_text(job.state)
        if job.error:
            return QCoreApplication.translate("QueueModel", "{state}: {error}").format(
                state=state, error=escape_control(job.error))
        return state


class _StateFilter(QSortFilterProxyModel):
    def __init__(self, tab: QueueTab, parent: object | None = None) -> None:
        super().__init__(parent)
        self.tab = tab

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        job = self.sourceModel().data(self.sourceModel().index(row, 0, parent), JOB_ROLE)
        return tab_of_state(job.state) is self.tab


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
    #: "Process queue" switched: False holds the waiting jobs (running ones finish)
    processing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transferQueue")
        self.model = QueueModel(self)
        self._handler: Callable[[str, list[TransferJob]], None] | None = None
        self.menu: QMenu | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Transfer queue"))
        self.views: dict[QueueTab, QTreeView] = {}
        self.proxies: dict[QueueTab, _StateFilter] = {}
        for key, label in self._tab_labels():
            proxy = _StateFilter(key, self)
            proxy.setSourceModel(self.model)
            view = QTreeView(self)
            view.setModel(proxy)
            view.setRootIsDecorated(False)
            view.setUniformRowHeights(True)
            view.setAlternatingRowColors(True)
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setItemDelegateForColumn(QueueColumn.PROGRESS, _ProgressDelegate(view))
            view.setAccessibleName(label)
            view.header().resizeSection(0, 28)
            view.header().resizeSection(1, 220)
            view.header().resizeSection(2, 220)
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(
                lambda pos, v=view: self._context_menu(v, pos))
            remove = QAction(view)
            remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
            remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            remove.triggered.connect(lambda _on=False: self._run(
                "remove", removable(self.selected_jobs())))
            view.addAction(remove)
            view.selectionModel().selectionChanged.connect(self._update_buttons)
            self.views[key], self.proxies[key] = view, proxy
            self.tabs.addTab(view, label)
        self.hide_idle_columns()
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
        # greyed unless they do something to the jobs selected (a finished job has no
        # place in the queue to move to, nothing to pause or resume)
        self.tabs.currentChanged.connect(self._update_buttons)
        self.model.dataChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.model.rowsRemoved.connect(self._update_buttons)
        self.model.rowsInserted.connect(self._update_buttons)  # a job below: Move down
        self._update_buttons()
        self.actions_bar.addStretch(1)
        self.process_action = QAction(self.tr("&Process queue"), self, checkable=True)
        self.process_action.setChecked(True)
        self.process_action.setShortcut(QKeySequence("Ctrl+P"))
        self.process_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.process_action.setToolTip(self.tr(
            "On: queued transfers start. Off: they wait (to line them up or hold the "
            "rest); running ones finish."))
        self.process_action.toggled.connect(self._processing_toggled)
        self.addAction(self.process_action)
        self.process_button = QToolButton(self)
        self.process_button.setDefaultAction(self.process_action)
        self.process_button.setAccessibleName(self.tr("Process queue"))
        self.actions_bar.addWidget(self.process_button)
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

    def hide_idle_columns(self) -> None:
        """A finished job has no rate and no time left: without these two empty columns
        the Failed and Successful tabs show its State (why it failed) in sight, not past
        the right edge. Called again after saved column widths are restored."""
        for key, view in self.views.items():
            if key is not QueueTab.QUEUED:
                view.header().hideSection(QueueColumn.RATE)
                view.header().hideSection(QueueColumn.ETA)

    def connect_actions(self, handler: Callable[[str, list[TransferJob]], None]) -> None:
        """``handler(action, selected_jobs)`` for each button, the context menu and Del."""
        self._handler = handler
        for key, button in self.buttons.items():
            button.clicked.connect(lambda _=False, k=key: handler(k, self.selected_jobs()))

    def _run(self, action: str, jobs: list[TransferJob]) -> None:
        if jobs and self._handler is not None:
            self._handler(action, jobs)

    def _context_menu(self, view: QTreeView, pos: QPoint) -> None:
        self.menu = queue_menu(self, self.selected_jobs(), self.model.jobs(), self._run)
        self.menu.popup(view.viewport().mapToGlobal(pos))

    def selected_jobs(self) -> list[TransferJob]:
        view = self.tabs.currentWidget()
        if not isinstance(view, QTreeView):
            return []
        return [view.model().data(i, JOB_ROLE) for i in view.selectionModel().selectedRows()]

    def _update_buttons(self, *_args: object) -> None:
        jobs = self.selected_jobs()
        for key, button in self.buttons.items():
            button.setEnabled(applies(key, jobs, self.model.jobs()))

    def _processing_toggled(self, on: bool) -> None:
        self._update_tab_titles()
        self.processing_changed.emit(on)

    def _update_tab_titles(self, *_args: object) -> None:
        for i, (key, label) in enumerate(self._tab_labels()):
            count = self.proxies[key].rowCount()
            if key is QueueTab.QUEUED and not self.process_action.isChecked():
                text = self.tr("{label} ({count}, on hold)").format(label=label, count=count)
            else:
                text = f"{label} ({count})"
            self.tabs.setTabText(i, text)

    def _tab_labels(self) -> tuple[tuple[QueueTab, str], ...]:
        return ((QueueTab.QUEUED, self.tr("Queued")), (QueueTab.FAILED, self.tr("Failed")),
                (QueueTab.SUCCESSFUL, self.tr("Successful")))
