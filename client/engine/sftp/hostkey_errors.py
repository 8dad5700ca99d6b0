"""The error a refused host key becomes: a CHANGED key's warning (never accepted) or an
unknown key's question, with the fingerprints a person compares."""

from __future__ import annotations

from client.engine.errors import ConnectError, FtpError
from client.engine.sftp.errors import ChangedHostKeyError, UnknownHostKeyError
from client.engine.sftp.handshake import Handshake
from client.engine.sftp.hostkeys import HostKeyState
from client.engine.sftp.settings import SftpSettings

__all__ = ["host_key_error"]


def host_key_error(settings: SftpSettings, handshake: Handshake) -> FtpError:
    """The error for a host key ``handshake`` refused: changed (always refused) or
    unknown (a front end may ask and connect again)."""
    key, verdict = handshake.host_key, handshake.verdict
    if key is None or verdict is None:
        return ConnectError(f"{settings.target}: the host key could not be checked",
                            step="host-key")
    target = settings.target
    if verdict.state is HostKeyState.CHANGED:
        known = ", ".join(verdict.known_fingerprints) or "?"
        why = verdict.note or (f"the known key is {known}, from {verdict.source}")
        return ChangedHostKeyError(
            f"THE HOST KEY OF {target} HAS CHANGED: it sent {key.algorithm} "
            f"{key.fingerprint}, but {why}. Someone may be intercepting the connection "
            "(or the server was reinstalled). Refused; if the change is expected, "
            f"remove the old key from {verdict.source or 'the known hosts'} first.",
            host=settings.host, port=settings.port, key_type=key.algorithm,
            fingerprint=key.fingerprint, known_fingerprints=verdict.known_fingerprints,
            source=verdict.source)
    note = f" ({verdict.note})" if verdict.note else ""
    return UnknownHostKeyError(
        f"the host key of {target} is not known{note}: {key.algorithm} "
        f"{key.fingerprint}. Check it with the server's administrator before trusting it.",
        host=settings.host, port=settings.port, key_type=key.algorithm,
        fingerprint=key.fingerprint, openssh_key=key.openssh)
