"""The transfer queue as a person uses it in the first minutes: why a transfer failed
is readable in the Failed tab, and Move up / Move down follow what the Queued tab shows
(finished jobs the person no longer sees there neither light them nor absorb a move)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from client.engine.queue.jobs import JobState, TransferJob
from client.ui.queue_view import QueueColumn, QueueTab

from .helpers import connect, run

pytestmark = pytest.mark.gui


def _double_click_remote(qtbot, window, name: str) -> None:
    pane = window.remote_pane
    cell = pane.view.visualRect(pane.model.index(pane.model.row_of_name(name), 0)).center()
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)


def _click_tab(qtbot, queue, tab: QueueTab) -> None:
    bar = queue.tabs.tabBar()
    index = list(queue.views).index(tab)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def _column_in_sight(view, column: int) -> bool:
    """At least 120 px of the column's cells are inside the list (not scrolled away)."""
    header = view.header()
    if header.isSectionHidden(column):
        return False
    left = header.sectionViewportPosition(column)
    right = min(left + header.sectionSize(column), view.viewport().width())
    return left >= 0 and right - left >= 120


def test_the_failed_tab_shows_why_without_scrolling(window, qtbot, demo) -> None:
    """A download cancelled in the "file exists" question lands under Failed; at 1366
    wide the reason (the State column) sat right of Progress, Rate and ETA — past the
    list's right edge, so the tab showed a path and an empty progress bar, no reason."""
    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366)
    connect(window, qtbot, demo)
    (window.local_pane.current / "README.txt").write_bytes(b"mine")
    _double_click_remote(qtbot, window, "README.txt")
    qtbot.waitUntil(lambda: window.exists_asker.current is not None, timeout=15_000)
    buttons = window.exists_asker.current.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    queue = window.queue
    qtbot.waitUntil(lambda: queue.proxies[QueueTab.FAILED].rowCount() == 1, timeout=15_000)
    _click_tab(qtbot, queue, QueueTab.FAILED)
    view = queue.views[QueueTab.FAILED]
    assert queue.tabs.currentWidget() is view
    reason = view.model().index(0, QueueColumn.STATE).data()
    assert reason.startswith("cancelled"), reason
    assert _column_in_sight(view, QueueColumn.STATE)
    # what stays empty for a job that is not running takes no room there
    assert view.header().isSectionHidden(QueueColumn.RATE)
    assert view.header().isSectionHidden(QueueColumn.ETA)
    # the Queued tab keeps them: a running transfer's rate and time left
    queued = queue.views[QueueTab.QUEUED]
    assert not queued.header().isSectionHidden(QueueColumn.RATE)


def _job(job_id: int, name: str, state: JobState) -> TransferJob:
    return TransferJob(job_id=job_id, direction="download", remote_path=f"/data/{name}",
                       local_path=Path("/tmp") / name, size=2_097_152, state=state,
                       bytes_done=1024)


def _click_row(qtbot, view, row: int) -> None:
    spot = view.visualRect(view.model().index(row, 1)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)


def test_move_up_is_greyed_for_the_first_waiting_job_below_finished_ones(window, qtbot) -> None:
    """Two files downloaded, then a third paused: it sat alone in the Queued tab with
    Move up lit (the finished downloads before it in the queue's order counted)."""
    queue = window.queue
    queue.model.update_jobs([_job(1, "a.bin", JobState.DONE), _job(2, "b.bin", JobState.DONE),
                             _job(3, "c.bin", JobState.PAUSED)])  # what the engine reports
    view = queue.views[QueueTab.QUEUED]
    assert view.model().rowCount() == 1
    _click_row(qtbot, view, 0)
    greyed = {key for key, button in queue.buttons.items() if not button.isEnabled()}
    assert {"up", "down"} <= greyed
    assert queue.buttons["resume"].isEnabled()


def _names_queued(queue) -> list[str]:
    view = queue.views[QueueTab.QUEUED]
    model = view.model()
    return [model.index(r, QueueColumn.REMOTE).data().rsplit("/", 1)[-1]
            for r in range(model.rowCount())]


def _select_queued(qtbot, queue, name: str) -> None:
    view = queue.views[QueueTab.QUEUED]
    _click_row(qtbot, view, _names_queued(queue).index(name))


def _browse(qtbot, window, path: str) -> None:
    pane = window.remote_pane
    pane.path_bar.lineEdit().setText(path)
    qtbot.keyClick(pane.path_bar.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.current_path == path and not window.connection.busy,
                    timeout=15_000)


def test_move_up_passes_the_waiting_job_above_not_a_finished_one(window, qtbot) -> None:
    """One transfer at a time from a slow server: three photos and the README queued,
    the third photo cancelled. Move up on the README put it before the cancelled photo
    (gone from the Queued tab): nothing moved there. It goes before the photo above it."""
    from client.demo import DemoServer

    with DemoServer("slow", give_up_after=2.0, throttle_bytes_per_second=2048) as demo:
        window.resize(1366, 740)
        queue = window.queue
        queue.concurrency.selectAll()
        qtbot.keyClicks(queue.concurrency, "1")
        qtbot.keyClick(queue.concurrency, Qt.Key.Key_Tab)
        assert queue.concurrency.value() == 1
        connect(window, qtbot, demo)
        _browse(qtbot, window, "/photos 2024")
        view = window.remote_pane.view
        view.setFocus()
        qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(view, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(_names_queued(queue)) == 3, timeout=15_000)
        qtbot.keyClick(view, Qt.Key.Key_Backspace)  # up to the root
        qtbot.waitUntil(lambda: window.remote_pane.current_path == "/"
                        and not window.connection.busy, timeout=15_000)
        _double_click_remote(qtbot, window, "README.txt")
        qtbot.waitUntil(lambda: len(_names_queued(queue)) == 4, timeout=15_000)
        assert _names_queued(queue) == ["beach day.jpg", "mountain view.png",
                                        "日本の写真.jpg", "README.txt"]
        _select_queued(qtbot, queue, "日本の写真.jpg")
        qtbot.mouseClick(queue.buttons["cancel"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(_names_queued(queue)) == 3, timeout=15_000)
        _select_queued(qtbot, queue, "README.txt")
        qtbot.mouseClick(queue.buttons["up"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _names_queued(queue) == ["beach day.jpg", "README.txt",
                                                          "mountain view.png"], timeout=15_000)
        assert queue.buttons["up"].isEnabled() is False  # first of the waiting ones now
        run(qtbot, window.transfers.reset(), timeout=15_000)


def test_the_failed_tab_drops_rate_and_eta_after_a_restart_too(window, qtbot, tmp_path) -> None:
    """Column widths saved by an earlier version (Rate and ETA shown under Failed) were
    restored over the new layout: the reason stayed out of sight after an upgrade."""
    import asyncio

    from client.ui.main_window import MainWindow

    failed = window.queue.views[QueueTab.FAILED].header()
    failed.showSection(QueueColumn.RATE)  # what the earlier version saved
    failed.showSection(QueueColumn.ETA)
    window.save_state()
    again = MainWindow(local_start=window.local_pane.current)
    again.show()
    try:
        header = again.queue.views[QueueTab.FAILED].header()
        assert header.isSectionHidden(QueueColumn.RATE)
        assert header.isSectionHidden(QueueColumn.ETA)
    finally:
        task = asyncio.ensure_future(again.shutdown())
        qtbot.waitUntil(task.done, timeout=10_000)
        again.close()
        again.deleteLater()
