"""The SSH host-key dialog and the window's host-key asker.

An unknown host key is shown with host:port, the key type and its SHA-256 fingerprint
(as ``ssh-keygen -l`` prints it); the user trusts it once (this run of the app), always
(the app's known-hosts file) or cancels. A CHANGED key (the host is known with another
key of that type) is a strong warning with the file and line to check, and has no
button that accepts it: either the server was reinstalled, or someone is in between.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.engine.sftp.hostkeys import TrustChoice
from client.protocol.text import escape_control
from client.ui.dialogs import await_dialog

__all__ = ["HostKeyDialog", "GuiHostKeyAsker", "HostKeyQuestion"]

_RESULTS = (TrustChoice.REFUSE, TrustChoice.ONCE, TrustChoice.ALWAYS)


def _target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class HostKeyQuestion:
    """What the dialog shows: the engine's refusal of an unknown or changed key."""

    host: str
    port: int
    key_type: str
    fingerprint: str
    changed: bool = False
    known_fingerprints: tuple[str, ...] = ()
    source: str | None = None

    @classmethod
    def from_error(cls, error: object, *, changed: bool = False) -> HostKeyQuestion:
        """From the engine's host-key error (``UnknownHostKeyError`` or, with
        ``changed``, ``ChangedHostKeyError``)."""
        return cls(host=str(getattr(error, "host", "")), port=int(getattr(error, "port", 22)),
                   key_type=str(getattr(error, "key_type", "")),
                   fingerprint=str(getattr(error, "fingerprint", "")), changed=changed,
                   known_fingerprints=tuple(getattr(error, "known_fingerprints", ())),
                   source=getattr(error, "source", None))


class HostKeyDialog(QDialog):
    """``result()`` is the index of a :class:`TrustChoice` in ``_RESULTS`` (see
    :meth:`choice`)."""

    def __init__(self, question: HostKeyQuestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.changed = question.changed
        host, port = question.host, question.port
        self.setObjectName("hostKeyChangedDialog" if self.changed else "hostKeyDialog")
        self.setWindowTitle(self.tr("Host key changed!") if self.changed
                            else self.tr("Unknown host key"))
        where = escape_control(_target(host, port))
        layout = QVBoxLayout(self)
        self.headline = QLabel(self)
        self.headline.setObjectName("hostKeyHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        if self.changed:
            font = QFont(self.headline.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.2)
            self.headline.setFont(font)
            self.headline.setStyleSheet("color: #b3261e;")
            source = escape_control(question.source or self.tr("the known-hosts file"))
            self.headline.setText(self.tr(
                "WARNING: the host key of {} has CHANGED. Someone may be intercepting the "
                "connection (a man-in-the-middle attack), or the server was reinstalled. "
                "The connection is refused. If the administrator confirms the new key, "
                "remove the old entry from {} and connect again.").format(where, source))
        else:
            self.headline.setText(self.tr(
                "The authenticity of {} cannot be established: this server's host key is "
                "not in any known-hosts file. Compare the fingerprint with the one the "
                "server's administrator gives you (ssh-keygen -lf on the server's "
                "/etc/ssh/ssh_host_*_key.pub) before trusting it.").format(where))
        layout.addWidget(self.headline)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        rows = [("server", self.tr("Server"), _target(host, port)),
                ("type", self.tr("Key type"), question.key_type),
                ("fingerprint", self.tr("SHA-256 fingerprint"), question.fingerprint)]
        if self.changed:
            rows.append(("known", self.tr("Known key(s)"),
                         "\n".join(question.known_fingerprints) or self.tr("(unknown)")))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        for name, label, value in rows:
            widget = QLabel(escape_control(value), self)
            widget.setObjectName(f"hostKey-{name}")
            widget.setTextFormat(Qt.TextFormat.PlainText)  # the server chose the key type
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            widget.setAccessibleName(label)
            if name in ("fingerprint", "known"):
                widget.setFont(mono)
            form.addRow(label, widget)
            self.fields[name] = widget
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.cancel_button = QPushButton(self.tr("Close") if self.changed else self.tr("Cancel"),
                                         self)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.once_button: QPushButton | None = None
        self.always_button: QPushButton | None = None
        if not self.changed:
            self.once_button = QPushButton(self.tr("Trust once"), self)
            self.always_button = QPushButton(self.tr("Always trust"), self)
            for button in (self.once_button, self.always_button):
                buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
                # Enter never trusts a key: it takes a click or Tab + Space
                button.setAutoDefault(False)
                button.setDefault(False)
            self.once_button.clicked.connect(lambda: self.done(1))
            self.always_button.clicked.connect(lambda: self.done(2))
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.cancel_button.clicked.connect(lambda: self.done(0))
        layout.addWidget(buttons)

    def choice(self) -> TrustChoice:
        result = self.result()
        return _RESULTS[result] if 0 <= result < len(_RESULTS) and not self.changed \
            else TrustChoice.REFUSE


class GuiHostKeyAsker:
    """The engine's ``ask_host_key``: one question at a time; a key trusted once (for
    host, port and fingerprint) is not asked about again in this run of the app."""

    def __init__(self, parent: QWidget | None) -> None:
        self.parent = parent
        self.last_dialog: HostKeyDialog | None = None
        self._trusted_now: set[tuple[str, int, str]] = set()
        self._lock = asyncio.Lock()

    async def __call__(self, error: object) -> TrustChoice:
        """The session's callback: ``error`` is its ``UnknownHostKeyError``."""
        return await self.ask(HostKeyQuestion.from_error(error))

    async def ask(self, question: HostKeyQuestion) -> TrustChoice:
        marker = (question.host, question.port, question.fingerprint)
        async with self._lock:
            if not question.changed and marker in self._trusted_now:
                return TrustChoice.ONCE
            dialog = HostKeyDialog(question, self.parent)
            self.last_dialog = dialog
            try:
                await await_dialog(dialog)
                choice = dialog.choice()
            finally:
                self.last_dialog = None
                dialog.deleteLater()
            if choice is not TrustChoice.REFUSE:
                self._trusted_now.add(marker)
            return choice

    async def show_changed(self, error: object) -> None:
        """The warning for a changed key (the engine has refused it already)."""
        await self.ask(HostKeyQuestion.from_error(error, changed=True))
