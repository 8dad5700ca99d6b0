"""The Diagnose wizard: "login works but the listing hangs", answered in three pages.

1. *What will be tried*: every way of opening a data connection (EPSV, PASV to the
   advertised address, PASV to the control address, EPRT, PORT), a STAT listing over
   the control connection and the TLS probe, against the current site and folder, with
   the data timeout each attempt may take.
2. *Running*: :func:`~client.engine.diagnose.run_diagnosis` on the qasync loop, its own
   :class:`EventBus` drawn live in an embedded ladder diagram, each attempt a row with
   a running timer, then ok or the failure class. Cancel works at any moment: it cancels
   the task (each row closes its own session) and the window never waits for it.
3. *Verdict* (:mod:`client.ui.inspector.diagnose_verdict_page`): plain language,
   configuration snippets, and "Apply to this site".

The wizard is non-modal (``show()``, never ``exec()`` under qasync) and knows nothing
about the main window: it gets settings, a path and an ``apply`` coroutine function;
:mod:`client.ui.inspector.diagnose_install` connects it to the window.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from typing import cast

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from shiboken6 import isValid

from client.engine.diagnose import run_diagnosis
from client.engine.diagnose.model import Attempt, Diagnosis, Recommendation
from client.engine.diagnose.sftp_offer import SSH_PORT
from client.engine.events import EventBus
from client.engine.ladder import LadderModel
from client.engine.settings import ConnectionSettings, TlsMode
from client.protocol.text import escape_control
from client.ui.inspector.diagnose_rows import PLAN, AttemptRowsModel
from client.ui.inspector.diagnose_verdict_page import VerdictPage
from client.ui.inspector.ladder_view import LadderView
from client.ui.screen_fit import fit_to_screen

__all__ = ["DiagnoseWizard", "ApplyRecommendation"]

log = logging.getLogger(__name__)

#: What "Apply to this site" runs: returns a sentence saying what changed.
ApplyRecommendation = Callable[[Recommendation], Awaitable[str]]



def owner(page: QWizardPage) -> DiagnoseWizard:
    """The Diagnose wizard a page belongs to."""
    return cast("DiagnoseWizard", page.wizard())

class PlanPage(QWizardPage):
    """What will be tried, where, and how long each attempt may take."""

    def __init__(self, wizard: DiagnoseWizard) -> None:
        super().__init__(wizard)
        self.setObjectName("diagnosePlanPage")
        self.setTitle(self.tr("Diagnose the data connections"))
        settings = wizard.settings
        layout = QVBoxLayout(self)
        if settings is None:
            self.setSubTitle(self.tr("Connect to a site first: the diagnosis logs in to "
                                     "the server the window is connected to."))
            self.path_edit = QLineEdit(self)
            self.timeout_box = QDoubleSpinBox(self)
            self.path_edit.hide()
            self.timeout_box.hide()
            return
        self.setSubTitle(self.tr(
            "Each attempt logs in on a fresh connection to {} and lists the folder, "
            "without falling back to another method. Nothing on the server is changed, "
            "and an advertised address nobody can reach is never dialled.").format(
                escape_control(f"{settings.user}@{settings.host}:{settings.port}")))
        rows = "".join(f"<tr><td align='right'>{n}.</td><td><b>{html.escape(p.probe.value)}"
                       f"</b></td><td>{html.escape(p.what)}</td></tr>"
                       for n, p in enumerate(PLAN, 1))
        plan = QLabel(f"<table cellspacing='0' cellpadding='3'>{rows}</table>", self)
        plan.setObjectName("diagnosePlan")
        plan.setWordWrap(True)
        plan.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(plan)
        form = QFormLayout()
        self.path_edit = QLineEdit(wizard.path or "", self)
        self.path_edit.setObjectName("diagnosePath")
        self.path_edit.setPlaceholderText(self.tr("the login folder"))
        form.addRow(self.tr("Folder to list:"), self.path_edit)
        self.timeout_box = QDoubleSpinBox(self)
        self.timeout_box.setObjectName("diagnoseTimeout")
        self.timeout_box.setRange(0.5, 120.0)
        self.timeout_box.setDecimals(1)
        self.timeout_box.setSuffix(" s")
        self.timeout_box.setValue(settings.data_timeout)
        self.timeout_box.setToolTip(self.tr(
            "How long each attempt waits for its data connection and its first byte; a "
            "blocked attempt takes about this long"))
        form.addRow(self.tr("Data timeout per attempt:"), self.timeout_box)
        layout.addLayout(form)
        self.duration = QLabel(self)
        self.duration.setObjectName("diagnoseDuration")
        self.duration.setWordWrap(True)
        self.timeout_box.valueChanged.connect(self._show_duration)
        self._show_duration(self.timeout_box.value())
        layout.addWidget(self.duration)
        layout.addStretch(1)

    def _show_duration(self, timeout: float) -> None:
        # each of the six data rows (five methods and TLS) may wait one timeout, plus up
        # to 2 s for the ABOR that resets its connection; logins on loopback are quick
        worst = 6 * (timeout + 2) + 3
        self.duration.setText(self.tr(
            "A blocked attempt takes about {:.0f} s; the whole run at most about {:.0f} s. "
            "Cancel stops it at any moment.").format(timeout, worst))

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return owner(self).settings is not None


class RunPage(QWizardPage):
    """The rows with their live states above the ladder diagram of the attempts."""

    def __init__(self, wizard: DiagnoseWizard) -> None:
        super().__init__(wizard)
        self.setObjectName("diagnoseRunPage")
        self.setTitle(self.tr("Trying each way of opening a data connection"))
        self.status = QLabel(self)
        self.status.setObjectName("diagnoseStatus")
        self.status.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setObjectName("diagnoseRows")
        self.table.setModel(wizard.rows)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the diagram and the buttons
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.ladder = LadderView(wizard.ladder_model, self)
        self.ladder.setMinimumHeight(160)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.ladder)
        splitter.setSizes([230, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        owner(self).start()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt API (Back was pressed)
        owner(self).cancel()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return owner(self).diagnosis is not None


class DiagnoseWizard(QWizard):
    """Non-modal; ``settings`` None shows a "connect first" page."""

    #: the run ended with a diagnosis
    diagnosed = Signal(object)
    #: "Apply to this site" finished: the sentence saying what changed
    applied = Signal(str)
    #: "Connect with SFTP" was pressed: the verdict's SftpOffer
    sftp_requested = Signal(object)

    PLAN_PAGE, RUN_PAGE, VERDICT_PAGE = 0, 1, 2

    def __init__(self, settings: ConnectionSettings | None, path: str | None = None,
                 parent: QWidget | None = None, *, apply: ApplyRecommendation | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diagnoseWizard")
        # with several tabs, several wizards: each names the server it diagnoses
        where = "" if settings is None else (
            f" [{settings.host}]:{settings.port}" if ":" in settings.host
            else f" {settings.host}:{settings.port}")
        self.setWindowTitle(self.tr("Diagnose") + where)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Run"))
        self.settings = settings
        self.path = path
        self.apply_callback = apply
        #: where the same host is asked for an SSH banner when FTP's data path is blocked
        self.ssh_port = SSH_PORT
        self.diagnosis: Diagnosis | None = None
        self.task: asyncio.Task[Diagnosis] | None = None
        self.apply_task: asyncio.Task[str] | None = None
        self.bus: EventBus | None = None
        self.rows = AttemptRowsModel(self, tls_expected=settings is not None
                                     and settings.tls is not TlsMode.OFF)
        self.ladder_model = LadderModel()
        self._unsubscribe: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self.rows.tick)
        self.plan_page = PlanPage(self)
        self.run_page = RunPage(self)
        self.verdict_page = VerdictPage(self)
        self.setPage(self.PLAN_PAGE, self.plan_page)
        self.setPage(self.RUN_PAGE, self.run_page)
        self.setPage(self.VERDICT_PAGE, self.verdict_page)
        self.verdict_page.apply_requested.connect(self._apply)
        self.verdict_page.sftp_requested.connect(self.sftp_requested)
        self.currentIdChanged.connect(self._page_changed)
        self._fitted = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """The first show takes 960x760 or what the screen allows (1280x720 laptops):
        Run, Show verdict and Finish must never be below the screen's edge."""
        if not self._fitted:
            self._fitted = True
            fit_to_screen(self, QSize(960, 760))
        super().showEvent(event)

    # -- running ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def run_settings(self) -> ConnectionSettings:
        """The site's settings with the data timeout chosen on the first page."""
        assert self.settings is not None
        return self.settings.replace(data_timeout=float(self.plan_page.timeout_box.value()))

    def start(self) -> None:
        """Start (or restart) the run on the current event loop."""
        if self.settings is None:
            return
        self.cancel()
        self.diagnosis = None
        self.path = self.plan_page.path_edit.text().strip() or None
        self.bus = EventBus()
        self.ladder_model.clear()
        self.run_page.ladder.set_clock(self.bus.now)
        self._unsubscribe = self.bus.subscribe(self.ladder_model.feed)
        self.rows.start()
        self._timer.start()
        settings = self.run_settings()
        self.run_page.status.setText(self.tr(
            "Running against {}, folder {} (data timeout {:.1f} s per attempt)…").format(
                escape_control(f"{settings.host}:{settings.port}"),
                escape_control(self.path or self.tr("of the login")), settings.data_timeout))
        self.task = asyncio.ensure_future(run_diagnosis(settings, self.path, bus=self.bus,
                                                        on_attempt=self._attempt_done,
                                                        ssh_port=self.ssh_port))
        self.task.add_done_callback(self._run_done)
        self.run_page.completeChanged.emit()

    def cancel(self) -> None:
        """Stop the run now (the task closes its sessions on its own). The rows say so
        at once: the wizard may be gone before the task's own end is reported."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
            self.rows.finish(cancelled=True)
        self._timer.stop()

    def _attempt_done(self, attempt: Attempt) -> None:
        if isValid(self):
            self.rows.add(attempt)

    def _run_done(self, task: asyncio.Task[Diagnosis]) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if not isValid(self):  # the wizard (or its window) was closed meanwhile
            return
        self._timer.stop()
        if task is not self.task:
            return
        if task.cancelled():
            self.rows.finish(cancelled=True)
            self.run_page.status.setText(self.tr("Cancelled."))
            return
        error = task.exception()
        if error is not None:
            log.error("the diagnosis failed", exc_info=error)
            self.rows.finish(cancelled=True)
            self.run_page.status.setText(self.tr("The diagnosis stopped: {}").format(
                escape_control(str(error))))
            return
        self.diagnosis = task.result()
        self.rows.finish()
        self.run_page.status.setText(self.tr("Done: {}. Press “Show verdict”.").format(
            escape_control(self.diagnosis.verdict.headline)))
        self.verdict_page.show_diagnosis(self.diagnosis, can_apply=self.apply_callback is not None)
        self.run_page.completeChanged.emit()
        self.diagnosed.emit(self.diagnosis)

    def _page_changed(self, page_id: int) -> None:
        next_text = {self.PLAN_PAGE: self.tr("Run"), self.RUN_PAGE: self.tr("Show verdict")}
        if page_id in next_text:
            self.setButtonText(QWizard.WizardButton.NextButton, next_text[page_id])

    # -- applying --------------------------------------------------------------------------
    def _apply(self, recommendation: Recommendation) -> None:
        if self.apply_callback is None:
            return
        self.apply_task = asyncio.ensure_future(self.apply_callback(recommendation))
        self.apply_task.add_done_callback(self._apply_done)

    def _apply_done(self, task: asyncio.Task[str]) -> None:
        if task.cancelled() or not isValid(self):
            return
        error = task.exception()
        if error is not None:
            self.verdict_page.set_apply_status(
                self.tr("Could not apply: {}").format(escape_control(str(error))), error=True)
            self.verdict_page.apply_button.setEnabled(True)
            return
        self.verdict_page.set_apply_status(task.result())
        self.applied.emit(task.result())

    # -- closing ---------------------------------------------------------------------------
    def reject(self) -> None:
        """Cancel (button, Escape, window close): stop the run, close at once."""
        self.cancel()
        super().reject()

    def done(self, result: int) -> None:
        self.cancel()
        super().done(result)
