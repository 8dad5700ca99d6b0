"""Data connections: set up (passive or active), protect (TLS), watch and classify.

This is where "login works but the listing hangs" gets its answer. Every phase of a
data connection is an event with endpoints and elapsed time, and every way it can fail
becomes a :class:`DataChannelError` naming the class (refused, SYN unanswered, silent
after 150, stalled, reset, closed before 226, refused by the server, never connected
back, wrong peer, TLS failed), the phase it reached and the endpoints involved.

Passive: EPSV first; PASV when EPSV is refused or its port cannot be reached (remembered
for the session). The 227 address goes through the address policy. Active: the listener
exists *before* EPRT/PORT is sent (some servers dial back the moment PORT arrives);
EPRT first, PORT when EPRT is refused (IPv4); a connection from anyone but the server is
refused and reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from client.engine.control import ControlConnection, endpoint_of
from client.engine.datastream import DataStream, Sink
from client.engine.errors import ConnectionLostError, DataChannelError, FtpError
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    EventBus,
    Notice,
    TlsEstablished,
)
from client.engine.settings import ConnectionSettings, TransferMode
from client.engine.tls import SessionResumingContext, tls_version_text
from client.engine.trust import fingerprint_sha256
from client.protocol.addresses import (
    decide_pasv_address,
    format_eprt_argument,
    format_port_argument,
    parse_227,
    parse_229,
)
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.errors import ProtocolError
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = ["ChannelSetup", "ModeMemory", "DataTransfer", "ChannelResult", "UploadSource"]

UploadSource = Callable[[DataStream], Awaitable[None]]

#: Failures worth retrying in the other transfer mode (connectivity, not content).
FALLBACK_FAILURES = frozenset({
    DataFailure.REFUSED, DataFailure.CONNECT_TIMEOUT, DataFailure.SILENT,
    DataFailure.NEVER_CONNECTED_BACK, DataFailure.WRONG_PEER, DataFailure.SERVER_REFUSED,
    DataFailure.UNROUTABLE, DataFailure.LOCAL,
})


@dataclass
class ModeMemory:
    """What this session learned about the server's data-connection support."""

    epsv_broken: bool = False
    eprt_broken: bool = False


@dataclass
class ChannelSetup:
    """What a data connection needs from its session."""

    control: ControlConnection
    bus: EventBus
    settings: ConnectionSettings
    mode: TransferMode
    memory: ModeMemory
    tls_context: SessionResumingContext | None  # None: PROT C (clear data)
    server_hostname: str | None
    control_fingerprint: str | None = None


@dataclass(frozen=True)
class ChannelResult:
    final: Reply
    bytes: int
    elapsed: float
    tls_reused: bool | None


class _Silent(Exception):
    pass


class _Stalled(Exception):
    pass


class _Tracker:
    """Emits the phase events of one data connection."""

    def __init__(self, setup: ChannelSetup, *, initiator: str, method: str | None,
                 command: str) -> None:
        self.bus = setup.bus
        self.connection = setup.control.connection_id
        self.channel = self.bus.next_channel_id()
        self.initiator = initiator
        self.method = method
        self.command = command
        self.started = time.monotonic()
        self.phase = DataPhase.ADVERTISED
        self.local: Endpoint | None = None
        self.remote: Endpoint | None = None
        self.advertised: Endpoint | None = None
        self.address_note: str | None = None
        self.tls = False
        self.bytes = 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def emit(self, phase: DataPhase, **extra: object) -> None:
        if phase is not DataPhase.FAILED:
            self.phase = phase
        self.bus.emit(DataChannelEvent(
            t=self.bus.now(), connection=self.connection, channel=self.channel, phase=phase,
            initiator=self.initiator, method=self.method, command=self.command,
            local=self.local, remote=self.remote, advertised=self.advertised,
            address_note=self.address_note, bytes=self.bytes, elapsed=self.elapsed,
            tls=self.tls, **extra,  # type: ignore[arg-type]
        ))

    def failure(self, failure: DataFailure, message: str, *, step: str | None = None,
                reply_code: int | None = None) -> DataChannelError:
        phase = self.phase
        where = []
        if self.local:
            where.append(f"local {self.local}")
        if self.remote:
            where.append(f"remote {self.remote}")
        elif self.advertised:
            where.append(f"advertised {self.advertised}")
        text = message
        if where:
            text += " [" + ", ".join(where) + f", after {self.elapsed:.1f} s]"
        self.emit(DataPhase.FAILED, failure=failure, reason=message)
        return DataChannelError(text, failure=failure, phase=phase, method=self.method,
                                local=self.local, remote=self.remote, elapsed=self.elapsed,
                                step=step, reply_code=reply_code)


def _same_host(a: str, b: str) -> bool:
    try:
        x = ipaddress.ip_address(a.split("%", 1)[0])
        y = ipaddress.ip_address(b.split("%", 1)[0])
    except ValueError:
        return a == b
    if isinstance(x, ipaddress.IPv6Address) and x.ipv4_mapped:
        x = x.ipv4_mapped
    if isinstance(y, ipaddress.IPv6Address) and y.ipv4_mapped:
        y = y.ipv4_mapped
    return x == y


def _is_tls_refusal(reply: Reply) -> bool:
    text = reply.text.lower()
    return reply.code == 522 or ("ssl" in text or "tls" in text) and reply.is_error


class DataTransfer:
    """One data command (LIST, MLSD, NLST, RETR, STOR, APPE) from setup to final reply.

    The caller holds the control lock for the whole run. ``sink`` receives downloaded
    bytes; ``source`` pushes uploaded ones. After a failure once the command was sent,
    the control connection is resynchronised (ABOR, remaining replies drained) before
    the error is raised, so the session stays usable.
    """

    def __init__(self, setup: ChannelSetup, command: Command, *, sink: Sink | None = None,
                 source: UploadSource | None = None, rest: int | None = None,
                 on_bytes: Callable[[int], None] | None = None,
                 on_command_accepted: Callable[[Reply], None] | None = None) -> None:
        self.setup = setup
        self.command = command
        self.sink = sink
        self.source = source
        self.rest = rest
        self.on_bytes = on_bytes
        self.on_command_accepted = on_command_accepted
        self.control = setup.control
        self.settings = setup.settings
        self.stream: DataStream | None = None
        self._tracker: _Tracker | None = None
        self._command_sent = False
        self._command_done = False
        self._tls_reused: bool | None = None

    # ----------------------------------------------------------------- public
    async def run(self) -> ChannelResult:
        started = time.monotonic()
        try:
            if self.setup.mode is TransferMode.PASSIVE:
                final = await self._run_passive()
            else:
                final = await self._run_active()
        except BaseException as exc:
            await self._cleanup_after_failure(exc)
            raise
        assert self.stream is not None
        return ChannelResult(final=final, bytes=self.stream.bytes,
                             elapsed=time.monotonic() - started, tls_reused=self._tls_reused)

    # ----------------------------------------------------------------- helpers
    def _new_stream(self, on_connected: Callable[[DataStream], bool] | None = None) -> DataStream:
        stream = DataStream(self.sink, self.on_bytes, on_connected)
        sink = self.sink
        if sink is not None and hasattr(sink, "_on_error"):
            sink._on_error = stream.fail  # type: ignore[attr-defined]  # disk errors end the transfer
        if sink is not None and hasattr(sink, "pause_reading"):
            sink.pause_reading = lambda: stream.transport and stream.transport.pause_reading()  # type: ignore[attr-defined]
            sink.resume_reading = lambda: stream.transport and stream.transport.resume_reading()  # type: ignore[attr-defined]
        return stream

    def _notice(self, text: str, kind: str, severity: Severity = Severity.INFO) -> None:
        self.setup.bus.emit(Notice(t=self.setup.bus.now(), connection=self.control.connection_id,
                                   severity=severity, text=text, kind=kind))

    @property
    def _control_peer(self) -> str:
        assert self.control.server is not None
        return self.control.server.host

    # ----------------------------------------------------------------- passive
    async def _run_passive(self) -> Reply:
        stream = await self._open_passive()
        self.stream = stream
        return await self._after_connect_passive(stream)

    async def _open_passive(self) -> DataStream:
        memory = self.setup.memory
        try_epsv = self.settings.use_epsv and not memory.epsv_broken
        if try_epsv:
            reply = await self.control.execute(Command("EPSV"), step="EPSV")
            if reply.code == 229:
                try:
                    address = parse_229(reply.lines[0])
                except ProtocolError as exc:
                    self._notice(f"could not read the EPSV reply ({exc}); trying PASV", "fallback")
                    memory.epsv_broken = True
                else:
                    tracker = self._start_tracker("client", "EPSV")
                    tracker.advertised = Endpoint(self._control_peer, address.port)
                    tracker.emit(DataPhase.ADVERTISED)
                    try:
                        return await self._dial(tracker, self._control_peer, address.port)
                    except DataChannelError as error:
                        if error.failure not in (DataFailure.REFUSED, DataFailure.CONNECT_TIMEOUT):
                            raise
                        memory.epsv_broken = True
                        self._notice(
                            f"the EPSV port {tracker.advertised} could not be reached "
                            f"({error.failure.value}); trying PASV, and using PASV for the "
                            "rest of this session", "fallback", Severity.WARNING)
            else:
                memory.epsv_broken = True
                self._notice(f"the server refused EPSV ({reply.code}); using PASV for this "
                             "session", "fallback")
        return await self._open_pasv()

    async def _open_pasv(self) -> DataStream:
        reply = await self.control.execute(Command("PASV"), step="PASV")
        tracker = self._start_tracker("client", "PASV")
        if reply.code != 227:
            raise tracker.failure(
                DataFailure.SERVER_REFUSED,
                f"the server refused passive mode: {reply.code} {escape_control(reply.text)}"
                " (try active mode)", step="PASV", reply_code=reply.code)
        try:
            address = parse_227(reply.lines[0])
        except ProtocolError as exc:
            raise tracker.failure(DataFailure.SERVER_REFUSED,
                                  f"could not read the 227 reply: {exc}", step="PASV",
                                  reply_code=reply.code) from None
        assert address.host is not None
        decision = decide_pasv_address(address.host, self._control_peer,
                                       self.settings.pasv_policy)
        tracker.advertised = Endpoint(address.host, address.port)
        if decision.replaced:
            tracker.address_note = decision.reason
            self._notice(decision.reason, "substitution", Severity.WARNING)
        tracker.emit(DataPhase.ADVERTISED)
        return await self._dial(tracker, decision.host, address.port)

    def _start_tracker(self, initiator: str, method: str) -> _Tracker:
        tracker = _Tracker(self.setup, initiator=initiator, method=method,
                           command=self.command.display)
        tracker.tls = self.setup.tls_context is not None
        self._tracker = tracker
        return tracker

    async def _dial(self, tracker: _Tracker, host: str, port: int) -> DataStream:
        loop = asyncio.get_running_loop()
        tracker.remote = Endpoint(host, port)
        tracker.emit(DataPhase.CONNECTING)
        stream = self._new_stream()
        timeout = self.settings.data_timeout
        try:
            async with asyncio.timeout(timeout):
                await loop.create_connection(lambda: stream, host, port)
        except TimeoutError:
            raise tracker.failure(
                DataFailure.CONNECT_TIMEOUT,
                f"no answer to the connection attempt to {host}:{port} within {timeout:g} s: "
                "the SYN went unanswered, typically a firewall dropping connections to the "
                "passive port range (or a wrong address)") from None
        except ConnectionRefusedError:
            raise tracker.failure(
                DataFailure.REFUSED,
                f"connection to {host}:{port} refused: nothing listens there or a firewall "
                "rejects it (a wrong advertised address, or a blocked passive port range)") from None
        except OSError as exc:
            raise tracker.failure(
                DataFailure.REFUSED,
                f"could not connect to {host}:{port}: {exc.strerror or exc}") from None
        tracker.local = endpoint_of(stream.local)
        tracker.remote = endpoint_of(stream.peer) or tracker.remote
        tracker.emit(DataPhase.CONNECTED)
        return stream

    async def _after_connect_passive(self, stream: DataStream) -> Reply:
        tracker = self._tracker
        assert tracker is not None
        await self._send_rest()
        self._send_command()
        handshake: asyncio.Task | None = None
        if self.setup.tls_context is not None:
            handshake = asyncio.ensure_future(self._tls_handshake(stream, tracker))
        try:
            first = await self._preliminary(tracker)
        except BaseException:
            if handshake is not None:
                handshake.cancel()
                with contextlib.suppress(BaseException):
                    await handshake
            raise
        if handshake is not None:
            await handshake
        return await self._transfer(stream, tracker, first)

    # ----------------------------------------------------------------- active
    async def _run_active(self) -> Reply:
        loop = asyncio.get_running_loop()
        control_local = self.control.local
        assert control_local is not None
        bind_host = control_local.host
        advertise_host = self.settings.active_address or bind_host
        tracker = self._start_tracker("server", "EPRT")
        accepted: asyncio.Future[DataStream] = loop.create_future()
        wrong_peers: list[str] = []

        def on_connected(stream: DataStream) -> bool:
            peer = endpoint_of(stream.peer)
            if peer is None or not _same_host(peer.host, self._control_peer) or accepted.done():
                shown = str(peer) if peer else "an unknown peer"
                if not accepted.done():
                    wrong_peers.append(shown)
                    self._notice(
                        f"refused a data connection from {shown}: only the server "
                        f"{self._control_peer} may connect to our active-mode port",
                        "info", Severity.WARNING)
                return False
            accepted.set_result(stream)
            return True

        server = await self._listen(tracker, bind_host,
                                    lambda: self._new_stream(on_connected))
        try:
            port = server.sockets[0].getsockname()[1]
            tracker.local = Endpoint(bind_host, port)
            tracker.advertised = Endpoint(advertise_host, port)
            await self._announce_active(tracker, advertise_host, port)
            tracker.emit(DataPhase.LISTENING)
            await self._send_rest()
            self._send_command()
            first = await self._await_dial_back(tracker, accepted, wrong_peers)
        finally:
            server.close()
        stream = accepted.result()
        self.stream = stream
        tracker.remote = endpoint_of(stream.peer)
        tracker.local = endpoint_of(stream.local)
        tracker.emit(DataPhase.CONNECTED)
        if self.setup.tls_context is not None:
            await self._tls_handshake(stream, tracker)
        return await self._transfer(stream, tracker, first)

    async def _listen(self, tracker: _Tracker, host: str,
                      factory: Callable[[], DataStream]) -> asyncio.base_events.Server:
        loop = asyncio.get_running_loop()
        ports: list[int] = [0]
        if self.settings.active_ports is not None:
            low, high = self.settings.active_ports
            ports = list(range(low, high + 1))
        last_error: OSError | None = None
        for port in ports:
            try:
                return await loop.create_server(factory, host, port, backlog=4,
                                                reuse_address=False)
            except OSError as exc:
                last_error = exc
        raise tracker.failure(
            DataFailure.LOCAL,
            f"could not listen for the active-mode data connection on {host} "
            f"(ports {self.settings.active_ports or 'any'}): {last_error}")

    async def _announce_active(self, tracker: _Tracker, host: str, port: int) -> None:
        memory = self.setup.memory
        family6 = ":" in host and not host.lower().startswith("::ffff:")
        if self.settings.use_eprt and not memory.eprt_broken:
            reply = await self.control.execute(
                Command("EPRT", format_eprt_argument(host, port)), step="EPRT")
            if reply.is_success:
                return
            if family6:
                raise tracker.failure(
                    DataFailure.SERVER_REFUSED,
                    f"the server refused EPRT ({reply.code} {escape_control(reply.text)}) and "
                    "PORT cannot carry an IPv6 address", step="EPRT", reply_code=reply.code)
            memory.eprt_broken = True
            self._notice(f"the server refused EPRT ({reply.code}); using PORT for this session",
                         "fallback")
        tracker.method = "PORT"
        reply = await self.control.execute(Command("PORT", format_port_argument(host, port)),
                                           step="PORT")
        if not reply.is_success:
            raise tracker.failure(
                DataFailure.SERVER_REFUSED,
                f"the server refused active mode: {reply.code} {escape_control(reply.text)} "
                "(try passive mode)", step="PORT", reply_code=reply.code)

    async def _await_dial_back(self, tracker: _Tracker, accepted: asyncio.Future[DataStream],
                               wrong_peers: list[str]) -> Reply:
        """Wait for the server to connect to our listener, watching the control
        connection at the same time: a 425 ("could not connect to you") ends the wait at
        once instead of after the timeout."""
        timeout = self.settings.data_timeout
        deadline = time.monotonic() + timeout
        first: Reply | None = None
        reply_task: asyncio.Future[Reply] | None = asyncio.ensure_future(
            self.control.read_reply(None, step=self.command.verb))
        try:
            while not (accepted.done() and first is not None):
                waiting = [f for f in (accepted, reply_task) if f is not None and not f.done()]
                if accepted.done():
                    budget = self.control.timeout  # connected: only the reply is missing
                else:
                    budget = deadline - time.monotonic()
                    if budget <= 0:
                        break
                done, _ = await asyncio.wait(waiting, timeout=budget,
                                             return_when=asyncio.FIRST_COMPLETED)
                if reply_task is not None and reply_task.done():
                    reply = reply_task.result()
                    reply_task = None
                    if reply.is_error:
                        raise self._refused_by_server(tracker, reply)
                    if first is None:
                        first = reply
                        if not accepted.done() and reply.is_preliminary:
                            reply_task = asyncio.ensure_future(
                                self.control.read_reply(None, step=self.command.verb))
                    else:
                        self.control.unread(reply)  # the final reply: _transfer reads it
                if not done and accepted.done():
                    raise FtpError(f"no reply to {self.command.verb} within "
                                   f"{self.control.timeout:g} s", step=self.command.verb)
            if not accepted.done():
                if wrong_peers:
                    raise tracker.failure(
                        DataFailure.WRONG_PEER,
                        f"only {', '.join(wrong_peers)} connected to our active-mode port, "
                        f"never the server {self._control_peer}; those connections were "
                        "refused (someone else is probing the port, or the server's data "
                        "connections come from another address)")
                raise tracker.failure(
                    DataFailure.NEVER_CONNECTED_BACK,
                    f"the server never connected back to {tracker.advertised} within "
                    f"{timeout:g} s: a firewall or NAT in front of this computer blocks "
                    "incoming connections, or the advertised address is not reachable from "
                    "the server (use passive mode)")
            assert first is not None
            return first
        finally:
            if reply_task is not None and not reply_task.done():
                reply_task.cancel()
                with contextlib.suppress(BaseException):
                    await reply_task

    # ----------------------------------------------------------------- common
    async def _send_rest(self) -> None:
        if self.rest is None:
            return
        reply = await self.control.execute(Command.rest(self.rest), step="REST")
        if reply.code != 350:
            from client.engine.errors import CommandFailedError

            raise CommandFailedError(
                f"the server refused to resume at byte {self.rest}: {reply.code} "
                f"{escape_control(reply.text)}", code=reply.code,
                reply_text=escape_control(reply.text), command=f"REST {self.rest}", step="REST")

    def _send_command(self) -> None:
        self.control.send(self.command)
        self._command_sent = True

    def _refused_by_server(self, tracker: _Tracker, reply: Reply) -> DataChannelError:
        self._command_done = True  # a final reply: nothing left to abort
        text = escape_control(reply.text)
        if _is_tls_refusal(reply):
            return tracker.failure(
                DataFailure.TLS_FAILED,
                f"the server refused the protected data connection: {reply.code} {text} "
                "(it may require the data connection to resume the control TLS session)",
                step=self.command.verb, reply_code=reply.code)
        return tracker.failure(
            DataFailure.SERVER_REFUSED,
            f"the server answered {self.command.display} with {reply.code} {text}",
            step=self.command.verb, reply_code=reply.code)

    async def _preliminary(self, tracker: _Tracker) -> Reply:
        reply = await self.control.read_reply(step=self.command.verb)
        if reply.is_error:
            raise self._refused_by_server(tracker, reply)
        return reply

    async def _tls_handshake(self, stream: DataStream, tracker: _Tracker) -> None:
        context = self.setup.tls_context
        assert context is not None and stream.transport is not None
        loop = asyncio.get_running_loop()
        tracker.emit(DataPhase.TLS_HANDSHAKE)
        try:
            async with asyncio.timeout(self.settings.data_timeout):
                transport = await loop.start_tls(stream.transport, stream, context,
                                                 server_side=False,
                                                 server_hostname=self.setup.server_hostname)
        except (ssl.SSLError, OSError, TimeoutError, ConnectionError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else (str(exc) or type(exc).__name__)
            raise tracker.failure(
                DataFailure.TLS_FAILED,
                f"the TLS handshake on the data connection failed: {reason}") from None
        if transport is None:
            raise tracker.failure(DataFailure.TLS_FAILED,
                                  "the data connection closed during the TLS handshake")
        stream.transport = transport  # type: ignore[assignment]
        ssl_object = transport.get_extra_info("ssl_object")
        version, cipher = tls_version_text(ssl_object)
        reused = bool(ssl_object is not None and ssl_object.session_reused)
        self._tls_reused = reused
        fingerprint = None
        if ssl_object is not None:
            der = ssl_object.getpeercert(binary_form=True)
            if der:
                fingerprint = fingerprint_sha256(der)
        if (context.trusted_by_user and self.setup.control_fingerprint and fingerprint
                and fingerprint != self.setup.control_fingerprint):
            raise tracker.failure(
                DataFailure.TLS_FAILED,
                "the data connection presented a different certificate "
                f"({fingerprint}) from the control connection ({self.setup.control_fingerprint})")
        self.setup.bus.emit(TlsEstablished(
            t=self.setup.bus.now(), connection=self.control.connection_id,
            channel=tracker.channel, version=version, cipher=cipher, session_reused=reused,
            fingerprint_sha256=fingerprint))
        tracker.emit(DataPhase.TLS_ESTABLISHED)

    async def _transfer(self, stream: DataStream, tracker: _Tracker, first: Reply) -> Reply:
        """Move the bytes, watch the connection, and collect the final reply."""
        if self.on_command_accepted is not None:
            self.on_command_accepted(first)
        final_task: asyncio.Future[Reply] | None = None
        if first.is_preliminary:
            final_task = asyncio.ensure_future(self.control.read_reply(None, step=self.command.verb))
        watchdog = asyncio.ensure_future(self._watch(stream, tracker))
        first_byte_seen = asyncio.ensure_future(self._announce_first_byte(stream, tracker))
        try:
            if self.source is not None:
                sender = asyncio.ensure_future(self._send(stream))
                waits = {sender, final_task} if final_task else {sender}
                await self._wait_data(stream, tracker, sender, final_task, waits)
            else:
                waits = {stream.closed, final_task} if final_task else {stream.closed}
                await self._wait_data(stream, tracker, stream.closed, final_task, waits)
            outcome = stream.closed.result() if stream.closed.done() else None
            tracker.bytes = stream.bytes
            if outcome is not None:
                raise self._classify_end(outcome, tracker, stream)
            if self.sink is not None:
                try:
                    await self.sink.finish()
                except OSError as exc:
                    raise self._classify_end(exc, tracker, stream) from None
            if final_task is None:
                final = first
            else:
                try:
                    async with asyncio.timeout(self.control.timeout):
                        final = await asyncio.shield(final_task)
                except TimeoutError:
                    raise tracker.failure(
                        DataFailure.CLOSED_EARLY,
                        f"the data connection closed after {stream.bytes} bytes but the server "
                        f"sent no final reply within {self.control.timeout:g} s") from None
            tracker.bytes = stream.bytes
            self._command_done = True
            if final.is_error:
                if _is_tls_refusal(final):
                    raise tracker.failure(
                        DataFailure.TLS_FAILED,
                        f"the server refused the protected data connection: {final.code} "
                        f"{escape_control(final.text)} (it requires the data connection to "
                        "resume the control connection's TLS session)",
                        step=self.command.verb, reply_code=final.code)
                raise tracker.failure(
                    DataFailure.CLOSED_EARLY,
                    f"the transfer did not complete: the server answered {final.code} "
                    f"{escape_control(final.text)} after {stream.bytes} bytes",
                    step=self.command.verb, reply_code=final.code)
            tracker.emit(DataPhase.CLOSED)
            return final
        finally:
            watchdog.cancel()
            first_byte_seen.cancel()
            if final_task is not None and not final_task.done():
                final_task.cancel()
                with contextlib.suppress(BaseException):
                    await final_task

    async def _announce_first_byte(self, stream: DataStream, tracker: _Tracker) -> None:
        await stream.first_byte
        tracker.bytes = stream.bytes
        tracker.emit(DataPhase.FIRST_BYTE)

    async def _send(self, stream: DataStream) -> None:
        """Run the upload source, but stop as soon as the connection is gone (the
        watchdog's stall verdict aborts the transport; a blocked sendfile would otherwise
        never notice)."""
        assert self.source is not None
        sending = asyncio.ensure_future(self.source(stream))
        await asyncio.wait({sending, stream.closed}, return_when=asyncio.FIRST_COMPLETED)
        if not sending.done():
            sending.cancel()
            with contextlib.suppress(BaseException):
                await sending
            return
        error = sending.exception()
        if isinstance(error, (ConnectionError, OSError)):
            stream.fail(error)
            return
        if error is not None:
            raise error
        if stream.transport is not None and not stream.closed.done():
            stream.transport.close()
        await asyncio.shield(stream.closed)

    async def _wait_data(self, stream: DataStream, tracker: _Tracker, data_done: asyncio.Future,
                         final_task: asyncio.Future | None, waits: set) -> None:
        while not data_done.done():
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if final_task is not None and final_task.done() and not data_done.done():
                error = final_task.exception()
                if error is not None:
                    raise error
                reply = final_task.result()
                self._command_done = True
                if reply.is_error:
                    tracker.bytes = stream.bytes
                    if stream.transport is not None:
                        stream.transport.abort()
                    if _is_tls_refusal(reply):
                        raise tracker.failure(
                            DataFailure.TLS_FAILED,
                            f"the server refused the protected data connection: {reply.code} "
                            f"{escape_control(reply.text)} (it requires the data connection to "
                            "resume the control connection's TLS session)",
                            step=self.command.verb, reply_code=reply.code)
                    failure = DataFailure.CLOSED_EARLY if stream.bytes else DataFailure.SERVER_REFUSED
                    raise tracker.failure(
                        failure, f"the server ended the transfer with {reply.code} "
                        f"{escape_control(reply.text)} while the data connection was still "
                        f"open ({stream.bytes} bytes moved)", step=self.command.verb,
                        reply_code=reply.code)
                waits = {data_done}
        if data_done is not stream.closed:
            data_done.result()

    def _classify_end(self, outcome: BaseException, tracker: _Tracker,
                      stream: DataStream) -> FtpError:
        timeout = self.settings.data_timeout
        if isinstance(outcome, _Silent):
            return tracker.failure(
                DataFailure.SILENT,
                f"the data connection opened and the server accepted {self.command.verb}, but "
                f"no byte arrived within {timeout:g} s: something between the hosts lets the "
                "connection through but not the data (a firewall or NAT helper), or the server "
                "is stuck")
        if isinstance(outcome, _Stalled):
            return tracker.failure(
                DataFailure.STALLED,
                f"the transfer stalled: no bytes moved for {timeout:g} s after {stream.bytes} "
                "bytes (the link or the server stopped)")
        if isinstance(outcome, ssl.SSLError):
            return tracker.failure(DataFailure.TLS_FAILED,
                                   f"TLS failed on the data connection: {outcome}")
        if isinstance(outcome, OSError) and not isinstance(outcome, ConnectionError):
            from client.engine.errors import LocalError

            tracker.failure(DataFailure.LOCAL, f"local error while storing data: {outcome}")
            return LocalError(f"could not write the downloaded data: {outcome.strerror or outcome}",
                              step=self.command.verb)
        return tracker.failure(
            DataFailure.RESET,
            f"the data connection was reset after {stream.bytes} bytes "
            f"({escape_control(str(outcome)) or type(outcome).__name__})")

    async def _watch(self, stream: DataStream, tracker: _Tracker) -> None:
        """Silent-after-150 and stall detection, checked a few times per timeout."""
        timeout = self.settings.data_timeout
        interval = max(min(timeout / 4, 0.5), 0.02)
        started = time.monotonic()
        while not stream.closed.done():
            await asyncio.sleep(interval)
            now = time.monotonic()
            sink_paused = getattr(self.sink, "_paused", False)
            if stream.last_byte_at is None:
                if now - started >= timeout:
                    # Downloads: nothing came. Uploads: the server never took a byte.
                    stream.fail(_Silent() if self.source is None else _Stalled())
                    return
            elif not sink_paused and now - stream.last_byte_at >= timeout:
                stream.fail(_Stalled())
                return

    async def _cleanup_after_failure(self, exc: BaseException) -> None:
        stream = self.stream
        if stream is not None and stream.transport is not None:
            stream.transport.abort()
        if self.sink is not None:
            # Keep every byte that arrived: the .part file is what a resume continues.
            try:
                await asyncio.shield(self.sink.finish())
            except BaseException:  # noqa: BLE001 - the original failure is what matters
                self.sink.discard()
        if (not self._command_sent or self._command_done
                or isinstance(exc, ConnectionLostError)):
            return
        if not self.control.is_open:
            return
        # The server may still think a transfer is running: ABOR and read up to its
        # answer (426 then 226, or 225/226) so the next command gets its own reply,
        # not this transfer's.
        try:
            self.control.send(Command("ABOR"))
            budget = min(2.0, self.control.timeout)
            deadline = time.monotonic() + budget
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                reply = await self.control.read_reply(remaining, step="ABOR")
                if reply.code in (225, 226) or (reply.is_error and reply.code not in (426, 451)):
                    break
            await self.control.drain_replies(0.05)
        except (FtpError, OSError):
            pass
