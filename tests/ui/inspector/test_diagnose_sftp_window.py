""""Connect with SFTP" in the window: the Diagnose verdict of a server whose passive
range is blocked and that also answers SSH, and the failure banner of an FTP port that
greets with SSH-2.0 (real loopback servers, clicks and keys as a person uses them)."""

from __future__ import annotations

import pytest
from fixtures.ssh_banner import BannerListener
from PySide6.QtCore import Qt

from client.demo import DemoServer
from client.ui.inspector.diagnose_wizard import DiagnoseWizard

from .test_diagnose_wizard_window import run_to_verdict, settings_for, spawn_and_wait
from .test_diagnose_wizard_window import window as _wizard_window  # noqa: F401 - the fixture

pytestmark = pytest.mark.gui


def test_blocked_passive_range_and_ssh_offers_sftp_in_the_verdict(window, qtbot) -> None:
    with BannerListener() as ssh, DemoServer("passive-blocked", give_up_after=3.0) as server:
        spawn_and_wait(window, qtbot, window.connect_to(
            settings_for(server, connect_timeout=5.0), None))
        wizard = window.run_diagnose()
        wizard.ssh_port = ssh.port
        run_to_verdict(qtbot, wizard)
    page = wizard.verdict_page
    assert wizard.diagnosis.verdict.key == "passive-blocked"
    assert page.sftp_button.isVisible()
    assert f"answers SSH on port {ssh.port}" in page.explanation.text()
    assert "SSH-2.0-OpenSSH_9.2p1" in page.sftp_text.text()
    qtbot.mouseClick(page.sftp_button, Qt.MouseButton.LeftButton)
    assert window.quick.host.text() == f"sftp://{server.user}@127.0.0.1:{ssh.port}"
    assert window.quick.user.text() == server.user
    assert window.quick.password.text() == ""
    qtbot.waitUntil(window.quick.password.hasFocus, timeout=15_000)


def test_healthy_verdict_has_no_sftp_button(window, qtbot) -> None:
    with BannerListener() as ssh, DemoServer("healthy", give_up_after=3.0) as server:
        spawn_and_wait(window, qtbot, window.connect_to(settings_for(server), None))
        wizard: DiagnoseWizard = window.run_diagnose()
        wizard.ssh_port = ssh.port
        run_to_verdict(qtbot, wizard)
    assert not wizard.verdict_page.sftp_button.isVisible()
    assert ssh.accepted == 0


def test_ftp_port_greeting_with_ssh_offers_sftp_in_the_banner(window, qtbot) -> None:
    quick = window.quick
    with BannerListener() as ssh:
        qtbot.keyClicks(quick.host, "127.0.0.1")
        qtbot.keyClicks(quick.user, "alice")
        quick.port.setValue(ssh.port)
        qtbot.keyClicks(quick.password, "secret")
        qtbot.keyClick(quick.password, Qt.Key.Key_Return)
        banner = window.remote_pane.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
    assert "SSH server" in banner.text
    assert banner.action_button.isVisible()
    assert banner.action_button.text() == "Connect with SFTP"
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    assert quick.host.text() == f"sftp://alice@127.0.0.1:{ssh.port}"
    assert quick.password.text() == ""
    assert not banner.isVisible()


def test_blocked_without_ssh_says_why_there_is_no_offer(window, qtbot) -> None:
    from fixtures.scripted_steps import unused_port

    closed = unused_port()
    with DemoServer("passive-blocked", give_up_after=3.0) as server:
        spawn_and_wait(window, qtbot, window.connect_to(settings_for(server), None))
        wizard = window.run_diagnose()
        wizard.ssh_port = closed
        run_to_verdict(qtbot, wizard)
    page = wizard.verdict_page
    assert wizard.diagnosis.verdict.key == "passive-blocked"
    assert not page.sftp_button.isVisible()
    assert page.sftp_text.isVisible()
    assert f"No SFTP offer: port {closed} of 127.0.0.1: refused" in page.sftp_text.text()
