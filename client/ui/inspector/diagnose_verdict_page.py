"""The Diagnose wizard's last page: the verdict in plain language, what worked, the
recommended settings with one "Apply to this site" button, and the configuration
snippets (vsftpd, ProFTPD, pure-ftpd, firewall) in read-only boxes with a Copy button
each.

The page only shows a :class:`~client.engine.diagnose.model.Diagnosis`; applying is the
wizard's ``apply`` callback (the window decides what "this site" is).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from client.engine.diagnose.model import ACTIVE_PROBES, PASSIVE_PROBES, Diagnosis, Outcome, Probe
from client.protocol.text import escape_control
from client.ui.inspector.diagnose_rows import state_text
from client.ui.inspector.diagnose_snippets import Snippet, snippets_for

__all__ = ["VerdictPage", "SnippetBox", "summary_lines", "summary_html", "report_text"]

_GOOD_KEYS = frozenset({"healthy"})
_WIDE_LINE = 60  # characters: longer snippet lines may need the horizontal scroll bar
_SNIPPET_COLUMNS = 2


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def summary_html(diagnosis: Diagnosis) -> str:
    """The rows as a small table (every server text escaped twice: control characters
    first, then HTML)."""
    rows = []
    for attempt in diagnosis.attempts:
        good = attempt.outcome is Outcome.OK
        colour = "#1e7b34" if good else "#b3261e" if attempt.outcome is Outcome.FAILED \
            else "#8a6d00"
        mark = "\u2714" if good else "\u2718"
        rows.append(
            f"<tr><td>{mark}</td>"
            f"<td>{html.escape(attempt.probe.value)}</td>"
            f"<td style='color:{colour}'>{html.escape(escape_control(state_text(attempt)))}</td>"
            f"<td>{attempt.elapsed:.1f} s</td></tr>")
    return "<table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>"


def summary_lines(diagnosis: Diagnosis) -> list[str]:
    """One line per family of rows: passive, active, STAT, TLS (what worked at a glance)."""
    lines = []
    for title, probes in (("Passive", PASSIVE_PROBES), ("Active", ACTIVE_PROBES),
                          ("Control connection", (Probe.STAT,)), ("TLS", (Probe.TLS,))):
        parts = []
        for probe in probes:
            attempt = diagnosis.attempt(probe)
            if attempt is not None:
                mark = "\u2714" if attempt.outcome is Outcome.OK else "\u2718"
                parts.append(f"{mark} {probe.value}: {state_text(attempt)}")
        if parts:
            lines.append(f"{title}:  " + "   ".join(parts))
    return lines


def report_text(diagnosis: Diagnosis) -> str:
    """The verdict as plain text for a ticket or a mail: server, verdict, every row,
    the recommendation and the fixes (no password: the diagnosis never holds one)."""
    verdict = diagnosis.verdict
    lines = [f"FTP Inspector diagnosis of {diagnosis.server}{diagnosis.path or ''} "
             f"(data timeout {diagnosis.data_timeout:g} s)",
             f"Verdict: {verdict.key}: {_sentence(verdict.headline)}",
             _sentence(verdict.explanation), ""]
    for attempt in diagnosis.attempts:
        lines.append(f"  {attempt.probe.value:<28} {state_text(attempt):<32} "
                     f"{attempt.elapsed:5.1f} s  {attempt.detail}")
    if verdict.recommended is not None:
        lines += ["", f"Recommended: {verdict.recommended.text} "
                      f"({verdict.recommended.cli_options()})"]
    if verdict.fixes:
        lines += ["", "Fixes:"] + [f"  - {fix}" for fix in verdict.fixes]
    if verdict.firewall:
        lines.append(f"Firewall: {verdict.firewall}")
    return "\n".join(escape_control(line) for line in lines)


class SnippetBox(QFrame):
    """A read-only block of configuration under its title, with a Copy button."""

    copied = Signal(str)

    def __init__(self, snippet: Snippet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snippet = snippet
        self.setObjectName(f"snippet-{snippet.key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(snippet.title, self)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName(f"snippetText-{snippet.key}")
        self.text.setReadOnly(True)
        self.text.setPlainText(snippet.text)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(self.tr("{} configuration").format(snippet.title))
        self.text.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lines = snippet.text.split("\n")
        metrics = self.text.fontMetrics()
        margins = 2 * (self.text.frameWidth() + self.text.document().documentMargin())
        height = metrics.lineSpacing() * len(lines) + margins + 2
        widest = max(metrics.horizontalAdvance(line) for line in lines)
        self.text.setMinimumWidth(int(min(widest, metrics.horizontalAdvance("x" * _WIDE_LINE))
                                      + margins + 4))
        if max(len(line) for line in lines) > _WIDE_LINE:
            height += self.text.horizontalScrollBar().sizeHint().height()
        self.text.setFixedHeight(int(height))
        self.copy_button = QPushButton(self.tr("Copy"), self)
        self.copy_button.setObjectName(f"copy-{snippet.key}")
        self.copy_button.setAccessibleName(self.tr("Copy the {} lines").format(snippet.title))
        self.copy_button.clicked.connect(self.copy)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(header)
        layout.addWidget(self.text)

    def copy(self) -> str:
        QGuiApplication.clipboard().setText(self.snippet.text)
        self.copy_button.setText(self.tr("Copied"))
        self.copied.emit(self.snippet.text)
        return self.snippet.text


class VerdictPage(QWizardPage):
    """Shows a diagnosis; ``apply_requested`` carries its Recommendation,
    ``sftp_requested`` the verdict's :class:`~client.engine.diagnose.model.SftpOffer`."""

    apply_requested = Signal(object)
    sftp_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diagnoseVerdictPage")
        self.setTitle(self.tr("Verdict"))
        self.diagnosis: Diagnosis | None = None
        self.snippet_boxes: list[SnippetBox] = []
        self.headline = QLabel(self)
        self.headline.setObjectName("verdictHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.headline.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.headline.setFont(font)
        self.explanation = self._label("verdictExplanation")
        self.summary = self._label("verdictSummary")
        self.recommendation = self._label("verdictRecommendation")
        self.apply_button = QPushButton(self.tr("Apply to this site"), self)
        self.apply_button.setObjectName("applyToSite")
        self.apply_button.clicked.connect(self._apply)
        self.apply_status = self._label("applyStatus")
        self.copy_report_button = QPushButton(self.tr("Copy report"), self)
        self.copy_report_button.setObjectName("copyReport")
        self.copy_report_button.setToolTip(self.tr(
            "The verdict and every attempt as plain text, for a ticket or a mail"))
        self.copy_report_button.clicked.connect(self.copy_report)
        self.fixes = self._label("verdictFixes")
        self.firewall = self._label("verdictFirewall")
        self.sftp_text = self._label("verdictSftp")
        self.sftp_button = QPushButton(self.tr("Connect with SFTP"), self)
        self.sftp_button.setObjectName("connectWithSftp")
        self.sftp_button.setToolTip(self.tr(
            "Put the sftp:// address of this server in the quickconnect bar: SFTP carries "
            "every transfer inside its one SSH connection, so no data connection is needed"))
        self.sftp_button.clicked.connect(self._sftp)

        content = QWidget(self)
        self._content = QVBoxLayout(content)
        self._content.addWidget(self.headline)
        self._content.addWidget(self.explanation)
        self._content.addWidget(self.summary)
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.recommendation, 1)
        apply_row.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignTop)
        apply_row.addWidget(self.copy_report_button, 0, Qt.AlignmentFlag.AlignTop)
        self._content.addLayout(apply_row)
        sftp_row = QHBoxLayout()
        sftp_row.addWidget(self.sftp_text, 1)
        sftp_row.addWidget(self.sftp_button, 0, Qt.AlignmentFlag.AlignTop)
        self._content.addLayout(sftp_row)
        self._content.addWidget(self.apply_status)
        self._content.addWidget(self.fixes)
        self._content.addWidget(self.firewall)
        self._snippets = QGridLayout()
        self._content.addLayout(self._snippets)
        self._content.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_diagnosis(self, diagnosis: Diagnosis, *, can_apply: bool = True) -> None:
        """Fill the page (escaped: server text reaches the labels through ``detail``)."""
        self.diagnosis = diagnosis
        verdict = diagnosis.verdict
        self.headline.setText(escape_control(_sentence(verdict.headline)))
        colour = "#1e7b34" if verdict.key in _GOOD_KEYS else "#b3261e"
        self.headline.setStyleSheet(f"color: {colour};")
        self.explanation.setText(escape_control(_sentence(verdict.explanation)))
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setText(summary_html(diagnosis))
        self.summary.setAccessibleDescription(
            "\n".join(escape_control(line) for line in summary_lines(diagnosis)))
        rec = verdict.recommended
        if rec is not None:
            self.recommendation.setText(self.tr(
                "Recommended for this site: {}.\nCommand line: ftp-inspector … {}").format(
                    _sentence(rec.text or rec.mode.value), rec.cli_options()))
        else:
            self.recommendation.setText(self.tr("No setting of this client fixes this; "
                                                "see the fixes below."))
        self.apply_button.setVisible(rec is not None)
        self.apply_button.setEnabled(rec is not None and can_apply)
        self.apply_button.setToolTip("" if can_apply else self.tr("No site is open"))
        self.apply_status.clear()
        self.apply_status.hide()
        offer, probe = verdict.sftp, diagnosis.ssh_probe
        if offer is not None:
            self.sftp_text.setText(self.tr("SFTP at {}: {}").format(
                escape_control(offer.url()), escape_control(offer.banner)))
        elif probe is not None:  # why there is no offer: refused, filtered, not SSH
            self.sftp_text.setText(self.tr("No SFTP offer: port {} of {}: {}").format(
                probe.port, escape_control(probe.host), escape_control(probe.detail)))
        else:
            self.sftp_text.setText("")
        self.sftp_text.setVisible(offer is not None or probe is not None)
        self.sftp_button.setVisible(offer is not None)
        fixes = [f"\u2022 {escape_control(fix)}" for fix in verdict.fixes]
        self.fixes.setText(self.tr("How to fix it:") + "\n" + "\n".join(fixes) if fixes else "")
        self.fixes.setVisible(bool(fixes))
        self.firewall.setText(self.tr("Firewall: {}").format(escape_control(verdict.firewall))
                              if verdict.firewall else "")
        self.firewall.setVisible(bool(verdict.firewall))
        for box in self.snippet_boxes:
            self._snippets.removeWidget(box)
            box.deleteLater()
        self.snippet_boxes = [SnippetBox(s, self) for s in snippets_for(diagnosis)]
        for position, box in enumerate(self.snippet_boxes):
            self._snippets.addWidget(box, position // _SNIPPET_COLUMNS,
                                     position % _SNIPPET_COLUMNS, Qt.AlignmentFlag.AlignTop)
        if self.snippet_boxes:  # the boxes say it line by line; the prose list repeats it
            self.fixes.hide()
        # Enter finishes the wizard: a dialog's push buttons are auto-default, so the
        # page's first one (Apply to this site) took Enter and changed the connection
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def copy_report(self) -> str:
        """Put :func:`report_text` on the clipboard; returns it."""
        if self.diagnosis is None:
            return ""
        text = report_text(self.diagnosis)
        QGuiApplication.clipboard().setText(text)
        return text

    def set_apply_status(self, text: str, *, error: bool = False) -> None:
        self.apply_status.setText(text)
        self.apply_status.setStyleSheet("color: #b3261e;" if error else "color: #1e7b34;")
        self.apply_status.show()

    def _sftp(self) -> None:
        if self.diagnosis is not None and self.diagnosis.verdict.sftp is not None:
            self.sftp_requested.emit(self.diagnosis.verdict.sftp)

    def _apply(self) -> None:
        if self.diagnosis is not None and self.diagnosis.verdict.recommended is not None:
            self.apply_button.setEnabled(False)
            self.apply_requested.emit(self.diagnosis.verdict.recommended)
