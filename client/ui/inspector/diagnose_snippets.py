"""Copyable configuration for the Diagnose wizard's verdict page.

The verdict (:mod:`client.engine.diagnose.verdict`) says in prose which side blocks;
the person fixing the server wants the exact lines to paste into vsftpd.conf,
proftpd.conf, pure-ftpd's configuration and the firewall. This module turns a
:class:`~client.engine.diagnose.model.Diagnosis` into those blocks of text, one
:class:`Snippet` per program, without Qt. The server-side blocks are rendered from the
tables the command line's fixes come from (:mod:`client.engine.diagnose.fixes`): the
server side of a passive range, TLS session reuse, and this machine's side of active mode.

The passive range offered (50000-50100) is the one the verdict's firewall sentence names,
so the server lines and the firewall rule always agree. The public address is the host
this site connects to: that is, by definition, the address clients reach the server at.
"""

from __future__ import annotations

from dataclasses import dataclass

from client.engine.diagnose.fixes import (
    ACTIVE_MODE_FIXES,
    ACTIVE_RANGE,
    PROPOSED_RANGE,
    SERVER_FIXES,
    TLS_REUSE_FIXES,
    ServerFix,
    fix_block,
)
from client.engine.diagnose.model import Diagnosis

__all__ = ["Snippet", "snippets_for", "PASSIVE_RANGE", "ACTIVE_RANGE"]

#: The passive port range the snippets configure (the verdict's firewall text uses it).
PASSIVE_RANGE = PROPOSED_RANGE


@dataclass(frozen=True)
class Snippet:
    """One block of configuration: ``title`` names the program and file, ``text`` is
    pasted as is (comments start with ``#``)."""

    key: str  # vsftpd, proftpd, pure-ftpd, filezilla-server, iis, firewall, client
    title: str
    text: str


def _blocks(table: tuple[ServerFix, ...], host: str,
            rng: tuple[int, int]) -> tuple[Snippet, ...]:
    """One block per program of a shared table (the command line prints the same
    settings, one line each)."""
    low, high = rng
    return tuple(Snippet(fix.key, fix.title, fix_block(fix, low, high, host)) for fix in table)


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
        return _blocks(SERVER_FIXES, host, rng)
    if key == "active-blocked":  # refused by the server itself: no local rule helps
        return _blocks(ACTIVE_MODE_FIXES, host, ACTIVE_RANGE)
    if key == "tls-data":
        return _blocks(TLS_REUSE_FIXES, host, PASSIVE_RANGE)
    return ()
