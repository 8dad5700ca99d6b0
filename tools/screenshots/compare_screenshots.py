#!/usr/bin/env python3
"""Screenshots of directory comparison and of the Synchronise preview, for
docs/guide/compare-and-sync.md: docs/images/compare-panes.png and sync-preview.png.

Needs a running X display with a window manager (DISPLAY set; e.g. Xvfb at 1366x768
with openbox) and ImageMagick's ``import``: the whole screen is taken, so the dialog
and the window are both in the picture. Everything stays on loopback (the demo server
listens on 127.0.0.1).

    DISPLAY=:34 python tools/screenshots/compare_screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from window_script import drive_window

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def server_extras(folder: Path) -> None:
    """A few more files in the demo's folder (it serves a fresh temporary tree)."""
    for name, size in (("index.html", 5120), ("style.css", 2300), ("logo.svg", 870),
                       ("contact.html", 3400), ("robots.txt", 120)):
        (folder / name).write_bytes(b"x" * size)


def local_twin(local: Path, entries: list) -> None:
    """A local folder that differs from the server's: one file of another size, one
    newer here, two files only here, the last two server files missing; the others
    the same size and time."""
    files = [e for e in entries if e.is_file and e.size is not None]
    for index, entry in enumerate(files[:-2]):
        size = entry.size + 1234 if index == 1 else entry.size
        path = local / entry.name
        path.write_bytes(b"\0" * min(size, 4 * 1024 * 1024))
        stamp = entry.modified.timestamp() if entry.modified else time.time()
        if index == 2:
            stamp += 3 * 86400
        os.utime(path, (stamp, stamp))
    (local / "draft-notes.txt").write_bytes(b"only on this computer\n")
    (local / "old-report.pdf").write_bytes(b"%PDF" + b"\0" * 5000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--folder", default="/photos 2024", help="the demo folder to compare")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("set DISPLAY to an X server with a window manager (see the docstring)")
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", tempfile.mkdtemp(prefix="ftpi-shots-"))

    from client.demo import DemoServer
    from client.ui.app import create_application, open_target
    from client.ui.main_window import MainWindow

    app = create_application()
    demo = DemoServer("healthy").start()
    local = Path(tempfile.mkdtemp(prefix="ftpi-local-")) / "website"
    local.mkdir()
    window = MainWindow(local_start=local)
    window.resize(1366, 740)
    window.move(0, 0)
    window.show()

    async def shoot(name: str) -> None:
        await asyncio.sleep(1.0)
        window.bridge.flush()
        app.processEvents()
        await asyncio.sleep(0.3)
        path = args.out / name
        subprocess.run(["import", "-window", "root", str(path)], check=True)
        # a palette of 256 colours keeps a screen of text under 200 KB
        subprocess.run(["convert", str(path), "-colors", "256", f"PNG8:{path}"], check=True)
        print(f"saved {path}")

    async def steps() -> None:
        await open_target(window, demo.url)
        if window.inspector_dock is not None:
            window.inspector_dock.hide()  # wider panes: the marks are the subject
        window.main_splitter.setSizes([110, 470, 110])
        server_extras(demo.root / args.folder.strip("/"))
        await window.remote_actions.browse(args.folder)
        local_twin(local, window.remote_pane.model.entries())
        window.local_pane.refresh()
        tools = window.compare_tools
        tools.actions.compare.setChecked(True)
        await shoot("compare-panes.png")
        dialog = tools.open_synchronise()
        assert dialog is not None
        dialog.direction.setCurrentIndex(1)
        dialog.rule.setCurrentIndex(2)
        dialog.delete.setChecked(True)
        dialog.move(300, 90)
        dialog.preview()
        for _ in range(100):
            if dialog.plan is not None:
                break
            await asyncio.sleep(0.1)
        await shoot("sync-preview.png")
        dialog.reject()

    return drive_window(app, window, demo, steps)


if __name__ == "__main__":
    sys.exit(main())
