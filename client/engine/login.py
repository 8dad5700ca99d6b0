"""Connect and log in: one named step at a time, so an error says which step failed.

The order (a decision, documented for users in docs/guide/engine.md):

``connect`` (TCP; TLS first for implicit FTPS) -> ``banner`` -> ``feat-before-login``
(FEAT is allowed before login by RFC 2389 and is the only way to learn whether HOST and
AUTH TLS are offered) -> ``host`` (RFC 7151, only when offered; it must precede AUTH so
the server can pick the right certificate) -> ``auth-tls`` -> ``pbsz`` -> ``prot`` ->
``user`` / ``pass`` / ``acct`` -> ``feat`` (again: servers advertise more after login)
-> ``opts-utf8`` (when offered) -> ``syst`` -> ``type`` -> ``pwd``.

"Require TLS" (:attr:`TlsMode.EXPLICIT`) means USER and PASS are never sent in clear:
if AUTH TLS is refused, the session stops before USER.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

from client.engine.errors import (
    CertificateError,
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    ControlTimeoutError,
    FtpError,
    LoginError,
    ProxyModeError,
    TlsError,
)
from client.engine.events import NoticeKind, SessionState, TlsEstablished
from client.engine.proxy.ftp_proxy_login import ftp_proxy_of, log_in_through, reach_ftp_proxy
from client.engine.settings import TlsMode
from client.engine.tls import (
    SessionResumingContext,
    describe_verify_error,
    make_context,
    make_unverified_context,
    tls_version_text,
)
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.features import (
    NO_FEATURES,
    WANTED_MLST_FACTS,
    Features,
    mlst_facts_command,
    parse_opts_mlst_reply,
)
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["login", "WANTED_MLST_FACTS"]


class _NeedsUserTrust(Exception):
    def __init__(self, error: ssl.SSLCertVerificationError) -> None:
        super().__init__(str(error))
        self.error = error


def _server_hostname(host: str) -> str:
    return host.strip("[]")


async def login(session: FtpSession) -> None:
    """Run every step up to READY (the caller handles state FAILED on error)."""
    settings = session.settings
    ftp_proxy = ftp_proxy_of(settings)
    if ftp_proxy is not None and settings.tls in (TlsMode.EXPLICIT, TlsMode.IMPLICIT):
        raise ProxyModeError(
            f"TLS cannot be used through an {ftp_proxy.kind.label}: the proxy reads the "
            "login to learn where to connect, so it would have to take part in AUTH TLS; "
            "choose a SOCKS5 or HTTP CONNECT proxy (they carry TLS end to end) or plain FTP",
            setting="proxy", step="proxy")
    context: SessionResumingContext | None = None
    if settings.uses_tls and (settings.tls is TlsMode.IMPLICIT or settings.ca_file):
        # The system store costs tens of milliseconds to load: for AUTH TLS it is loaded
        # once the server said 234 (never, for a server without TLS). A CA file is read
        # up front so a wrong path is reported before anything is sent.
        context = make_context(settings)
    try:
        await _open_to_tls(session, context)
    except _NeedsUserTrust as needs:
        # The verified handshake failed. Look at the certificate on a fresh connection
        # (the failed one is gone) and let the pins or the person decide; the transcript
        # says why a second connection and a second AUTH TLS follow.
        session.control.abort()
        session.notice(
            f"the system does not vouch for the certificate of {settings.host} "
            f"({describe_verify_error(needs.error, settings.host)}); the handshake was "
            "abandoned and the client connects again to show the certificate and ask "
            "whether to trust it (or to check it against a pinned fingerprint)",
            "tls", Severity.WARNING)
        await _open_to_tls(session, make_unverified_context(), verify_error=needs.error)
    await _authenticate(session)
    await _after_login(session)


async def _open_to_tls(session: FtpSession, context: SessionResumingContext | None, *,
                       verify_error: ssl.SSLCertVerificationError | None = None) -> None:
    settings = session.settings
    session.new_control()
    control = session.control
    implicit = settings.tls is TlsMode.IMPLICIT
    hostname = _server_hostname(settings.host)
    early = session.take_early_login()
    if early is not None:  # the state changes are dated with the early login's lines
        session.bus.hold_clock(early.started)
    session.set_state(SessionState.CONNECTING)
    ftp_proxy = ftp_proxy_of(settings)
    if ftp_proxy is not None:
        await reach_ftp_proxy(session, ftp_proxy)
        return
    try:
        sock = None
        if settings.tunnel is not None:
            from client.engine.proxy.tunnel import open_tunnel  # python-socks: only when used

            sock = await open_tunnel(settings.tunnel, hostname, settings.port,
                                     timeout=settings.connect_timeout, bus=session.bus,
                                     connection=session.connection_id)
        if early is None or not await control.open_early(early):
            session.bus.hold_clock(None)
            await control.open(hostname, settings.port,
                               connect_timeout=settings.connect_timeout,
                               ssl_context=context if implicit else None,
                               server_hostname=hostname, sock=sock)
        if settings.tcp_keepalive:
            control.enable_tcp_keepalive(settings.tcp_keepalive)
    except ssl.SSLCertVerificationError as exc:
        if verify_error is None:
            raise _NeedsUserTrust(exc) from None
        raise
    except TimeoutError:
        raise ConnectError(
            f"no answer from {settings.host}:{settings.port} within "
            f"{settings.connect_timeout:g} s: the host is down, the address is wrong, or a "
            "firewall drops the connection", step="connect") from None
    except ssl.SSLError as exc:
        raise TlsError(f"the implicit TLS handshake with {settings.host}:{settings.port} "
                       f"failed: {exc} (is this really an implicit FTPS port, e.g. 990?)",
                       step="connect") from None
    except OSError as exc:
        raise ConnectError(
            f"could not connect to {settings.host}:{settings.port}: "
            f"{exc.strerror or exc}", step="connect") from None
    session.control_context = context if implicit else None
    session.set_state(SessionState.CONNECTING, detail="connected")
    if implicit:
        await _tls_established(session, context, verify_error)  # type: ignore[arg-type]

    banner = await control.read_reply(step="banner")
    while banner.is_preliminary:  # 120: service ready in nnn minutes
        banner = await control.read_reply(step="banner")
    if banner.code != 220:
        raise ConnectError(f"the server greeted with {banner.code} "
                           f"{escape_control(banner.text)} instead of 220", step="banner")
    session.banner = banner.text

    feat = await control.execute(Command("FEAT"), step="feat-before-login")
    session.features = Features.parse(feat) if feat.is_success else NO_FEATURES
    feat_known = feat.is_success

    if session.features.host:
        reply = await control.execute(Command.host(settings.host), step="host")
        if not reply.is_success:
            session.notice(f"the server offered HOST but answered {reply.code}; continuing",
                            NoticeKind.INFO, Severity.WARNING)

    if settings.tls is TlsMode.OFF or implicit:
        return
    if settings.tls is TlsMode.AUTO and feat_known and not session.features.auth_tls:
        session.notice("the server does not offer TLS (no AUTH TLS in FEAT): the password "
                        "and all data will cross the network in clear text", NoticeKind.TLS,
                        Severity.WARNING)
        return
    reply = await control.execute(Command("AUTH", "TLS"), step="auth-tls")
    if reply.code != 234:
        if settings.tls is TlsMode.EXPLICIT:
            raise TlsError(
                f"TLS is required but the server refused AUTH TLS ({reply.code} "
                f"{escape_control(reply.text)}); USER and PASS were not sent",
                step="auth-tls")
        session.notice(f"the server refused AUTH TLS ({reply.code}); continuing without "
                        "TLS: the password will cross the network in clear text", NoticeKind.TLS,
                        Severity.WARNING)
        return
    if context is None:
        context = make_context(settings)
    session.set_state(SessionState.TLS_HANDSHAKE)
    try:
        await control.start_tls(context, hostname, settings.connect_timeout)
    except ssl.SSLCertVerificationError as exc:
        if verify_error is None:
            raise _NeedsUserTrust(exc) from None
        raise
    except (ssl.SSLError, OSError, TimeoutError) as exc:
        raise TlsError(f"the TLS handshake after AUTH TLS failed: {exc or type(exc).__name__}",
                       step="auth-tls") from None
    session.control_context = context
    await _tls_established(session, context, verify_error)


async def _tls_established(session: FtpSession, context: SessionResumingContext,
                           verify_error: ssl.SSLCertVerificationError | None) -> None:
    """Check pins (and ask the trust hook when the system did not vouch), then announce."""
    from client.engine.trust import (  # certificates: for TLS only
        certificate_info,
        format_fingerprint,
        normalise_fingerprint,
    )

    control = session.control
    ssl_object = control.ssl_object
    if ssl_object is None:
        raise TlsError("TLS was negotiated but the connection carries no TLS state",
                       step="auth-tls")
    der = ssl_object.getpeercert(binary_form=True) or b""
    settings = session.settings
    info = certificate_info(der, host=settings.host, port=settings.port,
                            verify_error=(describe_verify_error(verify_error, settings.host)
                                          if verify_error is not None else None))
    fingerprint = info.fingerprint_sha256
    pins = {normalise_fingerprint(p) for p in settings.pinned_fingerprints}
    if session.pin_store is not None:
        pins |= session.pin_store.pins_for(settings.host, settings.port)
    if pins and fingerprint not in pins:
        control.abort()
        expected = ", ".join(format_fingerprint(p) for p in sorted(pins))
        raise CertificateError(
            f"the certificate of {settings.host}:{settings.port} changed: it is "
            f"{format_fingerprint(fingerprint)} but the pinned one is {expected}. This happens "
            "when the server's certificate was renewed, or when someone intercepts the "
            "connection; check with the server's administrator before trusting it",
            fingerprint_sha256=fingerprint, expected_fingerprint=expected,
            subject=info.subject, issuer=info.issuer, not_before=info.not_before,
            not_after=info.not_after, verify_error=info.verify_error, step="certificate")
    if verify_error is not None and fingerprint not in pins:
        accepted = False
        if session.trust is not None:
            try:
                accepted = bool(await session.trust.decide(info))
            except Exception:  # noqa: BLE001 - a broken dialog means "no"
                accepted = False
        if not accepted:
            control.abort()
            raise CertificateError(
                f"the certificate of {settings.host} was not accepted: {info.verify_error}. "
                f"Its SHA-256 fingerprint is {format_fingerprint(fingerprint)}",
                fingerprint_sha256=fingerprint, subject=info.subject, issuer=info.issuer,
                not_before=info.not_before, not_after=info.not_after,
                verify_error=info.verify_error, step="certificate")
        session.notice(f"continuing with a certificate the system does not vouch for "
                        f"({info.verify_error}); trusted by fingerprint "
                        f"{format_fingerprint(fingerprint)}", NoticeKind.TLS, Severity.WARNING)
    elif verify_error is not None:
        session.notice(f"certificate accepted by its pinned fingerprint "
                        f"{format_fingerprint(fingerprint)}", NoticeKind.TLS)
    session.certificate = info
    version, cipher = tls_version_text(ssl_object)
    event = TlsEstablished(t=session.bus.now(), connection=session.connection_id, channel=None,
                           version=version, cipher=cipher,
                           session_reused=bool(ssl_object.session_reused),
                           fingerprint_sha256=fingerprint, peer_subject=info.subject)
    session.tls_info = event
    session.bus.emit(event)
    # Data connections resume the control session: read it afresh for each of them.
    context.session_source = lambda: control.ssl_object.session if control.ssl_object else None


async def _authenticate(session: FtpSession) -> None:
    settings = session.settings
    control = session.control
    session.set_state(SessionState.LOGGING_IN)
    ftp_proxy = ftp_proxy_of(settings)
    if ftp_proxy is not None:
        await log_in_through(session, ftp_proxy)
        return
    if session.control_context is not None:
        reply = await control.execute(Command("PBSZ", "0"), step="pbsz")
        if not reply.is_success:
            session.notice(f"PBSZ 0 answered {reply.code}; continuing", NoticeKind.TLS, Severity.WARNING)
        reply = await control.execute(Command("PROT", "P"), step="prot")
        if reply.is_success:
            session.data_protected = True
        else:
            session.notice(f"the server refused PROT P ({reply.code}): file data will cross "
                            "the network in clear text (only the control connection is "
                            "encrypted)", NoticeKind.TLS, Severity.WARNING)
    reply = await control.execute(Command.user(settings.user), step="user")
    step = "user"
    if reply.code == 331 or reply.code == 332:
        if reply.code == 331:
            step = "pass"
            password = settings.password
            if password is None:
                password = "anonymous@" if settings.user in ("anonymous", "ftp") else ""
            reply = await control.execute(Command.password(password), step="pass")
        if reply.code == 332:
            if settings.account is None:
                raise LoginError("the server asks for an account (ACCT) but none is set",
                                 step="acct")
            step = "acct"
            reply = await control.execute(Command("ACCT", settings.account), step="acct")
    if reply.code not in (230, 202):
        raise LoginError(
            f"login as {settings.user!r} was refused: {reply.code} {escape_control(reply.text)}"
            " (wrong user name or password, or the account may not log in over FTP"
            + (" without TLS" if session.control_context is None else "") + ")",
            step=step)


async def _enable_mlst_facts(session: FtpSession) -> None:
    command = mlst_facts_command(session.features)
    if command is None:
        return
    reply = await session.control.execute(command, step="opts-mlst")
    enabled = parse_opts_mlst_reply(reply)
    if enabled:
        session.features = session.features.with_mlst_enabled(enabled)


async def _after_login(session: FtpSession) -> None:
    control = session.control
    reply = await control.execute(Command("FEAT"), step="feat")
    if reply.is_success:
        session.features = Features.parse(reply)
    if session.features.utf8 and session.wire_charset == "utf-8":
        # Only when names are UTF-8 here: with another charset chosen, asking the
        # server to switch to UTF-8 would make it read our bytes wrongly.
        reply = await control.execute(Command.opts("UTF8 ON"), step="opts-utf8")
    await _enable_mlst_facts(session)
    reply = await control.execute(Command("SYST"), step="syst")
    session.system = escape_control(reply.first_line_text) if reply.is_success else None
    reply = await control.execute(Command.type_(True), step="type")
    if not reply.is_success:
        raise CommandFailedError(f"the server refused binary mode (TYPE I): {reply.code} "
                                 f"{escape_control(reply.text)}", reply_code=reply.code,
                                 reply_text=escape_control(reply.text), command="TYPE I",
                                 step="type")
    session.binary = True
    try:
        session.cwd_cache = await session.pwd_locked()
    except (CommandFailedError, FtpError) as exc:
        if isinstance(exc, (ConnectionLostError, ControlTimeoutError)):
            raise
        session.cwd_cache = "/"

