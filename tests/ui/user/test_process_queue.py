""""Process queue" (Ctrl+P, the queue's button, Transfer menu): a person holds the queue,
lines up uploads and orders them, then lets them go; a tab opened meanwhile holds too."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import UPLOAD_FOLDER
from client.ui.queue_view import QueueTab

from .helpers import connect, run
from .test_tabs import ctrl, open_tab_and_connect

pytestmark = pytest.mark.gui


def _queued_title(window) -> str:
    return window.queue.tabs.tabText(list(QueueTab).index(QueueTab.QUEUED))


def _transfer_menu(window):
    return next(a.menu() for a in window.menuBar().actions() if a.text() == "&Transfer")


def test_ctrl_p_holds_the_queue_and_the_transfer_menu_lets_it_go(window, qtbot, demo,
                                                                 tmp_path) -> None:
    connect(window, qtbot, demo)
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    ctrl(qtbot, window, Qt.Key.Key_P)
    assert not window.queue.process_button.isChecked()
    files = []
    for i in range(3):
        path = tmp_path / f"held-{i}.txt"
        path.write_text(f"held {i}\n")
        files.append(path)
    ids = run(qtbot, window.upload_paths(files))
    window.bridge.flush()
    assert "3, on hold" in _queued_title(window)
    qtbot.wait(300)  # time enough for a queue that processes to start
    queue = window.transfers.queue
    assert {queue.job(i).state.value for i in ids} == {"queued"}
    assert not any((demo.root / UPLOAD_FOLDER / p.name).exists() for p in files)

    action = next(a for a in _transfer_menu(window).actions() if a.text() == "&Process queue")
    assert action.isCheckable() and not action.isChecked()
    assert action.shortcut().toString() == "Ctrl+P"
    action.trigger()  # what choosing it in the menu does
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    window.bridge.flush()
    for path in files:
        assert (demo.root / UPLOAD_FOLDER / path.name).read_text() == path.read_text()
    assert "on hold" not in _queued_title(window)
    assert window.queue.proxies[QueueTab.SUCCESSFUL].rowCount() == 3


def test_a_tab_opened_while_the_queue_is_held_holds_too(window, qtbot, demo, tmp_path) -> None:
    connect(window, qtbot, demo)
    qtbot.mouseClick(window.queue.process_button, Qt.MouseButton.LeftButton)
    second = open_tab_and_connect(window, qtbot, demo)
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    path = tmp_path / "second-tab.txt"
    path.write_text("from the second tab\n")
    (job_id,) = run(qtbot, window.upload_paths([path]))
    assert second.transfers.queue.job(job_id).state.value == "queued"
    assert not second.transfers.queue.processing
    qtbot.mouseClick(window.queue.process_button, Qt.MouseButton.LeftButton)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    assert (demo.root / UPLOAD_FOLDER / path.name).read_text() == path.read_text()
