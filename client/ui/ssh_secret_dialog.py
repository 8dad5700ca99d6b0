"""What the SSH engine asks for (a password, a key passphrase), asked in the window's one
password dialog (:class:`~client.ui.dialogs.PasswordDialog`).

The engine asks (as OpenSSH does) once the agent's keys and the key files were not
enough and the server takes a password, or before offering an encrypted key file. The
answer goes to that one session and the queue's sessions of the same site, never to a
file: a password is kept only when the person saves the site (the keyring).
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from client.engine.sftp.credentials import SecretKind, SecretRequest
from client.protocol.text import escape_control
from client.ui.dialogs import PasswordDialog, answer_of

__all__ = ["secret_dialog", "GuiSecretAsker"]


def _tr(text: str) -> str:
    return QCoreApplication.translate("SecretDialog", text)


def secret_dialog(request: SecretRequest, parent: QWidget | None = None) -> PasswordDialog:
    """The password dialog with what the SSH engine asks for: the server's password, or
    the passphrase of a key file it is about to offer."""
    target = escape_control(request.target)
    if request.kind is SecretKind.PASSPHRASE:
        title = _tr("Key passphrase")
        text = _tr("The key file {} is encrypted. Enter its passphrase to log in to {} with "
                   "it (Cancel: log in without this key).").format(
            escape_control(request.key_file), target)
        wrong = _tr("That passphrase does not decrypt the key.")
    else:
        title = _tr("SSH password")
        text = _tr("{} (SSH) asks for a password (no SSH key logged in). It is used for "
                   "this connection only; save the site to keep it in the keyring.").format(target)
        wrong = _tr("The server refused that password.")
    return PasswordDialog(title, text, parent, refused=wrong if request.refused else None,
                          object_name="sshSecretDialog")


class GuiSecretAsker:
    """The engine's ``ask_secret``: one dialog at a time (the queue's connections may
    ask together)."""

    def __init__(self, parent: QWidget | None) -> None:
        self.parent = parent
        self.last_dialog: PasswordDialog | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, request: SecretRequest) -> str | None:
        async with self._lock:
            dialog = secret_dialog(request, self.parent)
            self.last_dialog = dialog
            try:
                return await answer_of(dialog)
            finally:
                self.last_dialog = None
