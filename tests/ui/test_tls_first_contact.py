"""First contact with a server whose certificate nobody vouches for, as the person
meets it: the console says why a second connection (and a second AUTH TLS) follows;
refusing the certificate gives a banner that says so once and offers Reconnect, which
asks again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.demo import DemoServer

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def tls_demo() -> DemoServer:
    server = DemoServer("tls", give_up_after=2.0).start()
    yield server
    server.stop()


def _dialog(window, qtbot):
    qtbot.waitUntil(lambda: window.trust.last_dialog is not None
                    and window.trust.last_dialog.isVisible(), timeout=10_000)
    return window.trust.last_dialog


def test_the_second_auth_tls_is_explained(window, qtbot, tls_demo) -> None:
    window.quick.fill_from_url(tls_demo.url)
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(_dialog(window, qtbot).once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=10_000)
    window.bridge.flush()
    texts = [line.text for line in window.console.model.lines()]
    auth = [i for i, text in enumerate(texts) if text == "AUTH TLS"]
    assert len(auth) == 2
    between = texts[auth[0] + 1:auth[1]]
    explained = [text for text in between if "connects again" in text]
    assert explained, between
    assert "self-signed" in explained[0] and tls_demo.host in explained[0]


def test_refusing_says_it_once_and_offers_reconnect(window, qtbot, tls_demo) -> None:
    window.quick.fill_from_url(tls_demo.url)
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(_dialog(window, qtbot).refuse_button, Qt.MouseButton.LeftButton)
    banner = window.remote_pane.banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.text.count("not accepted") == 1, banner.text
    assert banner.action_button.isVisible() and banner.action_button.text() == "Reconnect"
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(_dialog(window, qtbot).once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=10_000)
    assert not banner.isVisible()
