"""The command line's diagnose fixes and the window's snippet boxes come from one table
(client/engine/diagnose/fixes.py): for each server program, every setting the window
offers to paste is in the command line's line for that program, for the same
diagnosis — a host name, an IP address, and a partly forwarded range."""

from __future__ import annotations

import pytest

from client.cli.diagnose_command import format_diagnosis
from client.engine.diagnose.fixes import SERVER_FIXES
from client.engine.diagnose.model import Diagnosis, PortProbe, Probe
from client.engine.diagnose.verdict import decide_verdict
from client.ui.inspector.diagnose_verdict_page import VerdictPage

from .test_diagnose_wizard_snippets import PASSIVE_BLOCKED, diagnosis_of, ok

pytestmark = pytest.mark.gui


def _partial() -> Diagnosis:
    rows = [ok(p) for p in (Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL,
                            Probe.EPRT, Probe.PORT, Probe.STAT)]
    ports = (PortProbe(50002, "198.18.0.1", True),
             PortProbe(50009, "198.18.0.1", False, "syn-unanswered"))
    return Diagnosis(server="198.18.0.1:21", path=None, attempts=tuple(rows),
                     verdict=decide_verdict(rows, server_host="198.18.0.1",
                                            passive_ports=ports),
                     data_timeout=1.0, passive_ports=ports)


def _window_boxes(qtbot, diagnosis: Diagnosis) -> dict[str, str]:
    page = VerdictPage()
    qtbot.addWidget(page)
    page.show_diagnosis(diagnosis)
    return {box.snippet.key: box.text.toPlainText() for box in page.snippet_boxes}


def _cli_fix_lines(diagnosis: Diagnosis) -> list[str]:
    text = format_diagnosis(diagnosis)
    return [line.strip()[2:] for line in text.splitlines() if line.startswith("    - ")]


@pytest.mark.parametrize("diagnosis", [
    diagnosis_of(PASSIVE_BLOCKED), diagnosis_of(PASSIVE_BLOCKED, "203.0.113.7:21"), _partial(),
], ids=["host-name", "ip-address", "partial-range"])
def test_cli_and_window_name_the_same_settings(qtbot, diagnosis: Diagnosis) -> None:
    boxes = _window_boxes(qtbot, diagnosis)
    cli = _cli_fix_lines(diagnosis)
    assert set(boxes) == {fix.key for fix in SERVER_FIXES}
    for fix in SERVER_FIXES:
        [line] = [c for c in cli if c.startswith(f"{fix.title} (")]
        settings = [row.removeprefix("# or: ").removeprefix("# ")
                    for row in boxes[fix.key].splitlines()[1:]
                    if row != "# the address clients connect to:"]
        assert settings, fix.key
        for setting in settings:
            assert setting in line, (fix.key, setting, line)
        assert fix.where in line and boxes[fix.key].startswith(f"# {fix.where}")
