"""The control connection: commands out, replies in, every line on the event bus.

One asyncio Protocol feeds :class:`client.protocol.replies.ReplyParser`; complete
replies are emitted as :class:`ReplyReceived` the moment they arrive (so the console
shows an unsolicited reply when it comes, not when someone asks) and queued for the
reader. One command is in flight at a time: callers hold :attr:`ControlConnection.lock`
around a command and the replies it produces. A ``421`` anywhere means the server is
closing the connection: every reader gets :class:`ConnectionLostError` with the
server's words. The first failure that was not our own doing (a 421, the server's FIN
or RST, bytes that are not FTP) is also handed to :attr:`ControlConnection.on_failure`
the moment it happens, so the session can say so while nobody is reading.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import socket
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from client.engine.errors import (
    ConnectionLostError,
    ControlTimeoutError,
    ServerProtocolError,
)
from client.engine.events import Endpoint, EventBus, LineSent, Notice, NoticeKind, ReplyReceived
from client.engine.tcpstack import keepalive_options
from client.protocol import annotate as _annotate_module
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.errors import ProtocolError, WrongServiceError
from client.protocol.replies import Reply, ReplyParser
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.early_login import EarlyLogin, EarlyStep

__all__ = ["ControlConnection", "endpoint_of"]

log = logging.getLogger(__name__)


def endpoint_of(address: object) -> Endpoint | None:
    if isinstance(address, tuple) and len(address) >= 2:
        return Endpoint(str(address[0]).split("%", 1)[0], int(address[1]))
    return None


class _ControlProtocol(asyncio.Protocol):
    def __init__(self, owner: ControlConnection) -> None:
        self._owner = owner

    def data_received(self, data: bytes) -> None:
        self._owner.data_arrived(data)

    def eof_received(self) -> bool | None:
        self._owner.connection_ended(None, eof=True)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._owner.connection_ended(exc, eof=False)


class ControlConnection:
    """A control connection with a reply queue, an in-flight lock and annotations.

    ``context`` is the annotator's :class:`AnnotationContext`; the session keeps its
    fields (peer, mode, TLS) current so that 227/229 lines are explained correctly.
    """

    def __init__(self, *, bus: EventBus, connection_id: str, encoding: str = "utf-8",
                 timeout: float = 20.0) -> None:
        self.bus = bus
        self.connection_id = connection_id
        self.encoding = encoding
        self.timeout = timeout
        self.lock = asyncio.Lock()
        self.transport: asyncio.Transport | None = None
        self.server: Endpoint | None = None
        self.local: Endpoint | None = None
        self.last_activity = time.monotonic()
        self._protocol = _ControlProtocol(self)
        self._parser = ReplyParser(encoding=None if encoding == "utf-8" else encoding)
        self._replies: collections.deque[Reply] = collections.deque()
        #: lines an early login exchanged, shown as the login reaches them
        self._script: collections.deque[EarlyStep] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._failure: Exception | None = None
        self._closed = False
        #: a late ABOR answer being read after a failed transfer (see data/channel.py)
        self.resync: asyncio.Future[None] | None = None
        #: called once, synchronously, with the first failure we did not cause ourselves
        self.on_failure: Callable[[Exception], None] | None = None
        context_cls = getattr(_annotate_module, "AnnotationContext", None)
        self.context = context_cls() if context_cls is not None else None
        self._annotator = self._make_annotator()

    def set_encoding(self, encoding: str) -> None:
        """Send commands and read replies in ``encoding`` from now on (a wire charset,
        never "auto"). UTF-8 replies keep the Latin-1 fallback for display."""
        self.encoding = encoding
        self._parser.encoding = None if encoding == "utf-8" else encoding

    # ------------------------------------------------------------------ annotations
    def _make_annotator(self) -> object | None:
        annotator_cls = getattr(_annotate_module, "Annotator", None)
        if annotator_cls is None:
            return None
        for args in ((self.context,), ()):
            try:
                return annotator_cls(*args)
            except TypeError:
                continue
            except Exception:  # noqa: BLE001 - annotations are optional, never fatal
                log.exception("annotator could not be created")
                return None
        return None

    def _annotations(self, kind: str, value: object) -> tuple:
        annotator = self._annotator
        if annotator is None:
            return ()
        try:
            if self.context is not None and getattr(annotator, "context", None) is not self.context:
                try:
                    annotator.context = self.context  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001
                    pass
            return tuple(getattr(annotator, kind)(value) or ())
        except Exception:  # noqa: BLE001 - a bad annotation must not stop a transfer
            log.debug("annotation of %s line failed", kind, exc_info=True)
            return ()

    # ------------------------------------------------------------------ connection
    async def open(self, host: str, port: int, *, connect_timeout: float,
                   ssl_context: ssl.SSLContext | None = None,
                   server_hostname: str | None = None,
                   sock: socket.socket | None = None) -> None:
        """Open TCP (and TLS for implicit FTPS). Raises OSError/TimeoutError/ssl errors;
        the session names the step. ``sock`` is a socket already connected to the server
        through a proxy: then the server is ``host:port`` as named, not the socket's
        peer (which is the proxy)."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(connect_timeout):
            if sock is not None:
                transport, _ = await loop.create_connection(
                    lambda: self._protocol, sock=sock, ssl=ssl_context,
                    server_hostname=server_hostname if ssl_context is not None else None,
                )
            else:
                transport, _ = await loop.create_connection(
                    lambda: self._protocol, host, port, ssl=ssl_context,
                    server_hostname=server_hostname if ssl_context is not None else None,
                )
        self._adopt(transport, Endpoint(host, port) if sock is not None else None)  # type: ignore[arg-type]

    async def open_early(self, early: EarlyLogin) -> bool:
        """Take over the connection ``early`` opened and logged in on (see
        client/engine/early_login.py); False when there is none to take (the caller then
        calls :meth:`open`). Raises the early connect's error as :meth:`open` would. Its
        lines are shown, with their times, as the login sends and reads them."""
        early.finish()
        if early.connect_error is not None or early.sock is None:
            self.bus.hold_clock(None)  # what follows (the error, a connect here) is now
            if early.connect_error is not None:
                raise early.connect_error
            return False
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(lambda: self._protocol, sock=early.sock)
        early.sock = None  # the transport owns it now
        self._adopt(transport)
        self._script.extend(early.steps)
        if early.connected_at is not None:
            self.bus.hold_clock(early.connected_at)
        return True

    def _replay_reply(self) -> bool:
        """Show and queue the next reply the early login received; False when the next
        early line is a command, or none is left."""
        if not self._script or self._script[0].reply is None:
            return False
        step = self._script.popleft()
        self.bus.hold_clock(step.at)
        self._take_reply(step.reply)  # type: ignore[arg-type]
        return True

    def _replay_command(self, command: Command) -> None:
        """``command`` was sent by the early login already: show it, with its time."""
        step = self._script.popleft()
        sent = step.command
        if sent is None or sent.to_bytes(self.encoding) != command.to_bytes(self.encoding):
            self._script.clear()
            self.bus.hold_clock(None)
            self.abort()
            raise ConnectionLostError(
                f"the login was about to send {command.verb} where the early login had "
                f"{'sent ' + sent.verb if sent is not None else 'read a reply'}; the "
                "connection was closed", step=command.verb)
        self.bus.hold_clock(step.at)
        self.last_activity = time.monotonic()
        display = command.display
        self.bus.emit(LineSent(
            t=self.bus.now(), connection=self.connection_id, text=display,
            annotations=self._annotations("sent", display),
        ))

    def _adopt(self, transport: asyncio.Transport, server: Endpoint | None = None) -> None:
        self.transport = transport
        self.server = server or endpoint_of(transport.get_extra_info("peername"))
        self.local = endpoint_of(transport.get_extra_info("sockname"))
        if self.context is not None:
            self.context.control_peer = self.server.host if self.server else None
            self.context.control_local = self.local.host if self.local else None

    async def start_tls(self, context: ssl.SSLContext, server_hostname: str | None,
                        timeout: float) -> None:
        """Upgrade after ``234`` (explicit FTPS). The reply queue is empty by then."""
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            new_transport = await loop.start_tls(
                self.transport, self._protocol, context, server_side=False,
                server_hostname=server_hostname,
            )
        if new_transport is None:
            raise ConnectionLostError("the control connection closed during the TLS handshake",
                                      step="auth-tls")
        self.transport = new_transport  # type: ignore[assignment]
        if self.context is not None:
            self.context.tls = True

    def enable_tcp_keepalive(self, idle: float) -> bool:
        """TCP keep-alive probes after ``idle`` silent seconds (see tcpstack)."""
        sock = self.transport.get_extra_info("socket") if self.transport is not None else None
        return sock is not None and keepalive_options(sock, idle)

    @property
    def ssl_object(self) -> ssl.SSLObject | None:
        if self.transport is None:
            return None
        return self.transport.get_extra_info("ssl_object")

    @property
    def is_open(self) -> bool:
        return self.transport is not None and not self._closed and self._failure is None

    def close(self) -> None:
        self._closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self._closed = True
        if self.transport is not None:
            self.transport.abort()

    # ------------------------------------------------------------------ protocol callbacks
    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def data_arrived(self, data: bytes) -> None:
        self.last_activity = time.monotonic()
        self._parser.feed(data)
        while True:
            try:
                reply = self._parser.next_reply()
            except WrongServiceError as exc:
                self._fail(ServerProtocolError(str(exc), service=exc.service))
                if self.transport is not None:
                    self.transport.abort()
                return
            except ProtocolError as exc:
                self._fail(ServerProtocolError(
                    f"the server sent bytes that are not an FTP reply: {escape_control(str(exc))}"))
                if self.transport is not None:
                    self.transport.abort()
                return
            if reply is None:
                break
            self._take_reply(reply)
        self._wake()

    def _take_reply(self, reply: Reply) -> None:
        """Show a complete reply and queue it for the reader (a 421 fails the
        connection instead)."""
        self.bus.emit(ReplyReceived(
            t=self.bus.now(), connection=self.connection_id, reply=reply,
            annotations=self._annotations("received", reply),
        ))
        if reply.code == 421:
            self._fail(ConnectionLostError(
                "the server is closing the control connection (421): "
                + escape_control(reply.text), reply_code=421))
            return
        self._replies.append(reply)

    def _fail(self, error: Exception) -> None:
        first = self._failure is None
        if first:
            self._failure = error
        self._wake()
        if first and not self._closed and self.on_failure is not None:
            try:
                self.on_failure(error)
            except Exception:  # noqa: BLE001 - an observer must never break the connection
                log.exception("control failure observer failed")

    def connection_ended(self, exc: Exception | None, *, eof: bool) -> None:
        if self._closed and self._failure is None:
            self._failure = ConnectionLostError("the control connection was closed")
        elif exc is not None:
            self._fail(ConnectionLostError(
                f"the control connection was lost: {escape_control(str(exc)) or type(exc).__name__}"))
        else:
            self._fail(ConnectionLostError(
                "the server closed the control connection" if eof else
                "the control connection was closed"))
        self._wake()

    # ------------------------------------------------------------------ commands
    def send(self, command: Command) -> None:
        """Write one command (the caller holds :attr:`lock`). Emits :class:`LineSent`
        with the redacted text."""
        if self._script:
            self._replay_command(command)
            return
        self.bus.hold_clock(None)
        if self._failure is not None:
            error = self._failure_copy()
            if getattr(error, "step", None) is None:
                error.step = command.verb  # type: ignore[attr-defined]
            raise error
        if self.transport is None or self._closed:
            raise ConnectionLostError("the control connection is not open")
        if self._replies:
            # Replies nobody asked for (a server answering twice, or a transfer's late
            # 226): they were shown when they arrived; they must not be taken for the
            # answer to this command.
            stale = ", ".join(str(r.code) for r in self._replies)
            self._replies.clear()
            self.bus.emit(Notice(
                t=self.bus.now(), connection=self.connection_id, severity=Severity.WARNING,
                kind=NoticeKind.INFO, text=f"ignored unexpected repl{'ies' if ',' in stale else 'y'} "
                f"{stale} from the server before sending {command.verb}"))
        display = command.display
        self.transport.write(command.to_bytes(self.encoding))
        self.last_activity = time.monotonic()
        self.bus.emit(LineSent(
            t=self.bus.now(), connection=self.connection_id, text=display,
            annotations=self._annotations("sent", display),
        ))

    def _failure_copy(self) -> Exception:
        failure = self._failure
        assert failure is not None
        if isinstance(failure, ConnectionLostError):
            return ConnectionLostError(failure.message, step=failure.step,
                                       reply_code=failure.reply_code)
        return failure

    def unread(self, reply: Reply) -> None:
        """Put a reply back at the head of the queue (a watcher read it early)."""
        self._replies.appendleft(reply)
        self._wake()

    def pending(self) -> bool:
        return bool(self._replies)

    async def read_reply(self, timeout: float | None = -1.0, *, step: str | None = None) -> Reply:
        """The next reply. ``timeout`` -1 means the control timeout; None waits forever
        (used while a data transfer runs: its own watchdog bounds the wait)."""
        if timeout is not None and timeout < 0:
            timeout = self.timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._replies:
            if self._replay_reply():
                continue
            self.bus.hold_clock(None)
            if self._failure is not None:
                error = self._failure_copy()
                if isinstance(error, Exception) and getattr(error, "step", None) is None and step:
                    error.step = step  # type: ignore[attr-defined]
                raise error
            loop = asyncio.get_running_loop()
            self._waiter = loop.create_future()
            try:
                if deadline is None:
                    await self._waiter
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                    async with asyncio.timeout(remaining):
                        await self._waiter
            except TimeoutError:
                raise ControlTimeoutError(
                    f"no reply from the server within {timeout:g} s"
                    + (f" (waiting for the reply to {step})" if step else "")
                    + "; the server or a firewall in between stopped answering on the control connection",
                    step=step) from None
            finally:
                self._waiter = None
        return self._replies.popleft()

    async def execute(self, command: Command, *, step: str | None = None,
                      timeout: float | None = -1.0) -> Reply:
        """Send ``command`` and return its final reply (1xx replies are skipped; data
        commands use :meth:`send` and :meth:`read_reply` instead)."""
        self.send(command)
        while True:
            reply = await self.read_reply(timeout, step=step or command.verb)
            if not reply.is_preliminary:
                return reply

    async def drain_replies(self, quiet: float) -> list[Reply]:
        """Collect replies until none arrives for ``quiet`` seconds (resynchronising after
        ABOR or a failed transfer)."""
        collected = []
        while True:
            try:
                collected.append(await self.read_reply(quiet))
            except ControlTimeoutError:
                return collected
