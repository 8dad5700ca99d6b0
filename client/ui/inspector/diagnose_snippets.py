"""Copyable configuration for the Diagnose wizard's verdict page.

The verdict (:mod:`client.engine.diagnose.verdict`) says in prose which side blocks;
the person fixing the server wants the exact lines to paste into vsftpd.conf,
proftpd.conf, pure-ftpd's configuration and the firewall. This module turns a
:class:`~client.engine.diagnose.model.Diagnosis` into those blocks of text, one
:class:`Snippet` per program, without Qt. The server-side blocks are rendered from the
table the command line's fixes come from (:mod:`client.engine.diagnose.fixes`).

The passive range offered (50000-50100) is the one the verdict's firewall sentence names,
so the server lines and the firewall rule always agree. The public address is the host
this site connects to: that is, by definition, the address clients reach the server at.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from client.engine.diagnose.fixes import PROPOSED_RANGE, SERVER_FIXES, fix_block
from client.engine.diagnose.model import Diagnosis

__all__ = ["Snippet", "snippets_for", "PASSIVE_RANGE", "ACTIVE_RANGE"]

#: The passive port range the snippets configure (the verdict's firewall text uses it).
PASSIVE_RANGE = PROPOSED_RANGE
#: The local range suggested for active mode (``--active-ports``).
ACTIVE_RANGE = (50000, 50100)


@dataclass(frozen=True)
class Snippet:
    """One block of configuration: ``title`` names the program and file, ``text`` is
    pasted as is (comments start with ``#``)."""

    key: str  # vsftpd, proftpd, pure-ftpd, filezilla-server, iis, firewall, client
    title: str
    text: str


def _server_side(host: str, rng: tuple[int, int]) -> tuple[Snippet, ...]:
    """One block per program of the shared table (the command line prints the same
    settings, one line each)."""
    low, high = rng
    return tuple(Snippet(fix.key, fix.title, fix_block(fix, low, high, host))
                 for fix in SERVER_FIXES)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _client_firewall(host: str) -> Snippet:
    lo, hi = ACTIVE_RANGE
    address = host.strip("[]")
    source = address if _is_ip(address) else "SERVER_IP"
    family = "ip6" if ":" in source else "ip"
    return Snippet("firewall", "Firewall (this machine)", "\n".join([
        "# only for active mode: let the server dial back",
        "# into a fixed range; one of:",
        f"nft add rule inet filter input {family} saddr {source} \\",
        f"    tcp dport {lo}-{hi} accept",
        f"iptables -A INPUT -p tcp -s {source} \\",
        f"    --dport {lo}:{hi} -j ACCEPT",
        "# behind a NAT router: forward the range here too",
    ]))


def _client_options() -> Snippet:
    lo, hi = ACTIVE_RANGE
    return Snippet("client", "FTP Inspector (active mode)", "\n".join([
        "# command line (the site manager has the same):",
        "--mode active",
        f"--active-ports {lo}-{hi}",
        "--active-address YOUR_PUBLIC_IP",
    ]))


def _tls_reuse() -> tuple[Snippet, ...]:
    return (
        Snippet("vsftpd", "vsftpd", "\n".join([
            "# /etc/vsftpd.conf: only if something between",
            "# cannot resume TLS sessions (this weakens the",
            "# protection against stolen data connections)",
            "require_ssl_reuse=NO",
        ])),
        Snippet("proftpd", "ProFTPD", "\n".join([
            "# /etc/proftpd/tls.conf: only if a client",
            "# cannot resume TLS sessions",
            "TLSOptions NoSessionReuseRequired",
        ])),
        Snippet("filezilla-server", "FileZilla Server", "\n".join([
            "# its 425 'TLS session of data connection not",
            "# resumed': only if a client cannot resume,",
            "# Server > Configure > FTP and FTP over TLS:",
            "# uncheck 'Require TLS session resumption on",
            "# data connection when using PROT P'",
        ])),
    )


def _offered_span(diagnosis: Diagnosis) -> tuple[int, int]:
    ports = [probe.port for probe in diagnosis.passive_ports]
    return (min(ports), max(ports)) if ports else PASSIVE_RANGE


def snippets_for(diagnosis: Diagnosis, host: str | None = None) -> tuple[Snippet, ...]:
    """The blocks that fix what ``diagnosis.verdict`` found; empty when nothing needs
    fixing (healthy) or no configuration line would help (stalls, inconclusive).
    ``host`` is the address clients use (default: the diagnosed server's host)."""
    host = host or diagnosis.server.rsplit(":", 1)[0] or "PUBLIC_IP"
    key = diagnosis.verdict.key
    if key in ("passive-blocked", "passive-disabled", "data-blocked", "nat-not-configured",
               "passive-partial", "ftp-helper"):
        # a fixed range and the announced address go together: behind NAT both are
        # needed, and the firewall rule must name the same range (for a partly forwarded
        # range: the ports the server was seen to offer, as the verdict says)
        rng = _offered_span(diagnosis) if key == "passive-partial" else PASSIVE_RANGE
        return _server_side(host, rng)
    if key in ("active-blocked", "active-disabled"):
        return (_client_firewall(host), _client_options())
    if key == "tls-data":
        return _tls_reuse()
    return ()
