"""Connection settings shared by the engine, the CLI, the site manager and the GUI.

Frozen so that a session's settings cannot change under a running transfer; use
:meth:`ConnectionSettings.replace` to derive the settings for the next connection (for
example after the user flips the Passive/Active toggle).
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from dataclasses import field

from client.engine.proxy.settings import ProxySettings
from client.protocol.pasv_policy import PasvPolicy
from client.protocol.text import escape_control
from client.protocol.values import value

__all__ = ["TransferMode", "CommandFamily", "TlsMode", "ConnectionSettings", "active_address_problem"]


class TransferMode(enum.Enum):
    """Who opens the data connection: the client (passive) or the server (active)."""

    PASSIVE = "passive"
    ACTIVE = "active"


class CommandFamily(enum.Enum):
    """Which commands set up data connections on an IPv4 control connection: CLASSIC
    sends PASV/PORT (RFC 959), as FileZilla, WinSCP, lftp and ftplib do, and its replies
    show the ``p1*256+p2`` arithmetic; EXTENDED sends EPSV/EPRT (RFC 2428). Over IPv6
    only the extended commands exist, whatever is chosen."""

    CLASSIC = "classic"
    EXTENDED = "extended"

    def command(self, mode: TransferMode) -> str:
        """The command sent on IPv4 in ``mode`` ("PASV", "EPRT", …)."""
        passive = mode is TransferMode.PASSIVE
        if self is CommandFamily.CLASSIC:
            return "PASV" if passive else "PORT"
        return "EPSV" if passive else "EPRT"


class TlsMode(enum.Enum):
    """AUTO: AUTH TLS when the server offers it (warn when not); EXPLICIT: AUTH TLS
    required (never send USER/PASS in clear); IMPLICIT: TLS from the first byte (port
    990); OFF: plain FTP."""

    AUTO = "auto"
    EXPLICIT = "explicit"
    IMPLICIT = "implicit"
    OFF = "off"


@value
class ConnectionSettings:
    """Everything needed to open and use one FTP control connection.

    ``password`` is excluded from ``repr`` so it cannot leak into logs or tracebacks.
    """

    host: str
    port: int = 21
    user: str = "anonymous"
    password: str | None = field(default=None, repr=False)
    account: str | None = field(default=None, repr=False)
    tls: TlsMode = TlsMode.AUTO
    mode: TransferMode = TransferMode.PASSIVE
    # EPSV/EPRT instead of PASV/PORT on IPv4 (IPv6 always uses them: see CommandFamily)
    use_epsv: bool = False
    # PASV when EPSV is refused or its port refuses the connection (off only for a
    # diagnosis row, which must try exactly one method)
    epsv_fallback: bool = True
    use_eprt: bool = False
    pasv_policy: PasvPolicy = PasvPolicy.AUTO
    active_address: str | None = None  # advertised in PORT/EPRT; default: control local address
    active_ports: tuple[int, int] | None = None  # listener port range; default: any free port
    connect_timeout: float = 20.0
    control_timeout: float = 20.0  # inactivity timeout waiting for a reply
    data_timeout: float = 20.0  # data connect / first byte / stall
    keepalive_interval: float | None = None  # NOOP while idle, seconds
    # TCP keep-alive on the control connection: probes after this many idle seconds
    # (and every as many), so a NAT that forgets idle connections keeps this one while
    # a long transfer leaves the control connection silent. None: off.
    tcp_keepalive: float | None = 15.0
    fallback: bool = False  # retry a failed data connection in the other mode
    stat_listing_fallback: bool = False  # last resort: list over the control connection
    list_hidden: bool = False  # LIST -a
    verify_certificates: bool = True
    ca_file: str | None = None
    pinned_fingerprints: frozenset[str] = frozenset()  # SHA-256, hex, lower case
    # charset of names: "auto" (UTF-8, another offered from the listings) or a name
    # such as "windows-1251" (client.protocol.charsets)
    encoding: str = "auto"
    # None: connect directly. A tunnel (SOCKS/HTTP CONNECT) carries the control and the
    # passive data connections; an FTP proxy is logged in to (client/engine/proxy).
    proxy: ProxySettings | None = None

    @property
    def tunnel(self) -> ProxySettings | None:
        """The proxy that carries every TCP connection, when it is a tunnel."""
        return self.proxy if self.proxy is not None and self.proxy.kind.is_tunnel else None

    def replace(self, **changes: object) -> ConnectionSettings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def commands(self) -> CommandFamily:
        """The family asked for in the current mode (what the mode switch shows)."""
        extended = self.use_eprt if self.mode is TransferMode.ACTIVE else self.use_epsv
        return CommandFamily.EXTENDED if extended else CommandFamily.CLASSIC

    def with_commands(self, family: CommandFamily) -> ConnectionSettings:
        """These settings asking for ``family`` in both modes."""
        extended = family is CommandFamily.EXTENDED
        return self.replace(use_epsv=extended, use_eprt=extended)

    @property
    def uses_tls(self) -> bool:
        return self.tls is not TlsMode.OFF


def active_address_problem(value: str) -> str | None:
    """Why ``value`` cannot be announced in PORT/EPRT, or None when it can.

    PORT and EPRT carry a numeric address (RFC 959, RFC 2428): a host name such as
    ``my-nat-box.example`` cannot be sent, and resolving it here would announce whatever
    this computer's resolver says, not necessarily what the server can reach. The CLI,
    the site manager and the engine use this one rule."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return (f"{escape_control(value)!r} is not an IPv4 or IPv6 address: PORT and EPRT "
                "carry a numeric address, not a host name; give the address the server "
                "can reach this computer at (behind NAT: the public one, e.g. 203.0.113.7), "
                "or leave it unset to announce the control connection's local address")
    return None
