"""The demo scenarios by name: what each one breaks and what a client should observe.

Kept apart from the pyftpdlib handlers so that front ends (the CLI's
``--list-scenarios``, the GUI's demo menu, the sample tree's README) can describe the
scenarios without importing the server machinery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Scenario", "SCENARIOS", "SCENARIO_DETAILS", "scenario_details"]


@dataclass(frozen=True)
class Scenario:
    """One demo scenario.

    ``summary`` is the one-line description; ``observe`` says what a client sees on the
    wire, so that a newcomer can match the inspector's picture to the cause.
    """

    name: str
    summary: str
    observe: str


_ALL = (
    Scenario(
        "healthy",
        "a well-behaved server: passive and active data connections both work",
        "EPSV/PASV and EPRT/PORT all lead to a listing and 226; downloads match their "
        "SHA-256.",
    ),
    Scenario(
        "passive-blocked",
        "passive data connections are silently dropped (SYN never answered); active works",
        "227/229 name a loopback port whose accept queue is full, so the client's SYN "
        "gets no SYN-ACK and its connect hangs until its own timeout, like a firewall "
        "that DROPs the passive port range. After the data command the server answers "
        "150 and later 425. PORT/EPRT work.",
    ),
    Scenario(
        "passive-refused",
        "passive data connections are refused (nothing listens on the advertised port)",
        "227/229 name a loopback port where nothing listens: the client's connect fails "
        "at once with 'connection refused' (a TCP RST). PORT/EPRT work.",
    ),
    Scenario(
        "nat-misconfigured",
        "EPSV refused and 227 advertises 192.0.2.10, an address that is never routed",
        "EPSV gets 500, so the client falls back to PASV, whose 227 names 192.0.2.10 "
        "(a documentation address) with the real port, as a server behind NAT that was "
        "told the wrong public address would. A client that replaces an unroutable "
        "227 address with the control connection's peer (127.0.0.1) succeeds; one that "
        "trusts the 227 address would hang. The server never dials anything.",
    ),
    Scenario(
        "active-blocked",
        "PORT/EPRT accepted but the server never connects back; passive works",
        "PORT/EPRT get 200, the data command gets 150, but no connection ever arrives "
        "at the client's listener (as when the client's firewall or NAT drops inbound "
        "connections); after a while the server gives up with 425.",
    ),
    Scenario(
        "slow",
        "data connections are throttled to 256 KiB/s in each direction",
        "Everything works, slowly: a good place to watch progress, rates and ETA.",
    ),
    Scenario(
        "stall",
        "listings and downloads stall: 150, data connection open, then no bytes ever",
        "LIST/NLST/MLSD/RETR get 125/150 and the data connection is accepted, but nothing "
        "is ever sent on it; only the client's stall timeout ends the wait. Uploads "
        "work.",
    ),
    Scenario(
        "tls",
        "explicit FTPS: AUTH TLS and PROT P required, data connections must reuse the "
        "TLS session",
        "USER before AUTH TLS gets 550; PASV/PORT before PROT P get 550. A data "
        "connection whose TLS handshake does not resume the control connection's "
        "session gets 522 (as vsftpd's require_ssl_reuse). The certificate is "
        "self-signed for 127.0.0.1/localhost and generated at start.",
    ),
)

SCENARIO_DETAILS: Mapping[str, Scenario] = MappingProxyType({s.name: s for s in _ALL})

# name -> one-line description, in presentation order.
SCENARIOS: Mapping[str, str] = MappingProxyType({s.name: s.summary for s in _ALL})


def scenario_details(name: str) -> Scenario:
    """The scenario called ``name``; ``ValueError`` naming the valid ones otherwise."""
    try:
        return SCENARIO_DETAILS[name]
    except KeyError:
        raise ValueError(
            f"unknown demo scenario {name!r}; expected one of: {', '.join(SCENARIOS)}"
        ) from None
