"""The transcript (JSON Lines) records of the SFTP events: one record per event, with
the event's fields and the same ``text`` the console shows (``-v``)."""

from __future__ import annotations

from collections.abc import Iterator

from client.engine.events import EngineEvent
from client.engine.sftp.events import (
    SftpRequest,
    SshAlgorithms,
    SshAuthAttempt,
    SshHostKeyChecked,
    SshVersionExchange,
)
from client.protocol.text import escape_control

__all__ = ["sftp_records"]


def sftp_records(event: EngineEvent, base: dict[str, object]) -> Iterator[dict[str, object]]:
    if isinstance(event, SshVersionExchange):
        yield {**base, "kind": "ssh-version",
               "client_version": escape_control(event.client_version),
               "server_version": escape_control(event.server_version),
               "text": f"{escape_control(event.client_version)} / "
                       f"{escape_control(event.server_version)}"}
    elif isinstance(event, SshAlgorithms):
        yield {**base, "kind": "ssh-algorithms", "kex": event.kex, "host_key": event.host_key,
               "cipher_cs": event.cipher_cs, "cipher_sc": event.cipher_sc,
               "mac_cs": event.mac_cs, "mac_sc": event.mac_sc,
               "compression_cs": event.compression_cs,
               "compression_sc": event.compression_sc,
               "text": f"key exchange {event.kex}, host key {event.host_key}, cipher "
                       f"{event.cipher_cs}/{event.cipher_sc}"}
    elif isinstance(event, SshHostKeyChecked):
        yield {**base, "kind": "ssh-host-key", "key_type": event.key_type,
               "fingerprint": event.fingerprint, "state": event.state.value,
               "decision": event.decision.value,
               "source": escape_control(event.source) if event.source else None,
               "known_fingerprints": list(event.known_fingerprints),
               "text": f"host key {event.key_type} {event.fingerprint}: "
                       f"{event.state.value}, {event.decision.value}"}
    elif isinstance(event, SshAuthAttempt):
        yield {**base, "kind": "ssh-auth", "method": event.method,
               "detail": escape_control(event.detail), "outcome": event.outcome.value,
               "reason": escape_control(event.reason) if event.reason else None,
               "text": f"auth {event.method} ({escape_control(event.detail)}): "
                       f"{event.outcome.value}"}
    elif isinstance(event, SftpRequest):
        yield {**base, "kind": "sftp", "request": event.request, "argument": event.argument,
               "result": escape_control(event.result), "status": event.status,
               "status_name": event.status_name, "meaning": event.meaning,
               "count": event.count, "bytes": event.bytes,
               "elapsed": round(event.elapsed, 6), "text": escape_control(event.text())}
