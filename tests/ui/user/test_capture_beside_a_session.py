"""File → Open capture… while the tab shown is connected, as a person does it when
comparing a colleague's capture with their own session: the capture opens in a tab of
its own, and the live tab keeps its console, diagram and status (before, the capture's
lines were mixed into the live console, its diagram replaced the session's, and the
status bar said "Connecting" to the capture's server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from .helpers import connect

pytestmark = pytest.mark.gui

HUNG = Path(__file__).parents[2] / "fixtures" / "captures" / "hung-listing-passive.pcap"


def console_text(tab) -> str:
    return "\n".join(line.text for line in tab.console.model.lines())


def test_a_capture_opened_beside_a_live_session_gets_its_own_tab(window, qtbot, demo) -> None:
    connect(window, qtbot, demo)
    live = window.current_tab
    file_menu = window.menuBar().actions()[0].menu()
    next(a for a in file_menu.actions() if a.text().replace("&", "") == "Open capture…").trigger()
    chooser = window.findChild(QFileDialog, "openCaptureDialog")
    chooser.selectFile(str(HUNG))
    chooser.accept()
    loader = window.capture_loader
    qtbot.waitUntil(lambda: loader.dialog is not None, timeout=15_000)
    window.bridge.flush()
    box = window.findChild(QMessageBox, "captureVerdict")
    assert "passive port range" in box.text()
    box.close()
    shown = window.current_tab
    assert shown is not live and len(window.tabs.tabs()) == 2
    assert "hung-listing-passive.pcap" in window.tabs.widget.bar.tabText(
        window.tabs.tabs().index(shown))
    assert "capture verdict" in console_text(shown)
    assert "capture verdict" not in console_text(live)
    assert "127.66.1.20" not in console_text(live)
    assert live.connection.is_connected
    # back on the live tab: its own diagram and its own state in the status bar
    window.tabs.widget.bar.setCurrentIndex(window.tabs.tabs().index(live))
    qtbot.waitUntil(lambda: window.current_tab is live)
    arrows = window.inspector_dock.model.data_arrows()
    assert arrows and all("127.66.1.20" not in str(a.server_end) for a in arrows)
    assert window.status.server_label.text() == f"{demo.host}:{demo.port}"
    assert window.status.state_label.text() != "Connecting"
