"""Banners take the width their pane has: the hung-listing banner's buttons wrap instead
of widening the remote pane (the local pane shrank to make room), and a banner with a
long unbreakable word (a certificate's fingerprint) does not push the inspector dock
aside — not while shown, not after."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QToolButton

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def _widths(window) -> tuple[int, int]:
    return window.local_pane.width(), window.inspector_dock.width()


def _settle(qtbot, window) -> None:
    qtbot.wait(20)  # the layouts run on posted events
    window.layout().activate()


def _buttons_fit(banner) -> None:
    """Every button inside the banner (wrapped onto rows), none on another, and the
    whole message shown."""
    shown = [b for b in banner.findChildren(QPushButton) if b.isVisible()]
    assert shown
    for button in shown:
        box = button.geometry()
        assert box.left() >= 0 and box.right() < banner.width(), (button.text(), box)
        assert box.top() >= 0 and box.bottom() < banner.height(), (button.text(), box)
    message = banner.message
    assert message.height() >= message.heightForWidth(message.width())
    for first in shown:
        for second in shown:
            if first is not second:
                assert not first.geometry().intersects(second.geometry())


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
        qtbot.waitUntil(banner.isVisible, timeout=5000)
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
