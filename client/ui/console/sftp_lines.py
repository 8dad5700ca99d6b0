"""SSH and SFTP events -> console lines (no Qt), annotated as FTP lines are.

What a person debugging an SFTP connection needs to see, in order: both identification
lines (RFC 4253 4.2), the algorithms the key exchange chose, the host key and the
known-hosts verdict, each authentication method tried (never a secret), then one line
per SFTP request with its answer; an error status is annotated with its name and what
it means (``STATUS 2 SSH_FX_NO_SUCH_FILE``: no file or folder by that name). The READ
and WRITE requests of a transfer arrive coalesced (count and bytes), and the line says
that they travel inside the SSH connection: SFTP has no data connection.
"""

from __future__ import annotations

from client.engine.events import EngineEvent
from client.engine.sftp.events import (
    AuthOutcome,
    HostKeyDecision,
    SftpRequest,
    SshAlgorithms,
    SshAuthAttempt,
    SshHostKeyChecked,
    SshVersionExchange,
)
from client.protocol.text import escape_control
from client.ui.console.lines import ConsoleKind, ConsoleLine

__all__ = ["sftp_lines", "software_of", "NO_DATA_CONNECTION_NOTE"]

NO_DATA_CONNECTION_NOTE = ("inside the SSH connection: SFTP opens no data connection, so "
                           "there is no passive/active mode and no port to forward")
_DECISIONS = {
    HostKeyDecision.ACCEPTED: ("info", "trusted: the key is in {source}"),
    HostKeyDecision.TRUSTED_ONCE: ("warning", "trusted once by you (not stored)"),
    HostKeyDecision.STORED: ("warning", "trusted by you and stored in {source}"),
    HostKeyDecision.REFUSED_UNKNOWN: ("error", "refused: no known-hosts file knows this "
                                               "key"),
    HostKeyDecision.ASKING: ("warning", "unknown: no known-hosts file knows this key; "
                                        "asking you whether to trust it"),
    HostKeyDecision.REFUSED_CHANGED: ("error", "REFUSED: the host is known with another "
                                               "key of this type ({source}); someone may "
                                               "be intercepting the connection"),
}


def software_of(identification: str) -> str:
    """``SSH-2.0-OpenSSH_9.2p1 Debian-2`` -> ``protocol 2.0, software OpenSSH_9.2p1
    Debian-2`` (RFC 4253 4.2: SSH-protoversion-softwareversion SP comments)."""
    parts = identification.split("-", 2)
    if len(parts) < 3 or parts[0] != "SSH":
        return "not an SSH identification line"
    return f"SSH protocol {parts[1]}, software {parts[2]}"


def _line(kind: ConsoleKind, text: str, base: dict[str, object],
          *annotations: tuple[str, str]) -> ConsoleLine:
    return ConsoleLine(kind, escape_control(text),
                       annotations=tuple((s, escape_control(a)) for s, a in annotations),
                       **base)  # type: ignore[arg-type]


def sftp_lines(event: EngineEvent, base: dict[str, object]) -> list[ConsoleLine] | None:
    """The lines for an SSH/SFTP event; None when ``event`` is not one."""
    if isinstance(event, SshVersionExchange):
        return [
            _line(ConsoleKind.COMMAND, event.client_version, base,
                  ("info", f"this client's identification: {software_of(event.client_version)}")),
            _line(ConsoleKind.REPLY, event.server_version, base,
                  ("info", f"the server's identification: {software_of(event.server_version)}")),
        ]
    if isinstance(event, SshAlgorithms):
        same = event.cipher_cs == event.cipher_sc and event.mac_cs == event.mac_sc
        cipher = (f"cipher {event.cipher_cs}" if same and event.cipher_cs == event.cipher_sc
                  else f"cipher {event.cipher_cs} / {event.cipher_sc}")
        mac = event.mac_cs if event.mac_cs == event.mac_sc else f"{event.mac_cs} / {event.mac_sc}"
        if not mac or mac == "none":
            mac = "none (the cipher authenticates)" if "gcm" in event.cipher_cs \
                or "poly1305" in event.cipher_cs else "none"
        compression = (event.compression_cs if event.compression_cs == event.compression_sc
                       else f"{event.compression_cs} / {event.compression_sc}")
        text = (f"Key exchange {event.kex}; host key {event.host_key}; {cipher}; MAC {mac}; "
                f"compression {compression}")
        return [_line(ConsoleKind.NOTE, text, base,
                      ("info", "negotiated algorithms (RFC 4253 7.1): the first of the "
                               "client's list that the server also offers"))]
    if isinstance(event, SshHostKeyChecked):
        severity, what = _DECISIONS.get(event.decision, ("info", event.decision.value))
        what = what.format(source=event.source or "the known-hosts file")
        kind = {"error": ConsoleKind.ERROR, "warning": ConsoleKind.WARNING}.get(
            severity, ConsoleKind.NOTE)
        text = f"Host key {event.key_type} {event.fingerprint}: {what}"
        notes = []
        if event.known_fingerprints and event.decision is HostKeyDecision.REFUSED_CHANGED:
            notes.append(("error", "known key(s): " + ", ".join(event.known_fingerprints)))
        return [_line(kind, text, base, *notes)]
    if isinstance(event, SshAuthAttempt):
        detail = f" ({event.detail})" if event.detail else ""
        sent = _line(ConsoleKind.COMMAND, f"USERAUTH {event.method}{detail}", base)
        if event.outcome is AuthOutcome.ACCEPTED:
            answer = _line(ConsoleKind.REPLY, f"{event.method}: accepted", base,
                           ("info", "USERAUTH_SUCCESS: logged in"))
        elif event.outcome is AuthOutcome.UNUSABLE:
            return [_line(ConsoleKind.WARNING, f"{event.method}{detail} not sent: "
                                               f"{event.reason or 'unusable'}", base)]
        else:
            answer = _line(ConsoleKind.WARNING, f"{event.method}: rejected", base,
                           ("warning", "USERAUTH_FAILURE: the server refused this method"
                            + (f" ({event.reason})" if event.reason else "")
                            + "; the next one is tried"))
        return [sent, answer]
    if isinstance(event, SftpRequest):
        return [_request_line(event, base)]
    return None


def _request_line(event: SftpRequest, base: dict[str, object]) -> ConsoleLine:
    annotations: list[tuple[str, str]] = []
    if event.failed:
        annotations.append(("error", f"STATUS {event.status} {event.status_name}: "
                                     f"{event.meaning}"))
        kind = ConsoleKind.ERROR
    else:
        kind = ConsoleKind.COMMAND
    if event.request in ("READ", "WRITE"):
        annotations.append(("info", f"{event.count} {event.request} request(s), "
                                    f"{event.bytes} bytes in {event.elapsed:.2f} s, "
                                    + NO_DATA_CONNECTION_NOTE))
    elif event.request == "INIT":
        annotations.append(("info", "the SFTP subsystem started on a channel of the SSH "
                                    "connection; every request below travels there"))
    return _line(kind, f"SFTP {event.text()}", base, *annotations)
