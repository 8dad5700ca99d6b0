"""The socket an SSH (SFTP) connection runs over when a proxy is set.

Only tunnels can carry SSH: SOCKS5, SOCKS4a and HTTP CONNECT relay bytes, while an FTP
proxy relays an FTP login and nothing else, so it is refused with the reason before
anything is dialled.
"""

from __future__ import annotations

import socket

from client.engine.errors import ProxyModeError
from client.engine.events import EventBus
from client.engine.proxy.settings import ProxySettings

__all__ = ["ssh_tunnel"]


async def ssh_tunnel(proxy: ProxySettings, host: str, port: int, *, timeout: float,
                     bus: EventBus, connection: str) -> socket.socket:
    """A socket connected to the SSH server through ``proxy`` (a tunnel)."""
    if not proxy.kind.is_tunnel:
        raise ProxyModeError(
            f"SFTP cannot go through an {proxy.kind.label}: an FTP proxy relays FTP "
            "logins only, not an SSH connection; use a SOCKS5, SOCKS4a or HTTP CONNECT "
            "proxy for SFTP (or no proxy)", setting="proxy", step="proxy")
    from client.engine.proxy.tunnel import open_tunnel  # python-socks: only when used

    return await open_tunnel(proxy, host, port, timeout=timeout, bus=bus,
                             connection=connection)
