"""The Site Manager as a person keeps a few similar servers: a site is made once, then
duplicated and changed (the staging copy of a shop), rather than typed again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.config.sites import KEYRING_SERVICE, SiteStore

pytestmark = pytest.mark.gui


def test_a_site_is_duplicated_with_its_folder_and_password(window, qtbot,
                                                           memory_keyring) -> None:
    window.resize(1366, 740)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    assert not manager.duplicate_button.isEnabled()  # nothing chosen yet
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    form = manager.form
    qtbot.keyClicks(form.name, "Shop")
    for field, text in ((form.folder, "Clients"), (form.host, "127.0.0.1"),
                        (form.user, "alice")):
        field.clear()
        qtbot.keyClicks(field, text)
    form.set_combo(form.logon, "normal")
    qtbot.keyClicks(form.password, "pw-123")
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    original = SiteStore().find("Clients/Shop")

    qtbot.mouseClick(manager.duplicate_button, Qt.MouseButton.LeftButton)
    copy = SiteStore().find("Clients/Shop (copy)")
    assert copy.site_id != original.site_id
    assert (copy.host, copy.user, copy.folder) == ("127.0.0.1", "alice", "Clients")
    assert memory_keyring.secrets[(KEYRING_SERVICE, copy.site_id)] == "pw-123"
    assert manager.tree.currentItem().text(0) == "Shop (copy)"
    # the name is selected: typing renames the copy
    qtbot.keyClicks(form.name, "Shop staging")
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    assert SiteStore().find("Clients/Shop staging").site_id == copy.site_id
    assert {s.name for s in SiteStore().load()} == {"Shop", "Shop staging"}
    manager.close()
