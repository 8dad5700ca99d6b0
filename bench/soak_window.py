"""Soak: the real window against the demo servers for a long time (not run in CI).

    python -m bench.soak_window [--duration SECONDS] [--json FILE]

The parent starts a child process (``python -X faulthandler``) that opens the main
window and, round after round until the time is up, does what a person does: connect,
browse folders, refresh quickly, download and upload, switch Passive/Active, run the
Diagnose wizard to its verdict, and open the fault scenarios (passive refused, active
blocked, a stalling listing, the NAT-misconfigured 227). A 10 ms heartbeat timer on the
same loop measures the largest stall. If the child dies (a native crash), the parent
counts it, keeps its stderr tail (faulthandler's stacks) and starts a new child for the
rest of the time. The report: crashes, peak RSS of any child, the largest event-loop
stall (and the step it happened in), the longest garbage collection, rounds, failed
steps and exceptions that reached Qt's loop.

Runs under whatever QT_QPA_PLATFORM/DISPLAY is set (Xvfb or offscreen).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")

FAULTS = ("passive-refused", "active-blocked", "stall", "nat-misconfigured")


# -- parent ----------------------------------------------------------------------------------
def _run_children(duration: float, out_dir: Path) -> dict:
    deadline = time.monotonic() + duration
    crashes: list[dict] = []
    reports: list[dict] = []
    while time.monotonic() < deadline - 5:
        report_file = out_dir / f"child-{len(reports) + len(crashes)}.json"
        err_file = out_dir / f"child-{len(reports) + len(crashes)}.stderr"
        remaining = deadline - time.monotonic()
        with err_file.open("wb") as err:
            child = subprocess.run(
                [sys.executable, "-X", "faulthandler", "-m", "bench.soak_window",
                 "--child", "--duration", str(remaining), "--json", str(report_file)],
                stderr=err, stdout=subprocess.DEVNULL, check=False,
                timeout=remaining + 120)
        if report_file.exists():
            reports.append(json.loads(report_file.read_text()))
        if child.returncode != 0:
            tail = err_file.read_text(errors="replace")[-4000:]
            crashes.append({"returncode": child.returncode,
                            "signal": signal.Signals(-child.returncode).name
                            if child.returncode < 0 else None,
                            "stderr_tail": tail})
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "duration_s": duration,
        "crashes": len(crashes),
        "crash_details": crashes,
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "max_stall_ms": round(max((r["max_stall_ms"] for r in reports), default=0.0), 1),
        "max_stall_during": max(reports, key=lambda r: r["max_stall_ms"])["max_stall_step"]
        if reports else None,
        "max_gc_pause_ms": round(max((r["max_gc_pause_ms"] for r in reports), default=0.0), 1),
        "rounds": sum(r["rounds"] for r in reports),
        "steps": sum(r["steps"] for r in reports),
        "failed_steps": _counted(f for r in reports for f in r["failed_steps"]),
        "unhandled_exceptions": [e for r in reports for e in r["unhandled"]][:20],
        "platform": os.environ.get("QT_QPA_PLATFORM") or "xcb",
    }


def _counted(texts) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        counts[text] = counts.get(text, 0) + 1
    return counts


# -- child -----------------------------------------------------------------------------------
class _GcPauses:
    """The longest garbage collection (any generation, any thread): a full pass over a
    large heap is one cause of a stall, measured apart from the others."""

    def __init__(self) -> None:
        import gc

        self.worst = 0.0
        self.worst_generation = -1
        self._started = 0.0
        gc.callbacks.append(self._phase)

    def _phase(self, phase: str, info: dict) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._started = now
        elif now - self._started > self.worst:
            self.worst, self.worst_generation = now - self._started, info["generation"]


class _Stalls:
    """The largest gap between two ticks of a 10 ms QTimer, and what was running."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.step = "start"
        self.worst = 0.0
        self.worst_step = ""
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.timeout.connect(self._tick)
        self._timer.start(10)

    def _tick(self) -> None:
        now = time.perf_counter()
        gap, self._last = now - self._last, now
        if gap > self.worst:
            self.worst, self.worst_step = gap, self.step


async def _until(predicate, timeout: float) -> bool:
    import asyncio

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def _healthy_round(window, demo, local: Path, n: int) -> None:
    from client.demo import BINARY_SAMPLE, UPLOAD_FOLDER
    from client.engine.settings import TransferMode
    from client.ui.app import open_target

    await open_target(window, demo.url)
    await window.remote_actions.browse("/data")
    for _ in range(5):  # F5 pressed quickly
        window.refresh()
    await _until(lambda: not window.connection.busy, 20)
    await window.remote_actions.browse("/")
    target = local / f"round-{n}"
    target.mkdir()
    entries = [e for e in (await window.connection.list("/data")).entries
               if e.name == BINARY_SAMPLE.split("/")[-1]]
    await window.transfers.download("/data", entries, target)
    await window.transfers.wait_idle()
    upload = target / f"soak-{n}.txt"
    upload.write_text("soak\n" * 1000)
    await window.upload_paths([upload], "/" + UPLOAD_FOLDER)
    await window.transfers.wait_idle()
    window.set_mode(TransferMode.ACTIVE)
    await window.remote_actions.refresh()
    window.set_mode(TransferMode.PASSIVE)
    await window.remote_actions.refresh()


async def _diagnose(window) -> None:
    from client.ui.inspector.diagnose_install import open_diagnose

    wizard = open_diagnose(window)
    wizard.plan_page.timeout_box.setValue(2.0)
    wizard.next()
    if not await _until(lambda: wizard.diagnosis is not None, 60):
        raise TimeoutError("Diagnose gave no verdict in 60 s")
    wizard.next()
    wizard.accept()


async def _fault_round(window, server) -> None:
    import asyncio

    from client.engine.settings import TransferMode

    window.quick.fill_from_url(server.url)
    settings, _path = window.quick.build_settings()
    mode = TransferMode.ACTIVE if server.scenario == "active-blocked" else TransferMode.PASSIVE
    settings = settings.replace(data_timeout=2.0, mode=mode)
    task = window.spawn(window.connect_to(settings), pane=window.remote_pane, doing="soak")
    await asyncio.wait({task}, timeout=30)


def _child(duration: float, report: Path) -> int:
    import asyncio

    from client.demo import DemoServer
    from client.ui.app import create_application
    from client.ui.main_window import MainWindow
    from client.ui.qt_loop import run_on_qt_loop

    unhandled: list[str] = []

    def hook(kind, value, tb) -> None:
        unhandled.append(f"{kind.__name__}: {value}")
        sys.__excepthook__(kind, value, tb)

    sys.excepthook = hook
    work = Path(tempfile.mkdtemp(prefix="ftpi-soak-"))
    os.environ["FTP_INSPECTOR_CONFIG_DIR"] = str(work / "config")
    local = work / "local"
    local.mkdir()
    healthy = DemoServer("healthy", give_up_after=2.0).start()
    faults = [DemoServer(name, give_up_after=2.0).start() for name in FAULTS]
    app = create_application()
    window = MainWindow(local_start=local)
    window.resize(1280, 720)
    window.show()
    stalls = _Stalls()
    pauses = _GcPauses()
    stats = {"rounds": 0, "steps": 0, "failed_steps": []}

    async def step(name: str, coro) -> None:
        stalls.step = name
        stats["steps"] += 1
        try:
            await asyncio.wait_for(coro, 120)
        except Exception as exc:  # noqa: BLE001 - a failed step is reported, the soak goes on
            stats["failed_steps"].append(f"{name}: {type(exc).__name__}: {exc}"[:300])

    async def main() -> None:
        end = time.monotonic() + duration
        await asyncio.sleep(0.5)
        n = 0
        while time.monotonic() < end:
            n += 1
            await step("browse+transfer", _healthy_round(window, healthy, local, n))
            await step("diagnose", _diagnose(window))
            server = faults[n % len(faults)]
            await step(f"scenario {server.scenario}", _fault_round(window, server))
            window.disconnect()
            await step("disconnect", _until(lambda: not window.connection.is_connected, 20))
            stats["rounds"] = n
        stalls.step = "shutdown"
        await window.shutdown()

    try:
        run_on_qt_loop(app, main())
    finally:
        for server in (healthy, *faults):
            server.stop()
    report.write_text(json.dumps({
        **stats, "max_stall_ms": stalls.worst * 1000, "max_stall_step": stalls.worst_step,
        "max_gc_pause_ms": pauses.worst * 1000, "max_gc_pause_generation": pauses.worst_generation,
        "unhandled": unhandled,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--json", type=Path, help="write the report here too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.duration, args.json)
    with tempfile.TemporaryDirectory(prefix="ftpi-soak-run-") as folder:
        result = _run_children(args.duration, Path(folder))
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 1 if result["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
