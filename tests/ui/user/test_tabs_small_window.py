"""Three tabs on one server in a 1024x600 window: under openbox the titles were
shortened to "1…7", "1…1", "1…7" (the first and last letter only), so two tabs read the
same and none said what it was. Each tab keeps enough of its title to tell it apart;
the bar scrolls when they do not all fit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionTab

from .helpers import connect
from .test_tabs import ctrl, go_to

pytestmark = pytest.mark.gui


def _shown_texts(bar) -> list[str]:
    """The titles as drawn: the style's option for each tab carries the shortened text."""
    texts = []
    for index in range(bar.count()):
        option = QStyleOptionTab()
        bar.initStyleOption(option, index)
        texts.append(option.text)
    return texts


def test_tabs_on_one_server_stay_distinct_in_a_small_window(window, qtbot, demo) -> None:
    window.resize(1024, 600)
    connect(window, qtbot, demo)
    for folder in ("/docs", "/logs"):
        ctrl(qtbot, window, Qt.Key.Key_T)
        count = len(window.tabs.tabs())
        qtbot.waitUntil(lambda count=count: len(window.tabs.tabs()) == count)
        connect(window, qtbot, demo)
        go_to(window, qtbot, folder)
    bar = window.tabs.widget.bar
    qtbot.waitUntil(lambda: bar.tabRect(bar.count() - 1).width() > 0)
    shown = _shown_texts(bar)
    assert len(set(shown)) == 3, shown
    for text in shown:
        assert len(text.replace("\u2026", "")) >= 8, shown
