"""The Site Manager for SFTP sites: SFTP in the Protocol choice, the port following the
protocol, the key file and the SSH agent, FTP's data-connection settings greyed out
with the reason, and nothing secret in the sites file."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from client.config.sites import Site, SiteStore

pytestmark = pytest.mark.gui


def _choose(qtbot, combo, text: str) -> None:
    """Pick an entry of a combo box by keyboard, as a person does (focus, Home, Down…)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(text):
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"no entry {text!r} in {[combo.itemText(i) for i in range(combo.count())]}")


def test_new_sftp_site_with_key_file(qtbot, config_dir, memory_keyring, tmp_path) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    key = tmp_path / "id_ed25519"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n")
    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.new_site()
    qtbot.keyClicks(dialog.form.host, "127.0.0.1")
    assert dialog.form.port.value() == 21
    assert not dialog.form.sftp.key_file.isEnabled() and not dialog.form.sftp.use_agent.isEnabled()
    _choose(qtbot, dialog.form.tls, "SFTP")
    assert dialog.form.port.value() == 22
    for widget in (dialog.form.mode, dialog.form.commands, dialog.form.policy, dialog.form.active_address,
                   dialog.form.active_ports, dialog.form.list_hidden):
        assert not widget.isEnabled()
        assert "SFTP has no data connections" in widget.toolTip()
    assert dialog.form.sftp.key_file.isEnabled() and dialog.form.sftp.use_agent.isChecked()
    qtbot.keyClicks(dialog.form.sftp.key_file, str(key))
    dialog.form.sftp.use_agent.setFocus()
    qtbot.keyClick(dialog.form.sftp.use_agent, Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.form.user, "carol")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = SiteStore().load()
    assert len(saved) == 1
    site = saved[0]
    assert site.is_sftp and site.port == 22 and site.key_file == str(key)
    assert site.use_agent is False and site.user == "carol"
    text = SiteStore().path.read_text()
    assert "not a real key" not in text
    assert json.loads(text)  # plain JSON, the key's path only
    settings = SiteStore().sftp_settings(site)
    assert settings.key_files == (str(key),) and not settings.use_agent


def test_back_to_ftp_restores_the_data_settings(qtbot, config_dir, memory_keyring) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    SiteStore().save([Site(name="Shell", host="h", port=22, protocol="sftp",
                           key_file="/k", use_agent=True)])
    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    assert dialog.form.tls.currentData() == "sftp"
    assert dialog.form.sftp.key_file.text() == "/k"
    assert not dialog.form.mode.isEnabled()
    _choose(qtbot, dialog.form.tls, "FTP over TLS: implicit")
    assert dialog.form.port.value() == 990
    assert dialog.form.mode.isEnabled() and "SFTP" not in dialog.form.mode.toolTip()
    assert "Classic PASV/PORT" in dialog.form.commands.toolTip()
    assert not dialog.form.sftp.key_file.isEnabled()
    assert dialog.save_current()
    site = SiteStore().load()[0]
    assert not site.is_sftp and site.tls == "implicit" and site.port == 990


def test_a_port_of_your_own_is_kept(qtbot, config_dir, memory_keyring) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.new_site()
    dialog.form.port.setValue(2222)
    _choose(qtbot, dialog.form.tls, "SFTP")
    assert dialog.form.port.value() == 2222
