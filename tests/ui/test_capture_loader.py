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
    qtbot.waitUntil(lambda: window.inspector_dock.model.data_arrows() != [], timeout=5_000)
    arrow = window.inspector_dock.model.data_arrows()[0]
    assert arrow.failure is not None and arrow.failure.value == "syn-unanswered"
    table = window.inspector_dock.panel.table_model
    assert table.rowCount() == 1
    text = _console_text(window)
    assert "PASS ****" in text and "227" in text and "TCP evidence" in text
    assert "capture verdict" in text
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
