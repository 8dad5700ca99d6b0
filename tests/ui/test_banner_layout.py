"""Banners take the width their pane has: the hung-listing banner's buttons wrap instead
of widening the remote pane (the local pane shrank to make room), and a banner with a
long unbreakable word (a certificate's fingerprint) does not push the inspector dock
aside — not while shown, not after."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QPushButton, QToolButton

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings

from .helpers import settle_layout

pytestmark = pytest.mark.gui


def _widths(window) -> tuple[int, int]:
    return window.local_pane.width(), window.inspector_dock.width()


def _settle(qtbot, window) -> None:
    """Let every pending layout pass run (each may post the next one, up the tree)."""
    settle_layout()


def _buttons_fit(banner) -> None:
    """Every button and the whole message are in the banner (buttons wrapped onto rows,
    none on another): inside it as shown, or, when the pane is too short for all of it,
    within its scrolling content with the scroll bar shown — never cut off unseen."""
    shown = [b for b in banner.findChildren(QPushButton) if b.isVisible()]
    assert shown
    scroll = banner.scroll
    scrolls = scroll.verticalScrollBar().isVisible()
    frame = scroll.widget() if scrolls else banner
    inside = QRect(0, 0, frame.width(), frame.height())
    for widget in [*shown, banner.message]:
        box = QRect(widget.mapTo(frame, QPoint(0, 0)), widget.size())
        assert inside.contains(box), (widget.objectName(), box, inside, scrolls)
    for first in shown:
        assert not any(first.geometry().intersects(o.geometry()) for o in shown if o is not first)
    message = banner.message
    assert message.height() >= message.heightForWidth(message.width())


@pytest.fixture
def laid_out(window, qtbot):
    window.resize(1366, 768)
    qtbot.waitExposed(window)
    _settle(qtbot, window)
    return window


def test_hung_listing_banner_keeps_the_panes(laid_out, qtbot) -> None:
    window = laid_out
    before = _widths(window)
    server = DemoServer("passive-blocked", give_up_after=2.0).start()
    try:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=1.0,
                                      control_timeout=5.0)
        task = window.spawn(window.connect_to(settings), pane=window.remote_pane,
                            doing="Listing /")
        qtbot.waitUntil(task.done, timeout=20_000)
        banner = window.hung_listing.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
        _settle(qtbot, window)
        assert _widths(window) == before
        _buttons_fit(banner)
        dismiss = next(b for b in banner.findChildren(QToolButton)
                       if b.accessibleName() == "Dismiss")
        qtbot.mouseClick(dismiss, Qt.MouseButton.LeftButton)
        _settle(qtbot, window)
        assert _widths(window) == before
    finally:
        server.stop()


def test_certificate_refused_banner_keeps_the_dock(laid_out, qtbot) -> None:
    window = laid_out
    before = _widths(window)
    server = DemoServer("tls", give_up_after=2.0).start()
    try:
        window.quick.fill_from_url(server.url)
        qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.trust.last_dialog is not None
                        and window.trust.last_dialog.isVisible(), timeout=10_000)
        qtbot.mouseClick(window.trust.last_dialog.refuse_button, Qt.MouseButton.LeftButton)
        banner = window.remote_pane.banner
        qtbot.waitUntil(banner.isVisible, timeout=10_000)
        _settle(qtbot, window)
        assert _widths(window) == before
        assert banner.geometry().right() <= window.remote_pane.width()
        close = next(b for b in banner.findChildren(QToolButton)
                     if b.accessibleName() == "Dismiss")
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
        _settle(qtbot, window)
        assert _widths(window) == before
    finally:
        server.stop()
