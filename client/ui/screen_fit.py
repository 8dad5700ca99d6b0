"""Windows sized to the screen they open on.

A dialog that asks for a fixed size (the Diagnose wizard wanted 960x760) opens larger
than a 1366x768 or 1280x720 screen once the title bar and a panel are counted, and its
buttons end up below the screen's edge. ``fit_to_screen`` takes the preferred size,
shrinks it to the available geometry (minus room for the frame the window manager
adds) and places the window inside it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize
from PySide6.QtWidgets import QWidget

__all__ = ["fit_to_screen", "FRAME_ALLOWANCE"]

#: what a window manager's frame typically adds: borders, and a title bar on top
FRAME_ALLOWANCE = QSize(16, 40)


def fit_to_screen(window: QWidget, preferred: QSize) -> QSize:
    """Resize ``window`` to ``preferred`` or the largest size its screen allows, and
    move it so that its frame lies inside the screen's available area (over its parent
    when it has one). Returns the size given."""
    anchor = window.parentWidget()
    screen = (anchor.screen() if anchor is not None else window.screen()).availableGeometry()
    room = screen.size() - FRAME_ALLOWANCE
    size = preferred.boundedTo(room).expandedTo(window.minimumSizeHint().boundedTo(room))
    window.resize(size)
    centre = anchor.frameGeometry().center() if anchor is not None and anchor.isVisible() \
        else screen.center()
    top_left = QPoint(centre.x() - (size.width() + FRAME_ALLOWANCE.width()) // 2,
                      centre.y() - (size.height() + FRAME_ALLOWANCE.height()) // 2)
    x = min(max(top_left.x(), screen.left()),
            screen.right() + 1 - size.width() - FRAME_ALLOWANCE.width())
    y = min(max(top_left.y(), screen.top()),
            screen.bottom() + 1 - size.height() - FRAME_ALLOWANCE.height())
    window.move(max(x, screen.left()), max(y, screen.top()))
    return size
