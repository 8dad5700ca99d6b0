"""The tables of configuration fixes a verdict names: the passive port range and the
address a server announces behind NAT (vsftpd, ProFTPD, pure-ftpd, FileZilla Server, IIS
and the server's firewall), TLS session reuse on data connections, and this machine's
side of active mode.

Both front ends render them: the command line's verdict as one line per program
(:func:`fix_line`), the window's Diagnose page as one block to paste per program
(:func:`fix_block`), so the settings they name cannot drift apart.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["ACTIVE_MODE_FIXES", "ACTIVE_RANGE", "PROPOSED_RANGE", "SERVER_FIXES", "ServerFix",
           "TLS_REUSE_FIXES", "address_line", "fix_block", "fix_line", "is_host_name"]


#: The passive range proposed when the server's own is not known (the verdict's firewall
#: sentence and the window's blocks name the same one).
PROPOSED_RANGE = (50000, 50100)
#: The local range proposed for active mode (``--active-ports``).
ACTIVE_RANGE = (50000, 50100)


@dataclass(frozen=True)
class ServerFix:
    """One program's settings. Lines are templates with ``{low}``, ``{high}`` (the port
    range), ``{address}`` (the address clients connect to), and for rules naming the
    server as a source ``{source}``, ``{family}`` (ip, ip6) and ``{iptables}``
    (iptables, ip6tables); a line starting with ``#`` is a remark, not a setting."""

    key: str  # vsftpd, proftpd, pure-ftpd, filezilla-server, iis, firewall, client
    title: str
    where: str  # where the settings are made
    lines: tuple[str, ...]
    address_lines: tuple[str, ...] = ()
    name_lines: tuple[str, ...] = ()  # only when the address is a host name
    after: tuple[str, ...] = ()  # what applies them, alternatives, the next step


SERVER_FIXES: tuple[ServerFix, ...] = (
    ServerFix("vsftpd", "vsftpd", "/etc/vsftpd.conf, then restart vsftpd",
              ("pasv_enable=YES", "pasv_min_port={low}", "pasv_max_port={high}"),
              ("pasv_address={address}",), ("pasv_addr_resolve=YES",)),
    ServerFix("proftpd", "ProFTPD", "/etc/proftpd/proftpd.conf, then restart",
              ("PassivePorts {low} {high}",), ("MasqueradeAddress {address}",)),
    ServerFix("pure-ftpd", "pure-ftpd",
              "pure-ftpd.conf (Debian: one file per setting in /etc/pure-ftpd/conf/)",
              ("PassivePortRange {low} {high}",), ("ForcePassiveIP {address}",),
              after=("# or: pure-ftpd -p {low}:{high} -P {address}",)),
    ServerFix("filezilla-server", "FileZilla Server",
              "Server > Configure > Server listeners > Passive mode settings",
              ("Use custom port range: {low} - {high}",),
              ("Use the following IP: {address}",),
              after=("# then forward the same range on the router",)),
    ServerFix("iis", "IIS FTP",
              "IIS Manager: server node > FTP Firewall Support: Data Channel Port Range "
              "and External IP Address of Firewall; or at a command prompt",
              ("appcmd set config /section:system.ftpServer/firewallSupport "
               "/lowDataChannelPort:{low} /highDataChannelPort:{high}",),
              ("appcmd set config -section:system.applicationHost/sites "
               "/siteDefaults.ftpServer.firewallSupport.externalIp4Address:{address} "
               "/commit:apphost",),
              after=("net stop ftpsvc && net start ftpsvc",)),
    ServerFix("firewall", "Firewall (server side)",
              "open port 21 and the passive range; one of",
              ("nft add rule inet filter input tcp dport {low}-{high} accept",
               "iptables -A INPUT -p tcp --dport {low}:{high} -j ACCEPT",
               "ufw allow {low}:{high}/tcp"),
              after=("# NAT router: forward TCP 21 and {low}-{high} to the server's "
                     "internal address",)),
)

_ONLY_IF_NO_RESUMPTION = ("# only if a client or a proxy between cannot resume TLS sessions: "
                          "this weakens the protection against stolen data connections",)

#: Servers that require a data connection to resume the control connection's TLS session.
TLS_REUSE_FIXES: tuple[ServerFix, ...] = (
    ServerFix("vsftpd", "vsftpd", "/etc/vsftpd.conf, then restart vsftpd",
              ("require_ssl_reuse=NO",), after=_ONLY_IF_NO_RESUMPTION),
    ServerFix("proftpd", "ProFTPD", "/etc/proftpd/tls.conf, then restart",
              ("TLSOptions NoSessionReuseRequired",), after=_ONLY_IF_NO_RESUMPTION),
    ServerFix("filezilla-server", "FileZilla Server", "Server > Configure > FTP and FTP over TLS",
              ("uncheck 'Require TLS session resumption on data connection when using PROT P'",),
              after=_ONLY_IF_NO_RESUMPTION),
    ServerFix("iis", "IIS FTP", "IIS Manager: the site's FTP SSL Settings",
              ("SSL Policy: Allow SSL connections, or Custom > Advanced > Data channel: Allow",),
              after=("# when the client protects the control connection only",)),
)

#: This machine's side of active mode: the server dials back into a fixed local range.
ACTIVE_MODE_FIXES: tuple[ServerFix, ...] = (
    ServerFix("firewall", "Firewall (this machine)",
              "only for active mode: let the server dial back into a fixed range; one of",
              ("nft add rule inet filter input {family} saddr {source} tcp dport {low}-{high} "
               "accept",
               "{iptables} -A INPUT -p tcp -s {source} --dport {low}:{high} -j ACCEPT"),
              after=("# behind a NAT router: forward the range to this machine too",)),
    ServerFix("client", "FTP Inspector (active mode)",
              "command line options (the site manager has the same)",
              ("--mode active", "--active-ports {low}-{high}", "--active-address YOUR_PUBLIC_IP")),
)


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def is_host_name(address: str) -> bool:
    """A name to resolve (``ftp.example.org``), not an IP address or a placeholder."""
    try:
        ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return "." in address
    return False


def _lines(fix: ServerFix, low: int, high: int, address: str) -> tuple[list[str], list[str],
                                                                          list[str]]:
    """(range lines, address lines, lines after), filled in."""
    address = address.strip("[]")
    source = address if _is_ip(address) else "SERVER_IP"
    six = ":" in source
    values = {"low": low, "high": high, "address": address, "source": source,
              "family": "ip6" if six else "ip", "iptables": "ip6tables" if six else "iptables"}
    named = list(fix.name_lines) if is_host_name(address) else []
    return ([line.format(**values) for line in fix.lines],
            [line.format(**values) for line in (*fix.address_lines, *named)],
            [line.format(**values) for line in fix.after])


def _plain(line: str) -> str:
    return line[2:] if line.startswith("# ") else line


def fix_line(fix: ServerFix, low: int, high: int, address: str, note: str = "") -> str:
    """One line for the command line: ``title (where): settings, and behind NAT …``."""
    ranges, addresses, after = _lines(fix, low, high, address)
    text = f"{fix.title} ({fix.where}): {', '.join(map(_plain, ranges))}{note}"
    if addresses:
        text += f", and behind NAT {', '.join(addresses)}"
    return text + "".join(f"; {_plain(line)}" for line in after)


def address_line(fix: ServerFix, address: str) -> str | None:
    """Only the announced address (a server whose range is fine); None when ``fix`` has
    no address setting."""
    _, addresses, _ = _lines(fix, 0, 0, address)
    return f"{fix.title} ({fix.where}): {', '.join(addresses)}" if addresses else None


def fix_block(fix: ServerFix, low: int, high: int, address: str) -> str:
    """The block to paste: where, then the settings, then what applies them."""
    ranges, addresses, after = _lines(fix, low, high, address)
    lines = [f"# {fix.where}", *ranges]
    if addresses:
        lines += ["# the address clients connect to:", *addresses]
    return "\n".join(lines + after)
