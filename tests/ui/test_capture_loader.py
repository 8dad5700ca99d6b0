"""File → Open capture… and a capture dropped on the window, as a person does it: the
console, the diagram and the data-channel table show the capture's session, the verdict
dialog names the blocked passive range, and a bad file gives a message, not a crash."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

CAPTURES = Path(__file__).parents[1] / "fixtures" / "captures"
HUNG = CAPTURES / "hung-listing-passive.pcap"


def _menu_action(window, text: str):
    file_menu = window.menuBar().actions()[0].menu()
    return next(a for a in file_menu.actions() if a.text().replace("&", "") == text)


def _console_text(window) -> str:
    model = window.console.model
    return "\n".join(str(model.data(model.index(row, 0))) for row in range(model.rowCount()))


def test_open_capture_from_the_file_menu(window, qtbot) -> None:
    _menu_action(window, "Open capture…").trigger()
    chooser = window.findChild(QFileDialog, "openCaptureDialog")
    assert chooser is not None and chooser.isVisible()
    chooser.selectFile(str(HUNG))
    chooser.accept()
    loader = window.capture_loader
    qtbot.waitUntil(lambda: loader.last_analysis is not None and loader.dialog is not None,
                    timeout=15_000)
    box = window.findChild(QMessageBox, "captureVerdict")
    assert "passive port range" in box.text()
    window.bridge.flush()
    qtbot.waitUntil(lambda: window.inspector_dock.model.data_arrows() != [], timeout=15_000)
    arrow = window.inspector_dock.model.data_arrows()[0]
    assert arrow.failure is not None and arrow.failure.value == "syn-unanswered"
    table = window.inspector_dock.panel.table_model
    assert table.rowCount() == 1
    text = _console_text(window)
    assert "PASS ****" in text and "227" in text and "TCP evidence" in text
    assert "capture verdict" in text
    # the console's clock is the capture's: the banner line carries the packet's own time
    banner = next(line for line in window.console.model.lines() if "220 FTP Inspector" in line.text)
    first_packet = loader.last_analysis.wall_origin
    assert first_packet <= banner.wall < first_packet + 1
    box.close()


def _drop(window, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPoint(window.width() // 2, 5)
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)


def test_drop_a_capture_on_the_window(window, qtbot) -> None:
    _drop(window, CAPTURES / "active-listing-any.pcap")
    loader = window.capture_loader
    qtbot.waitUntil(lambda: loader.last_analysis is not None, timeout=15_000)
    assert loader.last_analysis.judgement.verdict.key == "healthy"
    assert "capture" in window.windowTitle()


def test_a_bad_file_gives_a_message(window, qtbot, tmp_path) -> None:
    bad = tmp_path / "broken.pcap"
    bad.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00")
    _drop(window, bad)
    loader = window.capture_loader
    qtbot.waitUntil(lambda: loader.last_message is not None, timeout=15_000)
    assert "cut off" in loader.last_message
    box = window.findChild(QMessageBox, "captureVerdict")
    assert box is not None and box.isVisible()
    assert loader.last_analysis is None
    box.close()


def _big_capture(path: Path) -> None:
    """A session whose listing arrives in 60,000 tiny segments (a few MB, read in more
    than one progress step)."""
    from fixtures.capture_builder import Packet, TcpFlow, write_pcap

    packets: list[Packet] = []
    base = 1_700_000_000.0
    control = TcpFlow(("10.0.0.2", 40000), ("10.0.0.7", 21), packets)
    control.handshake(base)
    for from_client, line in ((False, b"220 ready\r\n"), (True, b"USER a\r\n"),
                              (False, b"230 ok\r\n"), (True, b"PASV\r\n"),
                              (False, b"227 Entering Passive Mode (10,0,0,7,195,80).\r\n"),
                              (True, b"LIST\r\n"), (False, b"150 here\r\n")):
        base += 0.001
        control.send(base, from_client, line)
    data = TcpFlow(("10.0.0.2", 41000), ("10.0.0.7", 50000), packets)
    data.handshake(base)
    for index in range(60_000):
        data.send(base + 0.01 + index * 1e-5, False, b"0123456789")
    data.fin(base + 1, False)
    data.fin(base + 1.001, True)
    control.send(base + 1.01, False, b"226 done\r\n")
    write_pcap(str(path), packets, 1)


def test_a_big_capture_shows_progress_and_can_be_cancelled(window, qtbot, tmp_path,
                                                           monkeypatch) -> None:
    import client.ui.capture_loader as loader_module

    monkeypatch.setattr(loader_module, "_SHOW_PROGRESS_FROM", 1024)
    big = tmp_path / "big.pcap"
    _big_capture(big)
    loader = window.capture_loader
    task = loader.open_path(str(big))
    qtbot.waitUntil(lambda: loader.progress_dialog is not None, timeout=15_000)
    from PySide6.QtWidgets import QPushButton

    cancel = loader.progress_dialog.findChild(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)  # the person presses Cancel
    qtbot.waitUntil(task.done, timeout=30_000)
    assert loader.last_message == "Reading the capture was cancelled."
    assert loader.last_analysis is None and loader.progress_dialog is None

    task = loader.open_path(str(big))  # and without cancelling, it opens
    qtbot.waitUntil(task.done, timeout=30_000)
    assert loader.last_analysis is not None
    assert loader.last_analysis.channels[0].failure is None
    assert loader.progress_dialog is None  # closed when done
    loader.dialog.close()
