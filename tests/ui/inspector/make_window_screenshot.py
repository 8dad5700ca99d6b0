"""Screenshot of the main window with the hung-listing banner and the docked diagram
(run under Xvfb from the repository root, not part of the suite):

    DISPLAY=:98 python tests/ui/inspector/make_window_screenshot.py

A real session of the engine against the demo server's passive-blocked scenario
(loopback only).
"""

from __future__ import annotations

import asyncio
import os
import sys

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from client.demo import DemoServer
from client.engine.settings import ConnectionSettings, TlsMode
from client.ui.main_window import MainWindow

OUTPUT = "docs/screenshots/ladder-hung-listing-window.png"


async def shoot(path: str) -> None:
    server = DemoServer("passive-blocked", give_up_after=2.5).start()
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.resizeDocks([window.inspector_dock], [470], Qt.Orientation.Horizontal)
    settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                  password=server.password, tls=TlsMode.OFF, data_timeout=2.0,
                                  use_epsv=False)
    try:
        try:
            await window.connect_to(settings)
        except Exception as error:  # noqa: BLE001 - shown the way the window shows it
            window.report_error(error, pane=window.remote_pane, doing="Connect")
        for _ in range(20):  # let the dock and the banner paint
            await asyncio.sleep(0.05)
        window.grab().save(path)
        print(path)
    finally:
        server.stop()
        await window.shutdown()


def main() -> None:
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", "/tmp/ftpi-screenshot-config")
    QApplication.instance() or QApplication([])
    qasync.run(shoot(sys.argv[1] if len(sys.argv) > 1 else OUTPUT))


if __name__ == "__main__":
    main()
