"""One row of the data-channel diagnosis: a fresh session with one way of opening a
data connection and no fallback, watched until that method has its answer.

Dialling the advertised PASV address: a PASV is sent first (without dialling) to read
the address. It is dialled when it is the control peer itself, when it is plausibly
reachable (of the same class as the control peer, or public), or under the 'advertised'
policy: that row tests the server's 227, which the default policy does not dial (it
dials the control peer, as the 'PASV (control address)' row does). An address nobody
can reach (documentation, reserved, unspecified, multicast, link-local ranges) is never
dialled, whatever the policy; one of an internal class other than the control peer's (a
private address while talking over loopback or the Internet) is dialled only under
'advertised'. Otherwise the row says "not
attempted: unroutable", which is itself the finding (the server announces an address
clients cannot reach). So a diagnosis never sends a SYN to an address the rest of the
client would refuse to dial.

The engine falls back from EPSV to PASV and from EPRT to PORT by itself; a row
watches the events of each row and stops the row as soon as the engine turns to another
method (the one under test has its answer then), so every row measures exactly one
method.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time

from client.engine.diagnose.model import (
    Attempt,
    Outcome,
    Probe,
)
from client.engine.diagnose.sftp_offer import WRONG_SERVICE
from client.engine.errors import (
    CertificateError,
    CommandFailedError,
    DataChannelError,
    FtpError,
    LoginError,
    ServerProtocolError,
    TlsError,
)
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    EngineEvent,
    EventBus,
    LineSent,
    Notice,
    ReplyReceived,
    TlsEstablished,
)
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode
from client.protocol.address_policy import AddressClass, classify, plausibly_reachable
from client.protocol.addresses import PasvPolicy, parse_227
from client.protocol.errors import ProtocolError
from client.protocol.text import escape_control

__all__ = ["UNROUTABLE_CLASSES", "auth_tls_offered", "data_row", "probe_settings", "stat_row"]

#: Advertised addresses that are never dialled, whatever the policy.
UNROUTABLE_CLASSES = frozenset({
    AddressClass.UNSPECIFIED, AddressClass.RESERVED, AddressClass.DOCUMENTATION,
    AddressClass.MULTICAST, AddressClass.LINK_LOCAL,
})

def probe_settings(settings: ConnectionSettings, probe: Probe) -> ConnectionSettings:
    """The settings one row runs with: one method, no fallback of any kind."""
    base = settings.replace(fallback=False, stat_listing_fallback=False, keepalive_interval=None,
                            epsv_fallback=False)
    if probe is Probe.EPSV:
        return base.replace(mode=TransferMode.PASSIVE, use_epsv=True)
    if probe is Probe.PASV_ADVERTISED:
        return base.replace(mode=TransferMode.PASSIVE, use_epsv=False,
                            pasv_policy=PasvPolicy.ADVERTISED)
    if probe is Probe.PASV_CONTROL:
        return base.replace(mode=TransferMode.PASSIVE, use_epsv=False,
                            pasv_policy=PasvPolicy.CONTROL)
    if probe is Probe.EPRT:
        return base.replace(mode=TransferMode.ACTIVE, use_eprt=True)
    if probe is Probe.PORT:
        return base.replace(mode=TransferMode.ACTIVE, use_eprt=False)
    if probe is Probe.TLS:
        tls = TlsMode.IMPLICIT if settings.tls is TlsMode.IMPLICIT else TlsMode.EXPLICIT
        return base.replace(tls=tls, mode=TransferMode.PASSIVE, use_epsv=False,
                            pasv_policy=PasvPolicy.CONTROL)
    return base


class _RowWatcher:
    """Collects one row's events (its own control connection only) and cancels the
    row's task once the method under test has its answer."""

    def __init__(self, connection: str, method: str | None) -> None:
        self.connection = connection
        self.method = method
        self.channel: int | None = None
        self.events: list[DataChannelEvent] = []
        self.refusal: tuple[int, str] | None = None
        self.tls_reused: bool | None = None
        self.task: asyncio.Future | None = None
        self.stopped_early = False
        self.notices: list[str] = []
        self.final_code: int | None = None
        self._last_verb: str | None = None

    def __call__(self, event: EngineEvent) -> None:
        if event.connection != self.connection:
            return
        if isinstance(event, LineSent):
            self._last_verb = event.text.split(" ", 1)[0].upper()
        elif isinstance(event, ReplyReceived):
            if (self.method and self._last_verb == self.method and event.reply.code >= 400
                    and self.channel is None):
                self.refusal = (event.reply.code, escape_control(event.reply.text))
                self._stop()
            elif self.channel is not None and event.reply.code >= 400:
                self.final_code = event.reply.code  # the answer to the listing command
        elif isinstance(event, Notice):
            self.notices.append(escape_control(event.text))
        elif isinstance(event, TlsEstablished) and event.channel is not None:
            if event.channel == self.channel:
                self.tls_reused = event.session_reused
        elif isinstance(event, DataChannelEvent):
            if self.channel is None:
                local_failure = event.failure is DataFailure.LOCAL  # before any command
                if self.method is not None and event.method != self.method \
                        and not local_failure:
                    self._stop()  # the engine fell back to another method: answer known
                    return
                self.channel = event.channel
            if event.channel != self.channel:
                if self.method is not None and event.method != self.method:
                    self._stop()  # a fallback after this method's own attempt: answer known
                return
            self.events.append(event)

    def _stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.stopped_early = True
            self.task.cancel()

    @property
    def last(self) -> DataChannelEvent | None:
        return self.events[-1] if self.events else None

    def phase_reached(self) -> str | None:
        phases = [e.phase for e in self.events if e.phase is not DataPhase.FAILED]
        return phases[-1].value if phases else None


def _connect_failure(probe: Probe, error: FtpError, elapsed: float) -> Attempt:
    if isinstance(error, CertificateError):
        cls = "certificate"
    elif isinstance(error, TlsError):
        cls = "tls"
    elif isinstance(error, LoginError):
        cls = "login"
    elif isinstance(error, ServerProtocolError) and error.service == "SSH":
        cls = WRONG_SERVICE
    else:
        cls = "connect"
    return Attempt(probe, Outcome.FAILED, f"could not log in: {escape_control(error.message)}",
                   failure_class=cls, elapsed=elapsed)


def _row_from_watch(probe: Probe, watch: _RowWatcher, elapsed: float, *,
                    error: FtpError | None, entries: int | None, tls: bool) -> Attempt:
    last = watch.last
    ends = {"local": str(last.local) if last and last.local else None,
            "remote": str(last.remote) if last and last.remote else None,
            "advertised": str(last.advertised) if last and last.advertised else None}
    if watch.refusal is not None and watch.channel is None:
        code, text = watch.refusal
        return Attempt(probe, Outcome.UNSUPPORTED,
                       f"the server refused {probe.method}: {code} {text}",
                       failure_class="server-refused", reply_code=code, elapsed=elapsed,
                       tls=tls)
    if last is not None and last.phase is DataPhase.FAILED:
        failure = last.failure
        reply_code = error.reply_code if isinstance(error, DataChannelError) else None
        reply_code = reply_code or watch.final_code
        reason = escape_control(last.reason or (error.message if error else "failed"))
        outcome = Outcome.FAILED
        if failure is not None and failure.value == "server-refused" and last.local is None \
                and last.remote is None and watch.phase_reached() in (None, "advertised"):
            outcome = Outcome.UNSUPPORTED
        return Attempt(probe, outcome, reason, failure=failure,
                       failure_class=failure.value if failure else "failed",
                       phase=watch.phase_reached(), elapsed=last.elapsed or elapsed,
                       reply_code=reply_code, tls=tls, tls_reused=watch.tls_reused, **ends)
    if error is None and entries is not None:
        return Attempt(probe, Outcome.OK,
                       f"listing of {entries} entr{'y' if entries == 1 else 'ies'} arrived",
                       phase=watch.phase_reached(), elapsed=elapsed, entries=entries, tls=tls,
                       tls_reused=watch.tls_reused, **ends)
    if isinstance(error, CommandFailedError):
        return Attempt(probe, Outcome.FAILED, escape_control(error.message),
                       failure_class="command", reply_code=error.reply_code, elapsed=elapsed,
                       phase=watch.phase_reached(), tls=tls, **ends)
    if error is not None:
        message = escape_control(error.message)
    elif watch.notices:
        message = watch.notices[-1]  # e.g. "could not read the EPSV reply …"
    else:
        message = f"{probe.method} gave no data connection"
    return Attempt(probe, Outcome.FAILED, message, failure_class="failed", elapsed=elapsed,
                   phase=watch.phase_reached(), tls=tls, **ends)


async def _advertised_precheck(session: FtpSession, user_policy: PasvPolicy) -> Attempt | None:
    """Read the 227 without dialling; a row when the address must not be dialled."""
    reply = await session.quote("PASV")
    if reply.code != 227:
        return Attempt(Probe.PASV_ADVERTISED, Outcome.UNSUPPORTED,
                       f"the server refused PASV: {reply.code} {escape_control(reply.text)}",
                       failure_class="server-refused", reply_code=reply.code)
    try:
        address = parse_227(reply.lines[0])
    except ProtocolError as exc:
        return Attempt(Probe.PASV_ADVERTISED, Outcome.FAILED,
                       f"could not read the 227 reply: {exc}", failure_class="server-refused",
                       reply_code=reply.code)
    peer = session.server.host if session.server else None
    host = address.host or ""
    advertised = f"{host}:{address.port}"
    if peer is None or host == peer:
        return None
    host_class = classify(host)
    if host_class in UNROUTABLE_CLASSES:
        return Attempt(Probe.PASV_ADVERTISED, Outcome.NOT_ATTEMPTED,
                       f"not attempted: unroutable ({host} is {host_class.description}; "
                       "nothing can answer a connection there)",
                       failure_class="unroutable-refused", advertised=advertised)
    if not plausibly_reachable(host, peer) and user_policy is not PasvPolicy.ADVERTISED:
        return Attempt(Probe.PASV_ADVERTISED, Outcome.NOT_ATTEMPTED,
                       f"not attempted: unroutable from here ({host} is "
                       f"{host_class.description}, the control connection goes to {peer}); "
                       "use --pasv-address advertised to dial it anyway",
                       failure_class="unroutable-refused", advertised=advertised)
    if user_policy is PasvPolicy.CONTROL:
        return Attempt(Probe.PASV_ADVERTISED, Outcome.NOT_ATTEMPTED,
                       f"not attempted: the PASV policy 'control' never dials {host} (the "
                       f"control peer is {peer})", failure_class="policy",
                       advertised=advertised)
    return None


async def data_row(probe: Probe, settings: ConnectionSettings, path: str | None,
                    bus: EventBus) -> Attempt:
    session = FtpSession(probe_settings(settings, probe), bus=bus)
    method = probe.method if probe in (Probe.EPSV, Probe.EPRT) else (
        "PASV" if probe in (Probe.PASV_ADVERTISED, Probe.PASV_CONTROL, Probe.TLS) else "PORT")
    watch = _RowWatcher(session.connection_id, method)
    unsubscribe = bus.subscribe(watch)
    started = time.monotonic()
    try:
        try:
            await session.connect()
        except FtpError as error:
            return _connect_failure(probe, error, time.monotonic() - started)
        tls = session.tls_info is not None
        if probe is Probe.PASV_ADVERTISED:
            early = await _advertised_precheck(session, settings.pasv_policy)
            if early is not None:
                return early
            watch.channel = None
        error: FtpError | None = None
        entries: int | None = None
        watch.task = asyncio.ensure_future(session.list(path))
        try:
            entries = len(await watch.task)
        except asyncio.CancelledError:
            if not watch.stopped_early:
                raise
        except FtpError as exc:
            error = exc
        row = _row_from_watch(probe, watch, time.monotonic() - started, error=error,
                              entries=entries, tls=tls)
        if probe is Probe.TLS and session.tls_info is not None:
            info = session.tls_info
            reuse = {True: "resumed the control session", False: "a new TLS session",
                     None: "no TLS handshake seen"}[row.tls_reused]
            row = dataclasses.replace(row, detail=f"control {info.version} {info.cipher}; data "
                                                  f"connection: {reuse}; {row.detail}")
        return row
    finally:
        unsubscribe()
        with contextlib.suppress(Exception):
            if watch.stopped_early:
                _drop_answered(session)
            await session.close()


def _drop_answered(session: FtpSession) -> None:
    """A row stopped as soon as its method's answer arrived (a refusal, or a fallback
    to another method): the replies still queued are that answer, not stray replies for
    the row's QUIT to warn about."""
    control = session.control
    while control.pending():
        control.take_pending()


async def stat_row(settings: ConnectionSettings, path: str | None, bus: EventBus) -> Attempt:
    session = FtpSession(probe_settings(settings, Probe.STAT), bus=bus)
    started = time.monotonic()
    try:
        try:
            await session.connect()
        except FtpError as error:
            return _connect_failure(Probe.STAT, error, time.monotonic() - started)
        try:
            # "STAT -l" is not understood everywhere; the directory by name is.
            result = await session.stat_listing(path or await session.pwd())
        except CommandFailedError as exc:
            return Attempt(Probe.STAT, Outcome.UNSUPPORTED, escape_control(exc.message),
                           failure_class="server-refused", reply_code=exc.reply_code,
                           elapsed=time.monotonic() - started)
        except FtpError as exc:
            return Attempt(Probe.STAT, Outcome.FAILED, escape_control(exc.message),
                           failure_class="command", elapsed=time.monotonic() - started)
        count = len(result.entries)
        return Attempt(Probe.STAT, Outcome.OK,
                       f"listing of {count} entr{'y' if count == 1 else 'ies'} over the control "
                       "connection", elapsed=time.monotonic() - started, entries=count,
                       tls=session.tls_info is not None)
    finally:
        with contextlib.suppress(Exception):
            await session.close()


async def auth_tls_offered(settings: ConnectionSettings, bus: EventBus) -> bool:
    """Whether FEAT lists AUTH TLS (the rows so far ran in clear, e.g. with --tls off)."""
    if settings.tls is TlsMode.OFF:
        session = FtpSession(settings.replace(fallback=False), bus=bus)
        try:
            await session.connect()
            return session.features.auth_tls
        except FtpError:
            return False
        finally:
            with contextlib.suppress(Exception):
                await session.close()
    return False  # AUTO: login would have used TLS had FEAT offered it
