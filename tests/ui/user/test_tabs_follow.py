"""What follows the tab shown, as a person switches tabs: the quickconnect fields show
the tab's own server (an empty tab: empty fields; a tab not connected yet: what was
typed there), so Connect never opens the other tab's server by mistake. And what stays
of a closed tab: its paused transfers, resumable from the queue view."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from client.engine.queue.jobs import JobState
from client.ui.queue_view import JOB_ROLE

# ruff: noqa: F401, F811 - the imported ``other`` and ``two_tabs`` fixtures are test parameters
from .test_tabs import click_tab, ctrl, other, start_slow_download, two_tabs

pytestmark = pytest.mark.gui


def fields(window) -> tuple[str, str, int]:
    quick = window.quick
    return quick.host.text(), quick.user.text(), quick.port.value()


def test_quickconnect_shows_the_server_of_the_tab_shown(two_tabs, qtbot, demo, other) -> None:
    window, first, second = two_tabs
    click_tab(window, qtbot, first)
    assert fields(window) == ("127.0.0.1", demo.user, demo.port)
    click_tab(window, qtbot, second)
    assert fields(window) == ("127.0.0.2", other.user, other.port)
    # a new tab: empty fields; what the person types there stays with that tab
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 3)
    third = window.current_tab
    assert fields(window) == ("", "", 0) and window.quick.password.text() == ""
    qtbot.keyClicks(window.quick.host, "127.0.0.9")
    qtbot.keyClicks(window.quick.user, "alice")
    click_tab(window, qtbot, first)
    assert fields(window) == ("127.0.0.1", demo.user, demo.port)
    click_tab(window, qtbot, third)
    assert fields(window) == ("127.0.0.9", "alice", 0)


def test_connect_after_switching_opens_the_server_of_the_tab_shown(two_tabs, qtbot) -> None:
    """Tab 1 shown after tab 2; Connect, "In a new tab": a second connection to tab 1's
    server (the fields never carry tab 2's server into it)."""
    window, first, second = two_tabs
    click_tab(window, qtbot, first)
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tabs.where_box is not None
                    and window.tabs.where_box.isVisible())
    box = window.tabs.where_box
    assert "127.0.0.1" in box.text()
    new = next(b for b in box.findChildren(QPushButton) if "new tab" in b.text().replace("&", ""))
    qtbot.mouseClick(new, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 3
                    and window.current_tab.connection.is_connected, timeout=15_000)
    assert window.current_tab.connection.settings.host == "127.0.0.1"
    assert fields(window)[0] == "127.0.0.1"


def click_queue_row(window, qtbot, job_id: int) -> None:
    """A click on the job's row in the Queued tab of the queue view."""
    queue = window.queue
    view = queue.tabs.currentWidget()
    model = view.model()
    row = next(r for r in range(model.rowCount())
               if model.data(model.index(r, 0), JOB_ROLE).job_id == job_id)
    rect = view.visualRect(model.index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_closed_tabs_paused_download_can_be_resumed_from_the_queue(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    start_slow_download(window, qtbot, second)
    [job] = second.transfers.queue.jobs()
    qtbot.waitUntil(lambda: any(j.job_id == job.job_id for j in window.queue.model.jobs()))
    click_queue_row(window, qtbot, job.job_id)
    qtbot.mouseClick(window.queue.buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second.transfers.queue.jobs()[0].state is JobState.PAUSED,
                    timeout=10_000)
    ctrl(qtbot, window, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: window.tabs.question is not None and window.tabs.question.isVisible())
    assert "paused" in window.tabs.question.informativeText()
    qtbot.mouseClick(window.tabs.question.button(QMessageBox.StandardButton.Close),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tabs.tabs() == [first])
    qtbot.waitUntil(lambda: not second.connection.is_connected, timeout=10_000)
    window.bridge.flush()
    # later, the person resumes it in the queue view: it finishes, whole
    click_queue_row(window, qtbot, job.job_id)
    qtbot.mouseClick(window.queue.buttons["resume"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(j.job_id == job.job_id and j.state is JobState.DONE
                                for j in window.queue.model.jobs()), timeout=60_000)
    local = Path(window.local_pane.current) / "sample-2mb.bin"
    assert local.stat().st_size == 2 * 1024 * 1024
    assert not (local.parent / "sample-2mb.bin.part").exists()


def test_a_charset_changed_for_an_open_site_says_when_it_applies(window, qtbot, demo,
                                                                 memory_keyring) -> None:
    """Connected from the Site Manager; Ctrl+S again, type another charset, Save: the
    dialog says the open connection keeps its charset until the next connection (the
    change used to be saved without a word while the tab went on in the old one)."""
    window.resize(1366, 740)
    ctrl(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.site_manager is not None and window.site_manager.isVisible())
    dialog = window.site_manager
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    form.name.setText("Demo")
    form.host.setText(demo.host)
    form.port.setValue(demo.port)
    form.set_combo(form.logon, "normal")
    form.user.setText(demo.user)
    form.password.setText(demo.password)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.connection.is_connected
                    and window.remote_pane.model.rowCount() > 0, timeout=15_000)
    window.activateWindow()  # back in the window the dialog left
    qtbot.waitUntil(window.isActiveWindow)
    window.remote_pane.view.setFocus()
    qtbot.waitUntil(window.remote_pane.view.hasFocus)
    ctrl(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.site_manager is not dialog and window.site_manager.isVisible())
    dialog = window.site_manager
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    assert dialog.form.name.text() == "Demo"
    dialog.form.charset.lineEdit().selectAll()
    qtbot.keyClicks(dialog.form.charset.lineEdit(), "latin2")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = dialog.message.text()
    assert text.startswith("Saved Demo.") and "keeps reading names in auto" in text
    assert "applies when you connect to it again" in text
    assert window.connection.settings.encoding in ("auto", "utf-8")  # unchanged until then
    dialog.reject()
