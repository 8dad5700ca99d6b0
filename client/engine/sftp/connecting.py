"""Opening the SSH connection an :class:`~client.engine.sftp.session.SftpSession` runs
on: asyncssh's options (ciphers, host key algorithms, keepalive, a proxy's tunnel or a
given socket) and every way the connect can fail, turned into the engine's typed errors
with what a person needs to act (not SSH at all, host key, login refused, no route).

The session keeps its state (keys read, the handshake, the SFTP client); this module
only dials and translates, so the façade stays about operations.
"""

from __future__ import annotations

import inspect
from typing import Any

import asyncssh

from client.engine.proxy.ssh import ssh_tunnel
from client.engine.sftp.errors import SshAuthError, SshConnectError, connect_failure
from client.engine.sftp.handshake import Handshake, preferred_host_key_algs
from client.engine.sftp.hostkey_errors import host_key_error
from client.engine.sftp.not_ssh import (
    OtherService,
    first_line_at,
    not_ssh_reason,
    unless_other_service,
)
from client.engine.sftp.settings import SftpSettings

__all__ = ["open_ssh_connection", "CIPHERS"]

#: Faster ciphers first: AES-GCM runs on the CPU's AES instructions through OpenSSL;
#: asyncssh's ChaCha20-Poly1305 costs more per packet. All of OpenSSH's defaults remain.
CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
           "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr")


async def _options(settings: SftpSettings, handshake: Handshake,
                   known_types: tuple[str, ...]) -> dict[str, Any]:
    """asyncssh's connect options; with a proxy, its tunnel is opened here (a
    ProxyFailedError names its hop and is raised as is)."""
    options: dict[str, Any] = {
        "username": settings.user or None, "known_hosts": asyncssh.import_known_hosts(""),
        "client_keys": None, "agent_path": None, "password": None, "config": None,
        "client_factory": lambda: handshake, "connect_timeout": settings.connect_timeout,
        "encryption_algs": list(CIPHERS), "gss_auth": False, "gss_kex": False,
        "preferred_auth": ("publickey", "keyboard-interactive", "password"),
    }
    host_key_algs = preferred_host_key_algs(known_types)
    if host_key_algs:
        options["server_host_key_algs"] = host_key_algs
    if settings.keepalive_interval:
        options["keepalive_interval"] = settings.keepalive_interval
    if settings.proxy is not None:
        options["sock"] = await ssh_tunnel(settings.proxy, settings.host, settings.port,
                                           timeout=settings.connect_timeout,
                                           bus=handshake.bus, connection=handshake.connection)
    return options


async def open_ssh_connection(settings: SftpSettings, handshake: Handshake,
                              known_types: tuple[str, ...] = ()
                              ) -> asyncssh.SSHClientConnection:
    """Connect and log in with ``handshake`` as asyncssh's client; raises
    :class:`SshConnectError`, :class:`SshAuthError` (with what was tried) or the host
    key's error."""
    options = await _options(settings, handshake, known_types)
    try:
        if settings.sock is not None and settings.proxy is None:
            sock = settings.sock()
            options["sock"] = await sock if inspect.isawaitable(sock) else sock
        connecting = asyncssh.connect(settings.host, settings.port, **options)
        return await (connecting if "sock" in options else unless_other_service(
            connecting, handshake, settings.host, settings.port))
    except OtherService as other:
        raise SshConnectError(
            f"could not open an SSH connection to {settings.target}: "
            f"{not_ssh_reason(settings.host, settings.port, other.said, 0)}",
            host=settings.host, port=settings.port) from None
    except asyncssh.HostKeyNotVerifiable as exc:
        raise host_key_error(settings, handshake) from exc
    except asyncssh.PermissionDenied:
        handshake.auth_failed()
        tried = "; ".join(handshake.tried) or "no method could be offered (no password, "\
            "no key file, no agent key)"
        raise SshAuthError(f"{settings.target} refused the login of "
                           f"{settings.user!r}; tried: {tried}",
                           tried=tuple(handshake.tried)) from None
    except (TimeoutError, OSError, asyncssh.Error) as exc:
        why = connect_failure(exc, settings.host)
        if handshake.tcp_connected and not handshake.server_version \
                and settings.proxy is None and settings.sock is None:
            said = await first_line_at(settings.host, settings.port)
            why = not_ssh_reason(settings.host, settings.port, said,
                                 settings.connect_timeout)
        raise SshConnectError(f"could not open an SSH connection to {settings.target}: "
                              f"{why}", host=settings.host, port=settings.port) from None
