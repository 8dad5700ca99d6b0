"""The SSH password and key-passphrase dialog, and the window's asker of them.

The engine asks (as OpenSSH does) once the agent's keys and the key files were not
enough and the server takes a password, or before offering an encrypted key file. The
answer goes to that one session and the queue's sessions of the same site, never to a
file: a password is kept only when the person saves the site (the keyring).
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from client.engine.sftp.credentials import SecretKind, SecretRequest
from client.protocol.text import escape_control
from client.ui.dialogs import await_dialog

__all__ = ["SecretDialog", "GuiSecretAsker"]


class SecretDialog(QDialog):
    """One masked field, with what it is for and whether the last answer was refused."""

    def __init__(self, request: SecretRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sshSecretDialog")
        target = escape_control(request.target)
        if request.kind is SecretKind.PASSPHRASE:
            self.setWindowTitle(self.tr("Key passphrase"))
            text = self.tr("The key file {} is encrypted. Enter its passphrase to log in "
                           "to {} with it (Cancel: log in without this key).").format(
                escape_control(request.key_file), target)
            wrong = self.tr("That passphrase does not decrypt the key.")
        else:
            self.setWindowTitle(self.tr("SSH password"))
            text = self.tr("{} (SSH) asks for a password (no SSH key logged in). It is "
                           "used for this connection only; save the site to keep it in "
                           "the keyring.").format(target)
            wrong = self.tr("The server refused that password.")
        layout = QVBoxLayout(self)
        if request.refused:
            self.refused_label = QLabel(f"<b>{wrong}</b>", self)
            layout.addWidget(self.refused_label)
        self.message = QLabel(text, self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(self.windowTitle())
        layout.addWidget(self.field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.field.setFocus()

    def answer(self) -> str | None:
        return self.field.text() if self.result() == QDialog.DialogCode.Accepted else None


class GuiSecretAsker:
    """The engine's ``ask_secret``: one dialog at a time (the queue's connections may
    ask together)."""

    def __init__(self, parent: QWidget | None) -> None:
        self.parent = parent
        self.last_dialog: SecretDialog | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, request: SecretRequest) -> str | None:
        async with self._lock:
            dialog = SecretDialog(request, self.parent)
            self.last_dialog = dialog
            try:
                await await_dialog(dialog)
                return dialog.answer()
            finally:
                self.last_dialog = None
                dialog.field.clear()
                dialog.deleteLater()
