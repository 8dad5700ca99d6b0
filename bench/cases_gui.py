"""Cases 5 and 6: how long the window can be blocked, and how long it takes to appear.

No reference tool exists for these, so the reference is a floor: an empty QWidget shown
by a bare QApplication (what any PySide6 window pays), and ``python -c pass`` for
``explain``. The runs alternate with their floor all the same, so load hits both.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from bench.cases_transfer import BIG_NAME, make_file
from bench.harness import Run, Side, alternate, compare, python_child, run_child, settle
from bench.servers import BenchServer


def _gui_env(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(base or os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    return env


def case_heartbeat(server: BenchServer, work: Path, size: int, runs: int,
                   flood: int) -> dict:
    source = server.root / BIG_NAME
    make_file(source, size)
    server.give(source)
    target = work / "gui-download.bin"
    env = _gui_env(server.engine_env())
    downloads, floods = [], []
    for index in range(runs):
        settle()
        run, out = run_child(python_child("bench.gui_probe", "heartbeat-download", BIG_NAME,
                                          str(target)), env=env)
        report = json.loads(out.strip().splitlines()[-1])
        if target.stat().st_size != size:
            raise SystemExit(f"GUI download: {target.stat().st_size} bytes, expected {size}")
        target.unlink()
        downloads.append({**report, "peak_rss_mib": run.peak_rss_mib, "load1": run.load1})
        run, out = run_child(python_child("bench.gui_probe", "heartbeat-flood", str(flood)),
                             env=env)
        report = json.loads(out.strip().splitlines()[-1])
        floods.append({**report, "peak_rss_mib": run.peak_rss_mib, "load1": run.load1})
        print(f"#   heartbeat run {index + 1}/{runs}: download max gap "
              f"{downloads[-1]['max_gap_ms']:.1f} ms, {flood} events max gap "
              f"{floods[-1]['max_gap_ms']:.1f} ms (load {run.load1:.2f})", file=sys.stderr)
    source.unlink()
    return {"bytes": size, "events": flood,
            "download_max_gap_ms": max(r["max_gap_ms"] for r in downloads),
            "download_median_max_gap_ms": sorted(r["max_gap_ms"] for r in downloads)[runs // 2],
            "flood_max_gap_ms": max(r["max_gap_ms"] for r in floods),
            "flood_median_max_gap_ms": sorted(r["max_gap_ms"] for r in floods)[runs // 2],
            "download_runs": downloads, "flood_runs": floods}


def _timed_probe(probe: str) -> Run:
    env = _gui_env()
    env["BENCH_T0"] = repr(time.monotonic())
    return run_child(python_child("bench.gui_probe", probe), env=env)[0]


def case_startup(pairs: int) -> dict:
    app = Side("ftp-inspector", lambda _i: _timed_probe("first-window"))
    bare = Side("bare Qt window", lambda _i: _timed_probe("bare-window"))
    alternate([app, bare], pairs, name="first window")
    line = "227 Entering Passive Mode (10,0,0,5,195,80)"
    explain = Side("explain", lambda _i: run_child(
        python_child("client", "explain", line), env=_gui_env())[0])
    floor = Side("python -c pass", lambda _i: run_child([sys.executable, "-c", "pass"])[0])
    alternate([explain, floor], pairs, name="explain")
    return {"first_window": compare(app, [bare]), "explain": compare(explain, [floor])}


def case_big_folder(server: BenchServer, entries: int, runs: int) -> dict:
    """A folder of ``entries`` files opened in the window: seconds from the listing's last
    byte until the pane shows every row (no reference tool: the goal is absolute)."""
    from bench.cases_listing import FOLDER, make_folder

    folder = make_folder(server, entries)
    env = _gui_env(server.engine_env())
    reports = []
    try:
        for index in range(runs):
            settle()
            run, out = run_child(python_child("bench.gui_probe", "folder-shown", f"/{FOLDER}",
                                              str(entries)), env=env)
            report = json.loads(out.strip().splitlines()[-1])
            reports.append({**report, "peak_rss_mib": run.peak_rss_mib, "load1": run.load1})
            print(f"#   folder run {index + 1}/{runs}: {report['entries']:,} rows shown "
                  f"{report['shown_after_last_byte_s']:.3f} s after the last byte "
                  f"(load {run.load1:.2f})", file=sys.stderr)
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    shown = sorted(r["shown_after_last_byte_s"] for r in reports)
    return {"entries": entries, "server": server.name, "median_s": shown[len(shown) // 2],
            "min_s": shown[0], "max_s": shown[-1], "runs": reports}
