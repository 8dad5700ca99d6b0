"""The settings of one SFTP connection, and how it treats a host key it does not know.

Frozen like :class:`client.engine.settings.ConnectionSettings`; the password and key
passphrase never appear in ``repr`` (so not in logs or tracebacks either).
"""

from __future__ import annotations

import dataclasses
import enum
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from client.engine.proxy.settings import ProxySettings

__all__ = ["HostKeyPolicy", "SftpSettings", "SocketFactory"]

#: Returns (or returns an awaitable of) an already connected socket to the SSH server
#: (a proxy's tunnel, for instance); the session then speaks SSH over it instead of
#: dialling host:port. The host and port still name the server for the host-key check.
SocketFactory = Callable[[], "socket.socket | Awaitable[socket.socket]"]


class HostKeyPolicy(enum.Enum):
    """What to do with a host key that is neither trusted nor changed.

    STRICT refuses it (:class:`~client.engine.sftp.errors.UnknownHostKeyError` carries
    its fingerprint, so a front end can ask and connect again); ASK awaits the session's
    ``ask_host_key`` callback (trust once / always / refuse); ACCEPT_NEW trusts it and
    stores it (``--accept-new-host-key``). A CHANGED key is refused under every policy.
    """

    STRICT = "strict"
    ASK = "ask"
    ACCEPT_NEW = "accept-new"


@dataclass(frozen=True)
class SftpSettings:
    """Everything needed to open one SFTP connection.

    ``key_files`` are private-key files tried in order (``--identity``); ``use_agent``
    also offers the keys of the SSH agent at ``SSH_AUTH_SOCK`` when it is set.
    ``trusted_fingerprint`` is a host key the user has trusted for this connection only
    (``SHA256:…``, "trust once"). ``sock`` connects through something else (a proxy).
    """

    host: str
    port: int = 22
    user: str = ""
    password: str | None = field(default=None, repr=False)
    key_files: tuple[str, ...] = ()
    key_passphrase: str | None = field(default=None, repr=False)
    #: (key file, passphrase) asked of the person for this connection only
    key_passphrases: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    use_agent: bool = True
    host_key_policy: HostKeyPolicy = HostKeyPolicy.STRICT
    trusted_fingerprint: str | None = None
    connect_timeout: float = 20.0
    request_timeout: float = 60.0  # one SFTP request without an answer
    keepalive_interval: float | None = None
    block_size: int = 0  # bytes per READ/WRITE request; 0: the most the server takes
    max_requests: int = 64  # READ/WRITE requests in flight at once
    encoding: str = "utf-8"
    sock: SocketFactory | None = field(default=None, repr=False, compare=False)
    # SOCKS5/SOCKS4a/HTTP CONNECT carries the SSH connection; an FTP proxy cannot
    proxy: ProxySettings | None = None

    def replace(self, **changes: object) -> SftpSettings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def target(self) -> str:
        """``host:port`` as shown to a user (``[v6]:port`` for IPv6)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"
