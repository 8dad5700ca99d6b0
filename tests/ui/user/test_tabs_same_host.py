"""Two tabs to the same server, as a person opens them to work in two folders: their
titles and tooltips tell them apart (before, both read "127.0.0.1" and hovering gave the
same user@host:port twice). Same server and user: the folder shown, and a counter when
the folders are the same too."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from .helpers import connect
from .test_tabs import ctrl, go_to

pytestmark = pytest.mark.gui


def _bar_texts(window) -> tuple[list[str], list[str]]:
    bar = window.tabs.widget.bar
    return ([bar.tabText(i) for i in range(bar.count())],
            [bar.tabToolTip(i) for i in range(bar.count())])


def test_two_tabs_on_one_server_can_be_told_apart(window, qtbot, demo) -> None:
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    ctrl(qtbot, window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(window.tabs.tabs()) == 2)
    connect(window, qtbot, demo)
    titles, tips = _bar_texts(window)
    assert len(set(titles)) == 2, titles  # both in the login folder: a counter
    assert all(t.startswith(demo.host) for t in titles), titles
    go_to(window, qtbot, "/docs")
    titles, tips = _bar_texts(window)
    assert titles[1] == f"{demo.host} – docs" and titles[0] == f"{demo.host} – /", titles
    assert "/docs" in tips[1] and "/docs" not in tips[0], tips
    assert "docs" in window.windowTitle()
