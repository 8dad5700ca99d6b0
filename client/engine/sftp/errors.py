"""Typed SFTP/SSH errors on the engine's error tree (so exit codes and the queue's
retry rules apply): host keys exit 5 like certificates; authentication exits 2 like a
refused login; an SFTP status is a refused command (exit 4)."""

from __future__ import annotations

from client.engine.errors import CommandFailedError, ConnectError, FtpError, LoginError
from client.protocol.sftp_status import status_info

__all__ = ["SshConnectError", "HostKeyError", "UnknownHostKeyError", "ChangedHostKeyError", "SshAuthError",
           "SftpStatusError", "FTP_EQUIVALENT", "connect_failure"]


class SshConnectError(ConnectError):
    """The SSH connection to ``host``:``port`` could not be opened (so a front end can
    speak of SSH and that port, not of FTP's control port)."""

    def __init__(self, message: str, *, host: str, port: int) -> None:
        super().__init__(message, step="connect")
        self.host = host
        self.port = port


class HostKeyError(FtpError):
    """The server's host key is not trusted; ``fingerprint`` is OpenSSH's ``SHA256:…``."""

    exit_code = 5

    def __init__(self, message: str, *, host: str, port: int, key_type: str,
                 fingerprint: str, openssh_key: str = "") -> None:
        super().__init__(message, step="host-key")
        self.host = host
        self.port = port
        self.key_type = key_type
        self.fingerprint = fingerprint
        self.openssh_key = openssh_key


class UnknownHostKeyError(HostKeyError):
    """No known-hosts file knows the key: the user may trust it once or always."""


class ChangedHostKeyError(HostKeyError):
    """The host is known with another key of this type: always refused."""

    def __init__(self, message: str, *, host: str, port: int, key_type: str,
                 fingerprint: str, known_fingerprints: tuple[str, ...],
                 source: str | None) -> None:
        super().__init__(message, host=host, port=port, key_type=key_type,
                         fingerprint=fingerprint)
        self.known_fingerprints = known_fingerprints
        self.source = source


class SshAuthError(LoginError):
    """Every authentication method was refused; ``tried`` lists them in order
    (``publickey (~/.ssh/id_ed25519): rejected`` …)."""

    def __init__(self, message: str, *, tried: tuple[str, ...]) -> None:
        super().__init__(message, step="auth")
        self.tried = tried


#: SFTP status -> the FTP reply the queue's rules treat it like (permanent 550 unless
#: the server says the connection is gone).
FTP_EQUIVALENT = {2: 550, 3: 550, 4: 550, 5: 500, 6: 421, 7: 421, 8: 502, 11: 553,
                  14: 552, 15: 552}


class SftpStatusError(CommandFailedError):
    """The server answered a request with an error status. ``status`` is the SFTP code;
    ``reply_code`` the FTP reply class it is treated as (see :data:`FTP_EQUIVALENT`)."""

    def __init__(self, *, status: int, server_text: str, request: str, step: str) -> None:
        info = status_info(status)
        detail = f": {server_text}" if server_text and server_text != info.meaning else ""
        super().__init__(f"{request} failed with {info.name} ({info.meaning}){detail}",
                         reply_code=FTP_EQUIVALENT.get(status, 550), reply_text=server_text,
                         command=request, step=step)
        self.status = status
        self.status_name = info.name
        self.meaning = info.meaning


def connect_failure(exc: BaseException, host: str) -> str:
    """Why the TCP/SSH connection could not be opened, in the words the FTP side uses
    (asyncio's "[Errno 111] Connect call failed ('127.0.0.1', 22)" told a person little)."""
    if isinstance(exc, ConnectionRefusedError):
        return f"the host {host} answered the SYN with a TCP reset (nothing listens there)"
    if isinstance(exc, TimeoutError):
        return "no answer in time (a firewall may drop the connection, or the host is down)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__
