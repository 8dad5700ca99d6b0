"""The transfer queue's context menu: the bar's buttons for the jobs under the mouse,
and taking finished jobs off the list (the selected ones, or every successful one) —
without it the Successful tab only ever grew."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMenu, QWidget

from client.engine.queue.jobs import FINISHED_STATES, JobState, TransferJob

__all__ = ["queue_menu", "removable", "applies", "MOVABLE_STATES"]

#: Jobs whose place in the queue still matters: waiting ones. A running or finished
#: job has no place to move to (moving it only shuffled the order behind the scenes).
MOVABLE_STATES = frozenset({JobState.QUEUED, JobState.PAUSED})

#: For each queue action, the job states it does something to.
_APPLIES_TO = {
    "pause": frozenset({JobState.QUEUED, JobState.RUNNING}),
    "resume": frozenset({JobState.PAUSED}),
    "cancel": frozenset({JobState.QUEUED, JobState.RUNNING, JobState.PAUSED}),
    "retry": frozenset({JobState.FAILED, JobState.CANCELLED, JobState.SKIPPED}),
    "up": MOVABLE_STATES,
    "down": MOVABLE_STATES,
    "remove": FINISHED_STATES,
}

QueueHandler = Callable[[str, list[TransferJob]], None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("QueueWidget", text)


def removable(jobs: list[TransferJob]) -> list[TransferJob]:
    """The finished ones among ``jobs`` (the others are still to do or running)."""
    return [job for job in jobs if job.state in FINISHED_STATES]


def applies(action: str, jobs: list[TransferJob], every: list[TransferJob] | None = None) -> bool:
    """Whether ``action`` does something to one of ``jobs`` (the bar's buttons and
    the menu's entries are greyed otherwise). With ``every`` job in the queue's order,
    Move up skips the first waiting job and Move down the last: they have nowhere to go."""
    states = _APPLIES_TO.get(action)
    if states is None:
        return False
    candidates = [job for job in jobs if job.state in states]
    waiting = [job for job in every or () if job.state in MOVABLE_STATES]
    if every is not None and action in ("up", "down") and waiting:
        # only waiting jobs count: finished ones before it are not shown in the Queued tab
        end = waiting[0 if action == "up" else -1].job_id
        candidates = [job for job in candidates if job.job_id != end]
    return bool(candidates)


def queue_menu(parent: QWidget, selected: list[TransferJob], every: list[TransferJob],
               run: QueueHandler) -> QMenu:
    """What can be done to ``selected`` (greyed when nothing applies); ``every`` job
    shown, for "Clear successful transfers"."""
    menu = QMenu(parent)
    menu.setObjectName("queueMenu")

    def add(text: str, action: str, jobs: list[TransferJob], applies_to: bool) -> None:
        entry = menu.addAction(text)
        entry.setEnabled(bool(jobs) and applies_to)
        entry.triggered.connect(lambda _on=False: run(action, jobs))

    for text, action in ((_tr("Pause"), "pause"), (_tr("Resume"), "resume"),
                         (_tr("Cancel"), "cancel"), (_tr("Retry"), "retry")):
        add(text, action, selected, applies(action, selected))
    menu.addSeparator()
    add(_tr("Move up"), "up", selected, applies("up", selected, every))
    add(_tr("Move down"), "down", selected, applies("down", selected, every))
    menu.addSeparator()
    add(_tr("Remove from the list (Del)"), "remove", removable(selected), True)
    add(_tr("Clear successful transfers"), "remove",
        [job for job in every if job.state is JobState.DONE], True)
    return menu
