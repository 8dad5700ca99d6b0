"""The window on a small screen: 1024x640 is possible, the quickconnect bar shrinks with
it, and nothing in the window is cut or pushed out."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from .fit import text_problems
from .helpers import connect

pytestmark = pytest.mark.gui


def inside(widget: QWidget, container: QWidget) -> bool:
    corner = widget.mapTo(container, widget.rect().bottomRight())
    origin = widget.mapTo(container, widget.rect().topLeft())
    return container.rect().contains(corner) and container.rect().contains(origin)


def test_the_window_can_be_1024x640(window, qtbot, demo) -> None:
    connect(window, qtbot, demo)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 640, hint
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024 and window.height() == 640)
    q = window.quick
    for field in (q.host, q.user, q.password, q.port, q.tls, q.connect_button,
                  q.history_button, q.disconnect_button, q.passive_button, q.active_button):
        assert field.isVisible() and field.width() > 0 and inside(field, window), field
    for part in (window.console, window.local_pane, window.remote_pane, window.queue,
                 window.inspector_dock):
        assert part.isVisible() and part.width() >= 100 and part.height() >= 60, part
    assert text_problems(window) == []


def test_the_dock_gives_way_on_a_narrow_window(window, qtbot) -> None:
    """Dragging the window narrower keeps the panes usable: the inspector dock shrinks."""
    window.resize(1366, 700)
    qtbot.waitUntil(lambda: window.width() == 1366)
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    assert window.centralWidget().width() >= window.centralWidget().minimumSizeHint().width()
    assert window.inspector_dock.width() < 1024 - 600


def test_a_smaller_window_takes_room_from_the_folder_trees_first(window, qtbot, demo) -> None:
    """From 1366x740 down to 1024x600: both file lists keep six rows (the remote list
    showed one, under a six-row folder tree); the trees shrink instead."""
    from ..helpers import settle_layout

    window.resize(1366, 740)
    connect(window, qtbot, demo)
    settle_layout()
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1024, 600))
    settle_layout()
    for pane in (window.remote_pane, window.local_pane):
        rows = pane.view.fontMetrics().height() * 7  # the header and six rows
        assert pane.view.height() >= rows, (pane, pane.view.height(), rows)
        assert pane.tree.isVisible() and pane.tree.height() >= pane.tree.minimumHeight()


def test_the_host_field_keeps_room_for_a_host_name_at_1024(window, qtbot) -> None:
    """At 1024 px the Host field was squeezed to ~90 px (a host name did not fit); the
    mode segments say only Passive/Active then (the command stays in their tooltip)."""
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    q = window.quick
    qtbot.keyClicks(q.host, "ftp.customer-shop.example.com")
    room = q.host.width() - 12  # the frame and text margins
    assert room >= q.host.fontMetrics().horizontalAdvance("ftp.example.com"), q.host.width()
    assert q.host.width() >= 140
    assert q.passive_button.text() == "Passive" and "PASV" in q.passive_button.toolTip()
    assert q.user.width() >= q.user.fontMetrics().horizontalAdvance("anonymous")
    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366)
    assert q.passive_button.text() == "Passive · PASV" and q.host.width() >= 190
