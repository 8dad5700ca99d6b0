"""Connection tabs, as a person uses them: Ctrl+T opens a tab, quickconnect connects
there, each tab browses its own server with its own console and diagram, Ctrl+Tab and
clicks switch, a download keeps running in the queue while another tab is shown, Ctrl+W
asks before closing a connected tab and then sends QUIT, closing the window says QUIT on
every tab. Two demo servers on two loopback addresses."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from client.demo import DemoServer
from client.engine.events import LineSent
from client.engine.queue.jobs import JobState

from .answer import settle
from .fit import text_problems
from .helpers import connect, run
from .test_keyboard_order import ORDER, regions_in_order, walk

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def other() -> object:
    """A second server, slow (a download takes seconds), on another loopback address."""
    server = DemoServer("slow", host="127.0.0.2", give_up_after=2.0,
                        throttle_bytes_per_second=192 * 1024).start()
    yield server
    server.stop()


@pytest.fixture
def quits(window) -> list[str]:
    """The connection ids that said QUIT."""
    said: list[str] = []

    def watch(event: object) -> None:
        if isinstance(event, LineSent) and event.text.strip().upper() == "QUIT":
            said.append(event.connection)

    unsubscribe = window.bus.subscribe(watch)
    yield said
    unsubscribe()


def ctrl(qtbot, window, key, *, shift: bool = False) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if shift:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifiers)


def open_tab_and_connect(window, qtbot, server: DemoServer) -> object:
    """Ctrl+T, then the server's URL into Host and Connect."""
    count = len(window.tabs.tabs())
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == count + 1)
    tab = window.current_tab
    assert tab.title == "Not connected"
    connect(window, qtbot, server)
    assert window.current_tab is tab
    return tab


def go_to(window, qtbot, folder: str) -> None:
    """Type a folder into the remote path bar and press Enter."""
    pane = window.remote_pane
    pane.path_bar.lineEdit().setText(folder)
    qtbot.keyClick(pane.path_bar.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.current_path == folder and not window.connection.busy,
                    timeout=15_000)
    window.bridge.flush()


def click_tab(window, qtbot, tab) -> None:
    bar = window.tabs.widget.bar
    index = window.tabs.tabs().index(tab)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: window.current_tab is tab)


def names(tab) -> set[str]:
    return {e.name for e in tab.remote_pane.model.entries()}


@pytest.fixture
def two_tabs(window, qtbot, demo, other):
    """Tab 1 on the healthy server in /docs, tab 2 on the slow one in /photos 2024."""
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    first = window.current_tab
    go_to(window, qtbot, "/docs")
    second = open_tab_and_connect(window, qtbot, other)
    go_to(window, qtbot, "/photos 2024")
    window.bridge.flush()
    return window, first, second


def test_each_tab_has_its_own_server_folder_console_and_diagram(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    bar = window.tabs.widget.bar
    assert [bar.tabText(i) for i in range(bar.count())] == ["127.0.0.1", "127.0.0.2"]
    assert "127.0.0.2" in bar.tabToolTip(1) and "connected" in bar.tabToolTip(1)
    assert first.remote_pane.current_path == "/docs"
    assert second.remote_pane.current_path == "/photos 2024"
    assert "guide.txt" in names(first) and "beach day.jpg" in names(second)
    assert not names(first) & {"beach day.jpg"} and "guide.txt" not in names(second)
    for tab in (first, second):
        lines = tab.console.model.lines()
        assert lines and {line.connection for line in lines} <= tab.ids
        tab.panel.flush()
        assert tab.panel.feed.connections and set(tab.panel.feed.connections) <= tab.ids
    assert not first.ids & second.ids
    assert any("photos 2024" in line.text for line in second.console.model.lines())
    assert not any("photos 2024" in line.text for line in first.console.model.lines())

    # Ctrl+Tab (round the end) and Ctrl+Shift+Tab; the dock, console, status bar and
    # title follow the tab shown
    ctrl(qtbot, window, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: window.current_tab is first)
    assert window.inspector_dock.panel is first.panel and window.console is first.console
    assert first.console.isVisible() and not second.console.isVisible()
    assert first.remote_pane.isVisible() and not second.remote_pane.isVisible()
    assert "127.0.0.1" in window.windowTitle()
    assert window.status.server_label.text().startswith("127.0.0.1:")
    ctrl(qtbot, window, Qt.Key.Key_Backtab, shift=True)
    qtbot.waitUntil(lambda: window.current_tab is second)
    assert window.inspector_dock.panel is second.panel
    assert "127.0.0.2" in window.windowTitle()
    assert window.status.server_label.text().startswith("127.0.0.2:")
    click_tab(window, qtbot, first)
    assert window.remote_pane is first.remote_pane and window.connection is first.connection

    # F5 in tab 1 lists on tab 1's connection: its console grows, tab 2's does not
    before = (first.console.model.rowCount(), second.console.model.rowCount())
    qtbot.keyClick(first.remote_pane.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not first.connection.busy
                    and first.console.model.rowCount() > before[0], timeout=15_000)
    window.bridge.flush()
    assert second.console.model.rowCount() == before[1]


def test_the_mode_follows_the_tab_shown(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    window.quick.active_button.click()  # tab 2 (shown) goes Active
    assert second.connection.settings.mode.value == "active"
    click_tab(window, qtbot, first)
    assert first.connection.settings.mode.value == "passive"
    assert window.quick.passive_button.isChecked() and window.passive_action.isChecked()
    click_tab(window, qtbot, second)
    assert window.quick.active_button.isChecked() and window.active_action.isChecked()
    assert window.status.mode_label.text().startswith("Active")


def start_slow_download(window, qtbot, tab) -> None:
    """In ``tab`` (shown, on the slow server): open /data, click the 2 MB file, Enter."""
    go_to(window, qtbot, "/data")
    pane = tab.remote_pane
    row = next(i for i, e in enumerate(pane.model.entries()) if e.name == "sample-2mb.bin")
    pane.view.scrollTo(pane.model.index(row, 0))
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=pane.view.visualRect(pane.model.index(row, 0)).center())
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.transfers.queue is not None and any(
        j.state is JobState.RUNNING for j in tab.transfers.queue.jobs()), timeout=15_000)


def test_a_download_keeps_running_while_another_tab_is_shown(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    start_slow_download(window, qtbot, second)
    click_tab(window, qtbot, first)  # the person looks at the other server meanwhile
    go_to(window, qtbot, "/")
    job = second.transfers.queue.jobs()[0]
    assert job.state is JobState.RUNNING
    qtbot.waitUntil(lambda: second.transfers.queue.jobs()[0].state is JobState.DONE,
                    timeout=60_000)
    local = Path(window.local_pane.current) / "sample-2mb.bin"
    assert local.stat().st_size == 2 * 1024 * 1024
    # the queue view listed it; tab 1's console never saw tab 2's transfer
    assert window.queue.model.rowCount() >= 1
    window.bridge.flush()
    assert not any("sample-2mb.bin" in line.text for line in first.console.model.lines())


def test_closing_a_connected_tab_asks_then_says_quit(two_tabs, qtbot, quits) -> None:
    window, first, second = two_tabs
    browsing = second.connection.connection_id
    ctrl(qtbot, window, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: isinstance(window.tabs.question, QMessageBox)
                    and window.tabs.question.isVisible())
    box = window.tabs.question
    # Cancel keeps the tab
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not box.isVisible())
    assert len(window.tabs.tabs()) == 2 and second.connection.is_connected
    # the tab's connection at rest: one in the middle of a command is closed without
    # QUIT (its reply would be read as QUIT's), so on a loaded machine a listing still
    # under way made this test depend on timing
    session = second.connection.ftp
    qtbot.waitUntil(lambda: not second.connection.busy and not session.control.lock.locked(),
                    timeout=15_000)
    ctrl(qtbot, window, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: window.tabs.question is not box
                    and window.tabs.question.isVisible())
    window.tabs.question.button(QMessageBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: browsing in quits, timeout=10_000)
    assert window.tabs.tabs() == [first] and window.current_tab is first
    assert window.inspector_dock.panel is first.panel and first.connection.is_connected


def test_a_closed_tabs_download_keeps_running_in_the_queue(two_tabs, qtbot, quits) -> None:
    window, first, second = two_tabs
    start_slow_download(window, qtbot, second)
    [job] = second.transfers.queue.jobs()
    # the person sees it in the queue view (the bridge delivers it within a flush or two)
    qtbot.waitUntil(lambda: any(j.job_id == job.job_id for j in window.queue.model.jobs()))
    browsing = second.connection.connection_id
    ctrl(qtbot, window, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: window.tabs.question is not None and window.tabs.question.isVisible())
    assert "keep running" in window.tabs.question.informativeText()
    window.tabs.question.button(QMessageBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: browsing in quits, timeout=10_000)
    assert window.tabs.tabs() == [first]
    window.bridge.flush()  # whatever the closed tab's queue said meanwhile
    assert any(j.job_id == job.job_id for j in window.queue.model.jobs())  # still listed
    qtbot.waitUntil(lambda: any(j.job_id == job.job_id and j.state is JobState.DONE
                                for j in window.queue.model.jobs()), timeout=60_000)
    local = Path(window.local_pane.current) / "sample-2mb.bin"
    assert local.stat().st_size == 2 * 1024 * 1024
    assert not (local.parent / "sample-2mb.bin.part").exists()


def test_an_unconnected_tab_closes_without_asking_and_the_last_is_replaced(
        window, qtbot) -> None:
    window.resize(1366, 740)
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
    ctrl(qtbot, window, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 1)
    assert window.tabs.question is None
    only = window.current_tab
    window.tabs.widget.new_button.click()  # the "+" button
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
    bar = window.tabs.widget.bar
    qtbot.mouseClick(bar, Qt.MouseButton.MiddleButton, pos=bar.tabRect(1).center())
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 1)
    assert window.current_tab is only
    ctrl(qtbot, window, Qt.Key.Key_W)  # the last tab: an empty one takes its place
    qtbot.waitUntil(lambda: window.current_tab is not only)
    assert len(window.tabs.tabs()) == 1 and window.current_tab.title == "Not connected"


def test_quickconnect_on_a_connected_tab_offers_a_new_tab(window, qtbot, demo, other) -> None:
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    first = window.current_tab
    window.quick.host.setText(other.url)
    window.quick.connect_button.click()
    qtbot.waitUntil(lambda: window.tabs.where_box is not None
                    and window.tabs.where_box.isVisible())
    box = window.tabs.where_box
    new = next(b for b in box.findChildren(QPushButton) if "new tab" in b.text().replace("&", ""))
    new.click()
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2
                    and window.current_tab.connection.is_connected
                    and window.remote_pane.model.rowCount() > 0, timeout=15_000)
    assert first.connection.is_connected and window.current_tab.title == "127.0.0.2"


def test_closing_the_window_says_quit_on_every_tab(two_tabs, qtbot, quits) -> None:
    window, first, second = two_tabs
    ids = {first.connection.connection_id, second.connection.connection_id}
    run(qtbot, window.shutdown())
    assert ids <= set(quits)
    assert not first.connection.is_connected and not second.connection.is_connected


def test_tab_walks_the_regions_of_the_tab_shown(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    click_tab(window, qtbot, first)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.quick.host.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.quick.host)
    seen = walk(window, qtbot, Qt.Key.Key_Tab, 80)
    assert regions_in_order(window, seen)[:len(ORDER) + 1] == ORDER + ["quickconnect"]
    assert not any(second.remote_pane.isAncestorOf(w) or second.console.isAncestorOf(w)
                   for w in seen)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 640)])
def test_two_tabs_fit_the_window(two_tabs, qtbot, size) -> None:
    window, first, second = two_tabs
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    settle(qtbot, window)
    bar = window.tabs.widget.bar
    for index in range(bar.count()):
        rect = bar.tabRect(index)
        corner = bar.mapTo(window, QPoint(rect.right(), rect.bottom()))
        assert window.rect().contains(corner) and rect.width() > 40
    plus = window.tabs.widget.new_button
    assert plus.isVisible() and window.rect().contains(plus.mapTo(window, plus.rect().center()))
    pane = window.remote_pane
    assert pane.isVisible() and pane.view.height() >= 60 and pane.width() >= 200
    assert text_problems(window) == []


def test_the_site_manager_connects_in_a_new_tab(window, qtbot, demo, other,
                                                memory_keyring) -> None:
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    first = window.current_tab
    ctrl(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: getattr(window, "site_manager", None) is not None
                    and window.site_manager.isVisible())
    dialog = window.site_manager
    assert dialog.new_tab_box.isChecked()  # connected: a new tab is the default
    dialog.new_button.click()
    dialog.form.name.setText("Slow one")
    dialog.form.host.setText(other.host)
    dialog.form.port.setValue(other.port)
    dialog.form.set_combo(dialog.form.logon, "normal")
    dialog.form.user.setText(other.user)
    dialog.form.password.setText(other.password)
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2
                    and window.current_tab.connection.is_connected
                    and window.remote_pane.model.rowCount() > 0, timeout=15_000)
    # titled with the site's name, as FileZilla's tabs
    assert window.current_tab.title == "Slow one" and first.connection.is_connected
    assert window.current_site is not None and window.current_site[1].name == "Slow one"
    click_tab(window, qtbot, first)
    assert window.current_site is None  # tab 1 came from quickconnect


def test_a_capture_opens_in_the_tab_shown(window, qtbot, demo) -> None:
    """Tab 1 is connected (its browsing connection is "c1" too); a capture opened in tab
    2 shows in tab 2's console and diagram only."""
    from PySide6.QtWidgets import QFileDialog

    captures = Path(__file__).parents[2] / "fixtures" / "captures"
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    first = window.current_tab
    first_rows = first.console.model.rowCount()
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
    second = window.current_tab
    ctrl(qtbot, window, Qt.Key.Key_O, shift=True)
    chooser = window.findChild(QFileDialog, "openCaptureDialog")
    qtbot.waitUntil(lambda: chooser is not None and chooser.isVisible())
    chooser.selectFile(str(captures / "hung-listing-passive.pcap"))
    chooser.accept()
    loader = window.capture_loader
    qtbot.waitUntil(lambda: loader.last_analysis is not None, timeout=15_000)
    window.bridge.flush()
    assert any("capture verdict" in line.text for line in second.console.model.lines())
    second.panel.flush()
    assert second.panel.model.data_arrows()
    assert first.console.model.rowCount() == first_rows
    assert not any("capture verdict" in line.text for line in first.console.model.lines())
    first.panel.flush()
    assert not any(a.failure is not None for a in first.panel.model.data_arrows())
    for box in window.findChildren(QMessageBox, "captureVerdict"):
        box.close()


def test_a_new_tab_keeps_the_column_widths_of_the_tab_shown(window, qtbot) -> None:
    window.resize(1366, 740)
    header = window.remote_pane.view.horizontalHeader()
    header.resizeSection(0, 333)  # the person widened the Name column
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
    assert window.remote_pane.view.horizontalHeader().sectionSize(0) == 333


def test_diagnose_opens_for_the_tab_shown(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    click_tab(window, qtbot, second)
    ctrl(qtbot, window, Qt.Key.Key_D, shift=True)  # Ctrl+Shift+D
    qtbot.waitUntil(lambda: window.diagnose_wizard is not None
                    and window.diagnose_wizard.isVisible())
    wizard = window.diagnose_wizard
    assert wizard.settings.host == "127.0.0.2"
    assert wizard.path == "/photos 2024"
    wizard.reject()


def test_switching_tabs_does_not_pile_up_focus_guards(two_tabs, qtbot) -> None:
    from client.ui.tab_order import _QuietFocusArrival

    window, first, second = two_tabs
    for _ in range(3):
        click_tab(window, qtbot, first)
        click_tab(window, qtbot, second)
    for tab in (first, second):
        assert len(tab.console.view.findChildren(_QuietFocusArrival)) == 1
