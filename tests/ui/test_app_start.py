"""``ftp-inspector --demo`` as a user starts it: the demo server comes up, the window
opens (offscreen) and SIGTERM closes it cleanly — exit 0, window state saved."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def test_demo_starts_and_closes_on_sigterm(child_env) -> None:
    child_env.pop("DISPLAY", None)
    child_env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen([sys.executable, "-m", "client", "--demo"], env=child_env,
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        seen = []
        for line in proc.stderr:  # Qt may print warnings first
            seen.append(line)
            if line.startswith("demo server"):
                break
        assert "demo server (healthy) on ftp://127.0.0.1:" in seen[-1], seen
        assert "password filled in by the window" in seen[-1]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert (Path(child_env["FTP_INSPECTOR_CONFIG_DIR"]) / "window.ini").exists()
    assert "Traceback" not in err
    assert not any(ch in "".join(seen) + err for ch in ("PASS ", "password="))


def test_unknown_demo_scenario_is_a_clear_error(child_env) -> None:
    child_env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run([sys.executable, "-m", "client", "--demo", "--scenario", "nope"],
                            env=child_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "unknown demo scenario 'nope'" in result.stderr and "healthy" in result.stderr
    assert "Traceback" not in result.stderr
