"""The command line's diagnose fixes and the window's snippet boxes come from the same
tables (client/engine/diagnose/fixes.py): for each program, every setting the window
offers to paste is in the command line's line for that program, for the same
diagnosis — a host name, an IP address, a partly forwarded range, TLS session reuse and
active mode blocked on this machine."""

from __future__ import annotations

import pytest

from client.cli.diagnose_command import format_diagnosis
from client.engine.diagnose.fixes import ACTIVE_MODE_FIXES, SERVER_FIXES, TLS_REUSE_FIXES, ServerFix
from client.engine.diagnose.model import Attempt, Diagnosis, Outcome, PortProbe, Probe
from client.engine.diagnose.verdict import decide_verdict
from client.engine.events import DataFailure
from client.ui.inspector.diagnose_verdict_page import VerdictPage

from .test_diagnose_wizard_snippets import (
    ACTIVE_BLOCKED,
    HEALTHY,
    PASSIVE_BLOCKED,
    diagnosis_of,
    ok,
)

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


def _tls_reuse() -> Diagnosis:
    return diagnosis_of(HEALTHY + [Attempt(Probe.TLS, Outcome.FAILED,
                                           "522 SSL connection failed: session reuse required",
                                           failure=DataFailure.TLS_FAILED,
                                           failure_class="tls-failed")])


def _window_boxes(qtbot, diagnosis: Diagnosis) -> dict[str, str]:
    page = VerdictPage()
    qtbot.addWidget(page)
    page.show_diagnosis(diagnosis)
    return {box.snippet.key: box.text.toPlainText() for box in page.snippet_boxes}


def _cli_fix_lines(diagnosis: Diagnosis) -> list[str]:
    text = format_diagnosis(diagnosis)
    return [line.strip()[2:] for line in text.splitlines() if line.startswith("    - ")]


@pytest.mark.parametrize(("diagnosis", "table"), [
    (diagnosis_of(PASSIVE_BLOCKED), SERVER_FIXES),
    (diagnosis_of(PASSIVE_BLOCKED, "203.0.113.7:21"), SERVER_FIXES),
    (_partial(), SERVER_FIXES),
    (_tls_reuse(), TLS_REUSE_FIXES),
    (diagnosis_of(ACTIVE_BLOCKED, "203.0.113.7:21"), ACTIVE_MODE_FIXES),
    (diagnosis_of(ACTIVE_BLOCKED, "::1:2121"), ACTIVE_MODE_FIXES),
], ids=["host-name", "ip-address", "partial-range", "tls-reuse", "active-ip", "active-ipv6"])
def test_cli_and_window_name_the_same_settings(qtbot, diagnosis: Diagnosis,
                                               table: tuple[ServerFix, ...]) -> None:
    boxes = _window_boxes(qtbot, diagnosis)
    cli = _cli_fix_lines(diagnosis)
    assert set(boxes) == {fix.key for fix in table}
    for fix in table:
        [line] = [c for c in cli if c.startswith(f"{fix.title} (")]
        settings = [row.removeprefix("# or: ").removeprefix("# ")
                    for row in boxes[fix.key].splitlines()[1:]
                    if row != "# the address clients connect to:"]
        assert settings, fix.key
        for setting in settings:
            assert setting in line, (fix.key, setting, line)
        assert fix.where in line and boxes[fix.key].startswith(f"# {fix.where}")


def test_a_server_that_refuses_active_mode_gets_no_local_rules(qtbot) -> None:
    """PORT/EPRT refused by the server: neither front end offers this machine's firewall
    rules (they cannot help); both say to use passive mode."""
    refused = [Attempt(probe, Outcome.UNSUPPORTED, "502 Command not implemented",
                       failure_class="server-refused", reply_code=502)
               for probe in (Probe.EPRT, Probe.PORT)]
    diagnosis = diagnosis_of([ok(Probe.EPSV), ok(Probe.PASV_ADVERTISED),
                              ok(Probe.PASV_CONTROL), *refused, ok(Probe.STAT)])
    assert diagnosis.verdict.key == "active-disabled"
    assert _window_boxes(qtbot, diagnosis) == {}
    assert _cli_fix_lines(diagnosis) == []
