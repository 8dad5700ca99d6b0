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


def test_a_duplicate_keeps_the_proxy_password_and_key_passphrase(window, qtbot, config_dir,
                                                                   memory_keyring) -> None:
    """Duplicate a saved SFTP site behind a SOCKS proxy: the copy logs on with the same
    proxy password and key passphrase, copied under its own keyring keys (before, only
    the site password was copied and the copy failed at the proxy); no file of the
    config folder holds either secret."""
    from client.config.proxies import site_proxy_key
    from client.config.sites import Site, passphrase_key

    store = SiteStore()
    box = Site(name="Box", host="127.0.0.1", protocol="sftp", port=2222, user="bob",
               key_file=str(config_dir / "id_ed25519"),
               proxy="socks5://carol@127.0.0.1:1080")
    store.save([box])
    store.set_password(passphrase_key(box.site_id), "key-phrase-42")
    store.proxies.set_password(site_proxy_key(box.site_id), "sock-pw-7")

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    item = manager.tree.findItems("Box", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
    manager.tree.scrollToItem(item)
    qtbot.mouseClick(manager.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=manager.tree.visualItemRect(item).center())
    qtbot.mouseClick(manager.duplicate_button, Qt.MouseButton.LeftButton)
    copy = SiteStore().find("Box (copy)")
    assert copy.site_id != box.site_id
    secrets = memory_keyring.secrets
    assert secrets[(KEYRING_SERVICE, passphrase_key(copy.site_id))] == "key-phrase-42"
    assert secrets[(KEYRING_SERVICE, site_proxy_key(copy.site_id))] == "sock-pw-7"
    settings = SiteStore().sftp_settings(copy)
    assert settings.key_passphrase == "key-phrase-42"
    assert settings.proxy is not None and settings.proxy.password == "sock-pw-7"
    on_disk = b"".join(p.read_bytes() for p in config_dir.rglob("*") if p.is_file())
    assert b"key-phrase-42" not in on_disk and b"sock-pw-7" not in on_disk
    manager.close()


def test_sites_are_exported_for_filezilla_without_passwords(window, qtbot, memory_keyring,
                                                            tmp_path) -> None:
    """Export… writes every site, in its folder, as FileZilla's sitemanager.xml; the
    password stays in the keyring; importing the file gives the same sites back."""
    from PySide6.QtWidgets import QFileDialog, QPushButton

    from client.config.filezilla import parse_sitemanager

    store = SiteStore()
    from client.config.sites import Site

    shop = Site(name="Shop", host="127.0.0.1", folder="Clients/EU", port=2121, user="alice",
                remote_dir="/var/www/shop", charset="utf-8", mode="active")
    key = Site(name="Box", host="127.0.0.2", protocol="sftp", port=22, user="bob",
               key_file="/home/bob/.ssh/id_ed25519")
    store.save([shop, key])
    store.set_password(shop.site_id, "pw-secret-123")

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    button = next(b for b in manager.findChildren(QPushButton) if b.text() == "Export…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    chooser = manager.findChild(QFileDialog)
    assert chooser is not None and chooser.isVisible()
    target = tmp_path / "for-filezilla.xml"
    chooser.selectFile(str(target))  # the person names the file and presses Save
    chooser.accept()
    assert "Exported 2 site(s)" in manager.message.text()
    data = target.read_bytes()
    assert b"pw-secret-123" not in data and b"<Pass" not in data
    back = {i.site.name: i.site for i in parse_sitemanager(data)[0]}
    assert back["Shop"].folder == "Clients/EU" and back["Shop"].port == 2121
    assert back["Shop"].remote_dir == "/var/www/shop" and back["Shop"].charset == "utf-8"
    assert back["Shop"].mode == "active" and back["Shop"].logon == "ask"
    assert back["Box"].is_sftp and back["Box"].key_file == "/home/bob/.ssh/id_ed25519"
    assert (target.stat().st_mode & 0o077) == 0
    manager.close()


def test_the_site_manager_s_hints_are_whole_at_1366(window, qtbot, no_keyring) -> None:
    """On a 1366x768 screen without a keyring, New site: the Password field's hint, the
    Key file's and the 227 address choice were cut off ("…never s"). They are short
    enough for their fields now (the whole story is in their tooltips)."""
    window.resize(1366, 740)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    manager.resize(845, 540)  # what it opens at beside the window on that screen
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    form = manager.form
    from ..helpers import settle_layout

    settle_layout()
    for field in (form.password, form.sftp.key_file):
        room = field.width() - 12  # the frame and text margins
        text = field.placeholderText()
        assert field.fontMetrics().horizontalAdvance(text) <= room, (text, field.width())
    combo = form.policy
    shown = combo.itemText(combo.currentIndex())
    assert combo.fontMetrics().horizontalAdvance(shown) <= combo.width() - 30, shown
    assert "keyring" in form.password.toolTip()
    manager.close()
