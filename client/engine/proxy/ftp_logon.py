"""Logging in through an FTP proxy: the three classic logon types, in the order
FileZilla sends them.

The client connects to the proxy as if it were the FTP server and reads the proxy's
greeting; then, when a proxy user is set, ``USER proxyuser`` / ``PASS proxypassword``,
and:

- ``USER user@host``: ``USER user@host[:port]``, ``PASS password``;
- ``SITE host``: ``SITE host[:port]``, ``USER user``, ``PASS password``;
- ``OPEN host``: ``OPEN host[:port]``, ``USER user``, ``PASS password``.

The port is added only when it is not 21. Every command goes through the control
connection, so the console shows each one (passwords redacted as always).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from client.engine.events import ProxyHop
from client.engine.proxy.settings import ProxyKind, ProxySettings
from client.protocol.commands import Command

__all__ = ["LogonRole", "LogonStep", "logon_steps", "target_text"]


class LogonRole(enum.Enum):
    """What a step of the sequence is for: which leg its refusal blames."""

    PROXY_LOGIN = "proxy-login"  # the proxy's own user and password
    SELECT_HOST = "select-host"  # SITE/OPEN host: the proxy dials the server
    USER = "user"  # USER (for USER user@host also the proxy's dial)
    PASS = "pass"


@dataclass(frozen=True)
class LogonStep:
    command: Command
    role: LogonRole
    step: str  # the step name errors carry ("proxy-user", "site", "user", …)

    @property
    def blames(self) -> ProxyHop | None:
        """The leg a refusal of this step names (None: the server refused the login)."""
        if self.role is LogonRole.PROXY_LOGIN:
            return ProxyHop.CLIENT_PROXY
        if self.role is LogonRole.SELECT_HOST:
            return ProxyHop.PROXY_SERVER
        return None


def target_text(host: str, port: int) -> str:
    """``host`` or ``host:port`` as the proxy expects it (port only when not 21)."""
    return host if port == 21 else f"{host}:{port}"


def logon_steps(proxy: ProxySettings, host: str, port: int, user: str,
                password: str) -> list[LogonStep]:
    """The commands to send after the proxy's greeting, in order."""
    if proxy.kind.is_tunnel:
        raise ValueError(f"{proxy.kind.label} is not an FTP proxy")
    target = target_text(host, port)
    steps: list[LogonStep] = []
    if proxy.user:
        steps.append(LogonStep(Command.user(proxy.user), LogonRole.PROXY_LOGIN, "proxy-user"))
        steps.append(LogonStep(Command.password(proxy.password or ""), LogonRole.PROXY_LOGIN,
                               "proxy-pass"))
    if proxy.kind is ProxyKind.FTP_SITE:
        steps.append(LogonStep(Command("SITE", target), LogonRole.SELECT_HOST, "proxy-site"))
    elif proxy.kind is ProxyKind.FTP_OPEN:
        steps.append(LogonStep(Command("OPEN", target), LogonRole.SELECT_HOST, "proxy-open"))
    login_user = f"{user}@{target}" if proxy.kind is ProxyKind.FTP_USER else user
    steps.append(LogonStep(Command.user(login_user), LogonRole.USER, "user"))
    steps.append(LogonStep(Command.password(password), LogonRole.PASS, "pass"))
    return steps
