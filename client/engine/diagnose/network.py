"""Rules for what sits between client and server, judged from the passive-port map and
from plain and TLS rows side by side: a router forwarding only part of the passive
range, and a firewall whose FTP helper (ALG) works for plain FTP and not for TLS."""

from __future__ import annotations

from collections.abc import Sequence

from client.engine.diagnose.fixes import PROPOSED_RANGE, SERVER_FIXES, fix_line
from client.engine.diagnose.model import (
    ACTIVE_PROBES,
    PASSIVE_PROBES,
    Attempt,
    Outcome,
    PortProbe,
    Probe,
    Recommendation,
    Verdict,
)
from client.engine.settings import TransferMode
from client.protocol.addresses import PasvPolicy

__all__ = ["partial_forwarding", "ftp_helper", "port_list", "port_span", "server_fixes"]

_CONNECT_FAILURES = frozenset({"syn-unanswered", "refused"})
_CONTROL_SOURCES = frozenset({"sweep", Probe.PASV_CONTROL.value, Probe.EPSV.value})


def port_list(ports: Sequence[int], limit: int = 8) -> str:
    shown = sorted(set(ports))
    text = ", ".join(map(str, shown[:limit]))
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


def port_span(ports: Sequence[int]) -> str:
    low, high = min(ports), max(ports)
    return str(low) if low == high else f"{low}-{high}"


def server_fixes(low: int | None, high: int | None, public_address: str) -> tuple[str, ...]:
    """The lines that give a server a fixed passive range and its public address, one per
    program of :data:`~client.engine.diagnose.fixes.SERVER_FIXES`; with no range known,
    a range to choose (50000-50100), said to be a proposal."""
    proposal = low is None or high is None
    if low is None or high is None:
        low, high = PROPOSED_RANGE
    note = " (a range to choose; open the same one in the firewall)" if proposal else ""
    return tuple(fix_line(fix, low, high, public_address, note if number == 0 else "")
                 for number, fix in enumerate(SERVER_FIXES))


def _recommend(attempts: Sequence[Attempt], text_passive: str) -> Recommendation | None:
    if any(a.ok for a in attempts if a.probe in ACTIVE_PROBES):
        return Recommendation(TransferMode.ACTIVE, PasvPolicy.AUTO,
                              text="active mode works whichever port the server picks")
    if any(a.ok for a in attempts if a.probe in PASSIVE_PROBES):
        return Recommendation(TransferMode.PASSIVE, PasvPolicy.CONTROL, text=text_passive)
    return None


def partial_forwarding(attempts: Sequence[Attempt], ports: Sequence[PortProbe],
                       server_host: str) -> Verdict | None:
    """Some passive ports at the control connection's address opened, others did not.

    A port counts when a plain connection dialled it at that address: when the 227
    names the control peer, the advertised-address row's ports are as telling. The TLS
    row is left out: a firewall's FTP helper blocks TLS data connections whatever the
    port (that is :func:`ftp_helper`'s verdict)."""
    control = {p.address for p in ports if p.source in _CONTROL_SOURCES} | {server_host}
    at_control = [p for p in ports if p.source in _CONTROL_SOURCES
                  or (p.source != Probe.TLS.value and p.address in control)]
    worked = sorted({p.port for p in at_control if p.connected})
    failed = sorted({p.port for p in at_control
                     if not p.connected and p.failure in _CONNECT_FAILURES} - set(worked))
    if not worked or not failed:
        return None
    address = at_control[0].address
    how = sorted({p.failure for p in at_control if not p.connected and p.failure})
    every = worked + failed
    span = port_span(every)
    return Verdict(
        "passive-partial", "only part of the server's passive port range gets through",
        f"of the passive ports the server offered, connections to {address} opened on "
        f"{port_list(worked)} and failed on {port_list(failed)} ({', '.join(how)}). The "
        "router or firewall in front of the server forwards or opens only part of the "
        "server's passive range, so listings and transfers fail at random: whenever the "
        "server picks a port outside the open part.",
        fixes=(f"forward and open the server's whole passive range on the router (the "
               f"ports seen here span {span}; the server's configured range may be wider), "
               "or narrow the server's range to the ports that are forwarded",)
        + server_fixes(min(every), max(every), server_host),
        firewall=(f"allow and forward inbound TCP {span} to the server (failed here: "
                  f"{port_list(failed)})"),
        recommended=_recommend(attempts, "passive mode works for some ports only"))


def _advertised_hosts(rows: Sequence[Attempt]) -> set[str]:
    hosts = set()
    for row in rows:
        if row.advertised and ":" in row.advertised:
            hosts.add(row.advertised.rsplit(":", 1)[0].strip("[]"))
    return hosts


def ftp_helper(attempts: Sequence[Attempt], server_host: str) -> Verdict | None:
    """Plain passive connections work while TLS ones fail to connect, or the 227
    address differs between plain and TLS: a firewall rewrites and opens for plain FTP."""
    passive = [a for a in attempts if a.probe in PASSIVE_PROBES + (Probe.TLS,)]
    plain = [a for a in passive if not a.tls]
    tls = [a for a in passive if a.tls]
    if not plain or not tls:
        return None
    plain_ok = any(a.ok for a in plain)
    tls_connect_failed = [a for a in tls if a.outcome is Outcome.FAILED
                          and a.failure_class in _CONNECT_FAILURES]
    plain_hosts = _advertised_hosts([a for a in plain if a.probe is not Probe.EPSV])
    tls_hosts = _advertised_hosts([a for a in tls if a.probe is not Probe.EPSV])
    rewritten = bool(plain_hosts and tls_hosts and not (plain_hosts & tls_hosts))
    if not ((plain_ok and tls_connect_failed and not any(a.ok for a in tls)) or rewritten):
        return None
    said = ""
    if rewritten:
        said = (f" The server's 227 reply said {', '.join(sorted(tls_hosts))} over TLS and "
                f"{', '.join(sorted(plain_hosts))} in plain FTP: something between rewrote "
                "the plain one.")
    failing = tls_connect_failed[0] if tls_connect_failed else None
    failed_text = f" ({failing.failure_class}: {failing.detail})" if failing else ""
    ports = [int(a.advertised.rsplit(":", 1)[1]) for a in passive
             if a.advertised and a.advertised.rsplit(":", 1)[-1].isdigit()]
    span = port_span(ports) if ports else "the server's passive range"
    return Verdict(
        "ftp-helper", "a firewall's FTP helper makes plain FTP work, not FTPS",
        "plain FTP data connections work but TLS-protected ones do not" + failed_text
        + "." + said + " A firewall or router between reads the plain control "
        "connection with an FTP helper (ALG, 'FTP inspection'): it rewrites the 227 reply "
        "and opens each data connection as it goes by. It cannot read a TLS control "
        "connection, so over FTPS the server's own settings apply, and they do not work "
        "from outside: the passive range is not forwarded and the server announces "
        "its internal address.",
        fixes=(f"forward and open the server's passive port range on that firewall (ports "
               f"seen: {span}), so no helper is needed",
               f"set the server's external address ({server_host}) for passive replies",)
        + server_fixes(min(ports) if ports else None, max(ports) if ports else None,
                       server_host),
        firewall=f"forward inbound TCP {span} to the server instead of relying on the FTP helper",
        recommended=_recommend(attempts, "plain FTP works through the helper"))
