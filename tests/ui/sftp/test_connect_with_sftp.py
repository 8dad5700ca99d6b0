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
