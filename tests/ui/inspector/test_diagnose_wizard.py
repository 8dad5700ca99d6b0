"""The Diagnose wizard against the demo server's scenarios (real pyftpdlib on loopback,
data timeout 1 s): the verdict each scenario is specified to get, the live rows and the
ladder while it runs, the snippets, and cancelling at any moment."""

from __future__ import annotations

import asyncio

import pytest
from fixtures.demo_settings import SCENARIO_VERDICTS, demo_settings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWizard

from client.demo import DemoServer
from client.engine.diagnose.model import Probe
from client.ui.inspector.diagnose_rows import PLAN
from client.ui.inspector.diagnose_wizard import DiagnoseWizard

pytestmark = pytest.mark.gui

def run_wizard(qtbot, wizard: DiagnoseWizard) -> None:
    wizard.show()
    qtbot.addWidget(wizard)
    wizard.next()  # plan -> running
    assert wizard.currentId() == DiagnoseWizard.RUN_PAGE
    assert wizard.running
    qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=60_000)
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()  # running -> verdict
    assert wizard.currentId() == DiagnoseWizard.VERDICT_PAGE


@pytest.mark.parametrize("scenario", list(SCENARIO_VERDICTS))
def test_wizard_reaches_the_verdict_of_each_scenario(qloop, qtbot, scenario: str) -> None:
    with DemoServer(scenario, give_up_after=2.0) as server:
        wizard = DiagnoseWizard(demo_settings(server), None)
        run_wizard(qtbot, wizard)
    diagnosis = wizard.diagnosis
    assert diagnosis is not None
    assert diagnosis.verdict.key == SCENARIO_VERDICTS[scenario], diagnosis.to_json()
    page = wizard.verdict_page
    assert page.headline.text().lower() == diagnosis.verdict.headline.lower()
    # every row ran and shows its own final state (none left "running")
    states = [wizard.rows.state_of(p.probe) for p in PLAN]
    assert not any(s.startswith("running") for s in states), states
    assert states[:6] == [wizard.rows.state_of(a.probe) for a in diagnosis.attempts[:6]]
    if scenario == "tls":
        assert wizard.rows.results[Probe.TLS].ok
    else:
        assert states[6] == "not offered by the server"
    # the ladder drew the attempts: one data connection per data row that got one
    arrows = wizard.ladder_model.data_arrows()
    methods = {a.method for a in arrows}
    assert {"PASV", "EPRT", "PORT"} <= methods, methods


def test_passive_blocked_verdict_has_the_server_snippets(qloop, qtbot) -> None:
    with DemoServer("passive-blocked", give_up_after=2.0) as server:
        wizard = DiagnoseWizard(demo_settings(server), "/")
        run_wizard(qtbot, wizard)
    page = wizard.verdict_page
    texts = {box.snippet.key: box.text.toPlainText() for box in page.snippet_boxes}
    assert set(texts) == {"vsftpd", "proftpd", "pure-ftpd", "filezilla-server", "iis",
                          "firewall"}
    assert "pasv_min_port=50000" in texts["vsftpd"] and "pasv_max_port=50100" in texts["vsftpd"]
    assert "pasv_address=127.0.0.1" in texts["vsftpd"]
    assert "PassivePorts 50000 50100" in texts["proftpd"]
    assert "MasqueradeAddress 127.0.0.1" in texts["proftpd"]
    assert "PassivePortRange 50000 50100" in texts["pure-ftpd"]
    assert "ForcePassiveIP 127.0.0.1" in texts["pure-ftpd"]
    assert "50000-50100" in texts["firewall"]
    # the range the server lines open is the one the verdict's firewall sentence names
    assert "50000-50100" in page.firewall.text()
    assert all(box.text.isReadOnly() for box in page.snippet_boxes)
    box = next(b for b in page.snippet_boxes if b.snippet.key == "proftpd")
    box.copy_button.click()
    assert QGuiApplication.clipboard().text() == texts["proftpd"]
    # the summary names what worked and what did not
    summary = page.summary.accessibleDescription()
    assert "EPSV: failed: SYN unanswered" in summary and "PORT: ok" in summary
    assert "<td>EPSV</td>" in page.summary.text()  # the table on screen
    # no wizard text carries the password
    assert server.password not in page.explanation.text() + summary
    assert "Active" in page.recommendation.text() or "active" in page.recommendation.text()
    # without an apply callback the button is there but cannot act
    assert not page.apply_button.isEnabled()


def test_rows_are_live_while_the_diagnosis_runs(qloop, qtbot) -> None:
    with DemoServer("passive-blocked", give_up_after=2.0) as server:
        wizard = DiagnoseWizard(demo_settings(server), None)
        wizard.show()
        qtbot.addWidget(wizard)
        wizard.next()
        assert wizard.rows.state_of(Probe.EPSV).startswith("running")
        assert wizard.rows.state_of(Probe.PORT) == "waiting"
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        # the first row's data connection is drawn while it is still trying
        qtbot.waitUntil(lambda: any(a.method == "EPSV"
                                    for a in wizard.ladder_model.data_arrows()),
                        timeout=10_000)
        assert wizard.rows.state_of(Probe.EPSV).startswith("running")
        qtbot.waitUntil(lambda: Probe.EPSV in wizard.rows.results, timeout=10_000)
        assert wizard.rows.state_of(Probe.EPSV) == "failed: SYN unanswered"
        assert wizard.rows.state_of(Probe.PASV_ADVERTISED).startswith("running")
        wizard.reject()
        qtbot.waitUntil(wizard.task.done, timeout=10_000)


def _other_tasks(before: set[asyncio.Task]) -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t not in before and not t.done()]


@pytest.mark.parametrize("moment", ["at-once", "mid-row"])
def test_cancel_leaves_no_running_task(qloop, qtbot, moment: str) -> None:
    before = set(asyncio.all_tasks())
    with DemoServer("passive-blocked", give_up_after=30.0) as server:
        wizard = DiagnoseWizard(demo_settings(server, data_timeout=20), None)
        wizard.show()
        qtbot.addWidget(wizard)
        wizard.next()
        task = wizard.task
        assert task is not None and not task.done()
        if moment == "mid-row":
            # EPSV is dialling a port nobody answers (20 s timeout): cancel in the middle
            qtbot.waitUntil(lambda: any(a.method == "EPSV"
                                        for a in wizard.ladder_model.data_arrows()),
                            timeout=10_000)
        wizard.button(QWizard.WizardButton.CancelButton).click()
        assert not wizard.isVisible()  # closed at once, not after the row's timeout
        qtbot.waitUntil(task.done, timeout=15_000)
        assert task.cancelled()
        qtbot.waitUntil(lambda: not _other_tasks(before), timeout=15_000)
    assert wizard.diagnosis is None
    assert wizard.rows.state_of(Probe.PORT) == "cancelled"


def test_back_from_running_cancels_and_run_again_works(qloop, qtbot) -> None:
    with DemoServer("healthy") as server:
        wizard = DiagnoseWizard(demo_settings(server), None)
        wizard.show()
        qtbot.addWidget(wizard)
        wizard.next()
        first = wizard.task
        wizard.back()
        qtbot.waitUntil(first.done, timeout=15_000)
        assert first.cancelled() and wizard.currentId() == DiagnoseWizard.PLAN_PAGE
        wizard.next()
        qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=30_000)
    assert wizard.task is not first
    assert wizard.diagnosis.verdict.key == "healthy"


def test_without_a_site_the_wizard_says_connect_first(qloop, qtbot) -> None:
    wizard = DiagnoseWizard(None, None)
    wizard.show()
    qtbot.addWidget(wizard)
    assert "Connect to a site first" in wizard.plan_page.subTitle()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert wizard.task is None


def test_the_plan_page_names_every_attempt_and_the_timeout(qloop, qtbot) -> None:
    with DemoServer("healthy") as server:
        settings = demo_settings(server, data_timeout=7.5)
        wizard = DiagnoseWizard(settings, "/pub")
        wizard.show()
        qtbot.addWidget(wizard)
        plan = wizard.plan_page.findChild(object, "diagnosePlan").text()
        for probe in ("EPSV", "PASV (advertised address)", "PASV (control address)", "EPRT",
                      "PORT", "STAT (control connection)", "TLS"):
            assert probe in plan
        assert wizard.plan_page.timeout_box.value() == 7.5
        assert wizard.plan_page.path_edit.text() == "/pub"
        assert server.password not in wizard.plan_page.subTitle()
        wizard.plan_page.timeout_box.setValue(1.0)
        assert wizard.run_settings().data_timeout == 1.0
        wizard.reject()


def test_a_wizard_deleted_mid_run_stops_quietly(qloop, qtbot) -> None:
    """Closing the window deletes the wizard: the cancelled run must not touch it."""
    from shiboken6 import delete

    errors: list[dict] = []
    previous = qloop.get_exception_handler()
    qloop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        with DemoServer("passive-blocked", give_up_after=30.0) as server:
            wizard = DiagnoseWizard(demo_settings(server, data_timeout=20), None)
            wizard.show()
            wizard.next()
            task = wizard.task
            qtbot.waitUntil(lambda: any(a.method == "EPSV"
                                        for a in wizard.ladder_model.data_arrows()),
                            timeout=10_000)
            wizard.cancel()
            delete(wizard)
            qtbot.waitUntil(task.done, timeout=15_000)
            # the task's done callbacks run: one added now is called after them
            after_callbacks: list[bool] = []
            task.add_done_callback(lambda _task: after_callbacks.append(True))
            qtbot.waitUntil(lambda: bool(after_callbacks), timeout=15_000)
    finally:
        qloop.set_exception_handler(previous)
    assert task.cancelled()
    assert not errors, errors
