"""Timing, alternation, memory and result files shared by every case of the suite.

Every timed run is a child process: the parent takes its wall time and, from
``os.wait4``, the child's own peak RSS (``ru_maxrss``) and CPU time, so the engine and
the reference tool are measured the same way and one run's memory never hides in the
next one's. Engine children also print how long the operation itself took (connect to
close, after the interpreter and imports are loaded) as a JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """One timed child process."""

    wall_s: float
    op_s: float | None  # the operation alone, when the child reports it
    peak_rss_mib: float
    cpu_s: float
    load1: float  # 1-minute load average when the run started
    op_cpu_s: float | None = None  # CPU time of the operation alone, when reported

    @property
    def seconds(self) -> float:
        """The figure compared between sides: the operation time when known."""
        return self.op_s if self.op_s is not None else self.wall_s


class ChildFailed(RuntimeError):
    """A benchmarked child exited non-zero; carries its stderr tail for debugging."""


def load1() -> float:
    return os.getloadavg()[0]


def settle() -> None:
    """Flush dirty pages before a timed run (not timed), so no run pays for the
    writeback of the previous one."""
    os.sync()
    time.sleep(0.1)


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None,
              cwd: Path | None = None, timeout: float = 300.0) -> tuple[Run, str]:
    """Run ``argv``; returns its :class:`Run` and stdout. stdout/stderr go through
    temporary files so reading them never adds to the measured time."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = load1()
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), stdout=out, stderr=err, env=env,
                                   cwd=str(cwd or ROOT), stdin=subprocess.DEVNULL)
        deadline = started + timeout
        peak_kib = 0
        status_file = f"/proc/{process.pid}/status"
        while True:
            peak_kib = max(peak_kib, _vm_hwm_kib(status_file))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if process.returncode != 0:
        raise ChildFailed(f"{argv[0]} {' '.join(argv[1:3])} … exited {process.returncode}: "
                          f"{stderr.strip()[-800:]}")
    op = op_cpu = None
    for line in stdout.splitlines():
        if line.startswith("{") and '"op_s"' in line:
            reported = json.loads(line)
            op = float(reported["op_s"])
            op_cpu = reported.get("op_cpu_s")
    return Run(wall_s=wall, op_s=op, peak_rss_mib=peak_kib / 1024,
               cpu_s=usage.ru_utime + usage.ru_stime, load1=load, op_cpu_s=op_cpu), stdout


def _vm_hwm_kib(status_file: str) -> int:
    """The process's peak RSS so far (VmHWM), 0 once it is gone.

    Why not ``ru_maxrss`` from wait4: Linux carries the high-water mark of the memory
    the child had before ``exec`` (a copy of this parent's) into it, so every child
    would report at least the harness's own size. VmHWM belongs to the new program
    alone; it only grows, so the last reading (every 2 ms) is the peak within the
    final 2 ms of the child's life."""
    try:
        with open(status_file, "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def python_child(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


@dataclass
class Side:
    """One side of a comparison (the engine, or a reference tool variant)."""

    label: str
    action: Callable[[int], Run]  # pair index -> one run
    runs: list[Run] = field(default_factory=list)

    def summary(self) -> dict:
        seconds = [r.seconds for r in self.runs]
        return {
            "median_s": statistics.median(seconds),
            "median_wall_s": statistics.median(r.wall_s for r in self.runs),
            "min_s": min(seconds),
            "max_s": max(seconds),
            "peak_rss_mib": max(r.peak_rss_mib for r in self.runs),
            "median_cpu_s": statistics.median(r.cpu_s for r in self.runs),
            "median_op_cpu_s": _median_or_none([r.op_cpu_s for r in self.runs]),
            "runs": [asdict(r) for r in self.runs],
        }


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def alternate(sides: list[Side], pairs: int, *, before: Callable[[], None] | None = None,
              after: Callable[[str, int], None] | None = None, name: str = "") -> None:
    """A B C, then C B A, …: no side always runs right after the same other side.
    ``before`` runs (untimed) before every run, ``after(label, index)`` after it."""
    for index in range(pairs):
        order = sides if index % 2 == 0 else list(reversed(sides))
        for side in order:
            if before:
                before()
            side.runs.append(side.action(index))
            if after:
                after(side.label, index)
        print(f"#   {name} pair {index + 1}/{pairs}: "
              + ", ".join(f"{s.label} {s.runs[-1].seconds:.3f}s" for s in sides)
              + f"  (load {load1():.2f})", file=sys.stderr, flush=True)


def compare(engine: Side, references: list[Side]) -> dict:
    """Medians per side and ratio = reference median / engine median (> 1: engine
    faster), on operation time and on whole-process wall time."""
    result: dict = {"engine": engine.summary(), "references": {}}
    for ref in references:
        summary = ref.summary()
        summary["ratio"] = summary["median_s"] / result["engine"]["median_s"]
        summary["ratio_wall"] = summary["median_wall_s"] / result["engine"]["median_wall_s"]
        result["references"][ref.label] = summary
    return result


def write_results(results: dict, directory: Path, *, latest: bool) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"bench-{stamp}.json"
    text = json.dumps(results, indent=1, default=str)
    path.write_text(text)
    if latest:
        (directory / "latest.json").write_text(text)
    return path
