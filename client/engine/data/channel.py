"""A data command from set-up to final reply: open, protect (TLS), move, watch, classify.

This is where "login works but the listing hangs" gets its answer. Every way a data
connection can fail becomes a :class:`DataChannelError` naming the class (refused, SYN
unanswered, silent after 150, stalled, reset, closed before 226, refused by the server,
never connected back, wrong peer, TLS failed), the phase it reached and the endpoints.
:class:`DataTransfer` runs the steps in order and puts the control connection back in
step after a failure; each step is a module of its own: opening the connection
(:mod:`~client.engine.data.opening`), the stream that serves it
(:mod:`~client.engine.data.stream_choice`), the TLS handshake
(:mod:`~client.engine.data.protecting`), moving the bytes up to the final reply
(:mod:`~client.engine.data.moving`) and the errors (:mod:`~client.engine.data.classifying`);
the shared values and the event tracker are in :mod:`~client.engine.data.tracking`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from client.engine.data.classifying import refused_command
from client.engine.data.moving import ANSWER_GRACE, Mover
from client.engine.data.opening import open_active, open_passive
from client.engine.data.protecting import protect
from client.engine.data.stream import DataStream, Sink
from client.engine.data.stream_choice import UploadSource, choose_stream
from client.engine.data.tracking import (
    FALLBACK_FAILURES,
    ChannelResult,
    ChannelSetup,
    ChannelTracker,
    ModeMemory,
)
from client.engine.errors import (
    CommandFailedError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
)
from client.engine.events import Notice, NoticeKind
from client.engine.ratelimit import Throttle
from client.engine.resync import finish_resync, read_abor_answer
from client.engine.settings import TransferMode
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = ["ChannelSetup", "ModeMemory", "DataTransfer", "ChannelResult", "UploadSource",
           "FALLBACK_FAILURES"]


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
                 on_command_accepted: Callable[[Reply], None] | None = None,
                 throttle: Throttle | None = None) -> None:
        self.setup = setup
        self.throttle = throttle
        self.command = command
        self.sink = sink
        self.source = source
        self.rest = rest
        self.on_bytes = on_bytes
        self.on_command_accepted = on_command_accepted
        self.control = setup.control
        self.settings = setup.settings
        self.stream: DataStream | None = None
        self._tracker: ChannelTracker | None = None
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
            if isinstance(exc, DataChannelError) and exc.step is None:
                exc.step = self.command.verb  # every data failure names the command it served
            await self._cleanup_after_failure(exc)
            raise
        assert self.stream is not None
        return ChannelResult(final=final, bytes=self.stream.bytes,
                             elapsed=time.monotonic() - started, tls_reused=self._tls_reused)

    # ----------------------------------------------------------------- helpers
    def new_stream(self, on_connected: Callable[[DataStream], bool] | None = None) -> DataStream:
        return choose_stream(self.setup, sink=self.sink, source=self.source,
                             on_bytes=self.on_bytes, throttle=self.throttle,
                             on_connected=on_connected)

    def notice(self, text: str, kind: NoticeKind, severity: Severity = Severity.INFO) -> None:
        self.setup.bus.emit(Notice(t=self.setup.bus.now(), connection=self.control.connection_id,
                                   severity=severity, text=text, kind=kind))

    @property
    def control_peer(self) -> str:
        assert self.control.server is not None
        return self.control.server.host

    def start_tracker(self, initiator: str, method: str) -> ChannelTracker:
        tracker = ChannelTracker(self.setup, initiator=initiator, method=method,
                           command=self.command.display)
        tracker.tls = self.setup.tls_context is not None
        tracker.control_peer = self.control_peer
        throttle = self.throttle
        if throttle is not None:
            tracker.limit = lambda: throttle.limit
        self._tracker = tracker
        return tracker

    # ----------------------------------------------------------------- passive
    async def _run_passive(self) -> Reply:
        stream = await open_passive(self)
        self.stream = stream
        return await self._after_connect_passive(stream)

    async def _after_connect_passive(self, stream: DataStream) -> Reply:
        tracker = self._tracker
        assert tracker is not None
        await self.send_rest()
        self.send_command()
        handshake: asyncio.Task | None = None
        if self.setup.tls_context is not None:
            handshake = asyncio.ensure_future(self._protect(stream, tracker))
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
        return await Mover(self, stream, tracker).run(first)

    # ----------------------------------------------------------------- active
    async def _run_active(self) -> Reply:
        stream, tracker, first = await open_active(self)
        if self.setup.tls_context is not None:
            await self._protect(stream, tracker)
        return await Mover(self, stream, tracker).run(first)

    # ----------------------------------------------------------------- common
    async def send_rest(self) -> None:
        if self.rest is None:
            return
        reply = await self.control.execute(Command.rest(self.rest), step="REST")
        if reply.code != 350:
            raise CommandFailedError(
                f"the server refused to resume at byte {self.rest}: {reply.code} "
                f"{escape_control(reply.text)}", reply_code=reply.code,
                reply_text=escape_control(reply.text), command=f"REST {self.rest}", step="REST")

    def send_command(self) -> None:
        self.control.send(self.command)
        self._command_sent = True

    def command_answered(self) -> None:
        """The command's final reply was read: a failure from now on has nothing to abort."""
        self._command_done = True

    def refused_by_server(self, tracker: ChannelTracker, reply: Reply) -> FtpError:
        """The data command was answered with an error (a final reply): the error to
        raise (see :func:`~client.engine.data.classifying.refused_command`)."""
        self.command_answered()
        return refused_command(tracker, reply, self.command)

    async def _preliminary(self, tracker: ChannelTracker) -> Reply:
        reply = await self.control.read_reply(step=self.command.verb)
        if reply.is_error:
            raise self.refused_by_server(tracker, reply)
        return reply

    async def _protect(self, stream: DataStream, tracker: ChannelTracker) -> None:
        self._tls_reused = await protect(self.setup, stream, tracker)
        if self.source is None:
            stream.start_receiving()  # only now: the certificate was accepted

    async def _answered_meanwhile(self) -> bool:
        """Whether the server ended the transfer itself: closing a silent or stalled data
        connection makes most servers answer 426 (or 226/451) at once. That reply is the
        command's own answer, not a stray one, and an ABOR after it would only be answered
        "no transfer to abort". Waits a moment for it; True also when the control
        connection is gone (nothing to resynchronise)."""
        try:
            while True:
                reply = await self.control.read_reply(ANSWER_GRACE, step=self.command.verb)
                if not reply.is_preliminary:
                    self.command_answered()
                    return True
        except ControlTimeoutError:
            return False
        except (FtpError, OSError):
            return True

    async def _cleanup_after_failure(self, exc: BaseException) -> None:
        stream = self.stream
        if stream is not None:
            stream.abort()
            if stream.runs_in_thread:
                # its thread stops at once; its last write lands before the .part is cut
                with contextlib.suppress(BaseException):
                    await asyncio.shield(stream.closed)
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
        # not this transfer's. Servers that are still dialling our listener (vsftpd
        # answers only when its own connect times out) answer late: the failure is
        # reported now, and the rest of the resync runs in the background holding the
        # control connection's lock.
        if await self._answered_meanwhile():
            return
        try:
            self.control.send(Command("ABOR"))
        except (FtpError, OSError):
            return
        if await read_abor_answer(self.control, min(0.3, self.control.timeout)):
            return
        self.control.resync = asyncio.ensure_future(
            finish_resync(self.control, min(2.0, self.control.timeout)))

