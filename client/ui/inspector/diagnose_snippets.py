"""Copyable configuration for the Diagnose wizard's verdict page.

The verdict (:mod:`client.engine.diagnose_verdict`) says in prose which side blocks;
the person fixing the server wants the exact lines to paste into vsftpd.conf,
proftpd.conf, pure-ftpd's configuration and the firewall. This module turns a
:class:`~client.engine.diagnose_model.Diagnosis` into those blocks of text, one
:class:`Snippet` per program, without Qt, so the text is tested on its own and could be
printed by any front end.

The passive range offered (50000-50100) is the one the verdict's firewall sentence names,
so the server lines and the firewall rule always agree. The public address is the host
this site connects to: that is, by definition, the address clients reach the server at.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from client.engine.diagnose_model import Diagnosis

__all__ = ["Snippet", "snippets_for", "PASSIVE_RANGE", "ACTIVE_RANGE"]

#: The passive port range the snippets configure (the verdict's firewall text uses it).
PASSIVE_RANGE = (50000, 50100)
#: The local range suggested for active mode (``--active-ports``).
ACTIVE_RANGE = (50000, 50100)


@dataclass(frozen=True)
class Snippet:
    """One block of configuration: ``title`` names the program and file, ``text`` is
    pasted as is (comments start with ``#``)."""

    key: str  # vsftpd, proftpd, pure-ftpd, firewall, client
    title: str
    text: str


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _address_comment(host: str) -> str:
    return f"# {host} is the address this site connects to, i.e. the one clients use"


def _vsftpd(host: str, *, ports: bool, address: bool) -> Snippet:
    lo, hi = PASSIVE_RANGE
    lines = ["# /etc/vsftpd.conf  (then: systemctl restart vsftpd)"]
    if ports:
        lines += ["pasv_enable=YES", f"pasv_min_port={lo}", f"pasv_max_port={hi}"]
    if address:
        lines.append(_address_comment(host))
        lines.append(f"pasv_address={host.strip('[]')}")
        if not _is_ip(host):
            lines.append("pasv_addr_resolve=YES")
    return Snippet("vsftpd", "vsftpd", "\n".join(lines))


def _proftpd(host: str, *, ports: bool, address: bool) -> Snippet:
    lo, hi = PASSIVE_RANGE
    lines = ["# /etc/proftpd/proftpd.conf  (then: systemctl restart proftpd)"]
    if ports:
        lines.append(f"PassivePorts {lo} {hi}")
    if address:
        lines.append(_address_comment(host))
        lines.append(f"MasqueradeAddress {host.strip('[]')}")
    return Snippet("proftpd", "ProFTPD", "\n".join(lines))


def _pureftpd(host: str, *, ports: bool, address: bool) -> Snippet:
    lo, hi = PASSIVE_RANGE
    lines = ["# pure-ftpd.conf, or one file per setting under /etc/pure-ftpd/conf/ (Debian)"]
    if ports:
        lines.append(f"PassivePortRange {lo} {hi}")
    if address:
        lines.append(_address_comment(host))
        lines.append(f"ForcePassiveIP {host.strip('[]')}")
    flags = []
    if ports:
        flags.append(f"-p {lo}:{hi}")
    if address:
        flags.append(f"-P {host.strip('[]')}")
    lines.append(f"# command line: pure-ftpd {' '.join(flags)}")
    return Snippet("pure-ftpd", "pure-ftpd", "\n".join(lines))


def _server_firewall(host: str, *, nat: bool) -> Snippet:
    lo, hi = PASSIVE_RANGE
    lines = [
        "# on the server (or the firewall in front of it): let the passive range in",
        f"nft add rule inet filter input tcp dport {{ 21, {lo}-{hi} }} accept",
        f"# or with iptables: iptables -A INPUT -p tcp -m multiport --dports 21,{lo}:{hi} -j ACCEPT",
        f"# or with ufw: ufw allow 21/tcp && ufw allow {lo}:{hi}/tcp",
    ]
    if nat:
        lines += [
            "# on the NAT router: forward the same range to the server's internal address",
            f"#   TCP {lo}-{hi} -> SERVER_INTERNAL_IP:{lo}-{hi} (and TCP 21)",
        ]
    return Snippet("firewall", "Firewall", "\n".join(lines))


def _client_firewall(host: str) -> Snippet:
    lo, hi = ACTIVE_RANGE
    source = host.strip("[]") if _is_ip(host) else "SERVER_IP"
    family = "ip6" if ":" in source else "ip"
    return Snippet("firewall", "Firewall (this machine)", "\n".join([
        "# only needed for active mode: let the server dial back into a fixed range",
        f"nft add rule inet filter input {family} saddr {source} tcp dport {lo}-{hi} accept",
        f"# or with iptables: iptables -A INPUT -p tcp -s {source} --dport {lo}:{hi} -j ACCEPT",
        "# behind a NAT router: forward the same range to this machine as well",
    ]))


def _client_options(host: str) -> Snippet:
    lo, hi = ACTIVE_RANGE
    return Snippet("client", "FTP Inspector (active mode settings)", "\n".join([
        "# site settings, or on the command line:",
        f"--mode active --active-ports {lo}-{hi} --active-address YOUR_PUBLIC_IP",
    ]))


def _tls_reuse() -> tuple[Snippet, ...]:
    return (
        Snippet("vsftpd", "vsftpd", "\n".join([
            "# /etc/vsftpd.conf: only if something between client and server cannot",
            "# resume TLS sessions (weakens the protection against data hijacking)",
            "require_ssl_reuse=NO",
            "# and make sure protected data connections are allowed:",
            "force_local_data_ssl=YES",
        ])),
        Snippet("proftpd", "ProFTPD", "\n".join([
            "# /etc/proftpd/tls.conf: only if a client cannot resume TLS sessions",
            "TLSOptions NoSessionReuseRequired",
        ])),
    )


def snippets_for(diagnosis: Diagnosis, host: str | None = None) -> tuple[Snippet, ...]:
    """The blocks that fix what ``diagnosis.verdict`` found; empty when nothing needs
    fixing (healthy) or no configuration line would help (stalls, inconclusive).
    ``host`` is the address clients use (default: the diagnosed server's host)."""
    host = host or diagnosis.server.rsplit(":", 1)[0] or "PUBLIC_IP"
    key = diagnosis.verdict.key
    if key in ("passive-blocked", "passive-disabled", "data-blocked", "nat-not-configured"):
        # a fixed range and the announced address go together: behind NAT both are
        # needed, and the firewall rule must name the same range
        return (_vsftpd(host, ports=True, address=True),
                _proftpd(host, ports=True, address=True),
                _pureftpd(host, ports=True, address=True),
                _server_firewall(host, nat=True))
    if key in ("active-blocked", "active-disabled"):
        return (_client_firewall(host), _client_options(host))
    if key == "tls-data":
        return _tls_reuse()
    return ()
