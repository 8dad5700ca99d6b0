#!/usr/bin/env python3
"""Screenshots of the real main window, connected to the embedded demo server, in
passive and in active mode: docs/screenshots/main-passive.png and main-active.png.

Runs under X: when no DISPLAY is set it starts its own Xvfb (1280x800, no TCP) and
stops it afterwards. Everything stays on loopback (the demo server listens on 127.0.0.1).

    python tools/screenshots/take_screenshots.py [--out docs/screenshots] [--scenario healthy]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from window_script import drive_window

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def start_xvfb() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is not installed (Debian: apt-get install xvfb)")
    display = ":97"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
            break
        time.sleep(0.1)
    os.environ["DISPLAY"] = display
    return proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scenario", default="healthy")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    xvfb = start_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", tempfile.mkdtemp(prefix="ftpi-shots-"))
    try:
        return asyncio_main(args)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)


def asyncio_main(args: argparse.Namespace) -> int:
    from client.demo import BINARY_SAMPLE, DemoServer
    from client.engine.settings import TransferMode
    from client.ui.app import create_application, open_target
    from client.ui.main_window import MainWindow

    app = create_application()
    demo = DemoServer(args.scenario).start()
    local = Path(tempfile.mkdtemp(prefix="ftpi-local-"))
    for name in ("report.pdf", "notes.txt", "site-backup.tar.gz"):
        (local / name).write_bytes(b"x" * 4096)
    (local / "Projects").mkdir()
    window = MainWindow(local_start=local)
    window.resize(1280, 800)
    window.show()

    async def settle(seconds: float = 0.6) -> None:
        await asyncio.sleep(seconds)
        window.bridge.flush()
        app.processEvents()

    async def shoot(name: str) -> None:
        await settle()
        path = args.out / name
        window.grab().save(str(path))
        print(f"saved {path}")

    async def steps() -> None:
        await open_target(window, demo.url)
        folder = BINARY_SAMPLE.rsplit("/", 1)[0]
        await window.remote_actions.browse("/" + folder)
        await window.transfers.download_paths([f"/{BINARY_SAMPLE}"], local)
        await window.transfers.wait_idle()
        await shoot("main-passive.png")
        window.set_mode(TransferMode.ACTIVE)
        await window.remote_actions.browse("/")
        await shoot("main-active.png")

    return drive_window(app, window, demo, steps)


if __name__ == "__main__":
    sys.exit(main())
