"""The inspector dock fed by the real engine bridge, cross-selecting with the real
protocol console."""

from __future__ import annotations

from pathlib import Path

import pytest
from ladder_scenarios import healthy_passive_list, nat_substitution
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from client.engine.events import EventBus, ReplyReceived
from client.engine.ladder import ControlArrow, DataArrow
from client.ui.bridge import EngineBridge
from client.ui.console.widget import ConsoleWidget
from client.ui.inspector.dock import InspectorDock

pytestmark = pytest.mark.gui


@pytest.fixture
def wired(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    bus = EventBus()
    bridge = EngineBridge(window, interval_ms=5)
    bridge.observe(bus)
    console = ConsoleWidget(window)
    window.setCentralWidget(console)
    bridge.console_lines.connect(console.append)
    dock = InspectorDock(window)
    dock.attach(bridge)
    dock.connect_console(console)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    yield bus, bridge, console, dock
    bridge.close()


def emit_all(qtbot, bus, dock, events) -> None:
    for event in events:
        bus.emit(event)
    qtbot.waitUntil(lambda: dock.model.events_seen >= len(events) and
                    len(dock.ladder.geometry_) == len(dock.model.items), timeout=15_000)


def test_dock_builds_the_ladder_and_table_from_the_bridge(qtbot, wired) -> None:
    bus, _bridge, _console, dock = wired
    emit_all(qtbot, bus, dock, healthy_passive_list())
    arrows = dock.model.data_arrows()
    assert len(arrows) == 1 and arrows[0].endpoints_label == "127.0.0.1:41234 -> 127.0.0.1:50000"
    assert dock.panel.table_model.rowCount() == 1


def test_arrow_click_selects_the_console_line_and_back(qtbot, wired) -> None:
    bus, _bridge, console, dock = wired
    events = nat_substitution()
    emit_all(qtbot, bus, dock, events)
    qtbot.waitUntil(lambda: console.model.rowCount() > 0)
    # ladder -> console: the 227 reply arrow selects the console line holding "227"
    reply = next(i for i in dock.model.items if isinstance(i, ControlArrow) and i.code == 227)
    with qtbot.waitSignal(console.line_selected) as chosen:
        dock.panel.console_row_selected.emit(reply.event_index)
    line = console.model.line(chosen.args[0])
    assert line.text.startswith("227 Entering Passive Mode (10,0,0,5,195,80)")
    # console -> ladder: selecting the data-channel console line selects the data arrow
    arrow = dock.model.data_arrows()[0]
    target = next(seq for seq in range(console.model.rowCount() * 2)
                  if _is_line(console, seq) and "data #1" in console.model.line(seq).text
                  and "closed" in console.model.line(seq).text)
    console.select_line(target)
    assert dock.ladder.selected == arrow.index
    assert dock.panel.table.currentIndex().row() == 0


def _is_line(console: ConsoleWidget, seq: int) -> bool:
    try:
        console.model.line(seq)
    except IndexError:
        return False
    return True


def test_multi_line_reply_rows_map_to_their_arrow(qtbot, wired) -> None:
    bus, _bridge, console, dock = wired
    from client.protocol.replies import Reply
    feat = ReplyReceived(t=0.1, connection="c1",
                         reply=Reply(211, ("211-Features:", " MLSD", " EPSV", "211 End")))
    emit_all(qtbot, bus, dock, [feat])
    qtbot.waitUntil(lambda: console.model.rowCount() >= 4)
    for seq in range(4):
        assert dock.panel.highlight_console_row(seq)
        assert dock.ladder.selected == 0


def test_table_row_selects_the_arrow_and_the_console(qtbot, wired) -> None:
    bus, _bridge, console, dock = wired
    emit_all(qtbot, bus, dock, healthy_passive_list())
    arrow = dock.model.data_arrows()[0]
    with qtbot.waitSignal(dock.panel.console_row_selected) as row:
        dock.panel.table.selectRow(0)
    assert row.args == [arrow.event_index]
    assert dock.ladder.selected == arrow.index
    assert isinstance(dock.model.items[dock.ladder.selected], DataArrow)
    assert not dock.panel.follow_action.isChecked()


def test_panel_exports(qtbot, wired, tmp_path: Path) -> None:
    bus, _bridge, _console, dock = wired
    emit_all(qtbot, bus, dock, healthy_passive_list())
    for name, write in (("a.png", dock.panel.export_png), ("a.svg", dock.panel.export_svg),
                        ("a.txt", dock.panel.export_text), ("a.csv", dock.panel.export_csv)):
        write(tmp_path / name)
        assert (tmp_path / name).stat().st_size > 100
    assert "195*256+80 = 50000" in (tmp_path / "a.txt").read_text()


def test_follow_live_button_tracks_the_view(qtbot, wired) -> None:
    bus, _bridge, _console, dock = wired
    emit_all(qtbot, bus, dock, healthy_passive_list())
    assert dock.panel.follow_action.isChecked()
    dock.ladder.highlight_console_row(dock.model.items[2].event_index)
    assert not dock.panel.follow_action.isChecked()
    dock.panel.follow_action.setChecked(True)
    assert dock.ladder.follow_live


def test_line_count_matches_the_console() -> None:
    """The dock counts console lines without building them; the console's own function
    is the reference for every kind of event the engine emits."""
    from ladder_scenarios import ALL, Script

    from client.engine.events import QueueJobChanged, TlsEstablished, TransferProgress
    from client.protocol.replies import Reply
    from client.ui.console.lines import lines_from_event
    from client.ui.inspector.dock import console_line_count

    events = [event for scenario in ALL.values() for event in scenario()]
    events += Script().notice(0.1, "n").progress(0.2, 10).events
    events += [
        TransferProgress(t=0.3, connection="c1", transfer_id=1, direction="download",
                         remote_path="/x", bytes_done=10, total=10, rate=1.0, done=True),
        TlsEstablished(t=0.4, connection="c1", channel=None, version="TLSv1.3",
                       cipher="TLS_AES_256_GCM_SHA384", session_reused=False),
        TlsEstablished(t=0.5, connection="c1", channel=3, version="TLSv1.3",
                       cipher="TLS_AES_256_GCM_SHA384", session_reused=True),
        QueueJobChanged(t=0.6, connection="c1", job=object()),
        ReplyReceived(t=0.7, connection="c1", reply=Reply(211, ("211-a", " b", "211 c"))),
        ReplyReceived(t=0.8, connection="c1", reply=Reply(200, ())),
    ]
    for event in events:
        assert console_line_count(event) == len(lines_from_event(event, 0.0)), event


def test_a_flood_of_events_is_taken_in_slices(qtbot) -> None:
    from ladder_scenarios import Script

    from client.ui.inspector.dock import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    script = Script()
    for n in range(25_000):
        script.send(n * 0.001, "NOOP").reply(n * 0.001, "200 ok")
    panel.feed_events(script.events)
    assert 0 < panel.backlog < len(script.events)  # one slice done, the rest queued
    qtbot.waitUntil(lambda: panel.backlog == 0, timeout=20_000)
    assert len(panel.model.items) == len(script.events)
    assert panel.rows.next_seq == len(script.events)


def test_hung_and_failed_connections_are_announced_once(qtbot) -> None:
    from ladder_scenarios import syn_unanswered

    from client.engine.ladder import DataState
    from client.ui.inspector.dock import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    hung, failed = [], []
    panel.data_connection_hung.connect(hung.append)
    panel.data_connection_failed.connect(failed.append)
    events = syn_unanswered()
    panel.feed_events(events[:-1])
    panel.flush()
    assert hung == [] and failed == []
    panel.model.refresh(10.0)
    panel.model.refresh(11.0)
    assert [a.state for a in hung] == [DataState.WAITING]
    assert "SYN" in hung[0].waiting_for
    panel.feed_events(events[-1:])
    panel.flush()
    assert [a.state for a in failed] == [DataState.FAILED] and len(hung) == 1


def test_a_connection_that_hangs_twice_is_announced_twice(qtbot) -> None:
    from ladder_scenarios import Script, stalled_download

    from client.ui.inspector.dock import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    hung = []
    panel.data_connection_hung.connect(hung.append)
    panel.feed_events(stalled_download()[:-4])  # transferring
    panel.flush()
    panel.model.refresh(5.0)
    panel.feed_events(Script().progress(5.1, 4096).events)  # moving again
    panel.flush()
    panel.model.refresh(10.0)
    assert len(hung) == 2


def test_choosing_a_connection_rebuilds_the_diagram(qtbot) -> None:
    from ladder_scenarios import Script

    from client.ui.inspector.dock import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    browsing = healthy_passive_list()
    worker = Script("c2").send(1.0, "RETR /a").reply(1.1, "150 ok").events
    panel.feed_events(browsing + worker)
    panel.flush()
    chooser = panel.connection_menu
    assert chooser.names() == [None, "c1", "c2"]
    everything = len(panel.model.items)
    seq_of_retr = panel.model.items[-2].event_index
    chooser.choose("c2")
    qtbot.waitUntil(lambda: panel.backlog == 0)
    assert [i.label for i in panel.model.items] == ["RETR /a", "150 ok"]
    assert panel.model.items[0].event_index == seq_of_retr  # console rows unchanged
    assert panel.table_model.rowCount() == 0
    chooser.choose(None)
    qtbot.waitUntil(lambda: panel.backlog == 0)
    assert len(panel.model.items) == everything
    assert panel.table_model.rowCount() == 1
    panel.new_session()
    assert chooser.names() == [None] and panel.model.items == []


def test_export_menu_writes_through_the_save_dialog(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication, QFileDialog

    from client.ui.inspector.dock import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.feed_events(healthy_passive_list())
    panel.export_csv_action.trigger()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog)
               and w.isVisible()]
    assert len(dialogs) == 1  # opened with open(), not a blocking exec()
    target = tmp_path / "channels.csv"
    dialogs[0].selectFile(str(target))
    dialogs[0].accept()
    qtbot.waitUntil(target.exists)
    assert target.read_text().startswith("#,Command,")
    assert panel.last_export == target


def test_copy_diagram_as_text(qtbot) -> None:
    from PySide6.QtGui import QGuiApplication

    from client.ui.inspector.dock import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.feed_events(healthy_passive_list())
    panel.copy_text_action.trigger()
    text = QGuiApplication.clipboard().text()
    assert "195*256+80 = 50000" in text and "PASS ****" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_the_diagram_keeps_a_bounded_number_of_items(qapp) -> None:
    """A session that never ends must not grow the diagram without end: beyond its item
    limit the feed rebuilds the diagram from the newest events, in order."""
    from client.engine.events import LineSent
    from client.engine.ladder import LadderModel
    from client.ui.inspector.feed import LadderFeed

    feed = LadderFeed(LadderModel(), item_limit=1_000)
    for start in range(0, 5_000, 250):
        feed.feed_events(LineSent(t=i / 1000, connection="c1", text=f"NOOP {i}")
                         for i in range(start, start + 250))
        feed.flush()
        assert len(feed.model.items) <= 1_000
    labels = [getattr(item, "label", "") for item in feed.model.items]
    assert labels[-1] == "NOOP 4999"
    assert len(labels) >= 800
    numbers = [int(label.split()[1]) for label in labels if label.startswith("NOOP")]
    assert numbers == sorted(numbers) and numbers[-1] - numbers[0] == len(numbers) - 1
