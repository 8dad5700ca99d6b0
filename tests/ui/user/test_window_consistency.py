"""The window's parts agree with each other, as a person notices when they do not: the
Synchronise dialog compares the way the panes do (and remembers the last choice), the
console keeps its lines on a small screen, both file lists show the same icons, a new
tab's diagram counts its own time, an empty tab's folder tree says it is not connected."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMenu, QToolButton

from client.engine.sync import CompareRule

from ..helpers import shown_window
from .helpers import connect

pytestmark = pytest.mark.gui


def open_synchronise(window, qtbot):
    """The Synchronise… toolbar button."""
    action = window.compare_tools.actions.synchronise
    button = window.toolbar.widgetForAction(action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.compare_tools.dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
    return dialog


def test_synchronise_starts_with_the_panes_rule_and_remembers_the_last_choice(
        window, qtbot, demo, tmp_path) -> None:
    connect(window, qtbot, demo)
    # the panes compare by size and time until told otherwise: so does the dialog
    assert window.compare_tools.actions.compare_both.isChecked()
    dialog = open_synchronise(window, qtbot)
    assert dialog.rule.currentText() == "Size and time"
    assert dialog.options().rule is CompareRule.BOTH
    dialog.reject()

    # View → Directory comparison → modification time: the dialog follows
    window.compare_tools.actions.compare_time.trigger()
    dialog = open_synchronise(window, qtbot)
    assert dialog.rule.currentText() == "Modification time"

    # the person picks Size in the dialog (one step up with the keyboard)
    dialog.rule.setFocus()
    qtbot.keyClick(dialog.rule, Qt.Key.Key_Up)
    assert dialog.rule.currentText() == "Size"
    dialog.reject()
    dialog = open_synchronise(window, qtbot)
    assert dialog.rule.currentText() == "Size"
    dialog.reject()

    # and after a restart the choice is still there, for the dialog and the panes
    (tmp_path / "again").mkdir()
    with shown_window(qtbot, tmp_path / "again") as again:
        assert again.compare_tools.actions.compare_size.isChecked()
        connect(again, qtbot, demo)
        dialog = open_synchronise(again, qtbot)
        assert dialog.rule.currentText() == "Size"
        dialog.reject()


def console_rows_shown(console) -> int:
    """How many whole console lines the list shows."""
    row = console.view.sizeHintForRow(0) if console.model.rowCount() else \
        console.view.fontMetrics().height()
    return console.view.viewport().height() // max(1, row)


def untick_behind_more(console, qtbot, button) -> None:
    """Click the row's "»" button, then the hidden filter's entry in its menu."""
    more = next(b for b in console.findChildren(QToolButton)
                if b.isVisible() and b.text() == "»")
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    menu = next(m for m in console.findChildren(QMenu) if m.isVisible())
    entry = next(a for a in menu.actions() if a.text() == button.text())
    assert entry.isChecked()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton,
                     pos=menu.actionGeometry(entry).center())
    qtbot.waitUntil(lambda: not button.isChecked())


def filter_row_is_one_row(console) -> None:
    """The search field and every button shown above the list stand on one row."""
    search = console.search
    assert search.isVisible() and search.width() >= search.minimumWidth()
    top_of = lambda w: w.mapTo(console, w.rect().topLeft()).y()  # noqa: E731
    list_top = top_of(console.view)
    above = [b for b in console.findChildren(QAbstractButton)
             if b.isVisible() and top_of(b) < list_top]
    assert len(above) >= 2
    for button in above:
        assert abs(top_of(button) - top_of(search)) <= 6, (button.text(), top_of(button))
    assert list_top - top_of(search) < 2 * search.height()


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)])
def test_the_console_keeps_one_filter_row_and_several_lines(window, qtbot, demo, size) -> None:
    from ..helpers import settle_layout

    window.resize(1366, 740)
    connect(window, qtbot, demo)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    settle_layout()
    console = window.console
    filter_row_is_one_row(console)
    assert console_rows_shown(console) >= (3 if size[1] < 700 else 5), (
        console.view.viewport().height(), size)
    # every filter is still at hand: on the row, or behind the row's "»" button
    hidden = [b for b in console.kind_buttons.values() if not b.isVisible()]
    if hidden:
        untick_behind_more(console, qtbot, hidden[0])


@pytest.mark.parametrize("width", [590, 420])
def test_a_narrow_console_keeps_its_filters_on_one_row(qtbot, width) -> None:
    """The console as a 1024x600 screen leaves it beside the inspector (590 px wide,
    ~130 px high), and narrower still: the filters stay on one row, the list shows
    lines, and a hidden filter is one click away."""
    from client.ui.console.lines import ConsoleKind, ConsoleLine
    from client.ui.console.widget import ConsoleWidget

    from ..helpers import settle_layout

    console = ConsoleWidget()
    qtbot.addWidget(console)
    console.append([ConsoleLine(kind=ConsoleKind.REPLY, text=f"200 line {i}", t=0.0,
                                wall=0.0, connection="c1") for i in range(20)])
    console.show()
    console.resize(width, 130)
    qtbot.waitExposed(console)
    settle_layout()
    filter_row_is_one_row(console)
    assert console_rows_shown(console) >= 3, console.view.viewport().height()
    hidden = [b for b in console.kind_buttons.values() if not b.isVisible()]
    if hidden:
        untick_behind_more(console, qtbot, hidden[-1])


def icon_image(index):
    from PySide6.QtGui import QIcon

    decoration = index.data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(decoration, QIcon) and not decoration.isNull(), index.data()
    return decoration.pixmap(16, 16).toImage()


def test_both_file_lists_show_the_same_icons(window, qtbot, demo) -> None:
    """A folder and a text file look the same in the local list as in the remote list
    (the local list showed none), and the local folder tree has folder icons too."""
    local = window.local_pane
    (local.current / "docs").mkdir()
    (local.current / "README.txt").write_text("here")
    connect(window, qtbot, demo)
    remote = window.remote_pane
    local_row = {}

    def local_rows() -> bool:
        view = local.view
        model, root = view.model(), view.rootIndex()
        local_row.update({model.index(r, 0, root).data(): model.index(r, 0, root)
                          for r in range(model.rowCount(root))})
        return {"docs", "README.txt"} <= set(local_row)

    qtbot.waitUntil(local_rows)
    for name in ("docs", "README.txt"):
        remote_index = remote.model.index(remote.model.row_of_name(name), 0)
        assert icon_image(local_row[name]) == icon_image(remote_index), name
    assert icon_image(local_row["docs"]) != icon_image(local_row["README.txt"])
    tree_index = local.dirs.index(str(local.current))
    assert icon_image(tree_index) == icon_image(local_row["docs"])


def test_a_new_tab_s_diagram_counts_from_its_own_first_event(window, qtbot, demo,
                                                              monkeypatch) -> None:
    """The window has been open for almost five minutes; a tab opened now shows its
    diagram's times from 0, on screen and in "Copy diagram as text"."""
    import re

    from PySide6.QtWidgets import QApplication

    from client.ui.inspector import ladder_painter

    connect(window, qtbot, demo)
    window.bus.origin -= 290.0  # the window's clock: 290 s since it opened
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_T,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
    tab = window.current_tab
    connect(window, qtbot, demo)
    assert window.current_tab is tab

    drawn: list[str] = []

    def recording(t: float) -> str:
        text = real(t)
        drawn.append(text)
        return text

    real = ladder_painter.format_time_axis
    monkeypatch.setattr(ladder_painter, "format_time_axis", recording)
    ladder = tab.panel.ladder

    def axis_drawn() -> bool:  # once the bridge has delivered the connection's events
        ladder.viewport().repaint()
        return bool(drawn)

    qtbot.waitUntil(axis_drawn, timeout=10_000)
    assert all(float(text.rstrip("s")) < 60 for text in drawn), drawn

    tab.panel.copy_text_action.trigger()
    text = QApplication.clipboard().text()
    times = [float(m) for m in re.findall(r"^\s*(\d+\.\d+)s +\|", text, re.MULTILINE)]
    assert times and times[0] == 0.0 and max(times) < 60, text[:600]


def test_an_empty_tab_s_folder_tree_says_not_connected(window, qtbot, demo) -> None:
    """No bare "/" before a connection: the tree is empty and says "Not connected";
    connecting fills it, and a new tab's tree is empty again."""
    from PySide6.QtWidgets import QApplication

    def tree_says(pane) -> str:
        pane.tree.viewport().repaint()
        return pane.tree.painted_placeholder

    pane = window.remote_pane
    assert pane.tree_model.rowCount() == 0
    assert tree_says(pane) == "Not connected"
    connect(window, qtbot, demo)
    top = pane.tree_model.index(0, 0)
    assert pane.tree_model.rowCount() == 1 and top.data() == "/"
    assert pane.tree_model.rowCount(top) > 0
    assert tree_says(pane) == ""

    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_T,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
    fresh = window.current_tab.remote_pane
    assert fresh is not pane
    qtbot.waitUntil(fresh.tree.isVisible)
    assert fresh.tree_model.rowCount() == 0
    assert tree_says(fresh) == "Not connected"


def test_a_connected_tab_whose_first_listing_hangs_does_not_say_not_connected(
        window, qtbot) -> None:
    """Demo → stall: connected, the first listing waits for its data. The folder tree
    said "Not connected" beside the banner explaining the wait (and the status bar's
    "Busy"); it says no folder is listed yet (also after the listing failed)."""
    from client.demo import DemoServer
    from client.engine.settings import ConnectionSettings

    with DemoServer("stall") as server:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=60.0,
                                      control_timeout=5.0)
        task = window.spawn(window.connect_to(settings), pane=window.remote_pane)
        qtbot.waitUntil(window.hung_listing.banner.isVisible, timeout=15_000)
        tree = window.remote_pane.tree
        tree.viewport().repaint()
        assert window.connection.is_connected
        assert tree.painted_placeholder == "No folder listed yet"
        task.cancel()


def test_tabs_on_one_host_stay_apart_when_the_bar_shortens_them(window, qtbot, demo) -> None:
    """At 1024 px two tabs on 127.0.0.1 (two demo servers) read "127.0.0.1:3…" both:
    the bar cut the end, where their ports differ. It shortens the middle now."""
    from PySide6.QtWidgets import QStyleOptionTab

    from client.demo import DemoServer

    from .test_tabs import ctrl

    window.resize(1024, 600)
    connect(window, qtbot, demo)
    with DemoServer("healthy") as other:
        ctrl(qtbot, window, Qt.Key.Key_T)
        qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
        connect(window, qtbot, other)
        total = sum(window.panes_splitter.sizes())
        window.panes_splitter.setSizes([total - 295, 295])  # a narrow remote pane
        from ..helpers import settle_layout

        settle_layout()
        bar = window.tabs.widget.bar
        shown = []
        for index in range(bar.count()):
            option = QStyleOptionTab()
            bar.initStyleOption(option, index)  # the text as the tab draws it
            shown.append(option.text)
        assert shown[0] != bar.tabText(0), shown  # the bar does shorten them here
        assert shown[0] != shown[1], shown
        assert shown[0].endswith(str(demo.port)[-2:]), shown
