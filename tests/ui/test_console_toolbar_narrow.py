"""The console's search field stays usable however narrow the console gets (a wide
inspector dock leaves it its minimum width): the buttons that do not fit go behind a
"»" button (on one row) instead of squeezing the field to "S…", and none is cut off or
covers another."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton

from .helpers import settle_layout

pytestmark = pytest.mark.gui


def _check(console) -> None:
    search = console.search
    needed = search.fontMetrics().horizontalAdvance("Search the console")
    assert search.width() >= needed, (search.width(), needed, console.width())
    def box_of(widget):
        return QRect(widget.mapTo(console, QPoint(0, 0)), widget.size())

    shown = [b for b in console.findChildren(QAbstractButton) if b.isVisible()]
    assert len(shown) >= 2  # "»" (or every button) and Send
    for button in shown:
        box = box_of(button)
        assert box.left() >= 0 and box.right() < console.width(), (button.text(), box)
        assert not box.intersects(box_of(search)), button.text()
        assert not any(box.intersects(box_of(o)) for o in shown if o is not button)


@pytest.mark.parametrize("extra", [0, 60, 200, 500])
def test_search_field_keeps_its_width_in_a_narrow_console(qtbot, extra) -> None:
    from client.ui.console.widget import ConsoleWidget

    console = ConsoleWidget()
    qtbot.addWidget(console)
    console.show()
    qtbot.waitExposed(console)
    # as narrow as the layout lets the window make it, and a little wider
    console.resize(console.minimumSizeHint().width() + extra, 300)
    settle_layout()
    _check(console)
