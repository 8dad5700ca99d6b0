"""The one password dialog, as a person uses it: the Site Manager's "ask" logon and the
SSH engine's questions open the same dialog; typing and Enter answer, Escape cancels,
and the secret ends up in no file and no log line."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from client.engine.sftp.credentials import SecretKind, SecretRequest
from client.ui.dialogs import PasswordDialog, ask_password
from client.ui.ssh_secret_dialog import GuiSecretAsker

pytestmark = pytest.mark.gui

SECRET = "s3cret-Pa55word"


def _shown_dialog(qtbot, parent: QWidget) -> PasswordDialog:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in parent.findChildren(PasswordDialog)),
                    timeout=10_000)
    return next(d for d in parent.findChildren(PasswordDialog) if d.isVisible())


def _nothing_kept(config_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert SECRET not in caplog.text
    for path in config_dir.rglob("*") if config_dir.exists() else ():
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_typing_and_enter_answer_and_leave_no_trace(qtbot, qloop, parent, config_dir,
                                                     caplog) -> None:
    caplog.set_level(logging.DEBUG)
    task = asyncio.ensure_future(ask_password(parent, "Password", "Password for ann on "
                                                                  "ftp.example.org:"))
    dialog = _shown_dialog(qtbot, parent)
    assert dialog.objectName() == "askPasswordDialog" and dialog.refused_label is None
    assert dialog.field.echoMode() is QLineEdit.EchoMode.Password
    assert dialog.field.hasFocus() or dialog.focusWidget() is dialog.field
    texts: list[str] = []
    dialog.field.textChanged.connect(texts.append)
    qtbot.keyClicks(dialog.field, SECRET)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == SECRET
    assert texts[-1] == ""  # emptied before the dialog goes
    _nothing_kept(config_dir, caplog)


def test_escape_cancels_even_after_typing(qtbot, qloop, parent, config_dir, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    task = asyncio.ensure_future(ask_password(parent, "Key passphrase", "Passphrase of the "
                                                                        "key /k:"))
    dialog = _shown_dialog(qtbot, parent)
    qtbot.keyClicks(dialog.field, SECRET)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Escape)
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() is None
    _nothing_kept(config_dir, caplog)


def test_ssh_questions_use_the_same_dialog_and_say_a_refusal(qtbot, qloop, parent, config_dir,
                                                             caplog) -> None:
    caplog.set_level(logging.DEBUG)
    asker = GuiSecretAsker(parent)
    request = SecretRequest(SecretKind.PASSWORD, "<b>sftp.example.org</b>", 22, "ann",
                            refused=True)
    task = asyncio.ensure_future(asker(request))
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=10_000)
    dialog = asker.last_dialog
    assert isinstance(dialog, PasswordDialog) and dialog.objectName() == "sshSecretDialog"
    assert dialog.windowTitle() == "SSH password"
    assert dialog.refused_label is not None
    assert dialog.refused_label.text() == "The server refused that password."
    assert dialog.message.textFormat() is Qt.TextFormat.PlainText  # host names: no markup
    assert "<b>sftp.example.org</b>" in dialog.message.text()
    qtbot.keyClicks(dialog.field, SECRET)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Enter)
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == SECRET and asker.last_dialog is None
    _nothing_kept(config_dir, caplog)

    passphrase = asyncio.ensure_future(asker(SecretRequest(
        SecretKind.PASSPHRASE, "sftp.example.org", 22, "ann", key_file="/home/ann/.ssh/id")))
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=10_000)
    dialog = asker.last_dialog
    assert dialog.windowTitle() == "Key passphrase" and dialog.refused_label is None
    assert "/home/ann/.ssh/id" in dialog.message.text()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Escape)
    qtbot.waitUntil(passphrase.done, timeout=10_000)
    assert passphrase.result() is None
