"""Screenshot of the main window with the hung-listing banner and the docked diagram
(run under Xvfb from the repository root, not part of the suite):

    DISPLAY=:98 python tests/ui/inspector/make_window_screenshot.py
"""

import asyncio
import os

os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", "/tmp/ftpi-screenshot-config")
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

app = QApplication([])
from client.demo import DemoServer
from client.engine.settings import ConnectionSettings, TlsMode
from client.ui.main_window import MainWindow


async def main():
    server = DemoServer("passive-blocked", give_up_after=2.5).start()
    w = MainWindow(); w.resize(1280, 800); w.show()
    w.resizeDocks([w.inspector_dock], [470], Qt.Orientation.Horizontal)
    s = ConnectionSettings(host=server.host, port=server.port, user=server.user, password=server.password,
                           tls=TlsMode.OFF, data_timeout=2.0, use_epsv=False)
    try:
        await w.connect_to(s)
    except Exception as e:
        w.report_error(e, pane=w.remote_pane, doing="Connect")
    for _ in range(20):
        await asyncio.sleep(0.05)
    w.grab().save("docs/screenshots/ladder-hung-listing-window.png")
    server.stop()
    await w.shutdown()

qasync.run(main())
