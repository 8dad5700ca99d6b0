"""The run's summary shows the crash logs of its own workers only: the machine may run
other test sessions at the same time (their crashes are theirs to report)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures import qt_messages


class Reporter:
    def __init__(self) -> None:
        self.sections: list[str] = []
        self.text = ""

    def section(self, title: str) -> None:
        self.sections.append(title)

    def write(self, text: str) -> None:
        self.text += text


def test_summary_shows_this_runs_crash_logs_and_not_another_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTPI_CRASH_LOG_DIR", str(tmp_path))
    stacks = "running tests/x.py::t\nFatal Python error: Segmentation fault\n"
    mine = tmp_path / f"ftpi-crash-{qt_messages.run_id()}-{os.getpid() + 1}.log"
    theirs = tmp_path / f"ftpi-crash-{os.getpid() + 7}-{os.getpid() + 8}.log"
    mine.write_text(stacks)
    theirs.write_text(stacks.replace("x.py", "elsewhere.py"))
    reporter = Reporter()
    qt_messages.pytest_terminal_summary(reporter)
    assert reporter.sections == [f"crash log {mine.name}"]
    assert "elsewhere.py" not in reporter.text
