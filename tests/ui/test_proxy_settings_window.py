"""Proxies in the window as a person sets them: the Site Manager's proxy fields (the
password to the keyring, never to sites.json), File → Proxy settings… for the default
proxy, and a site that connects through danted — or says which hop failed."""

from __future__ import annotations

import json

import pytest
from fixtures.process_server import free_port
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from client.config.proxies import DEFAULT_PROXY_KEY, ProxyStore, site_proxy_key
from client.config.sites import KEYRING_SERVICE, SiteStore
from client.engine.proxy import ProxyKind

pytestmark = pytest.mark.gui


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def _choose(qtbot, combo, data: str) -> None:
    combo.setFocus()
    index = combo.findData(data)
    assert index >= 0
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up)


def test_site_manager_saves_a_socks5_proxy_with_its_password_in_the_keyring(
        qtbot, config_dir, memory_keyring) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    _type(qtbot, dialog.form.host, "ftp.example.net")
    assert dialog.form.proxy.kind.currentData() == "default"  # a new site uses the default
    assert not dialog.form.proxy.host.isEnabled()
    _choose(qtbot, dialog.form.proxy.kind, ProxyKind.SOCKS5.value)
    assert dialog.form.proxy.host.isEnabled() and dialog.form.proxy.port.value() == 1080
    _type(qtbot, dialog.form.proxy.host, "127.0.0.1")
    _type(qtbot, dialog.form.proxy.user, "bob")
    _type(qtbot, dialog.form.proxy.password, "Sock-secret-9")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    site = dialog.current
    assert site is not None and site.proxy == "socks5://bob@127.0.0.1:1080"
    raw = (config_dir / "sites.json").read_text()
    assert "Sock-secret-9" not in raw and json.loads(raw)["sites"][0]["proxy"] == site.proxy
    assert memory_keyring.get_password(KEYRING_SERVICE, site_proxy_key(site.site_id)) == \
        "Sock-secret-9"
    assert dialog.form.proxy.password.text() == ""
    proxy = SiteStore().connection_settings(site.replace(logon="anonymous")).proxy
    assert proxy is not None and proxy.password == "Sock-secret-9"
    dialog.close()
    # opened again, the site clicked: the fields, not the password
    again = SiteManagerDialog()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    item = again.tree.topLevelItem(0)
    rect = again.tree.visualItemRect(item)
    qtbot.mouseClick(again.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert again.current is not None and again.current.site_id == site.site_id
    assert again.form.proxy.kind.currentData() == "socks5"
    assert again.form.proxy.host.text() == "127.0.0.1" and again.form.proxy.user.text() == "bob"
    assert again.form.proxy.password.text() == ""
    assert "stored in the keyring" in again.form.proxy.password.placeholderText()
    again.close()


def test_proxy_settings_dialog_sets_the_default_proxy(qtbot, config_dir, memory_keyring) -> None:
    from client.ui.proxy_dialog import ProxyDialog

    dialog = ProxyDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.fields.kind.currentData() == "none"
    _choose(qtbot, dialog.fields.kind, ProxyKind.HTTP.value)
    assert dialog.fields.port.value() == 8080
    _type(qtbot, dialog.fields.host, "127.0.0.1")
    dialog.fields.port.setFocus()
    dialog.fields.port.selectAll()
    qtbot.keyClicks(dialog.fields.port, "3128")
    _type(qtbot, dialog.fields.user, "carol")
    _type(qtbot, dialog.fields.password, "Http-secret-7")
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = json.loads((config_dir / "proxy.json").read_text())
    assert saved["default"] == "http://carol@127.0.0.1:3128"
    assert "Http-secret-7" not in (config_dir / "proxy.json").read_text()
    assert memory_keyring.get_password(KEYRING_SERVICE, DEFAULT_PROXY_KEY) == "Http-secret-7"
    default = ProxyStore().load_default()
    assert default is not None and default.password == "Http-secret-7"


def test_a_site_through_danted_lists_and_a_dead_proxy_names_the_hop(
        window, qtbot, qloop, ftp_server, socks5_proxy, config_dir, memory_keyring) -> None:
    from client.ui.sites.connect import connect_site

    store = SiteStore()
    site = store.load()  # empty
    from client.config.sites import Site

    site = Site(name="via proxy", host="127.0.0.1", port=ftp_server.port, user=ftp_server.user,
                tls="off", proxy=socks5_proxy.url)
    store.save([site])
    store.set_password(site.site_id, ftp_server.password)
    task = window.spawn(connect_site(window, store, site), pane=window.remote_pane)
    qtbot.waitUntil(task.done, timeout=20_000)
    assert task.exception() is None
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=10_000)
    def console() -> str:
        window.bridge.flush()
        return "\n".join(line.text for line in window.console.model.lines())

    opened = f"proxy open (control, SOCKS5 127.0.0.1:{socks5_proxy.port}"
    qtbot.waitUntil(lambda: opened in console(), timeout=10_000)
    # the same site with a proxy that is down
    dead = site.replace(proxy=f"socks5://127.0.0.1:{free_port()}")
    task = window.spawn(connect_site(window, store, dead), pane=window.remote_pane)
    qtbot.waitUntil(task.done, timeout=20_000)
    QApplication.processEvents()
    banner = window.remote_pane.banner.message.text()
    assert "could not connect through the proxy" in banner
    assert "(hop client → proxy)" in banner


def test_file_menu_opens_the_proxy_settings(window, qtbot, config_dir) -> None:
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    action = next(a for a in file_menu.actions() if a.text() == "&Proxy settings…")
    action.trigger()
    dialog = window.findChild(QDialog, "proxyDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Proxy settings"
    dialog.reject()


def test_ctrl_m_to_active_through_a_proxy_says_why_not(window, qtbot, qloop, ftp_server,
                                                      socks5_proxy, config_dir) -> None:
    task = window.spawn(window.connect_to(ftp_server.settings(proxy=socks5_proxy.settings())),
                        pane=window.remote_pane)
    qtbot.waitUntil(task.done, timeout=20_000)
    assert task.exception() is None
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=10_000)
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
    banner = window.remote_pane.banner
    qtbot.waitUntil(lambda: "cannot work through the SOCKS5 proxy" in banner.message.text(),
                    timeout=15_000)
    assert "use passive mode" in banner.message.text()
