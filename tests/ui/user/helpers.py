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


def save_demo_site(window: Any, qtbot: Any, demo: DemoServer, name: str, *, logon: str,
                   password: str | None = None) -> Any:
    """Ctrl+S, New, a site for ``demo`` named ``name`` (plain FTP, ``logon`` "ask" or
    "normal" with ``password``), Save; returns the Site Manager, still open."""
    from PySide6.QtCore import Qt

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    form = manager.form
    qtbot.keyClicks(form.name, name)
    for field, text in ((form.host, demo.host), (form.user, demo.user)):
        field.clear()
        qtbot.keyClicks(field, text)
    form.port.setValue(demo.port)
    form.set_combo(form.tls, "off")
    form.set_combo(form.logon, logon)
    if password is not None:
        qtbot.keyClicks(form.password, password)
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    return manager
