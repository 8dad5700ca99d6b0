"""Refresh the remote folder a dozen times: the inspector's data-channel table shows its
newest row (each listing adds one) while the diagram follows the live end, as the
diagram does; the table had stayed a few rows behind."""

from __future__ import annotations

import pytest

from ..helpers import press_f5, settle_layout
from .helpers import connect

pytestmark = pytest.mark.gui


def test_the_channel_table_shows_its_newest_row(window, qtbot, demo) -> None:
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    panel = window.inspector_dock.panel
    assert panel.ladder.follow_live
    for _ in range(12):
        press_f5(window, qtbot)
    window.bridge.flush()
    settle_layout()
    table = panel.table
    last = table.model().rowCount() - 1
    assert last >= 12
    shown = table.viewport().rect()
    rect = table.visualRect(table.model().index(last, 0))
    assert shown.contains(rect.center()), (rect, shown, table.verticalScrollBar().value(),
                                           table.verticalScrollBar().maximum())
