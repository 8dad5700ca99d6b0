"""``ftp-inspector --self-test``: prove an installed app works end to end.

Starts the embedded demo server on loopback, opens the real main window (offscreen when
there is no display), connects through the window, lists the root, downloads the demo's
binary sample through the same code path the panes use, and checks its SHA-256. Exit 0
on success; otherwise a message saying which step failed, and a non-zero code. The whole
run is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["run_self_test"]

TIMEOUT = 60.0


def run_self_test(timeout: float = TIMEOUT) -> int:
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") \
            and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")
    config = tempfile.TemporaryDirectory(prefix="ftp-inspector-selftest-")
    os.environ["FTP_INSPECTOR_CONFIG_DIR"] = config.name  # never touch the user's settings

    from PySide6.QtWidgets import QApplication

    from client.demo import BINARY_SAMPLE, DemoServer
    from client.ui.app import create_application, open_target
    from client.ui.main_window import MainWindow
    from client.ui.qt_loop import run_on_qt_loop

    create_application()
    step = {"name": "starting the demo server"}
    outcome = {"code": 1, "message": ""}
    demo = DemoServer("healthy").start()
    local = Path(config.name) / "downloads"
    local.mkdir()
    window = MainWindow(local_start=local)
    window.show()

    async def steps() -> None:
        step["name"] = "connecting to the demo server"
        await open_target(window, demo.url)
        step["name"] = "listing the root folder"
        names = {e.name for e in window.remote_pane.model.entries()}
        top = BINARY_SAMPLE.split("/", 1)[0]
        if top not in names:
            raise RuntimeError(f"the listing of / lacks {top!r} (got {sorted(names)})")
        step["name"] = f"downloading /{BINARY_SAMPLE}"
        await window.transfers.download_paths([f"/{BINARY_SAMPLE}"], local)
        await window.transfers.wait_idle()
        step["name"] = "checking the SHA-256 of the download"
        target = local / BINARY_SAMPLE.rsplit("/", 1)[-1]
        got = await asyncio.to_thread(lambda: hashlib.sha256(target.read_bytes()).hexdigest())
        want = demo.sample.sha256[BINARY_SAMPLE]
        if got != want:
            raise RuntimeError(f"SHA-256 mismatch: expected {want}, got {got}")
        if window.last_error:
            raise RuntimeError(window.last_error)

    async def main() -> None:
        try:
            await asyncio.wait_for(steps(), timeout)
            outcome["code"] = 0
            outcome["message"] = "self-test passed: connected, listed, downloaded and verified"
        except TimeoutError:
            outcome["message"] = f"self-test failed: timed out after {timeout:.0f} s while {step['name']}"
        except Exception as exc:  # noqa: BLE001 - reported with the step
            outcome["message"] = f"self-test failed while {step['name']}: {exc}"
        finally:
            try:
                await asyncio.wait_for(window.shutdown(), 5)
            except Exception:  # noqa: BLE001 - the verdict is already known
                pass
            window.close()

    try:
        run_on_qt_loop(QApplication.instance(), main())
    finally:
        demo.stop()
        config.cleanup()
    print(outcome["message"], file=sys.stdout if outcome["code"] == 0 else sys.stderr)
    return outcome["code"]
