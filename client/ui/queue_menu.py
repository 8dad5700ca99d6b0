"""The transfer queue's context menu: the bar's buttons for the jobs under the mouse,
and taking finished jobs off the list (the selected ones, or every successful one) —
without it the Successful tab only ever grew."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMenu, QWidget

from client.engine.queue.jobs import FINISHED_STATES, JobState, TransferJob

__all__ = ["queue_menu", "removable"]

QueueHandler = Callable[[str, list[TransferJob]], None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("QueueWidget", text)


def removable(jobs: list[TransferJob]) -> list[TransferJob]:
    """The finished ones among ``jobs`` (the others are still to do or running)."""
    return [job for job in jobs if job.state in FINISHED_STATES]


def queue_menu(parent: QWidget, selected: list[TransferJob], every: list[TransferJob],
               run: QueueHandler) -> QMenu:
    """What can be done to ``selected`` (greyed when nothing applies); ``every`` job
    shown, for "Clear successful transfers"."""
    menu = QMenu(parent)
    menu.setObjectName("queueMenu")
    states = {job.state for job in selected}

    def add(text: str, action: str, jobs: list[TransferJob], applies: bool) -> None:
        entry = menu.addAction(text)
        entry.setEnabled(bool(jobs) and applies)
        entry.triggered.connect(lambda _on=False: run(action, jobs))

    add(_tr("Pause"), "pause", selected,
        bool(states & {JobState.QUEUED, JobState.RUNNING}))
    add(_tr("Resume"), "resume", selected, JobState.PAUSED in states)
    add(_tr("Cancel"), "cancel", selected,
        bool(states & {JobState.QUEUED, JobState.RUNNING, JobState.PAUSED}))
    add(_tr("Retry"), "retry", selected,
        bool(states & {JobState.FAILED, JobState.CANCELLED, JobState.SKIPPED}))
    menu.addSeparator()
    add(_tr("Move up"), "up", selected, True)
    add(_tr("Move down"), "down", selected, True)
    menu.addSeparator()
    add(_tr("Remove from the list (Del)"), "remove", removable(selected), True)
    add(_tr("Clear successful transfers"), "remove",
        [job for job in every if job.state is JobState.DONE], True)
    return menu
