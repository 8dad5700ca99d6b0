"""Cases 5 and 6 inside the real window, in a child process (offscreen Qt).

    python -m bench.gui_probe heartbeat-download REMOTE LOCAL
    python -m bench.gui_probe heartbeat-flood COUNT
    python -m bench.gui_probe folder-shown REMOTE_FOLDER ENTRIES
    python -m bench.gui_probe first-window        (BENCH_T0: the parent's monotonic start)
    python -m bench.gui_probe bare-window         (the floor: QApplication + empty QWidget)

The heartbeat is a 10 ms QTimer on the qasync loop that runs the engine; the largest gap
between two beats is how long the window could not react. The download goes through the
main window's EventBus, so every control line and progress event crosses the
EngineBridge into the console model. The flood puts COUNT control-line events on the same
bus, 1,000 per turn of the loop (as lines arrive from a socket), and waits until the
console holds them all. The folder probe connects the window, opens REMOTE_FOLDER as a
double-click would (the remote pane's navigate request) and times from the last byte of
the listing (its data connection's close event on the engine's bus) until the pane's
model holds ENTRIES rows and the window has painted once more. Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")


class Heartbeat:
    """Records the gaps between the ticks of a 10 ms QTimer."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.ends: list[float] = []  # when each gap ended, seconds after the start
        self.origin = self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.timeout.connect(self._tick)
        self._timer.start(interval_ms)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self.ends.append(now - self.origin)
        self._last = now

    def reset(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()

    def stop(self) -> dict:
        self._timer.stop()
        self._tick()
        ordered = sorted(self.gaps)
        worst = self.gaps.index(ordered[-1])
        return {"max_gap_ms": ordered[-1] * 1000,
                "max_gap_ended_s": self.ends[worst],
                "p99_gap_ms": ordered[int(len(ordered) * 0.99)] * 1000,
                "beats": len(ordered)}


def _window():
    from client.ui.app import create_application
    from client.ui.main_window import MainWindow

    app = create_application()
    window = MainWindow()
    window.show()
    return app, window


def run_in_window(work) -> dict:
    import qasync

    app, window = _window()
    # closing the window must not end the loop before its shutdown (QUIT) has run
    app.setQuitOnLastWindowClosed(False)
    result: dict = {}

    async def main() -> None:
        await asyncio.sleep(0.2)  # first paint and deferred loads out of the way
        beat = Heartbeat()
        started = time.perf_counter()
        result.update(await work(window))
        result["op_s"] = time.perf_counter() - started
        result.update(beat.stop())
        result["console_rows"] = window.console.model.rowCount() \
            if hasattr(window.console, "model") else None
        window.close()
        await window.shutdown()

    qasync.run(main())
    del app
    return result


def heartbeat_download(remote: str, local: str) -> dict:
    from pathlib import Path

    from bench.engine_child import settings_from_env
    from client.engine.session import FtpSession

    async def work(window) -> dict:
        async with FtpSession(settings_from_env(), bus=window.bus) as session:
            await session.download(remote, Path(local), preserve_time=False)
        await asyncio.sleep(0.1)  # the bridge's last flush
        return {}

    return run_in_window(work)


def heartbeat_flood(count: int) -> dict:
    from client.engine.events import LineSent, ReplyReceived
    from client.protocol.replies import Reply

    async def work(window) -> dict:
        bus = window.bus
        before = window.bridge.backlog
        sent_at = time.perf_counter()
        for start in range(0, count, 1000):
            for index in range(start, min(count, start + 1000)):
                if index % 2:
                    bus.emit(LineSent(t=bus.now(), connection="c1", text=f"NOOP {index}"))
                else:
                    text = f"200 NOOP ok {index}"
                    bus.emit(ReplyReceived(t=bus.now(), connection="c1",
                                           reply=Reply(200, (text,), text.encode())))
            await asyncio.sleep(0)
        while window.bridge.backlog > before:
            await asyncio.sleep(0.01)
        return {"events": count, "drained_s": time.perf_counter() - sent_at}

    return run_in_window(work)


def folder_shown(folder: str, entries: int) -> dict:
    from bench.engine_child import settings_from_env
    from client.engine.events import DataChannelEvent, DataPhase

    async def work(window) -> dict:
        await window.connection.connect(settings_from_env())
        last_byte: list[float] = []

        def observe(event: object) -> None:
            if isinstance(event, DataChannelEvent) and event.phase is DataPhase.CLOSED:
                last_byte.append(time.perf_counter())

        unsubscribe = window.bus.subscribe(observe)
        model = window.remote_pane.model
        asked = time.perf_counter()
        window.remote_pane.navigate_requested.emit(folder)
        while model.rowCount() < entries:
            await asyncio.sleep(0.001)
        # repaint() paints now, synchronously: the rows are on screen, not only in the model
        window.remote_pane.repaint()
        shown = time.perf_counter()
        unsubscribe()
        if not last_byte:
            raise SystemExit("folder-shown: no data connection closed for the listing")
        return {"entries": model.rowCount(), "listed_s": last_byte[-1] - asked,
                "shown_after_last_byte_s": shown - last_byte[-1]}

    return run_in_window(work)


def first_window() -> None:
    """The real entry point (``python -m client`` with no arguments), with one hook: when
    the main window has been shown and the loop has turned once, print the monotonic
    time and close it. CLOCK_MONOTONIC is shared by all processes."""
    from PySide6.QtCore import QTimer

    from client.ui import main_window

    original_show = main_window.MainWindow.show

    def show(self) -> None:
        original_show(self)

        def shown() -> None:
            print(json.dumps({"op_s": time.monotonic() - float(os.environ["BENCH_T0"])}),
                  flush=True)
            self.close()

        QTimer.singleShot(0, shown)

    main_window.MainWindow.show = show  # type: ignore[method-assign]
    from client.entry import main

    sys.argv = ["ftp-inspector"]
    main([])


def bare_window() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([sys.argv[0]])
    widget = QWidget()
    widget.show()

    def shown() -> None:
        print(json.dumps({"op_s": time.monotonic() - float(os.environ["BENCH_T0"])}),
              flush=True)
        app.quit()

    QTimer.singleShot(0, shown)
    app.exec()


def main() -> None:
    os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", tempfile.mkdtemp(prefix="ftpi-bench-"))
    command, *args = sys.argv[1:]
    profile = os.environ.get("BENCH_PROFILE")  # a file for cProfile statistics
    if profile:
        import atexit
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        atexit.register(lambda: (profiler.disable(), profiler.dump_stats(profile)))
    if command == "first-window":
        first_window()
        return
    if command == "bare-window":
        bare_window()
        return
    if command == "heartbeat-download":
        report = heartbeat_download(*args)
    elif command == "heartbeat-flood":
        report = heartbeat_flood(int(args[0]))
    elif command == "folder-shown":
        report = folder_shown(args[0], int(args[1]))
    else:
        raise SystemExit(f"unknown probe {command!r}")
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
