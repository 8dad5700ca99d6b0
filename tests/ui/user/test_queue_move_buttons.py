"""Move up / Move down are greyed where they cannot move anything: one download from a
slow server, paused, sat alone in the queue with both buttons lit (clicking them did
nothing). The first job cannot go up, the last cannot go down."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from client.engine.queue.jobs import JobState, TransferJob

from .test_file_management import open_queue_menu

pytestmark = pytest.mark.gui


def _paused(job_id: int, name: str) -> TransferJob:
    return TransferJob(job_id=job_id, direction="download", remote_path=f"/data/{name}",
                       local_path=Path("/tmp") / name, size=2_097_152,
                       state=JobState.PAUSED, bytes_done=1024)


def _click_row(qtbot, view, row: int) -> None:
    spot = view.visualRect(view.model().index(row, 1)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)


def _greyed(queue) -> set[str]:
    return {key for key, button in queue.buttons.items() if not button.isEnabled()}


def test_move_buttons_light_only_where_the_job_can_move(window, qtbot) -> None:
    from client.ui.queue_view import QueueTab

    queue = window.queue
    view = queue.views[QueueTab.QUEUED]
    queue.model.update_jobs([_paused(1, "sample-2mb.bin")])  # what the engine reports
    _click_row(qtbot, view, 0)
    assert queue.selected_jobs()
    assert {"up", "down"} <= _greyed(queue)
    assert queue.buttons["resume"].isEnabled() and queue.buttons["cancel"].isEnabled()
    menu = open_queue_menu(window, qtbot, view, view.visualRect(view.model().index(0, 1)).center())
    disabled = {a.text() for a in menu.actions() if not a.isEnabled() and a.text()}
    assert {"Move up", "Move down"} <= disabled
    menu.close()

    queue.model.update_jobs([_paused(2, "ports.csv")])  # a second one joins the queue
    assert "down" not in _greyed(queue) and "up" in _greyed(queue)
    _click_row(qtbot, view, 1)
    assert "up" not in _greyed(queue) and "down" in _greyed(queue)
