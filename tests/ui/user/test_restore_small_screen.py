"""The window used at 1366x740 with the panes splitter dragged (the local pane wide),
closed, and started again on a 1024x600 screen: every pane keeps at least its minimum
size and the saved proportions are kept as far as the room allows. Before, the restored
pixel sizes left the remote pane a strip (its file list cut to the Name column), and a
deep local folder had made the local pane's minimum as wide as its path."""

from __future__ import annotations

import asyncio

import pytest

from ..helpers import settle_layout, shown_window

pytestmark = pytest.mark.gui


def test_splitters_saved_wide_fit_a_small_window(qloop, qtbot, config_dir, tmp_path) -> None:
    from client.ui.main_window import MainWindow

    deep = tmp_path / "projects" / "customer-websites" / "2026" / "shop-relaunch" / "assets"
    deep.mkdir(parents=True)
    with shown_window(qtbot, tmp_path) as window:
        window.resize(1366, 740)
        qtbot.waitUntil(lambda: window.width() == 1366)
        window.local_pane.set_folder(deep)
        settle_layout()
        total = sum(window.panes_splitter.sizes())
        window.panes_splitter.setSizes([total * 7 // 10, total - total * 7 // 10])
        settle_layout()
    again = MainWindow(local_start=deep)
    again.resize(1024, 600)  # what a 1024x600 screen leaves of the saved geometry
    again.show()
    try:
        qtbot.waitUntil(lambda: (again.width(), again.height()) == (1024, 600))
        settle_layout()
        local, remote = again.local_pane, again.remote_pane
        assert local.minimumSizeHint().width() < 400  # the path no longer sets it
        for pane in (local, remote):
            assert pane.width() >= pane.minimumSizeHint().width(), pane
            assert pane.view.height() >= pane.view.fontMetrics().height() * 3, pane
        header = remote.view.horizontalHeader()
        assert remote.view.viewport().width() >= header.sectionSize(0), remote.view.viewport().width()
        assert local.width() > remote.width()  # the person's split, scaled
    finally:
        task = asyncio.ensure_future(again.shutdown())
        qtbot.waitUntil(task.done, timeout=10_000)
        again.close()
        again.deleteLater()
