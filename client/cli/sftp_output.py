"""The ``-v`` lines of the SFTP events, and what an SFTP error adds on stderr."""

from __future__ import annotations

from client.engine.errors import FtpError
from client.engine.events import EngineEvent
from client.engine.sftp.errors import ChangedHostKeyError, HostKeyError, SshAuthError
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

__all__ = ["format_sftp_event", "sftp_error_lines", "HOST_KEY_KIND"]

HOST_KEY_KIND = "SSH host key not trusted"


def format_sftp_event(event: EngineEvent, stamp: str) -> list[tuple[str, str]] | None:
    """(style, text) lines like :func:`client.cli.output.format_verbose`; None when the
    event is not an SFTP one."""
    if isinstance(event, SshVersionExchange):
        return [(">", f"> {stamp} {escape_control(event.client_version)}"),
                ("<", f"< {stamp} {escape_control(event.server_version)}")]
    if isinstance(event, SshAlgorithms):
        return [("*", f"* {stamp} key exchange {event.kex}, host key {event.host_key}, "
                      f"cipher {event.cipher_cs}/{event.cipher_sc}, MAC "
                      f"{event.mac_cs}/{event.mac_sc}, compression "
                      f"{event.compression_cs}/{event.compression_sc}")]
    if isinstance(event, SshHostKeyChecked):
        bad = event.decision in (HostKeyDecision.REFUSED_CHANGED,
                                 HostKeyDecision.REFUSED_UNKNOWN)
        mark = "!" if bad else "*"
        where = f" ({escape_control(event.source)})" if event.source else ""
        return [(mark, f"{mark} {stamp} host key {event.key_type} {event.fingerprint}: "
                       f"{event.state.value}{where}, {event.decision.value}")]
    if isinstance(event, SshAuthAttempt):
        mark = "!" if event.outcome is not AuthOutcome.ACCEPTED else "*"
        why = f" — {escape_control(event.reason)}" if event.reason else ""
        return [(mark, f"{mark} {stamp} auth {event.method} "
                       f"({escape_control(event.detail)}): {event.outcome.value}{why}")]
    if isinstance(event, SftpRequest):
        mark = "!" if event.failed else ">"
        lines = [(mark, f"{mark} {stamp} {escape_control(event.text())}")]
        return lines
    return None


def sftp_error_lines(error: FtpError) -> list[str]:
    """Extra stderr lines for host-key and authentication failures."""
    if isinstance(error, ChangedHostKeyError):
        return [f"  server sent: {error.key_type} {error.fingerprint}",
                f"  known:       {', '.join(error.known_fingerprints) or '?'} "
                f"({escape_control(error.source or '?')})"]
    if isinstance(error, HostKeyError):
        return [f"  fingerprint: {error.key_type} {error.fingerprint}",
                "  if it is the server's key, run again with --accept-new-host-key "
                "to trust and store it"]
    if isinstance(error, SshAuthError):
        return [f"  tried: {escape_control(line)}" for line in error.tried] or [
            "  tried: nothing (no password, no key file, no SSH agent)"]
    return []
