#!/usr/bin/env python3
"""Screenshot of Server → Search remote files with results, over the main window
connected to the embedded demo server: docs/screenshots/remote-search.png.

Run under an X server with a window manager (the dialog is a window of its own, so the
whole screen is captured with ImageMagick's ``import``), e.g.::

    Xvfb :36 -screen 0 1366x768x24 -nolisten tcp & DISPLAY=:36 openbox &
    DISPLAY=:36 python3 tools/screenshots/take_search_screenshot.py

Everything stays on loopback (the demo server listens on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from window_script import drive_window

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots"
                        / "remote-search.png")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("no DISPLAY: start Xvfb and a window manager first (see the docstring)")
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", tempfile.mkdtemp(prefix="ftpi-shots-"))

    from client.demo import DemoServer
    from client.ui.app import create_application, open_target
    from client.ui.main_window import MainWindow

    app = create_application()
    demo = DemoServer("healthy").start()
    window = MainWindow(local_start=Path(tempfile.mkdtemp(prefix="ftpi-local-")))
    window.showMaximized()

    async def steps() -> None:
        await open_target(window, demo.url)
        dialog = window.dialogs.open_remote_search()
        dialog.resize(820, 520)
        dialog.move(260, 150)
        dialog.pattern.setText("*.txt")
        dialog.start()
        while not dialog.search_button.isEnabled():
            await asyncio.sleep(0.1)
        dialog.results.selectRow(1)
        await asyncio.sleep(0.8)
        window.bridge.flush()
        app.processEvents()
        subprocess.run(["import", "-window", "root", str(args.out)], check=True)
        print(f"saved {args.out}")

    return drive_window(app, window, demo, steps, "screenshot")


if __name__ == "__main__":
    sys.exit(main())
