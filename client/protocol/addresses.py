"""Data-connection address codecs and the 227 address policy.

Decodes and encodes PASV/227, EPSV/229 (RFC 2428), PORT and EPRT (RFC 2428), classifies
addresses, and decides whether an address a server advertised in 227 should be replaced
by the control connection's peer (the defence against NAT mistakes and PASV steering,
cf. CVE-2020-8284).

CONTRACT (implemented in this module; other modules rely on these names):

- ``DataAddress`` (frozen dataclass): ``method`` ("PASV"|"EPSV"|"PORT"|"EPRT"),
  ``host`` (str | None — None for 229, whose host is the control peer), ``port`` (int),
  ``family`` (4 | 6 | None), ``p1``/``p2`` (int | None, set for 227 and PORT),
  property ``arithmetic`` -> ``"195*256+80 = 50000"`` or ``None``.
- ``parse_227(text) -> DataAddress``; ``parse_229(text) -> DataAddress``;
  ``parse_port_argument(arg) -> DataAddress``; ``parse_eprt_argument(arg) -> DataAddress``;
  all raise ``AddressFormatError`` on bad input.
- ``format_port_argument(host, port) -> str`` ("h1,h2,h3,h4,p1,p2");
  ``format_eprt_argument(host, port) -> str`` ("|1|host|port|" / "|2|host|port|");
  ``format_227(host, port) -> str`` (full reply line);
  ``format_229(port) -> str`` (full reply line).
- ``AddressClass`` (Enum) and ``classify(host) -> AddressClass``.
- ``PasvPolicy`` (Enum: AUTO, CONTROL, ADVERTISED) and
  ``decide_pasv_address(advertised, control_peer, policy) -> PasvDecision`` where
  ``PasvDecision`` has ``host`` (what to dial), ``replaced`` (bool), ``reason`` (str).
"""

from __future__ import annotations

import enum


class PasvPolicy(enum.Enum):
    """What to dial after a 227: AUTO replaces unroutable/unspecified/foreign-class
    addresses with the control peer; CONTROL always dials the control peer (curl's
    default since CVE-2020-8284); ADVERTISED trusts the server."""

    AUTO = "auto"
    CONTROL = "control"
    ADVERTISED = "advertised"
