"""The words for what the TCP stack reported (client.engine.tcpstack): a data connect
that failed becomes a :class:`DataFailure` and a sentence naming the SYNs sent, the
router that answered with ICMP, or the host that reset the connection."""

from __future__ import annotations

from client.engine.events import DataFailure, TcpFinding
from client.engine.tcpstack import ConnectFailed

__all__ = ["connect_failure"]


def connect_failure(failed: ConnectFailed, host: str, port: int,
                    timeout: float) -> tuple[DataFailure, str]:
    """The failure class and message of a data connect that did not complete."""
    evidence = failed.evidence
    if failed.finding is TcpFinding.SYN_UNANSWERED:
        return DataFailure.CONNECT_TIMEOUT, (
            f"no answer to the connection attempt to {host}:{port} within {timeout:g} s "
            f"({evidence.summary}): typically a firewall dropping connections to the "
            "passive port range, or an address nobody answers at")
    if failed.finding is TcpFinding.ICMP_ERROR:
        return DataFailure.REFUSED, (
            f"connection to {host}:{port} refused: {evidence.icmp_text} by "
            f"{evidence.icmp_from} (an ICMP error from that router or firewall, not from "
            "the server)")
    return DataFailure.REFUSED, (
        f"connection to {host}:{port} refused: {host} answered with a TCP reset (nothing "
        "listens on that port, or a firewall in front of it rejects with a reset)")
