"""The soak benchmark still drives the window: a short run completes its rounds with no
failed step, no crash and no exception reaching Qt's loop (the numbers are not checked:
speed belongs to the benchmark, not to the tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_soak_completes_a_round(tmp_path: Path, child_env: dict[str, str]) -> None:
    report = tmp_path / "soak.json"
    child_env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, "-m", "bench.soak_window", "--duration", "12",
                           "--json", str(report)], cwd=ROOT, env=child_env,
                          capture_output=True, text=True, timeout=110, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(report.read_text())
    assert result["crashes"] == 0
    assert result["rounds"] >= 1 and result["steps"] >= 4
    assert result["failed_steps"] == {} and result["unhandled_exceptions"] == []
    assert result["peak_rss_mib"] > 0 and result["max_stall_ms"] > 0
