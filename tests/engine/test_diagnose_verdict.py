"""The decision rule on hand-made rows: the verdicts no demo scenario produces."""

from __future__ import annotations

from client.engine.diagnose.model import Attempt, Outcome, Probe
from client.engine.diagnose.verdict import THROUGH_PROXY, decide_verdict
from client.engine.events import DataFailure
from client.engine.settings import CommandFamily, TransferMode

OK = Outcome.OK
FAILED = Outcome.FAILED


def row(probe: Probe, outcome: Outcome = OK, failure: DataFailure | None = None,
        **kw: object) -> Attempt:
    return Attempt(probe, outcome, kw.pop("detail", "x"), failure=failure,  # type: ignore[arg-type]
                   failure_class=failure.value if failure else None, **kw)  # type: ignore[arg-type]


def data_rows(passive: Outcome, active: Outcome, failure: DataFailure) -> list[Attempt]:
    out = []
    for probe in (Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL):
        out.append(row(probe, passive, None if passive is OK else failure))
    for probe in (Probe.EPRT, Probe.PORT):
        out.append(row(probe, active, None if active is OK else failure))
    return out


def test_both_fail_but_stat_works_is_a_firewall_between() -> None:
    rows = data_rows(FAILED, FAILED, DataFailure.CONNECT_TIMEOUT) + [row(Probe.STAT)]
    verdict = decide_verdict(rows, server_host="ftp.example.net")
    assert verdict.key == "data-blocked"
    assert verdict.recommended is not None and verdict.recommended.stat_listing_fallback
    assert "ftp.example.net" in " ".join(verdict.fixes)


def test_both_fail_and_no_stat_is_inconclusive() -> None:
    rows = data_rows(FAILED, FAILED, DataFailure.REFUSED) + [
        Attempt(Probe.STAT, Outcome.UNSUPPORTED, "502", failure_class="server-refused")]
    assert decide_verdict(rows).key == "inconclusive"


def test_tls_only_failures_name_session_reuse() -> None:
    rows = data_rows(FAILED, FAILED, DataFailure.TLS_FAILED)
    rows = [r if r.ok else Attempt(r.probe, FAILED, "522 SSL connection failed: session reuse "
                                   "required", failure=DataFailure.TLS_FAILED,
                                   failure_class="tls-failed") for r in rows]
    verdict = decide_verdict(rows + [row(Probe.STAT)], tls_used=True)
    assert verdict.key == "tls-data"
    assert "resume" in verdict.explanation


def test_plain_works_but_tls_probe_fails_is_tls_data() -> None:
    rows = data_rows(OK, OK, DataFailure.REFUSED) + [
        row(Probe.STAT), Attempt(Probe.TLS, FAILED, "PROT P refused: 534",
                                 failure=DataFailure.TLS_FAILED, failure_class="tls-failed")]
    verdict = decide_verdict(rows, tls_used=False)
    assert verdict.key == "tls-data"
    assert "protection level" in verdict.explanation


def test_server_refusing_passive_is_passive_disabled() -> None:
    rows = [Attempt(p, Outcome.UNSUPPORTED, "550 PASV disabled", failure_class="server-refused")
            for p in (Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL)]
    rows += [row(Probe.EPRT), row(Probe.PORT)]
    verdict = decide_verdict(rows)
    assert verdict.key == "passive-disabled"
    assert verdict.recommended is not None and verdict.recommended.mode is TransferMode.ACTIVE


def test_missing_path_is_not_blamed_on_the_network() -> None:
    rows = [Attempt(p, FAILED, "550 No such file", failure=DataFailure.SERVER_REFUSED,
                    failure_class="server-refused", reply_code=550)
            for p in (Probe.EPSV, Probe.PASV_CONTROL, Probe.EPRT, Probe.PORT)]
    assert decide_verdict(rows).key == "target-unavailable"


def test_epsv_broken_but_pasv_fine_is_not_healthy_and_recommends_pasv() -> None:
    """A failed row never gives "healthy" (it did: "every way that was tried worked")."""
    rows = data_rows(OK, OK, DataFailure.REFUSED)
    rows[0] = row(Probe.EPSV, FAILED, DataFailure.CONNECT_TIMEOUT, detail="EPSV port dropped")
    verdict = decide_verdict(rows)
    assert verdict.key == "partly-working"
    assert verdict.recommended is not None
    assert verdict.recommended.commands is CommandFamily.CLASSIC
    assert "--epsv" not in verdict.recommended.cli_options()
    assert "EPSV port dropped" in verdict.explanation


def _pasv(probe: Probe, outcome: Outcome, port: int, host: str = "198.18.0.1",
          failure: DataFailure | None = None, **kw: object) -> Attempt:
    where = f"{host}:{port}"
    return row(probe, outcome, failure, advertised=where, remote=where,
               phase="closed" if outcome is OK else "connecting", **kw)


def test_nat_not_configured_needs_an_address_other_than_the_control_peer() -> None:
    """The 227 named the control peer itself; its port was dropped: not a NAT address
    problem (the old rule compared two ports and said pasv_address=… already set)."""
    rows = [_pasv(Probe.EPSV, OK, 50001),
            _pasv(Probe.PASV_ADVERTISED, FAILED, 50007, failure=DataFailure.CONNECT_TIMEOUT),
            _pasv(Probe.PASV_CONTROL, OK, 50002), row(Probe.EPRT), row(Probe.PORT)]
    assert decide_verdict(rows, server_host="198.18.0.1").key != "nat-not-configured"
    internal = [rows[0], _pasv(Probe.PASV_ADVERTISED, FAILED, 50007, host="10.77.0.2",
                               failure=DataFailure.CONNECT_TIMEOUT), *rows[2:]]
    verdict = decide_verdict(internal, server_host="198.18.0.1")
    assert verdict.key == "nat-not-configured"
    assert "10.77.0.2" in verdict.explanation
    assert any("pasv_address=198.18.0.1" in fix for fix in verdict.fixes)


def test_partial_range_from_the_port_map() -> None:
    from client.engine.diagnose.model import PortProbe

    rows = [_pasv(Probe.EPSV, OK, 50001), _pasv(Probe.PASV_ADVERTISED, OK, 50003),
            _pasv(Probe.PASV_CONTROL, OK, 50002), row(Probe.EPRT), row(Probe.PORT)]
    ports = [PortProbe(50001, "198.18.0.1", True, source="EPSV"),
             PortProbe(50008, "198.18.0.1", False, "syn-unanswered"),
             PortProbe(50004, "198.18.0.1", True)]
    verdict = decide_verdict(rows, server_host="ftp.example.net", passive_ports=ports)
    assert verdict.key == "passive-partial"
    assert "50001, 50004" in verdict.explanation and "50008" in verdict.explanation
    assert verdict.firewall is not None and "50001-50008" in verdict.firewall


def test_partial_range_counts_a_row_that_failed_at_the_control_address() -> None:
    # The 227 names the control peer, so the PASV (advertised) row dialled the same
    # address as the sweep: its dropped port belongs in the map (CI saw 50005 left out).
    from client.engine.diagnose.model import PortProbe

    rows = [_pasv(Probe.EPSV, OK, 50001), _pasv(Probe.PASV_CONTROL, OK, 50002),
            row(Probe.EPRT), row(Probe.PORT)]
    ports = [PortProbe(50001, "198.18.0.1", True, source="EPSV"),
             PortProbe(50005, "198.18.0.1", False, "syn-unanswered",
                       source=Probe.PASV_ADVERTISED.value),
             PortProbe(50008, "198.18.0.1", False, "syn-unanswered"),
             PortProbe(50003, "10.77.0.2", False, "syn-unanswered", source="TLS"),
             PortProbe(50006, "198.18.0.1", False, "syn-unanswered", source="TLS")]
    verdict = decide_verdict(rows, server_host="198.18.0.1", passive_ports=ports)
    assert verdict.key == "passive-partial"
    assert "50005, 50008" in verdict.explanation
    assert "50003" not in verdict.explanation  # another address: not this map
    assert "50006" not in verdict.explanation  # TLS fails for a helper, whatever the port
    assert verdict.firewall is not None and "50001-50008" in verdict.firewall


def test_plain_works_tls_hangs_is_the_ftp_helper() -> None:
    rows = [_pasv(Probe.PASV_ADVERTISED, OK, 50003), _pasv(Probe.PASV_CONTROL, OK, 50004),
            row(Probe.EPRT), row(Probe.PORT), row(Probe.STAT),
            Attempt(Probe.TLS, FAILED, "no answer", failure=DataFailure.CONNECT_TIMEOUT,
                    failure_class="syn-unanswered", tls=True, phase="connecting",
                    advertised="10.77.0.2:50005", remote="198.18.0.1:50005")]
    verdict = decide_verdict(rows, server_host="198.18.0.1")
    assert verdict.key == "ftp-helper"
    assert "10.77.0.2 over TLS" in verdict.explanation
    assert "helper" in verdict.explanation


def test_only_epsv_working_recommends_the_extended_commands() -> None:
    rows = data_rows(OK, OK, DataFailure.REFUSED)
    rows[1] = row(Probe.PASV_ADVERTISED, FAILED, DataFailure.CONNECT_TIMEOUT)
    rows[2] = row(Probe.PASV_CONTROL, FAILED, DataFailure.CONNECT_TIMEOUT)
    verdict = decide_verdict(rows)
    recommended = verdict.recommended
    assert recommended is not None and recommended.mode is TransferMode.PASSIVE, verdict
    assert recommended.commands is CommandFamily.EXTENDED
    assert recommended.changes()["use_epsv"] is True
    assert "--epsv" in recommended.cli_options()


def test_both_families_working_keep_the_users_choice() -> None:
    # EPSV and PASV both fine: nothing about the command family to recommend
    verdict = decide_verdict(data_rows(OK, OK, DataFailure.REFUSED))
    assert verdict.recommended is not None and verdict.recommended.commands is None
    changes = verdict.recommended.changes()
    assert "use_epsv" not in changes and "use_eprt" not in changes


def test_passive_fixes_name_filezilla_server_and_iis_too() -> None:
    verdict = decide_verdict(data_rows(FAILED, OK, DataFailure.CONNECT_TIMEOUT),
                             server_host="198.18.0.1")
    assert verdict.key == "passive-blocked", verdict
    said = " ".join(verdict.fixes)
    assert "FileZilla Server" in said and "Use the following IP" in said
    assert "IIS" in said and "Data Channel Port Range" in said


def test_active_rows_address_is_not_taken_for_the_227() -> None:
    """Behind NAT the client announces its own address in PORT/EPRT: that is no 227
    naming an internal address (the 227 named the control peer)."""
    control = "198.18.0.1"
    rows = [row(Probe.EPSV, FAILED, DataFailure.CONNECT_TIMEOUT, advertised=f"{control}:50001"),
            row(Probe.PASV_ADVERTISED, FAILED, DataFailure.CONNECT_TIMEOUT,
                advertised=f"{control}:50002", remote=f"{control}:50002"),
            row(Probe.PASV_CONTROL, FAILED, DataFailure.CONNECT_TIMEOUT,
                advertised=f"{control}:50003", remote=f"{control}:50003"),
            row(Probe.EPRT, advertised="198.18.0.2:40001", remote=f"{control}:20"),
            row(Probe.PORT, advertised="198.18.0.2:40002", remote=f"{control}:20"),
            row(Probe.STAT)]
    verdict = decide_verdict(rows, server_host=control)
    assert verdict.key == "passive-blocked"
    assert "198.18.0.2" not in verdict.explanation and "227" not in verdict.explanation


def test_passive_failing_through_a_proxy_is_not_called_both_directions() -> None:
    """Active mode is not tried through a proxy: when passive fails, the verdict must not
    say active failed too, and says which hop failed."""
    hop = ("the SOCKS5 proxy 10.0.0.1:1080 accepted the connection but did not say within "
           "1 s whether it reached 198.18.0.1:50028 (hop proxy → server)")
    proxy_note = f"{THROUGH_PROXY} the SOCKS5 proxy 10.0.0.1:1080 (the server cannot dial back)"
    rows = [row(probe, FAILED, DataFailure.PROXY, detail=hop, advertised="198.18.0.1:50028")
            for probe in (Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL)]
    rows += [Attempt(probe, Outcome.NOT_ATTEMPTED, proxy_note)
             for probe in (Probe.EPRT, Probe.PORT)]
    verdict = decide_verdict(rows + [row(Probe.STAT)], server_host="198.18.0.1")
    assert verdict.key == "passive-blocked"
    assert "through the proxy" in verdict.headline
    assert "both directions" not in verdict.explanation
    assert "hop proxy → server" in verdict.explanation and "50028" in verdict.explanation
    assert verdict.recommended is not None and verdict.recommended.stat_listing_fallback
    assert decide_verdict(rows).recommended is None  # no STAT: nothing works to recommend
