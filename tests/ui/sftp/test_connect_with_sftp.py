"""From Diagnose to an SFTP session: a server whose passive range is blocked and whose
host also runs OpenSSH's sshd; the verdict offers SFTP, the button fills the bar, the
person types the SSH user and password, presses Enter, trusts the key once and sees the
files (real demo FTP server and real sshd on loopback)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer

from ..inspector.test_diagnose_wizard_window import run_to_verdict, settings_for, spawn_and_wait

pytestmark = pytest.mark.gui


def test_diagnose_offers_sftp_and_it_connects(sftp_window, qtbot, sshd_server) -> None:
    window = sftp_window
    (sshd_server.root / "report.txt").write_text("over ssh\n")
    sshd_server.own()
    with DemoServer("passive-blocked", give_up_after=3.0) as server:
        spawn_and_wait(window, qtbot, window.connect_to(settings_for(server), None))
        wizard = window.run_diagnose()
        wizard.ssh_port = sshd_server.port  # the sshd stands for port 22 of that host
        run_to_verdict(qtbot, wizard)
        page = wizard.verdict_page
        assert page.sftp_button.isVisible()
        assert "OpenSSH" in page.sftp_text.text()
        qtbot.mouseClick(page.sftp_button, Qt.MouseButton.LeftButton)
        wizard.reject()
    quick = window.quick
    assert quick.host.text() == f"sftp://{server.user}@127.0.0.1:{sshd_server.port}"
    # SFTP is chosen for the next connection; the tab shown is still the FTP one, whose
    # mode switch keeps working
    assert quick.sftp_chosen and quick.passive_button.isEnabled()
    quick.user.clear()
    qtbot.keyClicks(quick.user, sshd_server.user)
    qtbot.keyClicks(quick.password, sshd_server.password)
    qtbot.keyClick(quick.password, Qt.Key.Key_Return)
    # the tab shown is still connected to the FTP server: the SFTP session opens in a new
    # tab (the question's default button), the FTP one stays where it was
    qtbot.waitUntil(lambda: window.tabs.where_box is not None
                    and window.tabs.where_box.isVisible(), timeout=15_000)
    box = window.tabs.where_box
    qtbot.mouseClick(box.defaultButton(), Qt.MouseButton.LeftButton)
    asker = window.sessions.asker
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=15_000)
    qtbot.mouseClick(asker.last_dialog.once_button, Qt.MouseButton.LeftButton)
    pane = window.remote_pane
    qtbot.waitUntil(lambda: pane.current_path == "/files" and not window.connection.busy,
                    timeout=15_000)
    model = pane.model
    assert "report.txt" in [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert window.connection.ftp is None and not quick.passive_button.isEnabled()
    assert len(window.tabs.tabs()) == 2 and window.tabs.tabs()[0].connection.ftp is not None


def test_connect_with_sftp_keeps_the_proxy_the_diagnosis_went_through(
        sftp_window, qtbot, sshd_server, socks5_proxy) -> None:
    """Behind a proxy there may be no direct way out: the FTP connection, its Diagnose
    (passive blocked through the proxy), the look at the SSH port and then the SFTP
    session all go through the same SOCKS5 proxy (Debian's danted)."""
    window = sftp_window
    (sshd_server.root / "proxied.txt").write_text("through the proxy\n")
    sshd_server.own()
    proxy = socks5_proxy.settings()
    with DemoServer("passive-blocked", give_up_after=3.0) as server:
        spawn_and_wait(window, qtbot, window.connect_to(settings_for(server, proxy=proxy),
                                                        None))
        wizard = window.run_diagnose()
        wizard.ssh_port = sshd_server.port
        run_to_verdict(qtbot, wizard)
        assert wizard.diagnosis.verdict.key == "passive-blocked"
        assert wizard.diagnosis.ssh_probe.via == proxy.describe()
        qtbot.mouseClick(wizard.verdict_page.sftp_button, Qt.MouseButton.LeftButton)
        wizard.reject()
    quick = window.quick
    quick.user.clear()
    qtbot.keyClicks(quick.user, sshd_server.user)
    qtbot.keyClicks(quick.password, sshd_server.password)
    qtbot.keyClick(quick.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.tabs.where_box is not None
                    and window.tabs.where_box.isVisible(), timeout=15_000)
    qtbot.mouseClick(window.tabs.where_box.defaultButton(), Qt.MouseButton.LeftButton)
    asker = window.sessions.asker
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=15_000)
    qtbot.mouseClick(asker.last_dialog.once_button, Qt.MouseButton.LeftButton)
    pane = window.remote_pane
    qtbot.waitUntil(lambda: pane.current_path == "/files" and not window.connection.busy,
                    timeout=15_000)
    assert window.connection.settings.proxy == proxy
    window.bridge.flush()
    texts = [line.text for line in window.console.model.lines()]
    assert any(t.startswith(f"proxy open (control, SOCKS5 127.0.0.1:{socks5_proxy.port}")
               and f":{sshd_server.port}" in t for t in texts), texts
    # editing the address forgets the offered proxy: the default applies again
    quick.host.setFocus()
    qtbot.keyClick(quick.host, Qt.Key.Key_End)
    qtbot.keyClick(quick.host, Qt.Key.Key_Backspace)  # a port digit less: another address
    assert quick.build_settings()[0].proxy is None


def test_quick_connect_sftp_uses_the_default_proxy(sftp_window, qtbot, config_dir,
                                                   memory_keyring) -> None:
    """File > Proxy settings' default applies to Quick Connect for SFTP as for FTP."""
    from client.config.proxies import ProxyStore
    from client.engine.proxy import parse_proxy_url

    default = parse_proxy_url("socks5://127.0.0.1:1080")
    ProxyStore().save_default(default)
    quick = sftp_window.quick
    qtbot.keyClicks(quick.host, "sftp://alice@127.0.0.1:2222")
    assert quick.build_settings()[0].proxy == default
    quick.host.clear()
    qtbot.keyClicks(quick.host, "ftp://127.0.0.1:2121")
    assert quick.build_settings()[0].proxy == default
