"""README.md is generated from docs/readme/: it must never fall behind the sections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_is_built_from_the_current_sections() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build-readme"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_names_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "tools/launch --demo" in text
    assert "tools/run-tests" in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec tools/run-tests" in ci
