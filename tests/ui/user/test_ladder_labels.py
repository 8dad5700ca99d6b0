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
