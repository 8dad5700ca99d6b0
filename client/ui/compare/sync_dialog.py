"""Synchronise… (as WinSCP's): direction, rule, tolerance, include/exclude, the delete
option, then a preview listing every copy and delete — rows can be unticked — before
anything happens. Deletes need an explicit confirmation; running queues the copies on
the window's transfer queue (progress, retries) and does folders and deletes at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from client.engine.sync import CompareRule, Direction, SyncAction, SyncOptions, SyncPlan
from client.engine.sync.execute import SyncRun
from client.protocol.text import escape_control
from client.ui.compare.preview_model import PreviewModel
from client.ui.dialogs import fit_title

__all__ = ["SynchroniseDialog", "split_patterns"]


def split_patterns(text: str) -> tuple[str, ...]:
    """``"*.tmp; cache"`` -> ("*.tmp", "cache")."""
    return tuple(p.strip() for p in text.replace(",", ";").split(";") if p.strip())


class SynchroniseDialog(QDialog):
    """``plan_sync(options)`` makes the plan; ``run_sync(actions)`` carries it out;
    ``spawn`` runs a coroutine on the window's loop (failures shown by the window)."""

    finished_text = Signal(str)
    #: the user picked a comparison rule (the window remembers it for next time)
    rule_chosen = Signal(object)  # CompareRule

    def __init__(self, local_folder: Path, remote_folder: str, *,
                 plan_sync: Callable[[SyncOptions], Awaitable[SyncPlan]],
                 run_sync: Callable[[list[SyncAction]], Awaitable[SyncRun]],
                 spawn: Callable[[Awaitable[Any]], Any],
                 rule: CompareRule = CompareRule.BOTH,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("synchroniseDialog")
        self.setWindowTitle(self.tr("Synchronise"))
        self.plan_sync, self.run_sync, self.spawn = plan_sync, run_sync, spawn
        self.plan: SyncPlan | None = None
        self.confirm_box: QMessageBox | None = None

        folders = QLabel(self.tr("Local folder: {}\nRemote folder: {}").format(
            local_folder, escape_control(remote_folder)), self)
        self.direction = QComboBox(self)
        for text, value in ((self.tr("Local → remote (upload)"), Direction.UPLOAD),
                            (self.tr("Remote → local (download)"), Direction.DOWNLOAD),
                            (self.tr("Both ways (newer wins)"), Direction.BOTH)):
            self.direction.addItem(text, value)
        self.rule = QComboBox(self)
        for text, value in ((self.tr("Size"), CompareRule.SIZE),
                            (self.tr("Modification time"), CompareRule.TIME),
                            (self.tr("Size and time"), CompareRule.BOTH),
                            (self.tr("Checksum (where the server offers one)"),
                             CompareRule.CHECKSUM)):
            self.rule.addItem(text, value)
        # the panes' rule (or the one last chosen): "identical" means the same here
        self.rule.setCurrentIndex(next((i for i in range(self.rule.count())
                                        if self.rule.itemData(i) is rule), 0))
        self.rule.activated.connect(lambda _i: self.rule_chosen.emit(self.rule.currentData()))
        self.tolerance = QDoubleSpinBox(self)
        self.tolerance.setRange(0, 86400)
        self.tolerance.setValue(2)
        self.tolerance.setSuffix(self.tr(" s"))
        self.tolerance.setToolTip(self.tr("Times this close count as equal; a server's ls -l "
                                          "times add a minute (or a day) of their own"))
        self.include = QLineEdit(self)
        self.include.setPlaceholderText(self.tr("e.g. *.html; *.css (empty: every file)"))
        self.exclude = QLineEdit(self)
        self.exclude.setPlaceholderText(self.tr("e.g. *.tmp; cache"))
        self.delete = QCheckBox(self.tr("&Delete files absent on the source (one way only)"), self)
        form = QFormLayout()
        form.addRow(self.tr("&Direction:"), self.direction)
        form.addRow(self.tr("&Compare by:"), self.rule)
        form.addRow(self.tr("&Tolerance:"), self.tolerance)
        form.addRow(self.tr("&Include:"), self.include)
        form.addRow(self.tr("E&xclude:"), self.exclude)
        form.addRow("", self.delete)

        self.preview_button = QPushButton(self.tr("&Preview"), self)
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        self.model = PreviewModel(self)
        self.model.dataChanged.connect(self._ticks_changed)
        self.table = QTableView(self)
        self.table.setObjectName("synchronisePreview")
        self.table.setAccessibleName(self.tr("Planned actions"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(1, 220)
        self.summary = QLabel(self.tr("Choose the options, then Preview: nothing changes "
                                      "before you press Synchronise."), self)
        self.summary.setWordWrap(True)
        self.run_button = QPushButton(self.tr("&Synchronise"), self)
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.confirm_and_run)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(folders)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        for signal in (self.direction.currentIndexChanged, self.rule.currentIndexChanged,
                       self.tolerance.valueChanged, self.include.textChanged,
                       self.exclude.textChanged, self.delete.toggled):
            signal.connect(self._options_changed)
        self.direction.currentIndexChanged.connect(self._offer_what_applies)
        self.rule.currentIndexChanged.connect(self._offer_what_applies)
        self._offer_what_applies()
        self.resize(760, 560)

    def _offer_what_applies(self, *_args: object) -> None:
        """Grey what the choices make meaningless: the time tolerance when no times are
        compared (sizes or checksums one way; both ways, the newer side wins), deleting
        when copying both ways (nothing is absent on a source then)."""
        both_ways = self.direction.currentData() is Direction.BOTH
        self.tolerance.setEnabled(both_ways or self.rule.currentData() in (CompareRule.TIME,
                                                                            CompareRule.BOTH))
        if both_ways:
            self.delete.setChecked(False)
        self.delete.setEnabled(not both_ways)

    def options(self) -> SyncOptions:
        return SyncOptions(direction=self.direction.currentData(), rule=self.rule.currentData(),
                           tolerance=self.tolerance.value(),
                           include=split_patterns(self.include.text()),
                           exclude=split_patterns(self.exclude.text()),
                           delete=self.delete.isChecked())

    def _options_changed(self, *_args: object) -> None:
        if self.plan is not None:
            self.plan = None
            self.model.set_actions([])
            self.run_button.setEnabled(False)
            self.summary.setText(self.tr("The options changed: Preview again."))

    # -- preview ------------------------------------------------------------------------
    def preview(self) -> None:
        self.preview_button.setEnabled(False)
        self.summary.setText(self.tr("Comparing the two folders…"))
        self.spawn(self._preview())

    async def _preview(self) -> None:
        try:
            plan = await self.plan_sync(self.options())
        except BaseException:
            self.summary.setText(self.tr("The comparison failed (see the remote pane)."))
            raise
        finally:
            self.preview_button.setEnabled(True)
        self.plan = plan
        self.model.set_actions(plan.actions)
        self.run_button.setEnabled(bool(plan.actions))
        lines = [self._counts(plan.actions)]
        if not plan.actions:
            lines = [self.tr("Nothing to do: the folders match by this rule.")]
        lines += plan.notes
        if plan.refused:
            first = plan.refused[0]
            lines.append(self.tr("{} names left out, e.g. '{}': {}").format(
                len(plan.refused), escape_control(first.name), first.reason))
        self.summary.setText("\n".join(lines))

    def _counts(self, actions: list[SyncAction]) -> str:
        copies = sum(1 for a in actions if not a.kind.is_delete and not a.is_dir)
        folders = sum(1 for a in actions if a.is_dir and not a.kind.is_delete)
        deletes = sum(1 for a in actions if a.kind.is_delete)
        counts = (self.tr("1 copy") if copies == 1 else self.tr("{} copies").format(copies),
                  self.tr("1 folder to create") if folders == 1
                  else self.tr("{} folders to create").format(folders),
                  self.tr("1 delete") if deletes == 1 else self.tr("{} deletes").format(deletes))
        return self.tr("{}, {}, {}. Untick what should not happen.").format(*counts)

    def _ticks_changed(self, *_args: object) -> None:
        """The first line counts what is ticked; nothing ticked, nothing to run."""
        if self.plan is None or not self.plan.actions:
            return
        ticked = self.model.checked_actions()
        lines = self.summary.text().split("\n")
        lines[0] = self._counts(ticked)
        self.summary.setText("\n".join(lines))
        self.run_button.setEnabled(bool(ticked))

    # -- run ----------------------------------------------------------------------------
    def confirm_and_run(self) -> None:
        actions = self.model.checked_actions()
        deletes = [a for a in actions if a.kind.is_delete]
        if not deletes:
            self._start(actions)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Delete files?"),
                          (self.tr("The synchronisation deletes '{}'. Deleted files cannot "
                                   "be recovered.").format(escape_control(deletes[0].relpath))
                           if len(deletes) == 1 else
                           self.tr("The synchronisation deletes {} files or folders, e.g. "
                                   "'{}'. Deleted files cannot be recovered.").format(
                               len(deletes), escape_control(deletes[0].relpath))),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("confirmSyncDeletes")
        delete_button = box.addButton(self.tr("Delete and synchronise"),
                                      QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._start(actions)
                                  if button is delete_button else None)
        self.confirm_box = box
        fit_title(box)  # the whole title, not cut by the title bar
        box.open()

    def _start(self, actions: list[SyncAction]) -> None:
        self.run_button.setEnabled(False)
        self.summary.setText(self.tr("Synchronising…"))
        self.spawn(self._run(actions))

    async def _run(self, actions: list[SyncAction]) -> None:
        run = await self.run_sync(actions)
        deleted = sum(1 for a in run.done if a.kind.is_delete)
        queued = len(run.job_ids)
        created = sum(1 for a in run.done if a.is_dir and not a.kind.is_delete)
        text = self.tr("Synchronise: {}, {} deleted, {}, {} failed").format(
            self.tr("1 copy queued") if queued == 1
            else self.tr("{} copies queued").format(queued), deleted,
            self.tr("1 folder created") if created == 1
            else self.tr("{} folders created").format(created), len(run.failed))
        if run.failed:
            action, why = run.failed[0]
            text += self.tr(" (first: {}: {})").format(escape_control(action.relpath), why)
        self.summary.setText(text)
        self.finished_text.emit(text)
        self.accept()
