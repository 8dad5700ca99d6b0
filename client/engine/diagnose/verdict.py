"""The decision rule of the diagnosis: rows of the matrix -> a :class:`Verdict`.

The rule, first match wins:

1. nothing could log in -> ``cannot-connect`` (the data channel was never reached);
2. every listing command was refused (450/501/550 …) -> ``target-unavailable``;
3. PASV to the control address works but the advertised address, which is not the
   control peer, is unroutable or fails -> ``nat-not-configured`` (the server
   announces the wrong address);
3a. some passive ports at the control address connect and others do not ->
   ``passive-partial`` (the router forwards part of the range; the passive-port map);
3b. plain passive connections work and TLS ones fail to connect, or the 227 address
   differs between plain and TLS -> ``ftp-helper`` (a firewall's FTP helper);
4. TLS works on the control connection but only TLS data connections fail ->
   ``tls-data`` (session reuse or protection level);
5. passive and active both work -> ``healthy`` when no row failed, else
   ``partly-working`` (naming the rows that failed);
6. passive fails, active works -> ``passive-blocked`` (``passive-disabled`` when the
   server refuses PASV/EPSV outright): the passive port range is not open or not
   forwarded, with the lines that fix it for vsftpd, ProFTPD and pure-ftpd;
7. active fails, passive works -> ``active-blocked`` / ``active-disabled``: the client
   side blocks inbound connections;
8. nothing works: connections open but no byte arrives -> ``data-stalls``; STAT works
   -> ``data-blocked`` (a firewall between blocks all data connections); else
   ``inconclusive``.
"""

from __future__ import annotations

from collections.abc import Sequence

from client.engine.diagnose.fixes import (
    ACTIVE_MODE_FIXES,
    ACTIVE_RANGE,
    PROPOSED_RANGE,
    SERVER_FIXES,
    TLS_REUSE_FIXES,
    ServerFix,
    address_line,
    fix_line,
)
from client.engine.diagnose.model import (
    ACTIVE_PROBES,
    DATA_PROBES,
    PASSIVE_PROBES,
    Attempt,
    Outcome,
    PortProbe,
    Probe,
    Recommendation,
    Verdict,
)
from client.engine.diagnose.network import ftp_helper, partial_forwarding, port_list, server_fixes
from client.engine.events import DataFailure
from client.engine.settings import CommandFamily, TransferMode
from client.protocol.addresses import PasvPolicy

__all__ = ["decide_verdict", "LOGIN_CLASSES", "nat_fixes"]

#: failure classes of a row that never reached a data connection (no login); the FTP
#: port answering with an SSH banner is one
LOGIN_CLASSES = frozenset({"connect", "login", "tls", "certificate", "ssh-service"})
_CONNECTIVITY = frozenset({
    DataFailure.REFUSED, DataFailure.CONNECT_TIMEOUT, DataFailure.NEVER_CONNECTED_BACK,
    DataFailure.SILENT, DataFailure.WRONG_PEER, DataFailure.SERVER_REFUSED,
})
#: Replies to LIST/MLSD that refuse the command (path, permission), not the connection.
_LISTING_REFUSALS = frozenset({450, 451, 500, 501, 502, 504, 530, 550, 553})
_STALLS = frozenset({DataFailure.SILENT, DataFailure.STALLED})
#: rows whose ``advertised`` is a server's 227 reply
_PASV_227_PROBES = (Probe.PASV_ADVERTISED, Probe.PASV_CONTROL, Probe.TLS)


def nat_fixes(public_address: str) -> tuple[str, ...]:
    """Only the announced address, for each program that has that setting."""
    lines = (address_line(fix, public_address) for fix in SERVER_FIXES)
    return tuple(line for line in lines if line is not None)


def _table_lines(table: tuple[ServerFix, ...], span: tuple[int, int],
                 address: str) -> tuple[str, ...]:
    return tuple(fix_line(fix, *span, address) for fix in table)


def _rows(attempts: Sequence[Attempt], probes: tuple[Probe, ...]) -> list[Attempt]:
    return [a for a in attempts if a.probe in probes]


def _attempted(rows: list[Attempt]) -> list[Attempt]:
    return [a for a in rows if a.outcome in (Outcome.OK, Outcome.FAILED)]


def _ports_seen(attempts: Sequence[Attempt]) -> list[int]:
    ports = []
    for attempt in _rows(attempts, PASSIVE_PROBES):
        where = attempt.advertised or attempt.remote
        if where and where.rsplit(":", 1)[-1].isdigit():
            ports.append(int(where.rsplit(":", 1)[-1]))
    return sorted(set(ports))


def _internal_address_note(attempts: Sequence[Attempt], control_host: str | None,
                           tls_used: bool) -> str:
    """When the 227 names another address than the control peer: the server does not
    know its external address either, and over TLS that is what a firewall's FTP
    helper would hide in plain FTP."""
    # the 227s only: an active row's "advertised" is the address this client announced
    hosts = sorted({h for a in attempts if a.probe in _PASV_227_PROBES
                    for h in [_host_of(a.advertised)] if h and h != control_host})
    if not hosts or not control_host:
        return ""
    note = (f" The server's 227 reply names {', '.join(hosts)}, not {control_host}: it does "
            f"not know its external address either (pasv_address={control_host}).")
    if tls_used:
        note += (" If plain FTP works with this server, a firewall's FTP helper (ALG) is "
                 "rewriting the 227 and opening the data connections for plain FTP; it "
                 "cannot read TLS. Compare with 'diagnose --tls off'.")
    return note


def _range_firewall_text(ports: list[int], where: str) -> str:
    """Firewall advice with the ports actually offered, never an invented range."""
    low, high = PROPOSED_RANGE
    text = (f"configure a fixed passive range on the server ({low}-{high} in the lines "
            f"above, or your own) and allow inbound TCP {low}-{high} {where}")
    if ports:
        text += f"; the server offered {port_list(ports)} here"
    return text


def _by_probe(attempts: Sequence[Attempt]) -> dict[Probe, Attempt]:
    return {a.probe: a for a in attempts}


def _family(extended: Attempt | None, classic: list[Attempt | None]) -> CommandFamily | None:
    """The family to recommend: the one that worked where the other did not; None
    (keep the user's choice) when both worked or neither did."""
    extended_ok = bool(extended and extended.ok)
    classic_ok = any(row is not None and row.ok for row in classic)
    if extended_ok == classic_ok:
        return None
    return CommandFamily.EXTENDED if extended_ok else CommandFamily.CLASSIC


def _passive_recommendation(rows: dict[Probe, Attempt], policy: PasvPolicy,
                            text: str) -> Recommendation:
    family = _family(rows.get(Probe.EPSV),
                     [rows.get(Probe.PASV_CONTROL), rows.get(Probe.PASV_ADVERTISED)])
    return Recommendation(TransferMode.PASSIVE, policy, commands=family, text=text)


def _active_recommendation(rows: dict[Probe, Attempt], text: str) -> Recommendation:
    family = _family(rows.get(Probe.EPRT), [rows.get(Probe.PORT)])
    return Recommendation(TransferMode.ACTIVE, PasvPolicy.AUTO, commands=family, text=text)


def _host_of(endpoint: str | None) -> str | None:
    return endpoint.rsplit(":", 1)[0].strip("[]") if endpoint and ":" in endpoint else None


#: how a row not tried because of a proxy begins (see runner.run_diagnosis)
THROUGH_PROXY = "not tried: active mode cannot work through"


def decide_verdict(attempts: Sequence[Attempt], *, tls_used: bool = False,
                   server_host: str = "the server",
                   passive_ports: Sequence[PortProbe] = ()) -> Verdict:
    """Apply the rule of the module docstring to the rows of one diagnosis (and the
    passive-port map, when extra ports were probed)."""
    rows = _by_probe(attempts)
    data = _rows(attempts, DATA_PROBES)
    passive = _rows(attempts, PASSIVE_PROBES)
    active = _rows(attempts, ACTIVE_PROBES)
    passive_ok = any(a.ok for a in passive)
    active_ok = any(a.ok for a in active)
    stat = rows.get(Probe.STAT)
    tls_row = rows.get(Probe.TLS)

    if not any(a.ok for a in attempts) and any(a.failure_class in LOGIN_CLASSES
                                                for a in attempts):
        first = next(a for a in attempts if a.failure_class in LOGIN_CLASSES)
        return Verdict("cannot-connect", "the control connection or the login failed",
                       f"{first.detail}. The data connections could not be tested.")

    tried = _attempted(data)
    if tried and all(not a.ok and a.reply_code in _LISTING_REFUSALS for a in tried):
        codes = ", ".join(sorted({str(a.reply_code) for a in tried}))
        return Verdict("target-unavailable", "the path cannot be listed",
                       f"the server refused the listing command itself ({codes}: no such "
                       "directory, no permission, or a path it does not accept), so the data "
                       "connections could not be judged. Check the path in the URL.")

    advertised = rows.get(Probe.PASV_ADVERTISED)
    control = rows.get(Probe.PASV_CONTROL)
    advertised_host = _host_of(advertised.advertised) if advertised else None
    control_host = _host_of(control.remote) if control else None
    if control is not None and control.ok and advertised is not None and advertised_host \
            and advertised_host != control_host and (
            advertised.failure_class == "unroutable-refused"
            or (advertised.outcome is Outcome.FAILED and advertised.failure in _CONNECTIVITY)):
        return Verdict(
            "nat-not-configured", "NAT address not configured on the server",
            f"the server's 227 reply advertises {advertised.advertised}, which cannot be "
            f"reached from here, while a connection to the control connection's address "
            f"({control.remote}) works. The server sits behind NAT (or has several "
            "addresses) and announces its internal address "
            f"{advertised_host}: tell it the address clients use.",
            fixes=nat_fixes(control_host or server_host),
            recommended=_passive_recommendation(
                rows, PasvPolicy.CONTROL,
                "passive mode, dialling the control connection's address for every 227"))

    partial = partial_forwarding(attempts, passive_ports, control_host or server_host)
    if partial is not None:
        return partial
    helper = ftp_helper(attempts, control_host or server_host)
    if helper is not None:
        return helper

    data_failures = [a for a in tried if not a.ok]
    tls_failures = [a for a in data_failures if a.failure is DataFailure.TLS_FAILED]
    tls_row_failed = (tls_row is not None and tls_row.outcome is Outcome.FAILED
                      and tls_row.failure is DataFailure.TLS_FAILED)
    if (tls_failures and len(tls_failures) == len(data_failures) and not (passive_ok or active_ok)) \
            or (tls_row_failed and (passive_ok or active_ok) and not tls_used):
        detail = (tls_failures[0] if tls_failures else tls_row).detail  # type: ignore[union-attr]
        reuse = "522" in detail or "reuse" in detail.lower() or "resum" in detail.lower()
        cause = ("the server requires the data connection to resume the control "
                 "connection's TLS session (vsftpd require_ssl_reuse=YES, FileZilla "
                 "Server's 'Require TLS session resumption') and the session was not "
                 "resumed; a TLS problem, not a firewall" if reuse else
                 "the protection level of the data connection (PROT P / PROT C) does not "
                 "match what the server expects")
        return Verdict(
            "tls-data", "only TLS-protected data connections fail",
            f"login over TLS works and data connections open, but their TLS fails: {cause}. "
            f"Detail: {detail}",
            fixes=_table_lines(TLS_REUSE_FIXES, PROPOSED_RANGE, control_host or server_host)
            + ("check that no TLS-inspecting proxy sits between client and server",
               "the server must accept PROT P after PBSZ 0"))

    failed_rows = [a for a in data if a.outcome is Outcome.FAILED]
    if tls_row is not None and tls_row.outcome is Outcome.FAILED and tls_row.failure is not None:
        failed_rows.append(tls_row)  # a data connection failed (not the TLS login)
    if passive_ok and active_ok and failed_rows:
        listed = "; ".join(f"{a.probe.value}: {a.detail}" for a in failed_rows)
        return Verdict(
            "partly-working", "passive and active data connections work, but not every way",
            f"some ways of opening a data connection failed: {listed}. The ones that worked "
            "are in the rows above; the recommended settings use them.",
            recommended=_passive_recommendation(
                rows, PasvPolicy.AUTO if (rows.get(Probe.PASV_ADVERTISED) is None
                                          or rows[Probe.PASV_ADVERTISED].ok)
                else PasvPolicy.CONTROL, "passive mode with the methods that worked"))

    if passive_ok and active_ok:
        notes = []
        epsv = rows.get(Probe.EPSV)
        if epsv is not None and not epsv.ok:
            notes.append(f" EPSV did not work ({epsv.detail}); PASV did.")
        eprt = rows.get(Probe.EPRT)
        if eprt is not None and not eprt.ok:
            notes.append(f" EPRT did not work ({eprt.detail}); PORT did.")
        if tls_row is not None and tls_row.outcome is Outcome.FAILED:
            notes.append(f" The TLS probe did not reach a data connection: {tls_row.detail}")
        return Verdict(
            "healthy", "passive and active data connections both work",
            "every way of opening a data connection that was tried worked." + "".join(notes),
            recommended=_passive_recommendation(rows, PasvPolicy.AUTO,
                                                "passive mode (the default) works"))

    if active_ok and not passive_ok:
        tried_passive = _attempted(passive)
        if not tried_passive:
            return Verdict(
                "passive-disabled", "the server refuses passive mode",
                "PASV/EPSV were refused by the server itself; it is configured for active "
                "mode only (vsftpd pasv_enable=NO). Active mode works.",
                fixes=("vsftpd: pasv_enable=YES with a port range (see the lines below)",)
                + server_fixes(None, None, control_host or server_host),
                recommended=_active_recommendation(rows, "active mode works"))
        ports = sorted(set(_ports_seen(attempts)) | {p.port for p in passive_ports})
        seen = f" (the server offered port(s) {port_list(ports)})" if ports else ""
        failures = sorted({a.failure.value for a in tried_passive if a.failure})
        return Verdict(
            "passive-blocked", "the server's passive port range is not open or not forwarded",
            f"passive data connections fail ({', '.join(failures) or 'failed'}){seen} while "
            "active ones work: a firewall in front of the server drops or rejects "
            "connections to its passive ports, or the NAT router does not forward them. "
            "Give the server a fixed passive range and open exactly that range."
            + _internal_address_note(attempts, control_host, tls_used),
            fixes=server_fixes(None, None, control_host or server_host),
            firewall=_range_firewall_text(ports, "to the server, and forward it on the NAT "
                                                 "router in front of it"),
            recommended=_active_recommendation(
                rows, "active mode works until the passive range is opened"))

    if passive_ok and not active_ok:
        if active and all(a.detail.startswith(THROUGH_PROXY) for a in active):
            return Verdict(
                "passive-via-proxy", "passive data connections work through the proxy",
                "passive data connections were opened through the proxy and work. Active "
                "mode was not tried: the server would have to connect back to this "
                "computer, which a SOCKS or HTTP CONNECT proxy cannot carry.",
                recommended=_passive_recommendation(rows, PasvPolicy.AUTO,
                                                    "passive mode works through the proxy"))
        if not _attempted(active):
            return Verdict(
                "active-disabled", "the server refuses active mode",
                "PORT/EPRT were refused by the server itself (active mode disabled, or "
                "PORT to your address forbidden). Passive mode works.",
                recommended=_passive_recommendation(rows, PasvPolicy.AUTO,
                                                    "passive mode works"))
        return Verdict(
            "active-blocked", "the client side blocks inbound connections",
            "in active mode the server connects back to this machine, and that connection "
            "never arrives: a firewall on this machine or the NAT router in front of it "
            "drops inbound connections (or the server's outbound port 20 is filtered). "
            "Passive mode works: use it.",
            fixes=("use passive mode (the default)",)
            + _table_lines(ACTIVE_MODE_FIXES, ACTIVE_RANGE, control_host or server_host),
            firewall="allow inbound TCP from the server to the active port range on this machine",
            recommended=_passive_recommendation(rows, PasvPolicy.AUTO, "passive mode works"))

    through_proxy = bool(active) and all(a.detail.startswith(THROUGH_PROXY) for a in active)
    tried_passive = _attempted(passive)
    if through_proxy and not passive_ok and tried_passive \
            and not all(a.failure in _STALLS for a in tried_passive):
        return _passive_blocked_via_proxy(tried_passive, stat, _ports_seen(attempts),
                                          control_host or server_host)

    if data_failures and all(a.failure in _STALLS for a in data_failures):
        return Verdict(
            "data-stalls", "data connections open but no data flows",
            "every data connection was accepted and the server said 150, but no byte "
            "arrived before the timeout. Something between (a firewall or NAT helper "
            "inspecting FTP, an MTU black hole) or the server itself stops the data. "
            + ("A STAT listing over the control connection works."
               if stat is not None and stat.ok else ""),
            recommended=Recommendation(TransferMode.PASSIVE, PasvPolicy.AUTO,
                                       stat_listing_fallback=bool(stat and stat.ok),
                                       text="list over the control connection (STAT) "
                                            "until the data path is fixed"))
    if stat is not None and stat.ok:
        return Verdict(
            "data-blocked", "a firewall between you and the server blocks all data connections",
            "neither passive nor active data connections work, but the server answers a "
            "STAT listing over the control connection: the server itself is fine and "
            "something between blocks every data connection (both directions). Open the "
            "server's passive range end to end, or use STAT listings.",
            fixes=server_fixes(None, None, control_host or server_host),
            firewall=_range_firewall_text(_ports_seen(attempts), "from this machine to the "
                                          "server through every firewall between"),
            recommended=Recommendation(TransferMode.PASSIVE, PasvPolicy.AUTO,
                                       stat_listing_fallback=True,
                                       text="listings over the control connection (STAT); "
                                            "transfers need a data connection"))
    return Verdict(
        "inconclusive", "no data connection worked, and STAT is not available",
        "neither passive nor active data connections worked, and the server does not "
        "list over the control connection, so the cause cannot be placed; a firewall "
        "blocking data connections is the most common one. See the rows above.")


def _passive_blocked_via_proxy(failed: Sequence[Attempt], stat: Attempt | None,
                               ports: list[int], server_host: str) -> Verdict:
    """Every passive connection through the proxy failed, and active mode cannot go
    through one: no data connection works from here, whatever the other side allows."""
    failures = sorted({a.failure.value for a in failed if a.failure})
    seen = f" (the server offered port(s) {port_list(ports)})" if ports else ""
    stat_ok = stat is not None and stat.ok
    return Verdict(
        "passive-blocked", "the server's passive ports cannot be reached through the proxy",
        f"passive data connections through the proxy fail ({', '.join(failures) or 'failed'})"
        f"{seen}: {failed[0].detail}. Active mode cannot work through a proxy (the server "
        "would have to connect back to this computer), so no data connection works from "
        "here. The proxy reaches the server's control port but not its passive ports: a "
        "firewall in front of the server drops or rejects them, the NAT router does not "
        "forward them, or the proxy's rules forbid those ports."
        + (" A STAT listing over the control connection works." if stat_ok else ""),
        fixes=server_fixes(None, None, server_host),
        firewall=_range_firewall_text(ports, "to the server (from the proxy's address), and "
                                             "forward it on the NAT router in front of it"),
        recommended=Recommendation(TransferMode.PASSIVE, PasvPolicy.AUTO,
                                   stat_listing_fallback=True,
                                   text="listings over the control connection (STAT) until "
                                        "the passive range is opened") if stat_ok else None)
