"""The diagnosis against scripted servers doing exactly one bad thing."""

from __future__ import annotations

import asyncio

from fixtures.scripted_steps import pasv

from client.engine.diagnose import run_diagnosis
from client.engine.diagnose.model import Outcome, Probe
from client.engine.events import DataChannelEvent, EventBus
from client.engine.settings import TlsMode
from client.protocol.addresses import PasvPolicy


def _run(server, **overrides):
    bus = EventBus()
    dialled: list[str] = []
    bus.subscribe(lambda e: dialled.append(e.remote.host)
                  if isinstance(e, DataChannelEvent) and e.remote is not None else None)
    settings = server.settings(tls=TlsMode.OFF, data_timeout=1, **overrides)
    return asyncio.run(run_diagnosis(settings, bus=bus)), dialled


def test_private_227_over_loopback_is_not_dialled_and_is_nat(scripted_server) -> None:
    server = scripted_server({"PASV": pasv("10.0.0.5")})
    diagnosis, dialled = _run(server)
    row = diagnosis.attempt(Probe.PASV_ADVERTISED)
    assert row.outcome is Outcome.NOT_ATTEMPTED and "10.0.0.5" in row.detail
    assert row.advertised.startswith("10.0.0.5:")
    assert "10.0.0.5" not in dialled
    assert diagnosis.attempt(Probe.PASV_CONTROL).ok
    assert diagnosis.verdict.key == "nat-not-configured"


def test_control_policy_is_respected(scripted_server) -> None:
    server = scripted_server({"PASV": pasv("127.0.0.2")})
    diagnosis, dialled = _run(server, pasv_policy=PasvPolicy.CONTROL)
    row = diagnosis.attempt(Probe.PASV_ADVERTISED)
    assert row.outcome is Outcome.NOT_ATTEMPTED and row.failure_class == "policy"
    assert "127.0.0.2" not in dialled


def test_tls_data_refused_with_522_is_tls_data(scripted_server) -> None:
    refusal = b"522 SSL connection failed: session reuse required\r\n"
    server = scripted_server({"MLSD": refusal, "LIST": refusal}, tls="explicit")
    bus = EventBus()
    diagnosis = asyncio.run(run_diagnosis(
        server.settings(tls=TlsMode.EXPLICIT, data_timeout=1), bus=bus))
    rows = [diagnosis.attempt(p) for p in (Probe.EPSV, Probe.PASV_CONTROL, Probe.PORT)]
    assert all(r.failure_class == "tls-failed" and r.reply_code == 522 for r in rows), rows
    assert diagnosis.verdict.key == "tls-data"
    assert "resume" in diagnosis.verdict.explanation
    assert any("require_ssl_reuse" in fix for fix in diagnosis.verdict.fixes)
