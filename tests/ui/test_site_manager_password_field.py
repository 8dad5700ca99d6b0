"""The Site Manager's Password field and keyring note tell the truth: without a keyring
the note is shown whole (not cut off top and bottom) and the field does not claim the
password goes to a keyring; for an anonymous site it says no password is needed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from .helpers import settle_layout

pytestmark = pytest.mark.gui


def _open(qtbot):
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    return dialog


def _choose_logon(qtbot, dialog, text: str) -> None:
    dialog.form.logon.setFocus()
    index = dialog.form.logon.findText(text)
    assert index >= 0
    while dialog.form.logon.currentIndex() != index:
        key = Qt.Key.Key_Down if dialog.form.logon.currentIndex() < index else Qt.Key.Key_Up
        before = dialog.form.logon.currentIndex()
        qtbot.keyClick(dialog.form.logon, key)
        if dialog.form.logon.currentIndex() == before:  # a disabled entry is skipped over
            break


def test_without_a_keyring_the_note_is_whole_and_the_field_does_not_claim_one(
        qtbot, config_dir, no_keyring) -> None:
    dialog = _open(qtbot)
    note = dialog.form.keyring_note
    assert note.isVisible() and "keyring" in note.text()
    settle_layout()
    assert note.height() >= note.heightForWidth(note.width()), (note.size(),
                                                                note.heightForWidth(note.width()))
    hint = dialog.form.password.placeholderText()
    assert "stored" not in hint and "never saved" in hint
    dialog.close()


def test_anonymous_sites_need_no_password(qtbot, config_dir, memory_keyring) -> None:
    dialog = _open(qtbot)
    _choose_logon(qtbot, dialog, "Anonymous")
    assert dialog.form.logon.currentData() == "anonymous"
    assert not dialog.form.password.isEnabled()
    assert "keyring" not in dialog.form.password.placeholderText()
    _choose_logon(qtbot, dialog, "Normal (password in the keyring)")
    assert dialog.form.logon.currentData() == "normal"
    assert dialog.form.password.placeholderText() == "stored in the system keyring"
    dialog.close()
