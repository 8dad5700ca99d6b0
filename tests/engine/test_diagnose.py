"""The diagnosis against the demo server's scenarios (real pyftpdlib on loopback): each
scenario gets its verdict, and the advertised unroutable address is never dialled."""

from __future__ import annotations

import asyncio

import pytest
from fixtures.demo_settings import SCENARIO_VERDICTS, demo_settings

from client.demo import UNROUTABLE_PASV_ADDRESS, DemoServer
from client.engine.diagnose import run_diagnosis
from client.engine.diagnose.model import Outcome, Probe
from client.engine.events import DataChannelEvent, EventBus
from client.engine.settings import CommandFamily, TransferMode
from client.protocol.addresses import PasvPolicy


def _diagnose(server: DemoServer, **changes: object):
    bus = EventBus()
    dialled: list[str] = []
    bus.subscribe(lambda e: dialled.append(str(e.remote.host))
                  if isinstance(e, DataChannelEvent) and e.remote is not None else None)
    diagnosis = asyncio.run(run_diagnosis(demo_settings(server, **changes), bus=bus))
    return diagnosis, dialled


@pytest.mark.parametrize("scenario", list(SCENARIO_VERDICTS))
def test_each_demo_scenario_gets_its_verdict(scenario: str) -> None:
    with DemoServer(scenario, give_up_after=3.0) as server:
        diagnosis, dialled = _diagnose(server)
    assert diagnosis.verdict.key == SCENARIO_VERDICTS[scenario], diagnosis.to_json()
    assert set(dialled) <= {"127.0.0.1"}
    probes = [a.probe for a in diagnosis.attempts]
    assert probes[:6] == [Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL, Probe.EPRT,
                          Probe.PORT, Probe.STAT]
    assert (Probe.TLS in probes) == (scenario == "tls")
    extra = EXTRA_CHECKS.get(scenario)
    if extra is not None:
        extra(diagnosis)


def _passive_blocked(diagnosis) -> None:
    epsv = diagnosis.attempt(Probe.EPSV)
    assert epsv is not None and epsv.outcome is Outcome.FAILED
    assert epsv.failure_class == "syn-unanswered" and epsv.phase == "connecting"
    assert epsv.remote is not None and epsv.remote.startswith("127.0.0.1:")
    assert diagnosis.attempt(Probe.PORT).ok and diagnosis.attempt(Probe.STAT).ok
    verdict = diagnosis.verdict
    assert verdict.recommended is not None and verdict.recommended.mode is TransferMode.ACTIVE
    fixes = " ".join(verdict.fixes)
    for needle in ("pasv_min_port", "pasv_max_port", "pasv_address", "PassivePorts",
                   "MasqueradeAddress", "PassivePortRange", "ForcePassiveIP"):
        assert needle in fixes
    assert verdict.firewall and "50000-50100" in verdict.firewall


def _active_blocked(diagnosis) -> None:
    data = diagnosis.to_json()
    row = data["attempts"][3]
    assert row["method"] == "EPRT" and row["mode"] == "active"
    assert row["outcome"] == "failed" and row["failure"] == "never-connected-back"
    assert row["phase"] == "listening"
    assert data["verdict"]["recommended"]["mode"] == "passive"


def _stall(diagnosis) -> None:
    assert all(a.failure_class == "silent-after-150" and a.phase == "connected"
               for a in diagnosis.attempts[:5])
    assert diagnosis.verdict.recommended.stat_listing_fallback


EXTRA_CHECKS = {"passive-blocked": _passive_blocked, "active-blocked": _active_blocked,
                "stall": _stall}


def test_nat_scenario_never_dials_the_advertised_address() -> None:
    with DemoServer("nat-misconfigured") as server:
        # even a user who trusts 227 addresses: an unroutable one is not dialled
        diagnosis, dialled = _diagnose(server, pasv_policy=PasvPolicy.ADVERTISED)
    row = diagnosis.attempt(Probe.PASV_ADVERTISED)
    assert row is not None and row.outcome is Outcome.NOT_ATTEMPTED
    assert row.detail.startswith("not attempted: unroutable")
    assert row.advertised is not None and row.advertised.startswith(UNROUTABLE_PASV_ADDRESS)
    assert UNROUTABLE_PASV_ADDRESS not in dialled
    assert diagnosis.attempt(Probe.EPSV).outcome is Outcome.UNSUPPORTED
    rec = diagnosis.verdict.recommended
    assert rec is not None and rec.pasv_policy is PasvPolicy.CONTROL
    assert rec.commands is CommandFamily.CLASSIC  # EPSV was refused, PASV worked
    assert diagnosis.verdict.key == "nat-not-configured"


def test_wrong_password_is_cannot_connect_after_one_row() -> None:
    with DemoServer("healthy") as server:
        diagnosis, _ = _diagnose(server, password="wrong")
    assert diagnosis.verdict.key == "cannot-connect"
    assert len(diagnosis.attempts) == 1
    assert diagnosis.attempts[0].failure_class == "login"


def test_tls_row_reports_a_protected_listing() -> None:
    with DemoServer("tls") as server:
        diagnosis, _ = _diagnose(server)
    row = diagnosis.attempt(Probe.TLS)
    assert row is not None and row.ok and row.tls
    assert all(a.tls for a in diagnosis.attempts if a.probe is not Probe.STAT)
    assert diagnosis.tls_offered


def test_missing_path_is_target_unavailable() -> None:
    with DemoServer("healthy") as server:
        diagnosis = asyncio.run(run_diagnosis(demo_settings(server), "no-such-folder"))
    assert diagnosis.verdict.key == "target-unavailable", diagnosis.to_json()
    assert all(a.reply_code is not None and a.reply_code >= 500
               for a in diagnosis.attempts[:5])


def test_each_row_tries_only_its_own_method() -> None:
    """The EPSV row on a blocked passive range must not fall back to PASV (the engine
    does that in normal use): one data connection per row, one data timeout."""
    bus = EventBus()
    events: list[DataChannelEvent] = []
    bus.subscribe(lambda e: events.append(e) if isinstance(e, DataChannelEvent) else None)
    with DemoServer("passive-blocked", give_up_after=3.0) as server:
        diagnosis = asyncio.run(run_diagnosis(demo_settings(server), bus=bus))
    methods_by_connection: dict[str, set[str]] = {}
    channels_by_connection: dict[str, set[int]] = {}
    for event in events:
        methods_by_connection.setdefault(event.connection, set()).add(event.method)
        channels_by_connection.setdefault(event.connection, set()).add(event.channel)
    for connection, methods in methods_by_connection.items():
        assert len(methods) == 1, (connection, methods)
        assert len(channels_by_connection[connection]) == 1, connection
    epsv = next(a for a in diagnosis.attempts if a.probe is Probe.EPSV)
    assert epsv.outcome is Outcome.FAILED
