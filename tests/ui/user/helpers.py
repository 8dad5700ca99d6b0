"""Small steps a person takes, shared by the user-level tests."""

from __future__ import annotations

from typing import Any

from client.demo import DemoServer

from ..helpers import run  # noqa: F401 - the user-level tests take it from here


def connect(window: Any, qtbot: Any, demo: DemoServer) -> None:
    """Type the demo URL into Host and press Connect; wait for the listing."""
    window.quick.host.setText(demo.url)
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        window.quick.connect_button.click()
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
    window.bridge.flush()
