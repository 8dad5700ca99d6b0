"""The host-key dialog as a person meets it: an unknown key shows host:port, type and
SHA-256 fingerprint with Trust once / Always trust / Cancel (Enter cancels); a changed
key is a warning with no button that accepts it."""

from __future__ import annotations

import asyncio

import asyncssh
import pytest
from PySide6.QtCore import Qt

from client.engine.sftp.hostkeys import TrustChoice, fingerprint
from client.ui.host_key_dialog import GuiHostKeyAsker, HostKeyDialog, HostKeyQuestion

pytestmark = pytest.mark.gui


def _key(changed: bool = False, **extra: object) -> HostKeyQuestion:
    public = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    return HostKeyQuestion("127.0.0.1", 2222, "ssh-ed25519", fingerprint(public.public_data),
                           changed=changed, **extra)  # type: ignore[arg-type]


def _open_dialog(qtbot, asker: GuiHostKeyAsker, key: HostKeyQuestion):
    task = asyncio.ensure_future(asker.ask(key))
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=15_000)
    return task, asker.last_dialog


@pytest.mark.parametrize("button,expected", [("once_button", TrustChoice.ONCE),
                                             ("always_button", TrustChoice.ALWAYS),
                                             ("cancel_button", TrustChoice.REFUSE)])
def test_unknown_key_buttons(qloop, qtbot, button, expected) -> None:
    key = _key()
    asker = GuiHostKeyAsker(None)
    task, dialog = _open_dialog(qtbot, asker, key)
    assert dialog.objectName() == "hostKeyDialog"
    assert dialog.fields["server"].text() == "127.0.0.1:2222"
    assert dialog.fields["type"].text() == "ssh-ed25519"
    assert dialog.fields["fingerprint"].text() == key.fingerprint
    assert key.fingerprint.startswith("SHA256:")
    qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.result() is expected


def test_enter_never_trusts_and_once_is_remembered_for_the_run(qloop, qtbot) -> None:
    key = _key()
    asker = GuiHostKeyAsker(None)
    task, dialog = _open_dialog(qtbot, asker, key)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.result() is TrustChoice.REFUSE
    task, dialog = _open_dialog(qtbot, asker, key)
    qtbot.mouseClick(dialog.once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=15_000)
    again = asyncio.ensure_future(asker.ask(key))
    qtbot.waitUntil(again.done, timeout=15_000)
    assert again.result() is TrustChoice.ONCE and asker.last_dialog is None


def test_changed_key_is_a_warning_without_accept(qloop, qtbot) -> None:
    key = _key(True, source="/home/u/.ssh/known_hosts:3",
               known_fingerprints=("SHA256:oldoldold",))
    asker = GuiHostKeyAsker(None)
    task, dialog = _open_dialog(qtbot, asker, key)
    assert dialog.objectName() == "hostKeyChangedDialog"
    assert dialog.once_button is None and dialog.always_button is None
    texts = [b.text() for b in dialog.findChildren(type(dialog.cancel_button))]
    assert texts == ["Close"]
    headline = dialog.headline.text()
    assert "CHANGED" in headline and "man-in-the-middle" in headline
    assert "/home/u/.ssh/known_hosts:3" in headline
    assert dialog.fields["known"].text() == "SHA256:oldoldold"
    assert dialog.fields["fingerprint"].text() == key.fingerprint
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.result() is TrustChoice.REFUSE


def test_hostile_key_type_is_shown_escaped(qapp) -> None:
    dialog = HostKeyDialog(HostKeyQuestion("h", 22, "ssh-ed25519\x1b[2J<b>x</b>", "SHA256:x"))
    assert "\x1b" not in dialog.fields["type"].text()
    assert dialog.fields["type"].textFormat() == Qt.TextFormat.PlainText
    dialog.deleteLater()
