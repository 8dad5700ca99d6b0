"""File → Preferences: speed limits (curl's syntax: 500K, 2M; empty for none) and the
session log. Values are checked before the dialog closes; the window applies them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from client.engine.ratelimit import RateLimits, format_limit, parse_rate

__all__ = ["Preferences", "PreferencesDialog"]


@dataclass(frozen=True)
class Preferences:
    limits: RateLimits
    session_log: bool


class PreferencesDialog(QDialog):
    def __init__(self, current: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        limits = current.limits
        self.fields: dict[str, QLineEdit] = {}
        group = QGroupBox(self.tr("Speed limits (bytes per second: 500K, 2M; empty: none)"), self)
        form = QFormLayout(group)
        for field, label in (("download_total", self.tr("Downloads, &all together:")),
                             ("download_each", self.tr("&Each download:")),
                             ("upload_total", self.tr("&Uploads, all together:")),
                             ("upload_each", self.tr("Each u&pload:"))):
            edit = QLineEdit(self)
            edit.setObjectName(f"limit-{field}")
            value = getattr(limits, field)
            edit.setText(format_limit(value) if value else "")
            edit.setPlaceholderText(self.tr("no limit"))
            edit.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(label, edit)
            self.fields[field] = edit
        self.limits_on = QCheckBox(self.tr("&Limits on (also the status bar's button)"), self)
        self.limits_on.setChecked(limits.enabled)
        form.addRow(self.limits_on)
        # the first limit typed where none was set turns the limits on (typing 500K and
        # OK left them off: "Limit off"), unless the box was clicked meanwhile
        self._turn_on_when_typed = not limits.enabled and not any(
            getattr(limits, field) for field in self.fields)
        self.limits_on.clicked.connect(self._limits_clicked)
        for edit in self.fields.values():
            edit.textEdited.connect(self._limit_typed)
        self.session_log = QCheckBox(self.tr("Write a &session log of every connection "
                                             "(Help \u2192 Open log folder)"), self)
        self.session_log.setChecked(current.session_log)
        self.problem = QLabel(self)
        self.problem.setObjectName("preferencesProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(group)
        layout.addWidget(self.session_log)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.result_value: Preferences = current

    def _limits_clicked(self) -> None:
        self._turn_on_when_typed = False

    def _limit_typed(self, text: str) -> None:
        if self._turn_on_when_typed and text.strip():
            self.limits_on.setChecked(True)
            self._turn_on_when_typed = False

    def accept(self) -> None:
        values: dict[str, int | None] = {}
        for field, edit in self.fields.items():
            text = edit.text().strip()
            try:
                values[field] = parse_rate(text) if text else None
            except ValueError as exc:
                self.problem.setText(str(exc))
                self.problem.show()
                edit.setFocus()
                edit.selectAll()
                return
        self.result_value = Preferences(
            limits=RateLimits(enabled=self.limits_on.isChecked(), **values),
            session_log=self.session_log.isChecked())
        super().accept()
