"""The file-exists dialog: the queue asks what to do when a transfer's target exists
(overwrite, resume, rename, skip, overwrite if newer, overwrite if the size differs,
and "apply to all").

Several queue workers may ask at once; :class:`ExistsAsker` shows one dialog at a time
and answers the waiting questions itself once the user chose "apply to all".
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from client.engine.exists import ExistsDecision, ExistsInfo, ExistsPolicy
from client.protocol.text import escape_control
from client.ui.dialogs import await_dialog, fit_title
from client.ui.remote.listing_model import human_size

__all__ = ["FileExistsDialog", "ExistsAsker"]

_CHOICES = (  # translated when shown (context FileExistsDialog)
    (ExistsPolicy.OVERWRITE, QT_TRANSLATE_NOOP("FileExistsDialog", "Overwrite")),
    (ExistsPolicy.OVERWRITE_IF_NEWER,
     QT_TRANSLATE_NOOP("FileExistsDialog", "Overwrite if the source is newer")),
    (ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE,
     QT_TRANSLATE_NOOP("FileExistsDialog", "Overwrite if the size differs")),
    (ExistsPolicy.RESUME, QT_TRANSLATE_NOOP("FileExistsDialog", "Resume (append the missing end)")),
    (ExistsPolicy.RENAME, QT_TRANSLATE_NOOP("FileExistsDialog", "Keep both (rename the new file)")),
    (ExistsPolicy.SKIP, QT_TRANSLATE_NOOP("FileExistsDialog", "Skip")),
)


def _describe(size: int | None, mtime: object) -> str:
    size_text = f"{human_size(size)} ({size} bytes)" if size is not None else "size unknown"
    when = mtime.strftime("%Y-%m-%d %H:%M:%S %Z") if hasattr(mtime, "strftime") else "time unknown"
    return f"{size_text}, {when}"


class FileExistsDialog(QDialog):
    def __init__(self, info: ExistsInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileExistsDialog")
        self.setWindowTitle(self.tr("The target file exists"))
        target = str(info.local_path) if info.direction == "download" else info.remote_path
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("{} already exists.").format(escape_control(target)), self)
        title.setTextFormat(Qt.TextFormat.PlainText)  # a remote name is never markup
        title.setWordWrap(True)
        layout.addWidget(title)
        form = QFormLayout()
        form.addRow(self.tr("Source:"), QLabel(_describe(info.source_size, info.source_mtime), self))
        form.addRow(self.tr("Target:"), QLabel(_describe(info.target_size, info.target_mtime), self))
        layout.addLayout(form)
        self.group = QButtonGroup(self)
        self.choices: dict[ExistsPolicy, QRadioButton] = {}
        for policy, source in _CHOICES:
            text = QCoreApplication.translate("FileExistsDialog", source)
            button = QRadioButton(text, self)
            button.setAccessibleName(text)
            self.group.addButton(button)
            self.choices[policy] = button
            layout.addWidget(button)
        resumable = info.source_size is None or info.target_size is None or \
            info.target_size < info.source_size
        self.choices[ExistsPolicy.RESUME].setEnabled(resumable)
        default = ExistsPolicy.RESUME if resumable and info.target_size else ExistsPolicy.OVERWRITE
        self.choices[default].setChecked(True)
        self.apply_to_all = QCheckBox(self.tr("Apply to all files of this queue"), self)
        self.apply_to_all.setAccessibleName(self.tr("Apply to all"))
        layout.addWidget(self.apply_to_all)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_title(self)  # a short path made it narrower than its title bar text

    def decision(self) -> ExistsDecision:
        chosen = next(p for p, b in self.choices.items() if b.isChecked())
        return ExistsDecision(chosen, apply_to_all=self.apply_to_all.isChecked())


class ExistsAsker(QObject):
    """The queue's ``ask_exists`` callback: one dialog at a time. Cancel (or Escape)
    stops that transfer: ``cancel_requested`` carries its job, and the window cancels it
    in the queue, so it is listed as cancelled, not as a successful skip."""

    #: the job whose question the person cancelled
    cancel_requested = Signal(object)

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self._lock = asyncio.Lock()
        self._for_all: ExistsDecision | None = None
        self.current: FileExistsDialog | None = None

    def reset(self) -> None:
        self._for_all = None

    async def __call__(self, job: Any, info: ExistsInfo) -> ExistsDecision:
        async with self._lock:
            if self._for_all is not None:
                return self._for_all
            dialog = FileExistsDialog(info, self.parent_widget)
            self.current = dialog
            try:
                accepted = await await_dialog(dialog)
                decision = dialog.decision() if accepted else ExistsDecision(ExistsPolicy.SKIP)
            finally:
                self.current = None
                dialog.deleteLater()
            if not accepted:
                self.cancel_requested.emit(job)  # the target stays untouched either way
                return decision
            if decision.apply_to_all:
                self._for_all = decision
            return decision
