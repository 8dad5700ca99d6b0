"""What the screenshot scripts share: run their steps in the real window on the qasync
loop, report a failure instead of a traceback, and always close the window's sessions
and stop the demo server."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["drive_window"]


def drive_window(app: Any, window: Any, demo: Any, steps: Callable[[], Awaitable[None]],
                 what: str = "screenshots") -> int:
    """Run ``steps()``; 0 when they finished, 1 when they failed (the reason on stderr)."""
    from client.ui.qt_loop import run_on_qt_loop

    result = {"code": 1}

    async def run() -> None:
        try:
            await steps()
            result["code"] = 0
        except Exception as exc:  # noqa: BLE001 - reported, exit code says it failed
            print(f"{what} failed: {exc!r}", file=sys.stderr)
        finally:
            await window.shutdown()
            window.close()

    try:
        run_on_qt_loop(app, run())
    finally:
        demo.stop()
    return result["code"]
