"""Typed engine errors. Each carries what a user needs to act, and the CLI exit code.

Exit codes (the CLI contract): 1 usage or local error, 2 could not connect or log in,
3 data channel failed, 4 the server refused a command, 5 TLS or certificate failure,
6 the target of a transfer exists and nothing said what to do with it.
"""

from __future__ import annotations

from client.engine.events import DataFailure, DataPhase, Endpoint, ProxyHop, TcpEvidence

__all__ = [
    "FtpError",
    "LocalError",
    "SettingsError",
    "UnsafePathError",
    "TargetExistsError",
    "ConnectError",
    "ProxyFailedError",
    "ProxyModeError",
    "LoginError",
    "ConnectionLostError",
    "ControlTimeoutError",
    "ServerProtocolError",
    "CommandFailedError",
    "DataChannelError",
    "TlsError",
    "CertificateError",
    "TransferCancelled",
]


class FtpError(Exception):
    """Base of all engine errors. ``step`` names the protocol step that failed;
    ``reply_code`` is the server's reply that ended it, when one did (the one name for
    that fact on every error)."""

    exit_code = 1

    def __init__(self, message: str, *, step: str | None = None,
                 reply_code: int | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.reply_code = reply_code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class LocalError(FtpError):
    """A local problem: disk full, permission denied, file vanished."""

    exit_code = 1


class SettingsError(LocalError):
    """A setting cannot be used as given (``setting`` names it, e.g. ``active_address``);
    found before anything is sent that depends on it."""

    def __init__(self, message: str, *, setting: str, step: str | None = None) -> None:
        super().__init__(message, step=step)
        self.setting = setting


class UnsafePathError(LocalError):
    """A server-supplied name would write outside the destination (``..``, ``/abs``, ``C:\\``…)."""


class TargetExistsError(LocalError):
    """The file a transfer would write already exists and no policy (overwrite, skip,
    resume, rename) was chosen: nothing was written. ``path`` names it."""

    exit_code = 6

    def __init__(self, message: str, *, path: str, step: str | None = "exists") -> None:
        super().__init__(message, step=step)
        self.path = path


class ConnectError(FtpError):
    """The control connection could not be opened."""

    exit_code = 2


class ProxyFailedError(ConnectError):
    """A connection through a proxy failed. ``hop`` says which leg: the proxy itself
    (unreachable, refused, authentication failed) or the proxy's dial to the server;
    ``reply_code`` is the SOCKS reply code or the HTTP status, when the proxy sent one."""

    def __init__(self, message: str, *, hop: ProxyHop, proxy: str, target: str,
                 reply_code: int | None = None, step: str | None = "proxy") -> None:
        super().__init__(message, step=step, reply_code=reply_code)
        self.hop = hop
        self.proxy = proxy
        self.target = target


class ProxyModeError(SettingsError):
    """A setting that cannot work through the chosen proxy (active mode through a tunnel,
    an FTP proxy for SFTP, TLS through an FTP proxy), refused before anything is sent."""


class LoginError(FtpError):
    """USER/PASS/ACCT was refused."""

    exit_code = 2


class ConnectionLostError(FtpError):
    """The control connection closed (or the server sent 421) while we needed it."""

    exit_code = 2


class ControlTimeoutError(FtpError):
    """No reply on the control connection within the control timeout."""

    exit_code = 2


class ServerProtocolError(FtpError):
    """The server's bytes were not valid FTP (wraps :class:`client.protocol.errors.ProtocolError`).

    ``service`` names another protocol that answered instead ("SSH" for an
    ``SSH-2.0-…`` greeting), so a front end can offer the client for that protocol."""

    exit_code = 4

    def __init__(self, message: str, *, step: str | None = None,
                 reply_code: int | None = None, service: str | None = None) -> None:
        super().__init__(message, step=step, reply_code=reply_code)
        self.service = service


class CommandFailedError(FtpError):
    """The server answered a command with 4xx/5xx."""

    exit_code = 4

    reply_code: int

    def __init__(self, message: str, *, reply_code: int, reply_text: str, command: str,
                 step: str | None = None) -> None:
        super().__init__(message, step=step, reply_code=reply_code)
        self.reply_text = reply_text
        self.command = command


class NoMatchError(FtpError):
    """A pattern matched no name of the folder's listing: the server refused nothing,
    yet the command had nothing to do, which a script must see (exit code 4)."""

    exit_code = 4


class DataChannelError(FtpError):
    """A data connection failed; carries the phase it reached, the endpoints and the time."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        failure: DataFailure,
        phase: DataPhase,
        method: str | None = None,
        local: Endpoint | None = None,
        remote: Endpoint | None = None,
        elapsed: float = 0.0,
        step: str | None = None,
        reply_code: int | None = None,
        command: str | None = None,
        advertised: Endpoint | None = None,
        control_peer: str | None = None,
        tcp: TcpEvidence | None = None,
    ) -> None:
        super().__init__(message, step=step, reply_code=reply_code)
        #: the data command the connection served, as sent ("MLSD /pub"), when known
        self.command = command
        self.advertised = advertised
        self.control_peer = control_peer
        self.tcp = tcp
        #: the data connection ended normally but the final reply (226) never came
        self.final_reply_missing = False
        #: seconds the control connection had been silent when the data ended
        self.control_idle: float | None = None
        self.failure = failure
        self.phase = phase
        self.method = method
        self.local = local
        self.remote = remote
        self.elapsed = elapsed


class TlsError(FtpError):
    """TLS could not be established or was refused (e.g. 522 session reuse required)."""

    exit_code = 5


class CertificateError(TlsError):
    """The server certificate failed verification or does not match its pin."""

    def __init__(self, message: str, *, fingerprint_sha256: str | None = None,
                 expected_fingerprint: str | None = None, subject: str | None = None,
                 issuer: str | None = None, not_before: str | None = None,
                 not_after: str | None = None, verify_error: str | None = None,
                 step: str | None = None) -> None:
        super().__init__(message, step=step)
        self.fingerprint_sha256 = fingerprint_sha256
        self.expected_fingerprint = expected_fingerprint
        self.subject = subject
        self.issuer = issuer
        self.not_before = not_before
        self.not_after = not_after
        self.verify_error = verify_error


class TransferCancelled(FtpError):
    """The user cancelled; ABOR was sent and the partial file kept for resume."""

    exit_code = 1
