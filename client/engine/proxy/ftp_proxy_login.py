"""Connect and log in through an FTP proxy (USER user@host, SITE host, OPEN host).

The proxy is dialled as if it were the server and greets like one; the logon sequence
of :mod:`client.engine.proxy.ftp_logon` tells it where to go. A refusal names the leg:
the proxy's own login (client → proxy) or the proxy's dial to the server (proxy →
server). The proxy shows in the inspector as a :class:`ProxyEvent` like a tunnel does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from client.engine.errors import ConnectError, ConnectionLostError, LoginError, ProxyFailedError
from client.engine.events import Endpoint, NoticeKind, ProxyEvent, ProxyHop, ProxyPhase
from client.engine.proxy.settings import ProxySettings
from client.engine.settings import ConnectionSettings, TlsMode
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["ftp_proxy_of", "reach_ftp_proxy", "log_in_through"]


def ftp_proxy_of(settings: ConnectionSettings) -> ProxySettings | None:
    """The FTP proxy the settings log in through, if any (not a tunnel)."""
    proxy = settings.proxy
    return proxy if proxy is not None and not proxy.kind.is_tunnel else None


def _emit(session: FtpSession, proxy: ProxySettings, phase: ProxyPhase, detail: str,
          hop: ProxyHop | None = None, code: int | None = None) -> None:
    settings = session.settings
    session.bus.emit(ProxyEvent(
        t=session.bus.now(), connection=session.connection_id, kind=proxy.kind.label,
        proxy=Endpoint(proxy.host, proxy.port), target=Endpoint(settings.host, settings.port),
        phase=phase, detail=detail, hop=hop, reply_code=code))


def _failed(session: FtpSession, proxy: ProxySettings, hop: ProxyHop, message: str,
            code: int | None = None, step: str = "proxy") -> ProxyFailedError:
    _emit(session, proxy, ProxyPhase.FAILED, message, hop, code)
    settings = session.settings
    return ProxyFailedError(message, hop=hop, proxy=proxy.address,
                            target=f"{settings.host}:{settings.port}", reply_code=code,
                            step=step)


async def reach_ftp_proxy(session: FtpSession, proxy: ProxySettings) -> None:
    """TCP to the proxy and its 220 greeting (on the session's control connection)."""
    from client.engine.proxy.ftp_logon import target_text  # loaded for proxied logins only

    settings = session.settings
    control = session.control
    label = f"the {proxy.kind.label} at {proxy.address}"
    _emit(session, proxy, ProxyPhase.CONNECTING,
          f"dialling {label}; it is told to reach {target_text(settings.host, settings.port)} "
          "in the login")
    try:
        await control.open(proxy.host, proxy.port, connect_timeout=settings.connect_timeout)
    except TimeoutError:
        raise _failed(session, proxy, ProxyHop.CLIENT_PROXY,
                      f"could not reach {label} (hop client → proxy): no answer within "
                      f"{settings.connect_timeout:g} s", step="connect") from None
    except OSError as exc:
        raise _failed(session, proxy, ProxyHop.CLIENT_PROXY,
                      f"could not reach {label} (hop client → proxy): "
                      f"{escape_control(exc.strerror or str(exc))}", step="connect") from None
    if settings.tcp_keepalive:
        control.enable_tcp_keepalive(settings.tcp_keepalive)
    greeting = await control.read_reply(step="banner")
    while greeting.is_preliminary:
        greeting = await control.read_reply(step="banner")
    if greeting.code != 220:
        raise _failed(session, proxy, ProxyHop.CLIENT_PROXY,
                      f"{label} greeted with {greeting.code} {escape_control(greeting.text)} "
                      "instead of 220 (hop client → proxy)", greeting.code, step="banner")
    session.banner = greeting.text
    _emit(session, proxy, ProxyPhase.HANDSHAKE,
          f"{label} greeted; logging in with the {proxy.kind.label} sequence")
    if settings.tls is TlsMode.AUTO:
        session.notice(f"TLS is not attempted through an {proxy.kind.label}: the password "
                       "and all data cross the network in clear text", NoticeKind.TLS,
                       Severity.WARNING)


async def log_in_through(session: FtpSession, proxy: ProxySettings) -> None:
    """The logon sequence; raises ProxyFailedError (naming the leg) or LoginError."""
    from client.engine.proxy.ftp_logon import LogonRole, logon_steps, target_text

    settings = session.settings
    control = session.control
    password = settings.password
    if password is None:
        password = "anonymous@" if settings.user in ("anonymous", "ftp") else ""
    label = f"the {proxy.kind.label} at {proxy.address}"
    target = target_text(settings.host, settings.port)
    reached = False
    reply = None
    for item in logon_steps(proxy, settings.host, settings.port, settings.user, password):
        try:
            reply = await control.execute(item.command, step=item.step)
        except ConnectionLostError as lost:
            # a 421 ("could not connect") closes the proxy's connection
            if reached or lost.reply_code != 421:
                raise
            said = "421 " + lost.message.split("(421): ", 1)[-1]
            if item.role is LogonRole.PROXY_LOGIN:
                raise _failed(session, proxy, ProxyHop.CLIENT_PROXY,
                              f"{label} closed the connection (hop client → proxy): {said}",
                              421, step=item.step) from None
            raise _failed(session, proxy, ProxyHop.PROXY_SERVER,
                          f"{label} could not reach the server {target} (hop proxy → "
                          f"server): {said}", 421, step=item.step) from None
        if item.role is LogonRole.PROXY_LOGIN:
            if reply.is_error:
                raise _failed(session, proxy, ProxyHop.CLIENT_PROXY,
                              f"{label} refused its own login as "
                              f"{escape_control(proxy.user or '')!r} (hop client → proxy): "
                              f"{reply.code} {escape_control(reply.text)}",
                              reply.code, step=item.step)
            continue
        if not reached:
            # SITE/OPEN, or USER user@host: the reply says whether the proxy got through
            proxy_dials = item.role is LogonRole.SELECT_HOST or (
                item.role is LogonRole.USER and item.command.argument != settings.user)
            if reply.is_error and proxy_dials:
                raise _failed(session, proxy, ProxyHop.PROXY_SERVER,
                              f"{label} could not reach the server {target} (hop proxy → "
                              f"server): {reply.code} {escape_control(reply.text)}",
                              reply.code, step=item.step)
            reached = True
            _emit(session, proxy, ProxyPhase.OPEN, f"{label} relays the session to {target}")
        if item.role is LogonRole.USER and reply.code != 331:
            break  # 230: no password needed; 332: an account; an error: refused
    if reply is None:
        raise ConnectError("nothing was sent to the FTP proxy", step="proxy")
    if reply.code == 332:
        if settings.account is None:
            raise LoginError("the server asks for an account (ACCT) but none is set",
                             step="acct")
        reply = await control.execute(Command("ACCT", settings.account), step="acct")
    if reply.code not in (230, 202):
        raise LoginError(
            f"login as {settings.user!r} through {label} was refused: {reply.code} "
            f"{escape_control(reply.text)} (wrong user name or password)", step="pass")
