"""The diagram at the dock's width, as a person reads it: a passive reply too long for
the room between the lifelines keeps its code and its address (the part the diagram is
for) and shortens the words between; hovering shows the whole line and its decoding."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.engine.ladder import ControlArrow

from .answer import settle
from .helpers import connect

pytestmark = pytest.mark.gui


def test_a_long_227_keeps_its_code_and_address_at_the_dock_width(window, qtbot, demo) -> None:
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    settle(qtbot, window)
    connect(window, qtbot, demo)
    panel = window.current_tab.panel
    panel.flush()
    view = panel.ladder
    reply = next(i for i in panel.model.items
                 if isinstance(i, ControlArrow) and i.label.startswith("227"))
    address = reply.label[reply.label.index("("):].rstrip(".")
    label, decoded = view.shown_texts(reply.index)
    # narrow: the reply is shortened, but its code and address are all there
    assert label.startswith("227") and address in label, label
    assert decoded.endswith(reply.decoded[0].rsplit(" ", 1)[-1])  # "= 38545": the port
    assert decoded.startswith("⇒ 127.0.0.1")
    # hovering: the whole line and what it decodes to
    tip = view.tooltip_for(reply.index)
    assert reply.label in tip and reply.decoded[0] in tip
    # a bigger window and a wider dock: the whole reply shows
    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366)
    window.resizeDocks([window.inspector_dock], [640], Qt.Orientation.Horizontal)
    settle(qtbot, window)
    assert view.shown_texts(reply.index)[0] == reply.label


def test_a_data_connection_keeps_both_endpoints_and_its_port_at_the_dock_width(
        window, qtbot, demo) -> None:
    """A download at 1024x640 (two connections, so arrows carry "[c2]" tags): the data
    arrow's title keeps the client's address and port and the server's port (its host,
    the same, written once) and its set-up line ends with the port the arithmetic gives
    ("127.0.0.1:5… -> …" and "…171*256+1…" before)."""
    from client.engine.ladder import DataArrow
    from client.engine.queue.jobs import JobState

    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    settle(qtbot, window)
    connect(window, qtbot, demo)
    pane = window.remote_pane
    readme = next(e for e in pane.model.entries() if e.name == "README.txt")
    row = pane.model.row_of_name(readme.name)
    cell = pane.view.visualRect(pane.model.index(row, 0)).center()
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.waitUntil(lambda: window.transfers.queue is not None and all(
        j.state is JobState.DONE for j in window.transfers.queue.jobs()), timeout=15_000)
    window.bridge.flush()
    panel = window.current_tab.panel
    panel.flush()
    arrow = next(i for i in panel.model.items
                 if isinstance(i, DataArrow) and i.command.startswith("RETR"))
    title, setup = panel.ladder.shown_texts(arrow.index)
    client_end, server_end = arrow.endpoints_label.split(" -> ")
    assert title.startswith(client_end) and title.endswith(server_end.rsplit(":", 1)[1])
    assert "…" not in title, title
    port = arrow.setup.rsplit(" ", 1)[-1]  # "171*256+139 = 43915" -> "43915"
    assert setup.endswith(port) and arrow.method in setup, setup


def test_a_misconfigured_nat_s_decoded_lines_keep_their_facts_at_1366(window, qtbot) -> None:
    """Demo → nat-misconfigured at 1366x740 with the dock at its first width: the 227's
    decoded line cut out its middle ("advertised 192.0.2.10 r…ontrol connection's
    peer)": which address was dialled instead was lost) and so did the data arrow's
    set-up line ("PA…advertised"). The closing remark and the words that repeat the
    arrow give way first now."""
    from client.demo import DemoServer
    from client.engine.ladder import DataArrow
    from client.ui.window_state import inspector_dock_width

    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366)
    window.resizeDocks([window.inspector_dock], [inspector_dock_width(1366)],
                       Qt.Orientation.Horizontal)
    settle(qtbot, window)
    with DemoServer("nat-misconfigured") as server:
        connect(window, qtbot, server)
        panel = window.current_tab.panel
        panel.flush()
        view = panel.ladder
        reply = next(i for i in panel.model.items
                     if isinstance(i, ControlArrow) and i.label.startswith("227"))
        shown = view.shown_texts(reply.index)
        replaced = next(t for t in shown if "replaced by" in t)
        assert "192.0.2.10 replaced by 127.0.0.1" in replaced, shown
        arrow = next(i for i in panel.model.items if isinstance(i, DataArrow))
        setup = view.shown_texts(arrow.index)[1]
        port = arrow.setup.rsplit(" ", 1)[-1]
        assert f"= {port}" in setup and "192.0.2.10:" in setup, setup
        assert "…" not in setup, setup


def test_a_listing_s_set_up_line_keeps_its_arithmetic_in_a_narrow_dock(window, qtbot,
                                                                       demo) -> None:
    """The dock at its narrowest (380 px): the listing's set-up line read "client dials
    (passive) …port 192*256+85 = 49237", its method and p1 cut; "(passive)", then "client
    dials" (the arrow's direction says who dials) give way first now."""
    from client.engine.ladder import DataArrow

    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366)
    window.resizeDocks([window.inspector_dock], [380], Qt.Orientation.Horizontal)
    settle(qtbot, window)
    connect(window, qtbot, demo)
    panel = window.current_tab.panel
    panel.flush()
    arrow = next(i for i in panel.model.items if isinstance(i, DataArrow))
    setup = panel.ladder.shown_texts(arrow.index)[1]
    assert f"{arrow.method} port {arrow.setup}" in setup, setup
