"""The suite's own machinery: alternation order, ratios, and what a child run reports
(operation time from the child's JSON line, its own peak memory, failures with stderr).
No speed is asserted anywhere: benchmarks measure, tests check behaviour."""

from __future__ import annotations

import sys

import pytest

from bench.harness import ChildFailed, Run, Side, alternate, compare, run_child


def _run(seconds: float) -> Run:
    return Run(wall_s=seconds + 0.2, op_s=seconds, peak_rss_mib=10.0, cpu_s=0.1, load1=0.5)


def test_sides_alternate_forwards_then_backwards() -> None:
    order: list[str] = []

    def side(label: str) -> Side:
        return Side(label, lambda index: order.append(f"{label}{index}") or _run(1.0))

    sides = [side("A"), side("B"), side("C")]
    alternate(sides, 3)
    assert order == ["A0", "B0", "C0", "C1", "B1", "A1", "A2", "B2", "C2"]
    assert all(len(s.runs) == 3 for s in sides)


def test_before_and_after_hooks_wrap_every_run() -> None:
    events: list[str] = []
    sides = [Side("A", lambda i: events.append("run") or _run(1.0))]
    alternate(sides, 2, before=lambda: events.append("before"),
              after=lambda label, index: events.append(f"after {label}{index}"))
    assert events == ["before", "run", "after A0", "before", "run", "after A1"]


def test_ratio_is_reference_median_over_engine_median() -> None:
    engine = Side("engine", lambda i: _run(1.0))
    engine.runs = [_run(1.0), _run(3.0), _run(2.0)]
    curl = Side("curl", lambda i: _run(1.0))
    curl.runs = [_run(4.0), _run(5.0), _run(3.0)]
    result = compare(engine, [curl])
    assert result["engine"]["median_s"] == 2.0
    assert result["references"]["curl"]["median_s"] == 4.0
    assert result["references"]["curl"]["ratio"] == 2.0
    assert result["references"]["curl"]["ratio_wall"] == pytest.approx(4.2 / 2.2)


def test_a_child_reports_its_operation_time_and_its_own_peak_memory() -> None:
    """80 MiB touched by the child show in its peak RSS; the parent's own size does not
    (a bare interpreter stays far below what this test process weighs)."""
    code = ("import json, time\n"
            "block = bytearray(80 * 1024 * 1024)\n"
            "time.sleep(0.1)\n"
            "print(json.dumps({'op_s': 0.25}))\n")
    big, out = run_child([sys.executable, "-c", code])
    assert big.op_s == 0.25 and big.seconds == 0.25
    assert big.peak_rss_mib >= 80
    small, _ = run_child([sys.executable, "-c", "import time; time.sleep(0.1)"])
    assert small.op_s is None and small.seconds == small.wall_s
    assert 0 < small.peak_rss_mib < 60


def test_a_failing_child_raises_with_its_stderr() -> None:
    with pytest.raises(ChildFailed, match="exited 3: .*went wrong"):
        run_child([sys.executable, "-c",
                   "import sys; print('it went wrong', file=sys.stderr); sys.exit(3)"])
