"""Quitting while files are still being transferred asks first, as FileZilla does
(Ctrl+Q closed the window at once, the download half done, without a word). Cancel
keeps the window and the transfer; Quit closes it (the transfer is offered again at
the next start). With nothing running, Quit closes at once as before."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from client.engine.queue.jobs import JobState

from .helpers import connect, run

pytestmark = pytest.mark.gui


def _question(qtbot) -> QMessageBox:
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=15_000)
    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible())


def _button(box: QMessageBox, text: str):
    return next(b for b in box.buttons() if b.text().replace("&", "") == text)


def test_ctrl_q_during_a_download_asks_and_cancel_keeps_it_running(window, qtbot) -> None:
    from client.demo import DemoServer

    with DemoServer("slow", give_up_after=2.0, throttle_bytes_per_second=4096) as demo:
        connect(window, qtbot, demo)
        pane = window.remote_pane
        edit = pane.path_bar.lineEdit()
        edit.setText("/photos 2024")
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: pane.current_path == "/photos 2024"
                        and not window.connection.busy, timeout=15_000)
        cell = pane.view.visualRect(pane.model.index(pane.model.row_of_name("beach day.jpg"),
                                                     0)).center()
        qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.waitUntil(lambda: any(j.state is JobState.RUNNING
                                    for j in window.queue.model.jobs()), timeout=15_000)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        box = _question(qtbot)
        assert "1 transfer" in box.text()
        assert box.defaultButton() is _button(box, "Quit")
        qtbot.mouseClick(_button(box, "Cancel"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not box.isVisible())
        assert window.isVisible()
        assert any(j.state is JobState.RUNNING for j in window.queue.model.jobs())

        # asked again, and this time Quit: the window goes
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        box = _question(qtbot)
        with qtbot.waitSignal(window.closed, timeout=15_000):
            qtbot.mouseClick(_button(box, "Quit"), Qt.MouseButton.LeftButton)
        assert not window.isVisible()


def test_sigterm_closes_without_asking_even_with_transfers_waiting(window, qtbot, demo,
                                                                    tmp_path) -> None:
    """A shutdown or ``kill`` (SIGTERM, Ctrl+C in the terminal) has nobody to answer the
    question: the window closes at once; the waiting transfer is saved for the next start."""
    from client.ui.app import close_without_questions

    connect(window, qtbot, demo)
    qtbot.mouseClick(window.queue.process_button, Qt.MouseButton.LeftButton)  # held
    path = tmp_path / "waits.txt"
    path.write_text("waits\n")
    run(qtbot, window.upload_paths([path]))
    window.bridge.flush()
    assert any(j.state is JobState.QUEUED for j in window.queue.model.jobs())
    close_without_questions(QApplication.instance())
    qtbot.waitUntil(lambda: not window.isVisible())
    assert not any(isinstance(w, QMessageBox) and w.isVisible()
                   for w in QApplication.topLevelWidgets())
