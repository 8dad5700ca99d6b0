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
import os
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from client.engine.errors import (
    ConnectionLostError,
    ControlTimeoutError,
    ServerProtocolError,
)
from client.engine.events import Endpoint, EventBus, LineSent, Notice, NoticeKind, ReplyReceived
from client.engine.tcpstack import keepalive_options
from client.protocol.annotate import AnnotationContext, Annotator, Severity
from client.protocol.commands import Command
from client.protocol.errors import ProtocolError, WrongServiceError
from client.protocol.replies import Reply, ReplyParser
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.early_login import EarlyLogin, EarlyStep

__all__ = ["ControlConnection", "endpoint_of"]

log = logging.getLogger(__name__)

#: the most one read of the control connection takes (see ControlConnection._adopt)
_READ_SIZE = 16 * 1024


def _arrived(reply: Reply) -> EarlyStep:
    from client.engine.early_login import EarlyStep

    return EarlyStep(None, reply, time.monotonic())


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
        # The one read waiting for a reply (see reply_future), its deadline (loop time)
        # and what its timeout error says; one timer per connection enforces deadlines.
        self._pending: asyncio.Future[Reply] | None = None
        self._pending_deadline: float | None = None
        self._pending_timeout = 0.0
        self._pending_step: str | None = None
        self._deadline_timer: asyncio.Handle | None = None
        self._timer_at = 0.0
        #: lines an early login exchanged, shown as the login reaches them
        self._script: collections.deque[EarlyStep] = collections.deque()
        self._failure: Exception | None = None
        self._closed = False
        #: a duplicate of the socket for a worker thread (see lend_socket)
        self._lent: socket.socket | None = None
        #: a late ABOR answer being read after a failed transfer (see data/channel.py)
        self.resync: asyncio.Future[None] | None = None
        #: called once, synchronously, with the first failure we did not cause ourselves
        self.on_failure: Callable[[Exception], None] | None = None
        self.context = AnnotationContext()
        self._annotator = Annotator(self.context)

    def set_encoding(self, encoding: str) -> None:
        """Send commands and read replies in ``encoding`` from now on (a wire charset,
        never "auto"). UTF-8 replies keep the Latin-1 fallback for display."""
        self.encoding = encoding
        self._parser.encoding = None if encoding == "utf-8" else encoding

    # ------------------------------------------------------------------ annotations
    def _annotations(self, kind: str, value: object) -> tuple:
        try:
            if kind == "sent":
                return tuple(self._annotator.sent(value))  # type: ignore[arg-type]
            return tuple(self._annotator.received(value))  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a bad annotation must not stop a transfer
            log.debug("annotation of %s line failed", kind, exc_info=True)
            return ()

    def _shown(self) -> bool:
        """Somebody takes control lines (a console, a transcript): only then are they
        annotated and sent out as events; otherwise the annotator only follows along."""
        bus = self.bus
        return bus.wants(LineSent) or bus.wants(ReplyReceived)

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
        # the early parser goes on: an unfinished line it holds completes with the next bytes
        early.parser.encoding = self._parser.encoding
        self._parser = early.parser
        self._script.extend(early.steps)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(lambda: self._protocol, sock=early.sock)
        early.sock = None  # the transport owns it now
        self._adopt(transport)
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
        if self._shown():
            self.bus.emit(LineSent(
                t=self.bus.now(), connection=self.connection_id, text=display,
                annotations=self._annotations("sent", display),
            ))
        else:
            self._annotator.track_sent(display)

    def _adopt(self, transport: asyncio.Transport, server: Endpoint | None = None) -> None:
        self.transport = transport
        if isinstance(getattr(transport, "max_size", None), int):
            # asyncio reads up to 256 KiB per wake-up into a new bytes object: above
            # malloc's mmap threshold, so each reply cost an mmap, an mremap and a
            # munmap (measured: four of each per uploaded file). Replies are short;
            # a long one simply takes more reads.
            transport.max_size = _READ_SIZE  # type: ignore[attr-defined]
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

    def _drop_lent(self) -> None:
        if self._lent is not None:
            self._lent.close()  # the duplicate only
            self._lent = None

    def close(self) -> None:
        self._closed = True
        self._drop_lent()
        self._stop_deadline_timer()
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self._closed = True
        self._drop_lent()
        self._stop_deadline_timer()
        if self.transport is not None:
            self.transport.abort()

    def _stop_deadline_timer(self) -> None:
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
            self._deadline_timer = None

    # ------------------------------------------------------------------ lent to a thread
    def lend_socket(self) -> tuple[socket.socket, ReplyParser] | None:
        """The connection for a worker thread, between commands (a batch of small plain
        downloads, client/engine/queue/batch.py): a duplicate of the socket with the
        control timeout, and the reply parser. The loop stops reading it until
        :meth:`take_back`; the caller holds :attr:`lock`. None unless it is idle and
        plain: no TLS, nothing unsent, unread or half-read, no failure."""
        transport = self.transport
        if (transport is None or self._closed or self._failure is not None or self._replies
                or self._script or (self._pending is not None and not self._pending.done())
                or self.resync is not None or self._parser.has_partial
                or self.ssl_object is not None or transport.get_write_buffer_size()):
            return None
        sock = self._lent
        if sock is None:
            raw = transport.get_extra_info("socket")
            if raw is None:
                return None
            # kept for the next batch: one dup per connection (each call lets go of the
            # interpreter, which a loop among busy threads waits to get back)
            sock = self._lent = socket.socket(fileno=os.dup(raw.fileno()))
            sock.settimeout(self.timeout)  # (the descriptor stays non-blocking for the loop)
        transport.pause_reading()
        return sock, self._parser

    def take_back(self, *, in_step: bool) -> None:
        """The thread is done with the socket :meth:`lend_socket` gave. ``in_step``: every
        command it sent was answered; otherwise the connection is closed (a reply may
        still be on its way, or the socket was shut to stop the thread)."""
        self.last_activity = time.monotonic()
        if in_step and self.transport is not None and not self._closed:
            self.transport.resume_reading()
            if self._parser.has_partial:  # a reply nobody asked for: shown, then dropped
                self.data_arrived(b"")
        else:
            self.abort()

    def show_sent(self, display: str, at: float) -> None:
        """A command a thread sent at ``at`` (``time.monotonic()``): shown and annotated
        as if sent here. The bus's clock stays held until the caller releases it."""
        self.bus.hold_clock(at)
        if self._shown():
            self.bus.emit(LineSent(t=self.bus.now(), connection=self.connection_id,
                                   text=display, annotations=self._annotations("sent", display)))
        else:
            self._annotator.track_sent(display)

    def show_received(self, reply: Reply, at: float) -> None:
        """A reply a thread read at ``at``, as :meth:`show_sent`."""
        self.bus.hold_clock(at)
        if self._shown():
            self.bus.emit(ReplyReceived(t=self.bus.now(), connection=self.connection_id,
                                        reply=reply,
                                        annotations=self._annotations("received", reply)))
        else:
            self._annotator.track_received(reply)

    # ------------------------------------------------------------------ protocol callbacks
    def _wake(self) -> None:
        """Hand the next reply (or the failure) to the read waiting for one."""
        pending = self._pending
        if pending is None:
            return
        if pending.done():  # its reader went away (cancelled): the reply stays queued
            self._pending = None
            return
        if self._replies:
            self._pending = None
            pending.set_result(self._replies.popleft())
        elif self._failure is not None:
            self._pending = None
            pending.set_exception(self._failure_for(self._pending_step))

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
            if self._script:  # after the early login's lines, in the order they came
                self._script.append(_arrived(reply))
            else:
                self._take_reply(reply)
        self._wake()

    def _take_reply(self, reply: Reply) -> None:
        """Show a complete reply and queue it for the reader (a 421 fails the
        connection instead)."""
        if self._shown():
            self.bus.emit(ReplyReceived(
                t=self.bus.now(), connection=self.connection_id, reply=reply,
                annotations=self._annotations("received", reply),
            ))
        else:
            self._annotator.track_received(reply)
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
        self.send_many((command,))

    def send_many(self, commands: Sequence[Command]) -> None:
        """Write ``commands`` in one piece (pipelining: the caller then reads their
        replies in order). One write is one system call, and on loopback one wake-up of
        the server, instead of one per command. Each still emits its :class:`LineSent`.
        Commands an early login sent already are only shown."""
        if not commands:
            return
        if self._script:
            while self._script and self._script[0].reply is not None:
                self._replay_reply()  # arrived before this command: nobody asked for it
            self._drop_unrequested(commands[0])
            rest = list(commands)
            while rest and self._script:
                self._replay_command(rest.pop(0))
            commands = rest
            if not commands:
                return
        self.bus.hold_clock(None)
        first = commands[0]
        if self._failure is not None:
            error = self._failure_copy()
            if getattr(error, "step", None) is None:
                error.step = first.verb  # type: ignore[attr-defined]
            raise error
        if self.transport is None or self._closed:
            raise ConnectionLostError("the control connection is not open")
        self._drop_unrequested(first)
        encoding = self.encoding
        if len(commands) == 1:
            data = first.to_bytes(encoding)
        else:
            data = b"".join(command.to_bytes(encoding) for command in commands)
        self.transport.write(data)
        self.last_activity = time.monotonic()
        shown = self._shown()
        for command in commands:
            display = command.display
            if shown:
                self.bus.emit(LineSent(
                    t=self.bus.now(), connection=self.connection_id, text=display,
                    annotations=self._annotations("sent", display),
                ))
            else:
                self._annotator.track_sent(display)

    def _drop_unrequested(self, first: Command) -> None:
        """Replies nobody asked for (a server answering twice, or a transfer's late
        226): they were shown when they arrived; they must not be taken for the answer
        to ``first``, about to be sent."""
        if not self._replies:
            return
        stale = ", ".join(str(r.code) for r in self._replies)
        self._replies.clear()
        self.bus.emit(Notice(
            t=self.bus.now(), connection=self.connection_id, severity=Severity.WARNING,
            kind=NoticeKind.INFO, text=f"ignored unexpected repl{'ies' if ',' in stale else 'y'} "
            f"{stale} from the server before sending {first.verb}"))

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

    def take_pending(self) -> Reply | None:
        """The next reply already received (shown when it arrived), without waiting."""
        return self._replies.popleft() if self._replies else None

    def reply_future(self, timeout: float | None = -1.0, *,
                     step: str | None = None) -> asyncio.Future[Reply]:
        """A future of the next reply (no task needed to wait for it alongside something
        else). ``timeout`` -1 means the control timeout; None waits forever (used while
        a data transfer runs: its own watchdog bounds the wait). At most one read waits
        at a time; cancelling the future leaves the next reply queued."""
        while not self._replies and self._replay_reply():
            pass  # the early login's replies come first, with their own times
        if not self._replies:
            self.bus.hold_clock(None)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply] = loop.create_future()
        if not self._replies and self._script and self._script[0].is_timeout:
            # the early login waited the whole timeout for the reply this read wants; one
            # that came later came too late, as it would have without the early login
            self._script.clear()
            self.bus.hold_clock(None)
            future.set_exception(self._timeout_error(self.timeout, step))
            return future
        if self._replies:
            future.set_result(self._replies.popleft())
            return future
        if self._failure is not None:
            future.set_exception(self._failure_for(step))
            return future
        if timeout is not None and timeout < 0:
            timeout = self.timeout
        if timeout is not None and timeout <= 0:
            future.set_exception(self._timeout_error(timeout, step))
            return future
        self._pending = future
        self._pending_step = step
        if timeout is None:
            self._pending_deadline = None
        else:
            self._pending_timeout = timeout
            self._pending_deadline = deadline = loop.time() + timeout
            # One timer serves every read: a later deadline than the armed one only
            # needs the timer to look again when it fires (no timer per reply).
            if self._deadline_timer is None or self._timer_at > deadline:
                self._arm_deadline_timer(loop, deadline)
        return future

    def _arm_deadline_timer(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
        self._timer_at = when  # (qasync's handles do not say when they fire)
        self._deadline_timer = loop.call_at(when, self._deadline_passed)

    def _deadline_passed(self) -> None:
        self._deadline_timer = None
        pending, deadline = self._pending, self._pending_deadline
        if pending is None or deadline is None:
            return
        if pending.done():
            self._pending = None
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= deadline:
            self._pending = None
            pending.set_exception(self._timeout_error(self._pending_timeout,
                                                      self._pending_step))
        else:
            self._arm_deadline_timer(loop, deadline)

    def _failure_for(self, step: str | None) -> Exception:
        error = self._failure_copy()
        if getattr(error, "step", None) is None and step:
            error.step = step  # type: ignore[attr-defined]
        return error

    @staticmethod
    def _timeout_error(timeout: float, step: str | None) -> ControlTimeoutError:
        return ControlTimeoutError(
            f"no reply from the server within {timeout:g} s"
            + (f" (waiting for the reply to {step})" if step else "")
            + "; the server or a firewall in between stopped answering on the control connection",
            step=step)

    async def read_reply(self, timeout: float | None = -1.0, *, step: str | None = None) -> Reply:
        """The next reply. ``timeout`` -1 means the control timeout; None waits forever
        (used while a data transfer runs: its own watchdog bounds the wait)."""
        future = self.reply_future(timeout, step=step)
        if future.done():
            return future.result()
        try:
            return await future
        finally:
            if self._pending is future:
                self._pending = None

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
