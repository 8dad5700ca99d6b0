"""The data-channel diagnosis: try every way of opening a data connection, then say why
"login works but the listing hangs" and which settings work.

Rows, each on a fresh :class:`FtpSession` with the data timeout and no fallback, each a
listing of the target: EPSV; PASV dialling the advertised address; PASV dialling the
control connection's address; EPRT; PORT. Then a ``STAT`` listing over the control
connection (no data connection at all) and, when the server offers AUTH TLS, a TLS
probe (explicit TLS, PROT P, a passive listing: handshake, certificate, session reuse).

How each row runs (one method, no fallback; the advertised address dialled or not) is
in :mod:`client.engine.diagnose.rows`.
"""

from __future__ import annotations

from collections.abc import Callable

from client.engine.diagnose.model import (
    Attempt,
    Diagnosis,
    Outcome,
    Probe,
)
from client.engine.diagnose.ports import (
    DEFAULT_EXTRA_PORTS,
    ports_from_rows,
    sweep_passive_ports,
)
from client.engine.diagnose.rows import (
    UNROUTABLE_CLASSES,
    auth_tls_offered,
    data_row,
    probe_settings,
    stat_row,
)
from client.engine.diagnose.sftp_offer import SSH_PORT, consider_sftp
from client.engine.diagnose.verdict import LOGIN_CLASSES, THROUGH_PROXY, decide_verdict
from client.engine.events import (
    EngineEvent,
    EventBus,
    TlsEstablished,
)
from client.engine.settings import ConnectionSettings, TlsMode

__all__ = ["run_diagnosis", "UNROUTABLE_CLASSES", "probe_settings"]

OnAttempt = Callable[[Attempt], None]



async def run_diagnosis(settings: ConnectionSettings, path: str | None = None, *,
                        bus: EventBus | None = None,
                        on_attempt: OnAttempt | None = None,
                        extra_ports: int = DEFAULT_EXTRA_PORTS,
                        ssh_port: int = SSH_PORT) -> Diagnosis:
    """Run the matrix against ``settings`` (the user's, including the data timeout and
    the PASV policy) and decide the verdict. ``on_attempt`` sees each row as it ends.
    When a passive connection worked, ``extra_ports`` more passive ports are probed for
    the passive-port map (see :mod:`client.engine.diagnose.ports`). When the data
    connections are blocked, the same host's ``ssh_port`` is asked for an SSH banner
    (see :mod:`client.engine.diagnose.sftp_offer`). Never raises for a failed row;
    failures are the data."""
    bus = bus if bus is not None else EventBus()
    attempts: list[Attempt] = []
    ports: list = []
    tls_offered = settings.tls is TlsMode.IMPLICIT
    tls_used = False

    def done(attempt: Attempt) -> None:
        attempts.append(attempt)
        if on_attempt is not None:
            on_attempt(attempt)

    features_seen: list[bool] = []

    def feature_probe(event: EngineEvent) -> None:
        if isinstance(event, TlsEstablished) and event.channel is None:
            features_seen.append(True)

    unsubscribe = bus.subscribe(feature_probe)
    try:
        for probe in (Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL, Probe.EPRT,
                      Probe.PORT):
            if settings.tunnel is not None and probe in (Probe.EPRT, Probe.PORT):
                done(Attempt(probe, Outcome.NOT_ATTEMPTED,
                             f"{THROUGH_PROXY} the {settings.tunnel.describe()} (the server "
                             "cannot dial back through it)"))
                continue
            attempt = await data_row(probe, settings, path, bus)
            done(attempt)
            if attempt.failure_class in LOGIN_CLASSES:
                break  # every other row would fail the same way
        if not any(a.failure_class in LOGIN_CLASSES
                   for a in attempts):
            done(await stat_row(settings, path, bus))
            tls_used = bool(features_seen) or any(a.tls for a in attempts)
            tls_offered = tls_offered or tls_used or await auth_tls_offered(settings, bus)
            if tls_offered:
                done(await data_row(Probe.TLS, settings, path, bus))
        ports = ports_from_rows(attempts)
        if ports and not any(a.failure_class in LOGIN_CLASSES
                             for a in attempts if a.probe is not Probe.TLS):
            # Rows that all connected, or all failed, may still have hit only one part
            # of a partly forwarded range: ask for more ports.
            ports += await sweep_passive_ports(
                probe_settings(settings, Probe.PASV_CONTROL), extra_ports, bus=bus)
    finally:
        unsubscribe()
    server = f"{settings.host}:{settings.port}"
    verdict = decide_verdict(attempts, tls_used=tls_used, server_host=settings.host,
                             passive_ports=ports)
    verdict, ssh_probe = await consider_sftp(
        verdict, {a.failure_class for a in attempts}, settings.host, settings.port, ssh_port,
        tunnel=settings.tunnel)
    return Diagnosis(server=server, path=path, attempts=tuple(attempts), verdict=verdict,
                     tls_offered=tls_offered, data_timeout=settings.data_timeout,
                     passive_ports=tuple(ports), ssh_probe=ssh_probe)
