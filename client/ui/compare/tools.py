"""The window's comparison tools wired in one place: the View → Directory comparison
actions to :class:`DirectoryComparison`, Synchronised browsing to
:class:`SynchronisedBrowsing`, Synchronise… to :class:`SynchroniseDialog`, and what
they have to say to the status bar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from client.config.compare_choice import CompareChoice
from client.engine.sync import CompareRule, SyncAction, SyncOptions, SyncPlan
from client.engine.sync.execute import SyncRun, run_plan
from client.engine.sync.prepare import prepare_plan
from client.ui.compare.comparison import DirectoryComparison
from client.ui.compare.sync_browsing import SynchronisedBrowsing
from client.ui.compare.sync_dialog import SynchroniseDialog

if TYPE_CHECKING:
    from client.ui.connection import RemoteConnection
    from client.ui.local_pane import LocalPane
    from client.ui.menus import WindowActions
    from client.ui.remote.pane import RemotePane
    from client.ui.transfers import Transfers

__all__ = ["CompareTools"]


class CompareTools(QObject):
    def __init__(self, actions: WindowActions, *, local: LocalPane, remote: RemotePane,
                 status: QStatusBar, connection: RemoteConnection, transfers: Transfers,
                 spawn: Callable[..., Any], browse_remote: Callable[[str], Awaitable[Any]],
                 refresh: Callable[[], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.actions = actions
        self.local, self.remote = local, remote
        self.status = status
        self.connection, self.transfers = connection, transfers
        self.spawn, self.refresh = spawn, refresh
        self.dialog: SynchroniseDialog | None = None
        self.label = QLabel(parent)
        self.label.setObjectName("comparisonStatus")
        self.label.setAccessibleName(self.tr("Directory comparison"))
        status.addWidget(self.label, 1)
        self._browse_remote = browse_remote
        self.comparison, self.browsing = self._bind(remote)
        self.choice = CompareChoice()
        actions.compare.toggled.connect(lambda on: self.comparison.set_enabled(on))
        for action, rule in self._rule_actions():
            action.triggered.connect(lambda _on=False, r=rule: self._rule_picked(r))
        saved = self.choice.load()
        for action, rule in self._rule_actions():
            if rule is saved:  # the panes compare as the user last chose
                action.setChecked(True)
                self.comparison.set_rule(rule)
        actions.hide_identical.toggled.connect(lambda on: self.comparison.set_hide_identical(on))
        actions.sync_browsing.toggled.connect(self._browsing_toggled)
        actions.synchronise.triggered.connect(self.open_synchronise)

    def _bind(self, remote: RemotePane) -> tuple[DirectoryComparison, SynchronisedBrowsing]:
        comparison = DirectoryComparison(self.local, remote, self)
        comparison.summary_changed.connect(self.label.setText)
        browsing = SynchronisedBrowsing(
            self.local, remote, self._browse_remote,
            lambda coro: self.spawn(coro, pane=remote, doing=self.tr("Synchronised browsing")),
            self)
        browsing.message.connect(lambda text: self.status.showMessage(text, 10_000))
        return comparison, browsing

    def follow(self, remote: RemotePane, connection: RemoteConnection,
               transfers: Transfers) -> None:
        """Another connection tab is shown: compare and synchronise with its remote side
        (comparison and synchronised browsing start off again, as for a new folder)."""
        if remote is self.remote:
            return
        self.actions.compare.setChecked(False)
        self.actions.sync_browsing.setChecked(False)
        for old in (self.comparison, self.browsing):
            old.deleteLater()
        self.remote, self.connection, self.transfers = remote, connection, transfers
        self.comparison, self.browsing = self._bind(remote)
        self.comparison.set_rule(self.panes_rule())
        self.comparison.set_hide_identical(self.actions.hide_identical.isChecked())
        self.label.clear()

    def _rule_actions(self) -> tuple[tuple[QAction, CompareRule], ...]:
        return ((self.actions.compare_size, CompareRule.SIZE),
                (self.actions.compare_time, CompareRule.TIME),
                (self.actions.compare_both, CompareRule.BOTH))

    def panes_rule(self) -> CompareRule:
        """The rule ticked in View → Directory comparison."""
        return next((r for a, r in self._rule_actions() if a.isChecked()), CompareRule.BOTH)

    def _rule_picked(self, rule: CompareRule) -> None:
        self.comparison.set_rule(rule)
        self.choice.save(rule)

    def _browsing_toggled(self, on: bool) -> None:
        if not self.browsing.set_enabled(on) and on:
            self.actions.sync_browsing.setChecked(False)

    # -- Synchronise… ----------------------------------------------------------------------
    def open_synchronise(self) -> SynchroniseDialog | None:
        """The dialog for the two folders shown (or a word in the status bar: no server)."""
        remote_folder = self.remote.current_path
        if not self.connection.is_connected or not remote_folder:
            self.status.showMessage(self.tr("Synchronise needs a connection: connect, then "
                                            "open the two folders to synchronise"), 10_000)
            return None
        local_folder = Path(self.local.current)

        async def plan_sync(options: SyncOptions) -> SyncPlan:
            return await self.connection.run(
                lambda session: prepare_plan(session, local_folder, remote_folder, options))

        async def run_sync(chosen: list[SyncAction]) -> SyncRun:
            queue = self.transfers.ensure_queue()
            run = await self.connection.run(lambda session: run_plan(
                chosen, local_root=local_folder, remote_root=remote_folder, fs=session,
                queue=queue))
            self.refresh()
            return run

        dialog = SynchroniseDialog(
            local_folder, remote_folder, plan_sync=plan_sync, run_sync=run_sync,
            spawn=lambda coro: self.spawn(coro, pane=self.remote, doing=self.tr("Synchronise")),
            rule=self.choice.load() or self.panes_rule(),
            parent=self.parent())  # type: ignore[arg-type]
        dialog.rule_chosen.connect(self.choice.save)
        dialog.finished_text.connect(lambda text: self.status.showMessage(text, 15_000))
        self.dialog = dialog
        dialog.open()
        return dialog
