"""The Demo menu of a window started with ``--demo``: every fault scenario of the embedded
server, one click away. Without it the scenarios were reachable only by quitting and
starting again with ``--scenario NAME``, and nothing in the window said they existed.

Choosing a scenario starts another embedded server (loopback only) and opens it in a new
tab, so the broken case sits next to the working one: two consoles, two diagrams to
compare. Every server started here stops when the window's application ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from client.demo.catalog import SCENARIO_DETAILS

__all__ = ["DemoMenu"]


class DemoMenu:
    """The menu and the servers it started. ``start_server(name)`` starts one (the
    DemoServer class in the app; tests may pass another factory); ``open_server(window,
    server)`` connects the tab shown to it."""

    def __init__(self, window: Any, start_server: Callable[[str], Any],
                 open_server: Callable[[Any, Any], Any]) -> None:
        self.window = window
        self.start_server = start_server
        self.open_server = open_server
        self.servers: list[Any] = []
        self.menu = QMenu(window.tr("&Demo"), window)
        self.menu.setObjectName("demoMenu")
        self.menu.setToolTipsVisible(True)
        heading = self.menu.addAction(window.tr("Open a demo server in a new tab:"))
        heading.setEnabled(False)
        self.actions: dict[str, QAction] = {}
        for name, details in SCENARIO_DETAILS.items():
            action = self.menu.addAction(name)
            action.setObjectName(f"demo-{name}")
            action.setToolTip(details.summary)
            action.setStatusTip(details.summary)
            action.triggered.connect(lambda _checked=False, n=name: self.open_scenario(n))
            self.actions[name] = action
        bar = window.menuBar()
        entries = bar.actions()
        if entries:  # before Help, which stays last
            bar.insertMenu(entries[-1], self.menu)
        else:
            bar.addMenu(self.menu)

    def open_scenario(self, name: str) -> Any:
        """Start a server for scenario ``name`` and connect a new tab to it."""
        try:
            server = self.start_server(name)
        except Exception as exc:  # noqa: BLE001 - said in the pane, the window carries on
            self.window.remote_pane.banner.show_message(
                self.window.tr("The demo server could not start: {}").format(exc))
            return None
        self.servers.append(server)
        if self.window.connection.settings is not None:
            self.window.tabs.new_tab()
        self.window.tabs.current.label = name  # the tab is called by its scenario
        return self.open_server(self.window, server)

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()
