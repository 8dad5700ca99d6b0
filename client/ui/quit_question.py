"""Quitting while files are still being transferred asks first, as FileZilla does: a
Ctrl+Q meant for another window must not cut a download in the middle. Paused and
failed jobs do not count (nothing is moving; they are offered again at the next start
anyway)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox, QWidget

from client.engine.queue.jobs import JobState, TransferJob
from client.ui.dialogs import fit_title

__all__ = ["QuitGuard", "moving"]

_MOVING = frozenset({JobState.QUEUED, JobState.RUNNING})


def moving(jobs: Iterable[TransferJob]) -> int:
    """How many of ``jobs`` are running or waiting to run."""
    return sum(1 for job in jobs if job.state in _MOVING)


class QuitGuard(QObject):
    """Lets a close through when nothing is being transferred or the person said Quit;
    otherwise stops it and asks (non-modal: never ``exec()`` under qasync)."""

    def __init__(self, window: QWidget, jobs: Callable[[], list[TransferJob]]) -> None:
        super().__init__(window)
        self._window = window
        self._jobs = jobs
        self._confirmed = False
        self.box: QMessageBox | None = None

    def allows(self, event: QCloseEvent) -> bool:
        """True: close now. False: the event is ignored and the question is shown."""
        count = moving(self._jobs())
        if self._confirmed or count == 0:
            return True
        event.ignore()
        if self.box is None or not self.box.isVisible():
            self.box = self._ask(count)
        return False

    def _ask(self, count: int) -> QMessageBox:
        text = (self.tr("Quit while 1 transfer is still running?") if count == 1
                else self.tr("Quit while {} transfers are still running or waiting?")
                .format(count))
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Transfers in progress"), text,
                          QMessageBox.StandardButton.NoButton, self._window)
        box.setObjectName("quitWhileTransferring")
        box.setInformativeText(self.tr(
            "They stop now. At the next start the window offers to restore them; "
            "downloads continue from their .part files."))
        quit_button = box.addButton(self.tr("&Quit"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(quit_button)
        box.finished.connect(lambda _result: self._answered(box.clickedButton() is quit_button))
        fit_title(box)
        box.open()
        return box

    def _answered(self, quit_now: bool) -> None:
        self.box = None
        if quit_now:
            self._confirmed = True
            self._window.close()
