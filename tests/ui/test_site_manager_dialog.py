"""The site manager window: saving a site puts the password in the keyring backend and
nothing secret in any file of the config folder; FileZilla import through the dialog;
without a keyring only "ask for password" is offered."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from client.config.sites import KEYRING_SERVICE, SiteStore

pytestmark = pytest.mark.gui
SECRET = "correct horse battery staple"


def _secrets_on_disk(folder: Path, secret: str) -> list[Path]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if secret.encode() in data or base64.b64encode(secret.encode()) in data:
                hits.append(path)
    return hits


def test_save_site_password_goes_to_keyring(qapp, config_dir, memory_keyring) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    site = dialog.new_site()
    dialog.form.name.setText("Prod")
    dialog.form.folder.setText(" Work / Servers ")
    dialog.form.host.setText("127.0.0.1")
    dialog.form.port.setValue(2121)
    dialog.form.set_combo(dialog.form.logon, "normal")
    dialog.form.user.setText("alice")
    dialog.form.password.setText(SECRET)
    dialog.form.active_ports.setText("50000-50010")
    assert dialog.save_current()
    assert memory_keyring.secrets[(KEYRING_SERVICE, site.site_id)] == SECRET
    assert _secrets_on_disk(config_dir, SECRET) == []
    saved = SiteStore().find("Work/Servers/Prod")
    assert saved.port == 2121 and saved.active_ports == (50000, 50010) and saved.user == "alice"
    assert SiteStore().connection_settings(saved).password == SECRET
    dialog.close()


def test_bad_port_range_is_refused(qapp, config_dir, memory_keyring) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    dialog.new_site()
    dialog.form.host.setText("h")
    dialog.form.active_ports.setText("9-2")
    assert not dialog.save_current()
    assert "port range" in dialog.message.text()
    dialog.close()


def test_without_keyring_only_ask_is_offered(qapp, config_dir, no_keyring) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    dialog.new_site()
    dialog.form.host.setText("h")
    dialog.form.set_combo(dialog.form.logon, "normal")
    dialog.form._logon_changed()
    assert dialog.form.logon.currentData() == "ask"
    assert not dialog.form.password.isEnabled()
    assert "keyring" in dialog.form.keyring_note.text()
    assert dialog.save_current()
    assert SiteStore().load()[0].logon == "ask"
    dialog.close()


def test_filezilla_import_through_the_dialog(qapp, config_dir, memory_keyring, tmp_path) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    xml = tmp_path / "sitemanager.xml"
    xml.write_text(f"""<?xml version="1.0"?><FileZilla3><Servers><Folder>Imported
      <Server><Host>127.0.0.1</Host><Port>21</Port><Protocol>0</Protocol><Logontype>1</Logontype>
      <User>bob</User><Pass encoding="base64">{base64.b64encode(SECRET.encode()).decode()}</Pass>
      <Name>Bob's box</Name></Server></Folder></Servers></FileZilla3>""")
    dialog = SiteManagerDialog()
    dialog.import_filezilla(xml)
    assert "Imported 1 site" in dialog.message.text()
    site = SiteStore().find("Imported/Bob's box")
    assert memory_keyring.secrets[(KEYRING_SERVICE, site.site_id)] == SECRET
    assert _secrets_on_disk(config_dir, SECRET) == []
    assert dialog.tree.topLevelItem(0).text(0) == "Imported"
    dialog.close()


def test_site_url_with_ask_for_password_connects(qloop, qtbot, config_dir, memory_keyring,
                                                 tmp_path) -> None:
    """``ftp-inspector site:NAME`` for a site that asks for its password: the password
    dialog appears, and the typed password reaches the server (never the files)."""
    import asyncio

    from PySide6.QtCore import Qt

    from client.config.sites import Site
    from client.demo import DemoServer
    from client.ui.app import open_target
    from client.ui.dialogs import PasswordDialog
    from client.ui.main_window import MainWindow

    demo = DemoServer("healthy").start()
    window = MainWindow(local_start=tmp_path)
    window.show()
    try:
        SiteStore().save([Site(name="Demo", folder="Tests", host=demo.host, port=demo.port,
                               logon="ask", user=demo.user, remote_dir="/docs",
                               mode="active", connection_limit=3)])
        task = asyncio.ensure_future(open_target(window, "site:Tests/Demo/data"))
        qtbot.waitUntil(lambda: window.findChild(PasswordDialog, "askPasswordDialog") is not None,
                        timeout=10_000)
        dialog = window.findChild(PasswordDialog, "askPasswordDialog")
        qtbot.keyClicks(dialog.field, demo.password)
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
        qtbot.waitUntil(task.done, timeout=15_000)
        assert task.exception() is None
        assert window.remote_pane.current_path == "/data"
        assert window.quick.mode.value == "active" and window.queue.concurrency.value() == 3
        assert _secrets_on_disk(config_dir, demo.password) == []
    finally:
        done = asyncio.ensure_future(window.shutdown())
        qtbot.waitUntil(done.done, timeout=10_000)
        window.close()
        window.deleteLater()
        demo.stop()


def _saved_site_in_dialog(qtbot, memory_keyring):
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    site = dialog.new_site()
    dialog.form.name.setText("Prod")
    dialog.form.folder.setText("Work")
    dialog.form.host.setText("127.0.0.1")
    dialog.form.set_combo(dialog.form.logon, "normal")
    dialog.form.user.setText("alice")
    dialog.form.password.setText(SECRET)
    assert dialog.save_current()
    assert memory_keyring.secrets[(KEYRING_SERVICE, site.site_id)] == SECRET
    return dialog, site


def _delete_button(dialog):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in dialog.findChildren(QPushButton) if b.text() == "Delete")


def _delete_box(qtbot, dialog):
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: any(box.isVisible() for box in
                                dialog.findChildren(QMessageBox, "deleteSiteDialog")),
                    timeout=15_000)
    return next(box for box in dialog.findChildren(QMessageBox, "deleteSiteDialog")
                if box.isVisible())


def test_delete_asks_first_and_enter_keeps_the_site(qapp, qtbot, config_dir,
                                                     memory_keyring) -> None:
    """Delete opens a question whose default answer is No: pressing Enter (or Escape)
    keeps the site and its keyring password; only Yes removes both."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    dialog, site = _saved_site_in_dialog(qtbot, memory_keyring)
    assert dialog.current is not None and dialog.current.site_id == site.site_id

    qtbot.mouseClick(_delete_button(dialog), Qt.MouseButton.LeftButton)
    box = _delete_box(qtbot, dialog)
    assert "Work/Prod" in box.text() and "keyring" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=15_000)
    assert [s.site_id for s in SiteStore().load()] == [site.site_id]
    assert memory_keyring.secrets[(KEYRING_SERVICE, site.site_id)] == SECRET

    qtbot.mouseClick(_delete_button(dialog), Qt.MouseButton.LeftButton)
    box = _delete_box(qtbot, dialog)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=15_000)
    assert [s.site_id for s in SiteStore().load()] == [site.site_id]

    qtbot.mouseClick(_delete_button(dialog), Qt.MouseButton.LeftButton)
    box = _delete_box(qtbot, dialog)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: SiteStore().load() == [], timeout=15_000)
    assert (KEYRING_SERVICE, site.site_id) not in memory_keyring.secrets
    assert dialog.tree.topLevelItemCount() == 0 and not _delete_button(dialog).isEnabled()
    assert "Deleted Work/Prod" in dialog.message.text()


def test_importing_the_same_filezilla_file_twice_adds_nothing(qapp, config_dir, memory_keyring,
                                                             tmp_path) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    xml = tmp_path / "sitemanager.xml"
    xml.write_text(f"""<?xml version="1.0"?><FileZilla3><Servers><Folder>Imported
      <Server><Host>127.0.0.1</Host><Port>21</Port><Protocol>0</Protocol><Logontype>1</Logontype>
      <User>bob</User><Pass encoding="base64">{base64.b64encode(SECRET.encode()).decode()}</Pass>
      <Name>Bob's box</Name></Server>
      <Server><Host>127.0.0.1</Host><Port>2121</Port><Protocol>0</Protocol><Logontype>0</Logontype>
      <Name>Mirror</Name></Server></Folder></Servers></FileZilla3>""")
    dialog = SiteManagerDialog()
    dialog.import_filezilla(xml)
    assert "Imported 2 site" in dialog.message.text()
    dialog.import_filezilla(xml)
    assert "Imported 0 site" in dialog.message.text()
    assert "Skipped 2 site(s) already in the Site Manager" in dialog.message.text()
    assert len(SiteStore().load()) == 2
    site = SiteStore().find("Bob's box")  # one site, not "matches 2 saved sites"
    assert SiteStore().find("Imported/Bob's box").site_id == site.site_id
    assert memory_keyring.secrets[(KEYRING_SERVICE, site.site_id)] == SECRET
    assert len([key for key in memory_keyring.secrets if key[0] == KEYRING_SERVICE]) == 1
    folder = dialog.tree.topLevelItem(0)
    assert folder.text(0) == "Imported" and folder.childCount() == 2
    dialog.close()


def test_active_address_must_be_an_ip_address(qapp, qtbot, config_dir, memory_keyring) -> None:
    """A host name cannot go into PORT/EPRT: the form says so and saves nothing."""
    from PySide6.QtCore import Qt

    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.new_site()
    dialog.form.host.setText("127.0.0.1")
    dialog.form.set_combo(dialog.form.logon, "anonymous")
    qtbot.keyClicks(dialog.form.active_address, "my-nat-box.example")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "IPv4 or IPv6" in dialog.message.text()
    assert "my-nat-box.example" in dialog.message.text()
    assert SiteStore().load() == []
    dialog.form.active_address.clear()
    qtbot.keyClicks(dialog.form.active_address, "203.0.113.7")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [saved] = SiteStore().load()
    assert saved.active_address == "203.0.113.7"
    assert SiteStore().connection_settings(saved).active_address == "203.0.113.7"
    dialog.close()


def test_keepalive_and_hidden_files_fields(qapp, qtbot, config_dir, memory_keyring) -> None:
    """Typed into the form, saved with the site (no secret in the file), shown again, and
    in the settings the window connects with."""
    from PySide6.QtCore import Qt

    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.new_site()
    dialog.form.host.setText("127.0.0.1")
    dialog.form.set_combo(dialog.form.logon, "anonymous")
    assert dialog.form.keepalive.value() == 0 and dialog.form.keepalive.text() == "Off"
    dialog.form.keepalive.lineEdit().selectAll()
    qtbot.keyClicks(dialog.form.keepalive, "30")
    dialog.form.list_hidden.setFocus()
    qtbot.keyClick(dialog.form.list_hidden, Qt.Key.Key_Space)
    assert dialog.form.list_hidden.isChecked()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [saved] = SiteStore().load()
    assert saved.keepalive_interval == 30 and saved.list_hidden is True
    settings = SiteStore().connection_settings(saved)
    assert settings.keepalive_interval == 30.0 and settings.list_hidden is True
    dialog.close()

    again = SiteManagerDialog()
    qtbot.addWidget(again)
    again.tree.setCurrentItem(again.tree.topLevelItem(0))
    assert again.form.keepalive.value() == 30 and again.form.list_hidden.isChecked()
    again.close()


def test_a_sites_keepalive_reaches_the_connection(qloop, qtbot, config_dir, memory_keyring,
                                                  tmp_path) -> None:
    """Connecting to a saved site with keep-alive every 1 s: the idle browsing connection
    sends NOOP by itself; the site's hidden-files choice is in the settings used."""
    import asyncio

    from client.config.sites import Site
    from client.demo import DemoServer
    from client.engine.events import LineSent
    from client.ui.main_window import MainWindow
    from client.ui.sites.connect import connect_site

    demo = DemoServer("healthy").start()
    window = MainWindow(local_start=tmp_path)
    window.show()
    sent: list[str] = []
    window.bus.subscribe(lambda e: sent.append(e.text) if isinstance(e, LineSent) else None)
    try:
        store = SiteStore()
        store.save([Site(name="Demo", host=demo.host, port=demo.port, user=demo.user,
                         keepalive_interval=1, list_hidden=True)])
        site = store.find("Demo")
        store.set_password(site.site_id, demo.password)
        task = asyncio.ensure_future(connect_site(window, store, site))
        qtbot.waitUntil(task.done, timeout=15_000)
        assert task.exception() is None
        assert window.connection.settings.list_hidden is True
        assert window.connection.settings.keepalive_interval == 1.0
        after_login = len(sent)
        qtbot.waitUntil(lambda: "NOOP" in sent[after_login:], timeout=15_000)
    finally:
        done = asyncio.ensure_future(window.shutdown())
        qtbot.waitUntil(done.done, timeout=10_000)
        window.close()
        window.deleteLater()
        demo.stop()
