"""The one-sentence explanation of a failed data connection (shared by GUI and CLI)."""

from __future__ import annotations

import pytest
from ladder_scenarios import ALL, Script, syn_unanswered

from client.engine.errors import DataChannelError
from client.engine.events import DataFailure, DataPhase, Endpoint, SessionState
from client.engine.explain_failure import (
    ACTION_LABELS,
    RecoveryAction,
    explain_arrow,
    explain_data_failure,
    explain_error,
    explain_event,
    explain_waiting,
)
from client.engine.ladder import LadderModel

BLOCKED = Endpoint("198.51.100.7", 50123)


def test_the_issue_sentence_for_a_blocked_passive_range() -> None:
    explanation = explain_data_failure(
        DataFailure.CONNECT_TIMEOUT, command="LIST /pub", method="PASV", initiator="client",
        remote=BLOCKED, advertised=BLOCKED, elapsed=20.0)
    assert explanation.sentence == (
        "The directory listing did not arrive: the server offered 198.51.100.7:50123 for "
        "the data connection (PASV), but the connection to it was never answered (no reply "
        "to our SYN in 20.0 s) \u2014 the passive port range is probably blocked by a "
        "firewall that drops packets, or not forwarded to the server.")
    assert explanation.actions == (RecoveryAction.RETRY_ACTIVE,
                                   RecoveryAction.USE_CONTROL_ADDRESS,
                                   RecoveryAction.STAT_LISTING, RecoveryAction.DIAGNOSE)
    assert explanation.is_listing


@pytest.mark.parametrize("failure", list(DataFailure))
@pytest.mark.parametrize("command", ["LIST", "RETR /a", "STOR /b", "SITE X", None])
def test_every_class_has_a_sentence_and_ends_with_diagnose(failure, command) -> None:
    explanation = explain_data_failure(failure, command=command, method="EPSV",
                                       remote=BLOCKED, reply_code=425, reason="disk full")
    assert explanation.sentence.endswith(".")
    assert len(explanation.sentence) > 40
    assert explanation.actions[-1] is RecoveryAction.DIAGNOSE
    assert all(action in ACTION_LABELS for action in explanation.actions)


def test_headlines_follow_the_command() -> None:
    def headline(command):
        return explain_data_failure(DataFailure.RESET, command=command).headline
    assert headline("MLSD /") == "The directory listing did not arrive"
    assert headline("RETR x") == "The download did not complete"
    assert headline("APPE x") == "The upload did not complete"
    assert headline(None) == "The data transfer failed"


def test_active_failures_offer_passive_mode() -> None:
    explanation = explain_data_failure(DataFailure.NEVER_CONNECTED_BACK, command="LIST",
                                       method="PORT", local=Endpoint("192.168.1.5", 40000),
                                       elapsed=20.0)
    assert explanation.actions[0] is RecoveryAction.RETRY_PASSIVE
    assert RecoveryAction.RETRY_ACTIVE not in explanation.actions
    assert "192.168.1.5:40000" in explanation.sentence


def test_no_control_address_offer_when_it_was_already_used() -> None:
    refused = explain_data_failure(DataFailure.REFUSED, command="LIST", method="PASV",
                                   initiator="client", remote=Endpoint("127.0.0.1", 5),
                                   advertised=Endpoint("10.0.0.5", 5))
    assert RecoveryAction.USE_CONTROL_ADDRESS not in refused.actions
    epsv = explain_data_failure(DataFailure.REFUSED, command="LIST", method="EPSV")
    assert RecoveryAction.USE_CONTROL_ADDRESS not in epsv.actions


def test_no_control_address_offer_when_the_227_address_is_the_control_address() -> None:
    """Dialling the control address instead changes nothing when it is where the data
    connection already went."""
    same = explain_data_failure(DataFailure.CONNECT_TIMEOUT, command="MLSD", method="PASV",
                                initiator="client", remote=Endpoint("127.0.0.1", 5),
                                advertised=Endpoint("127.0.0.1", 5), control_host="127.0.0.1")
    assert RecoveryAction.USE_CONTROL_ADDRESS not in same.actions
    elsewhere = explain_data_failure(DataFailure.CONNECT_TIMEOUT, command="MLSD", method="PASV",
                                     initiator="client", remote=Endpoint("10.0.0.5", 5),
                                     advertised=Endpoint("10.0.0.5", 5),
                                     control_host="203.0.113.7")
    assert RecoveryAction.USE_CONTROL_ADDRESS in elsewhere.actions


def test_downloads_do_not_offer_a_stat_listing() -> None:
    explanation = explain_data_failure(DataFailure.SILENT, command="RETR big", method="EPSV")
    assert RecoveryAction.STAT_LISTING not in explanation.actions


def test_from_a_raised_error() -> None:
    error = DataChannelError("x", failure=DataFailure.SERVER_REFUSED, phase=DataPhase.CONNECTED,
                             method="EPSV", step="NLST", reply_code=425)
    explanation = explain_error(error)
    assert explanation.sentence.startswith("The directory listing did not arrive: the server "
                                           "answered NLST with 425")
    connect = DataChannelError("x", failure=DataFailure.REFUSED, phase=DataPhase.CONNECTING,
                               method="PASV", step="PASV", remote=BLOCKED)
    assert explain_error(connect, command="LIST /").is_listing
    assert not explain_error(connect).is_listing  # PASV is not the data command
    sent = DataChannelError("x", failure=DataFailure.SERVER_REFUSED, phase=DataPhase.CONNECTED,
                            method="EPRT", step="MLSD", reply_code=425, command="MLSD /pub")
    assert "answered MLSD with 425" in explain_error(sent, command="LIST /pub").sentence


def test_from_events_and_arrows_agree() -> None:
    for name, scenario in ALL.items():
        events = scenario()
        model = LadderModel()
        model.feed_all(events)
        arrow = model.data_arrows()[0]
        failed = [e for e in events if getattr(e, "phase", None) is DataPhase.FAILED]
        if not failed:
            assert explain_arrow(arrow) is None, name
            continue
        from_event = explain_event(failed[-1])
        from_arrow = explain_arrow(arrow)
        assert from_arrow.failure is from_event.failure, name
        assert from_arrow.headline == from_event.headline


def test_explain_event_refuses_a_healthy_event() -> None:
    event = Script().data(0.1, 1, DataPhase.CLOSED).events[0]
    with pytest.raises(ValueError):
        explain_event(event)


def test_waiting_arrow_is_explained_before_it_fails() -> None:
    model = LadderModel()
    model.feed_all(syn_unanswered()[:-1])
    arrow = model.data_arrows()[0]
    assert explain_waiting(arrow, 1.0) is None  # not waiting yet
    model.refresh(5.012)
    explanation = explain_waiting(model.data_arrows()[0], 5.012)
    assert explanation.sentence.startswith(
        "The directory listing has not arrived yet: waiting 5 s for an answer to our "
        "SYN from 127.0.0.1:50000")
    assert "passive port range" in explanation.sentence
    assert explanation.actions[0] is RecoveryAction.RETRY_ACTIVE


def test_hostile_reason_is_escaped() -> None:
    explanation = explain_data_failure(DataFailure.LOCAL, reason="disk \x1b[2J full")
    assert "\x1b" not in explanation.sentence and "\\x1b[2J" in explanation.sentence


def test_connected_note_in_the_model() -> None:
    events = (Script().state(0.0, SessionState.CONNECTING)
              .state(0.1, SessionState.CONNECTING, server=Endpoint("127.0.0.1", 21),
                     detail="connected").events)
    model = LadderModel()
    model.feed_all(events)
    assert [i.text for i in model.items] == ["connecting", "connected to 127.0.0.1:21"]


@pytest.mark.parametrize("method, code, words", [
    ("PORT", 425, "could not connect to our listener"),
    ("PASV", 425, "did not see our data connection"),
    ("EPSV", 426, "closed or aborted on the server's side"),
    ("EPSV", 550, "refused the command"),
])
def test_server_refusals_name_the_side(method, code, words) -> None:
    explanation = explain_data_failure(DataFailure.SERVER_REFUSED, command="LIST",
                                       method=method, reply_code=code)
    assert words in explanation.sentence
    assert f"answered LIST with {code}" in explanation.sentence


def test_refused_epsv_port_does_not_blame_an_address() -> None:
    """EPSV names only a port: no NAT or masquerade address can be the cause."""
    where = Endpoint("198.18.0.1", 50007)
    explanation = explain_data_failure(DataFailure.REFUSED, command="LIST", method="EPSV",
                                       initiator="client", remote=where, advertised=where)
    assert "masquerade" not in explanation.cause and "NAT setting" not in explanation.cause
    assert "passive port range" in explanation.cause


def test_a_227_other_than_the_control_peer_is_named() -> None:
    internal = Endpoint("10.77.0.2", 50003)
    explanation = explain_data_failure(
        DataFailure.CONNECT_TIMEOUT, command="LIST", method="PASV", initiator="client",
        remote=internal, advertised=internal, control_host="10.77.1.1")
    assert "227 reply named 10.77.0.2" in explanation.cause
    assert "pasv_address=10.77.1.1" in explanation.cause
    assert "range is probably blocked" not in explanation.cause


def test_an_icmp_refusal_names_the_router() -> None:
    from client.engine.events import TcpEvidence, TcpFinding

    where = Endpoint("198.18.0.1", 50004)
    tcp = TcpEvidence(finding=TcpFinding.ICMP_ERROR, summary="x", icmp_from="198.18.0.1",
                      icmp_text="administratively prohibited")
    explanation = explain_data_failure(DataFailure.REFUSED, command="LIST", method="PASV",
                                       initiator="client", remote=where, advertised=where,
                                       control_host="198.18.0.1", tcp=tcp)
    assert "administratively prohibited by 198.18.0.1" in explanation.sentence
    assert "router or firewall at 198.18.0.1" in explanation.cause
