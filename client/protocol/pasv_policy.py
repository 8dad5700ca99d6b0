"""The passive-address policy alone: what the settings store (and the command line's
``--pasv-address`` names) without the address classification of
:mod:`client.protocol.address_policy`, so that reading the settings before a command
dials loads no more than this. :mod:`client.protocol.addresses` re-exports it."""

from __future__ import annotations

import enum

__all__ = ["PasvPolicy"]


class PasvPolicy(enum.Enum):
    """What to dial after a 227 naming another host than the control peer: AUTO dials the
    control peer and explains what the advertised address means; CONTROL dials the
    control peer quietly (curl's default since CVE-2020-8284); ADVERTISED trusts the
    server (a separate data host), except for addresses nobody can answer at."""

    AUTO = "auto"
    CONTROL = "control"
    ADVERTISED = "advertised"
