"""The passive-port map of a diagnosis: each port the server offered and whether a
connection to it opened.

The rows of the matrix see two or three passive ports; a router that forwards only
part of the server's range lets some of them through and not others, at random. So
after the rows, when some passive connection worked, a bounded number of extra ports
(default 8) are asked for with PASV on one session and dialled at the control
connection's address with a short timeout, without sending a command over them: only
"does a connection to this port open" is measured.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from client.engine.diagnose.model import PASSIVE_PROBES, Attempt, Outcome, PortProbe, Probe
from client.engine.errors import FtpError
from client.engine.events import EventBus, TcpFinding
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings
from client.engine.tcpstack import ConnectFailed, connect_observed
from client.protocol.addresses import parse_227, parse_229
from client.protocol.errors import ProtocolError

__all__ = ["ports_from_rows", "sweep_passive_ports", "DEFAULT_EXTRA_PORTS", "sweep_timeout"]

DEFAULT_EXTRA_PORTS = 8
_CONNECTED_PHASES = frozenset({"connected", "tls-handshake", "tls-established", "first-byte",
                               "closed"})


def sweep_timeout(data_timeout: float) -> float:
    """Per port: long enough for a SYN-ACK over any real path, short enough that eight
    dropped ports cost seconds, not minutes."""
    return max(0.5, min(data_timeout / 2, 2.0))


def _port_of(endpoint: str | None) -> tuple[str, int] | None:
    if not endpoint or not endpoint.rsplit(":", 1)[-1].isdigit():
        return None
    host, port = endpoint.rsplit(":", 1)
    return host.strip("[]"), int(port)


def ports_from_rows(attempts: Sequence[Attempt]) -> list[PortProbe]:
    """The ports the passive rows dialled (where they dialled them) and the outcome."""
    found = []
    for attempt in attempts:
        if attempt.probe not in PASSIVE_PROBES + (Probe.TLS,):
            continue
        if attempt.outcome not in (Outcome.OK, Outcome.FAILED):
            continue
        where = _port_of(attempt.remote) or _port_of(attempt.advertised)
        if where is None:
            continue
        connected = attempt.ok or (attempt.phase in _CONNECTED_PHASES)
        if not connected and attempt.failure_class not in ("syn-unanswered", "refused"):
            continue  # failed before any connect (e.g. refused by policy): no port fact
        found.append(PortProbe(where[1], where[0], connected,
                               None if connected else attempt.failure_class,
                               source=attempt.probe.value))
    return found


async def sweep_passive_ports(settings: ConnectionSettings, count: int, *,
                              bus: EventBus) -> list[PortProbe]:
    """Ask for ``count`` passive ports (PASV, or EPSV where PASV is refused) and try a
    connection to each at the control connection's address. All ``count`` are tried
    even when every one fails: rows and probes that all hit the dropped part of a
    partly forwarded range would pass for a range blocked as a whole."""
    if count <= 0:
        return []
    session = FtpSession(settings.replace(fallback=False, keepalive_interval=None), bus=bus)
    timeout = sweep_timeout(settings.data_timeout)
    probes: list[PortProbe] = []
    try:
        await session.connect()
        peer = session.server.host if session.server else settings.host
        verb = "PASV"
        for _ in range(count):
            reply = await session.quote(verb)
            if reply.code not in (227, 229) and verb == "PASV":
                verb = "EPSV"
                reply = await session.quote(verb)
            if reply.code not in (227, 229):
                break
            try:
                port = (parse_227(reply.lines[0]) if reply.code == 227
                        else parse_229(reply.lines[0])).port
            except ProtocolError:
                break
            probes.append(await _try_port(peer, port, timeout))
    except FtpError:
        pass
    finally:
        with contextlib.suppress(Exception):
            await session.close()
    return probes


async def _try_port(host: str, port: int, timeout: float) -> PortProbe:
    try:
        sock = await connect_observed(host, port, timeout)
    except ConnectFailed as failed:
        failure = ("syn-unanswered" if failed.finding is TcpFinding.SYN_UNANSWERED
                   else "refused")
        return PortProbe(port, host, False, failure, detail=failed.evidence.summary)
    except OSError as exc:
        return PortProbe(port, host, False, "refused", detail=str(exc))
    sock.close()
    return PortProbe(port, host, True)
