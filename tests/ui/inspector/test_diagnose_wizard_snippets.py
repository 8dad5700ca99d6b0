"""The verdict page on hand-made diagnoses (the verdicts no demo scenario gives, hostile
server text) and the configuration snippets for each verdict."""

from __future__ import annotations

import pytest

from client.engine.diagnose.model import Attempt, Diagnosis, Outcome, Probe
from client.engine.diagnose.verdict import decide_verdict
from client.engine.events import DataFailure
from client.ui.inspector.diagnose_rows import AttemptRowsModel, state_text
from client.ui.inspector.diagnose_snippets import PASSIVE_RANGE, snippets_for
from client.ui.inspector.diagnose_verdict_page import VerdictPage


def diagnosis_of(attempts: list[Attempt], server: str = "ftp.example.org:21") -> Diagnosis:
    return Diagnosis(server=server, path=None, attempts=tuple(attempts),
                     verdict=decide_verdict(attempts, server_host=server.rsplit(":", 1)[0]),
                     data_timeout=1.0)


def ok(probe: Probe) -> Attempt:
    return Attempt(probe, Outcome.OK, "listing of 3 entries arrived", entries=3)


def failed(probe: Probe, failure: DataFailure, detail: str = "no answer") -> Attempt:
    return Attempt(probe, Outcome.FAILED, detail, failure=failure, failure_class=failure.value,
                   elapsed=1.0)


PASSIVE_BLOCKED = [failed(Probe.EPSV, DataFailure.CONNECT_TIMEOUT),
                   failed(Probe.PASV_ADVERTISED, DataFailure.CONNECT_TIMEOUT),
                   failed(Probe.PASV_CONTROL, DataFailure.CONNECT_TIMEOUT),
                   ok(Probe.EPRT), ok(Probe.PORT), ok(Probe.STAT)]
ACTIVE_BLOCKED = [ok(Probe.EPSV), ok(Probe.PASV_ADVERTISED), ok(Probe.PASV_CONTROL),
                  failed(Probe.EPRT, DataFailure.NEVER_CONNECTED_BACK),
                  failed(Probe.PORT, DataFailure.NEVER_CONNECTED_BACK), ok(Probe.STAT)]
HEALTHY = [ok(p) for p in (Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL, Probe.EPRT,
                           Probe.PORT, Probe.STAT)]
STALLS = [failed(p, DataFailure.SILENT) for p in (Probe.EPSV, Probe.PASV_ADVERTISED,
                                                 Probe.PASV_CONTROL, Probe.EPRT, Probe.PORT)]


def test_a_host_name_needs_pasv_addr_resolve_and_keeps_one_range() -> None:
    snippets = {s.key: s.text for s in snippets_for(diagnosis_of(PASSIVE_BLOCKED))}
    assert "pasv_address=ftp.example.org" in snippets["vsftpd"]
    assert "pasv_addr_resolve=YES" in snippets["vsftpd"]
    low, high = PASSIVE_RANGE
    for key in ("vsftpd", "proftpd", "pure-ftpd"):
        assert str(low) in snippets[key] and str(high) in snippets[key]
    assert f"{low}-{high}" in snippets["firewall"] and f"{low}:{high}" in snippets["firewall"]


def test_an_ip_address_needs_no_resolving() -> None:
    snippets = {s.key: s.text for s in snippets_for(diagnosis_of(PASSIVE_BLOCKED,
                                                                 "203.0.113.7:21"))}
    assert "pasv_address=203.0.113.7" in snippets["vsftpd"]
    assert "pasv_addr_resolve" not in snippets["vsftpd"]
    assert "ForcePassiveIP 203.0.113.7" in snippets["pure-ftpd"]


def test_active_blocked_gets_the_client_side_rule_not_server_lines() -> None:
    diagnosis = diagnosis_of(ACTIVE_BLOCKED, "::1:2121")
    assert diagnosis.verdict.key == "active-blocked"
    snippets = {s.key: s.text for s in snippets_for(diagnosis)}
    assert set(snippets) == {"firewall", "client"}
    assert "ip6 saddr ::1" in snippets["firewall"]
    assert "ip6tables -A INPUT -p tcp -s ::1" in snippets["firewall"]
    assert "--active-ports" in snippets["client"]


def test_active_rules_for_a_host_name_say_the_address_is_to_fill_in() -> None:
    snippets = {s.key: s.text for s in snippets_for(diagnosis_of(ACTIVE_BLOCKED))}
    assert "ip saddr SERVER_IP" in snippets["firewall"]
    assert "iptables -A INPUT -p tcp -s SERVER_IP" in snippets["firewall"]


@pytest.mark.parametrize("attempts", [HEALTHY, STALLS], ids=["healthy", "stalls"])
def test_nothing_to_paste_when_no_line_would_help(attempts: list[Attempt]) -> None:
    assert snippets_for(diagnosis_of(attempts)) == ()


def test_verdict_page_escapes_server_text_and_offers_apply(qtbot) -> None:
    hostile = "425 \x1b[31mboom\x07 <b>bold</b>"
    attempts = [failed(Probe.EPSV, DataFailure.CONNECT_TIMEOUT, hostile)] + PASSIVE_BLOCKED[1:]
    diagnosis = diagnosis_of(attempts)
    page = VerdictPage()
    qtbot.addWidget(page)
    page.show_diagnosis(diagnosis)
    shown = " ".join(w.text() for w in (page.headline, page.explanation, page.summary,
                                        page.recommendation, page.fixes, page.firewall))
    assert "\x1b" not in shown and "\x07" not in shown
    assert "<b>bold" not in page.summary.text()  # rich text: the server's markup is escaped
    assert not page.apply_button.isHidden() and page.apply_button.isEnabled()
    with qtbot.waitSignal(page.apply_requested) as requested:
        page.apply_button.click()
    assert requested.args[0] is diagnosis.verdict.recommended
    assert not page.apply_button.isEnabled()  # one click, one apply
    # a new diagnosis replaces the boxes instead of adding to them
    page.show_diagnosis(diagnosis_of(ACTIVE_BLOCKED))
    assert [b.snippet.key for b in page.snippet_boxes] == ["firewall", "client"]


def test_verdict_without_recommendation_hides_apply(qtbot) -> None:
    diagnosis = diagnosis_of([
        Attempt(p, Outcome.FAILED, "refused", failure=DataFailure.REFUSED,
                failure_class="refused") for p in (Probe.EPSV, Probe.PASV_ADVERTISED,
                                                   Probe.PASV_CONTROL, Probe.EPRT, Probe.PORT)
    ] + [Attempt(Probe.STAT, Outcome.UNSUPPORTED, "502 no", failure_class="server-refused",
                 reply_code=502)])
    assert diagnosis.verdict.key == "inconclusive"
    page = VerdictPage()
    qtbot.addWidget(page)
    page.show_diagnosis(diagnosis)
    assert page.apply_button.isHidden()
    assert "No setting of this client fixes this" in page.recommendation.text()


def test_row_states_in_words() -> None:
    assert state_text(ok(Probe.EPSV)) == "ok"
    assert state_text(failed(Probe.EPSV, DataFailure.CONNECT_TIMEOUT)) == "failed: SYN unanswered"
    assert state_text(Attempt(Probe.EPSV, Outcome.UNSUPPORTED, "x", reply_code=500)) == \
        "refused by the server (500)"
    assert state_text(Attempt(Probe.PASV_ADVERTISED, Outcome.NOT_ATTEMPTED, "x",
                              failure_class="unroutable-refused")) == "not attempted: unroutable"
    assert state_text(Attempt(Probe.EPSV, Outcome.FAILED, "x", failure_class="login")) == \
        "failed: login"


def test_rows_model_runs_in_plan_order(qtbot) -> None:
    model = AttemptRowsModel(tls_expected=False)
    model.start()
    assert model.state_of(Probe.EPSV).startswith("running")
    assert model.state_of(Probe.TLS) == "waiting (only if the server offers TLS)"
    model.add(ok(Probe.EPSV))
    assert model.state_of(Probe.EPSV) == "ok"
    assert model.state_of(Probe.PASV_ADVERTISED).startswith("running")
    model.finish()
    assert model.state_of(Probe.PORT) == "not run"
    assert model.state_of(Probe.TLS) == "not offered by the server"
    assert model.rowCount() == 7 and model.columnCount() == 4


def test_copy_report_is_plain_text_with_every_row(qtbot) -> None:
    from PySide6.QtGui import QGuiApplication

    hostile = "425 \x1b[2Jcleared\r\nfake line"
    attempts = [failed(Probe.EPSV, DataFailure.CONNECT_TIMEOUT, hostile)] + PASSIVE_BLOCKED[1:]
    page = VerdictPage()
    qtbot.addWidget(page)
    page.show_diagnosis(diagnosis_of(attempts))
    page.copy_report_button.click()
    text = QGuiApplication.clipboard().text()
    assert text.startswith("FTP Inspector diagnosis of ftp.example.org:21")
    assert "Verdict: passive-blocked" in text
    for probe in ("EPSV", "PASV (advertised address)", "PORT", "STAT (control connection)"):
        assert f"  {probe}" in text
    assert "--mode active" in text
    assert "\x1b" not in text and "\r" not in text
    assert "\\x1b[2Jcleared" in text  # shown, escaped, on the EPSV row's own line
    epsv_line = next(line for line in text.splitlines() if line.startswith("  EPSV"))
    assert "fake line" in epsv_line  # the server's CR LF did not start a line of its own


def test_tls_only_failure_page_offers_the_session_reuse_lines(qtbot) -> None:
    """Plain data connections work, the TLS-protected one fails: the verdict page names
    the session-reuse settings of vsftpd and ProFTPD, and Copy copies them."""
    from PySide6.QtGui import QGuiApplication

    attempts = HEALTHY + [Attempt(Probe.TLS, Outcome.FAILED,
                                  "522 SSL connection failed: session reuse required",
                                  failure=DataFailure.TLS_FAILED, failure_class="tls-failed")]
    diagnosis = diagnosis_of(attempts)
    assert diagnosis.verdict.key == "tls-data"
    page = VerdictPage()
    qtbot.addWidget(page)
    page.show_diagnosis(diagnosis)
    boxes = {box.snippet.key: box for box in page.snippet_boxes}
    assert sorted(boxes) == ["filezilla-server", "iis", "proftpd", "vsftpd"]
    assert "require_ssl_reuse=NO" in boxes["vsftpd"].text.toPlainText()
    assert "Require TLS session resumption" in \
        boxes["filezilla-server"].text.toPlainText().replace("\n# ", " ")
    assert "TLSOptions NoSessionReuseRequired" in boxes["proftpd"].text.toPlainText()
    boxes["vsftpd"].copy_button.click()
    assert "require_ssl_reuse=NO" in QGuiApplication.clipboard().text()
    assert "TLS" in page.headline.text() or "TLS" in page.explanation.text()


def test_filezilla_server_and_iis_get_their_own_passive_settings() -> None:
    snippets = {s.key: s.text for s in snippets_for(diagnosis_of(PASSIVE_BLOCKED,
                                                                 "203.0.113.7:21"))}
    low, high = PASSIVE_RANGE
    assert "Use the following IP: 203.0.113.7" in snippets["filezilla-server"]
    assert f"{low} - {high}" in snippets["filezilla-server"]
    assert f"/lowDataChannelPort:{low} /highDataChannelPort:{high}" in snippets["iis"]
    assert "externalIp4Address:203.0.113.7" in snippets["iis"]
    assert "External IP Address of Firewall" in snippets["iis"]



def test_a_partial_range_gets_snippets_for_the_ports_offered() -> None:
    """The server lines and the firewall rule name the span the verdict names, not the
    example range."""
    from client.engine.diagnose.model import PortProbe

    rows = [ok(Probe.EPSV), ok(Probe.PASV_ADVERTISED), ok(Probe.PASV_CONTROL), ok(Probe.EPRT),
            ok(Probe.PORT), ok(Probe.STAT)]
    ports = (PortProbe(50002, "198.18.0.1", True), PortProbe(50009, "198.18.0.1", False,
                                                              "syn-unanswered"))
    diagnosis = Diagnosis(server="198.18.0.1:21", path=None, attempts=tuple(rows),
                          verdict=decide_verdict(rows, server_host="198.18.0.1",
                                                 passive_ports=ports),
                          data_timeout=1.0, passive_ports=ports)
    assert diagnosis.verdict.key == "passive-partial"
    snippets = {s.key: s.text for s in snippets_for(diagnosis)}
    assert "pasv_min_port=50002" in snippets["vsftpd"] and "pasv_max_port=50009" in snippets["vsftpd"]
    assert "50002-50009" in snippets["firewall"]
    assert "50002-50009" in (diagnosis.verdict.firewall or "")
