"""A data command from set-up to final reply: protect (TLS), move, watch, classify.

This is where "login works but the listing hangs" gets its answer. Every way a data
connection can fail becomes a :class:`DataChannelError` naming the class (refused, SYN
unanswered, silent after 150, stalled, reset, closed before 226, refused by the server,
never connected back, wrong peer, TLS failed), the phase it reached and the endpoints.
Opening the connection (passive/active) is in :mod:`client.engine.data.opening`; the shared
values and the event tracker are in :mod:`client.engine.data.tracking`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Awaitable, Callable

from client.engine.data.opening import open_active, open_passive
from client.engine.data.stream import DataStream, FileSink, ReadHold, Sink
from client.engine.data.threaded_tls import ThreadedTlsStream, wants_threaded_tls
from client.engine.data.threaded_upload import ThreadedTlsUpload, wants_threaded_upload
from client.engine.data.tracking import (
    FALLBACK_FAILURES,
    ChannelResult,
    ChannelSetup,
    ChannelTracker,
    ModeMemory,
    SilentData,
    StalledData,
    Watchdog,
    is_tls_refusal,
)
from client.engine.errors import (
    CommandFailedError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
    LocalError,
)
from client.engine.events import DataFailure, DataPhase, Notice, NoticeKind, TlsEstablished
from client.engine.ratelimit import Throttle
from client.engine.resync import finish_resync, read_abor_answer
from client.engine.settings import TransferMode
from client.engine.tls import tls_version_text
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = ["ChannelSetup", "ModeMemory", "DataTransfer", "ChannelResult", "UploadSource",
           "FALLBACK_FAILURES"]

UploadSource = Callable[[DataStream], Awaitable[None]]

#: Replies to a data command that are about the data connection itself (RFC 959: 425
#: can't open data connection, 426 connection closed; transfer aborted).
DATA_CONNECTION_CODES = frozenset({425, 426})
#: how long a failed transfer waits for the server's own final reply before sending ABOR
_ANSWER_GRACE = 0.25


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
        sink = self.sink
        if on_connected is None and wants_threaded_tls(self.setup, sink, self.throttle):
            assert isinstance(sink, FileSink)
            return ThreadedTlsStream(sink, self.on_bytes, throttle=self.throttle)
        if on_connected is None and wants_threaded_upload(self.setup, self.source, self.throttle):
            return ThreadedTlsUpload(self.source, self.on_bytes,  # type: ignore[arg-type]
                                     throttle=self.throttle)
        stream = DataStream(self.sink, self.on_bytes, on_connected, throttle=self.throttle)
        if sink is not None and hasattr(sink, "on_error"):
            sink.on_error = stream.fail  # type: ignore[attr-defined]  # disk errors end the transfer
        if sink is not None and hasattr(sink, "pause_reading"):
            sink.pause_reading = lambda: stream.hold(ReadHold.DISK)  # type: ignore[attr-defined]
            sink.resume_reading = lambda: stream.release(ReadHold.DISK)  # type: ignore[attr-defined]
        return stream

    def notice(self, text: str, kind: NoticeKind, severity: Severity = Severity.INFO) -> None:
        self.setup.bus.emit(Notice(t=self.setup.bus.now(), connection=self.control.connection_id,
                                   severity=severity, text=text, kind=kind))

    @property
    def control_peer(self) -> str:
        assert self.control.server is not None
        return self.control.server.host

    # ----------------------------------------------------------------- passive
    async def _run_passive(self) -> Reply:
        stream = await open_passive(self)
        self.stream = stream
        return await self._after_connect_passive(stream)

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

    async def _after_connect_passive(self, stream: DataStream) -> Reply:
        tracker = self._tracker
        assert tracker is not None
        await self.send_rest()
        self.send_command()
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
        stream, tracker, first = await open_active(self)
        if self.setup.tls_context is not None:
            await self._tls_handshake(stream, tracker)
        return await self._transfer(stream, tracker, first)

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

    def refused_by_server(self, tracker: ChannelTracker, reply: Reply) -> FtpError:
        """The data command was answered with an error. 425/426 (and TLS refusals) are
        data-connection failures; anything else (550 no such file, 553, 530 …) is the
        command itself being refused: a :class:`CommandFailedError`, so that neither a
        mode fallback nor the diagnosis blames the data connection for a missing file.
        The channel's FAILED event is emitted either way."""
        self._command_done = True  # a final reply: nothing left to abort
        text = escape_control(reply.text)
        if is_tls_refusal(reply):
            return tracker.failure(
                DataFailure.TLS_FAILED,
                f"the server refused the protected data connection: {reply.code} {text} "
                "(it may require the data connection to resume the control TLS session)",
                step=self.command.verb, reply_code=reply.code)
        error = tracker.failure(
            DataFailure.SERVER_REFUSED,
            f"the server answered {self.command.display} with {reply.code} {text}",
            step=self.command.verb, reply_code=reply.code)
        if reply.code in DATA_CONNECTION_CODES:
            return error
        return CommandFailedError(
            f"{self.command.display} failed: the server answered {reply.code} {text}",
            reply_code=reply.code, reply_text=text, command=self.command.display,
            step=self.command.verb)

    async def _preliminary(self, tracker: ChannelTracker) -> Reply:
        reply = await self.control.read_reply(step=self.command.verb)
        if reply.is_error:
            raise self.refused_by_server(tracker, reply)
        return reply

    async def _tls_handshake(self, stream: DataStream, tracker: ChannelTracker) -> None:
        context = self.setup.tls_context
        assert context is not None and stream.transport is not None
        tracker.emit(DataPhase.TLS_HANDSHAKE)
        try:
            async with asyncio.timeout(self.settings.data_timeout):
                transport = await stream.handshake(context, self.setup.server_hostname)
        except (ssl.SSLError, OSError, TimeoutError, ConnectionError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else (str(exc) or type(exc).__name__)
            raise tracker.failure(
                DataFailure.TLS_FAILED,
                f"the TLS handshake on the data connection failed: {reason}") from None
        if transport is None:
            raise tracker.failure(DataFailure.TLS_FAILED,
                                  "the data connection closed during the TLS handshake")
        ssl_object = transport.get_extra_info("ssl_object")
        version, cipher = tls_version_text(ssl_object)
        reused = bool(ssl_object is not None and ssl_object.session_reused)
        self._tls_reused = reused
        fingerprint = None
        if ssl_object is not None:
            der = ssl_object.getpeercert(binary_form=True)
            if der:
                from client.engine.trust import fingerprint_sha256  # TLS only

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
        if self.source is None:
            stream.start_receiving()  # only now: the certificate was accepted

    async def _transfer(self, stream: DataStream, tracker: ChannelTracker, first: Reply) -> Reply:
        """Move the bytes, watch the connection, and collect the final reply."""
        if self.on_command_accepted is not None:
            self.on_command_accepted(first)
        final_task: asyncio.Future[Reply] | None = None
        if first.is_preliminary:
            # a future the control connection resolves, not a task reading for it
            final_task = self.control.reply_future(None, step=self.command.verb)
        # A timer and a done-callback, not two tasks: each task cost a start and a
        # cancellation round through the loop for every file of a tree.
        watchdog = Watchdog(stream, self.settings.data_timeout, self.sink,
                            uploading=self.source is not None)

        def announce_first_byte(_: asyncio.Future) -> None:
            tracker.bytes = stream.bytes
            tracker.emit(DataPhase.FIRST_BYTE)

        begin = getattr(stream.transport, "begin_reading", None)
        if begin is not None:  # a raw transport: what has arrived is read now
            begin()
        if stream.first_byte.done():  # the bytes came with the reply (a small file)
            announce_first_byte(stream.first_byte)
        else:
            stream.first_byte.add_done_callback(announce_first_byte)
        sender: asyncio.Future[None] | None = None
        try:
            if self.source is not None:
                if stream.runs_in_thread:  # its thread reads the file itself
                    stream.start_receiving()  # certificate accepted, the server's 150 in
                else:
                    sender = self._start_sending(stream)
            waits = {stream.closed, final_task} if final_task else {stream.closed}
            await self._wait_data(stream, tracker, stream.closed, final_task, waits)
            if sender is not None:
                self._sent(sender)
            outcome = stream.closed.result() if stream.closed.done() else None
            tracker.bytes = stream.bytes
            if stream.local_failure is not None:
                raise stream.local_failure  # the local file shrank, as the sender reports
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
                final = await self._final_reply(final_task, tracker, stream)
            tracker.bytes = stream.bytes
            self._command_done = True
            if final.is_error:
                if is_tls_refusal(final):
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
            if sender is not None and not sender.done():
                # the connection ended under the upload: the source stops before its
                # file is closed (a sendfile still registered would touch it)
                sender.cancel()
                with contextlib.suppress(BaseException):
                    await sender
            watchdog.cancel()
            stream.first_byte.remove_done_callback(announce_first_byte)
            if final_task is not None and not final_task.done():
                final_task.cancel()  # the reply, when it comes, stays queued

    async def _final_reply(self, final_task: asyncio.Future[Reply], tracker: ChannelTracker,
                           stream: DataStream) -> Reply:
        """The reply after a data connection that ended normally. When it never comes
        (the control connection went silent, e.g. a NAT forgot it while the data
        flowed), the error says so and how long the control connection had been
        idle, so a caller holding every byte can keep them."""
        idle = time.monotonic() - self.control.last_activity
        if final_task.done():
            return final_task.result()
        # Wait with the control timeout from now on: the reading without a deadline
        # makes way for one with it (a reply never falls between the two: it stays
        # queued until a read takes it).
        final_task.cancel()
        try:
            return await self.control.read_reply(step=self.command.verb)
        except ControlTimeoutError:
            lost = (f"the server sent no final reply within {self.control.timeout:g} s: the "
                    "control connection went silent")
        # The data connection itself ended normally: its arrow closes, and the lost
        # reply is the control connection's failure (the caller keeps or rejects the data).
        message = (f"the data connection closed after {stream.bytes} bytes but {lost}, after "
                   f"{idle:.0f} s without traffic on it")
        tracker.emit(DataPhase.CLOSED, reason=message)
        error = DataChannelError(
            message, failure=DataFailure.CLOSED_EARLY, phase=DataPhase.CLOSED,
            method=tracker.method, local=tracker.local, remote=tracker.remote,
            elapsed=tracker.elapsed, step=self.command.verb, command=tracker.command,
            advertised=tracker.advertised, control_peer=tracker.control_peer)
        error.final_reply_missing = True
        error.control_idle = idle
        raise error

    def _start_sending(self, stream: DataStream) -> asyncio.Future[None]:
        """Run the upload source in a task of its own and close the connection when it
        is done (the end of the file for the server); one that fails on the connection
        ends the stream with that error. The source stops as soon as the connection is
        gone (the watchdog's stall verdict aborts the transport; a blocked sendfile
        would otherwise never notice): see :meth:`DataStream.abort`."""
        assert self.source is not None
        sending = asyncio.ensure_future(self.source(stream))
        stream.sender = sending

        def done(task: asyncio.Future[None]) -> None:
            if task.cancelled():  # stopped by stream.abort(): the closure says why
                return
            error = task.exception()
            if isinstance(error, (ConnectionError, OSError)):
                stream.fail(error)
            elif error is not None:
                stream.abort()  # raised by _sent once the connection is down
            elif stream.transport is not None and not stream.closed.done():
                stream.transport.close()

        sending.add_done_callback(done)
        return sending

    @staticmethod
    def _sent(sending: asyncio.Future[None]) -> None:
        """After the connection closed: a source that failed other than on the
        connection (a local file that shrank) raises its error here."""
        if sending.done() and not sending.cancelled():
            error = sending.exception()
            if error is not None and not isinstance(error, (ConnectionError, OSError)):
                raise error

    async def _wait_data(self, stream: DataStream, tracker: ChannelTracker, data_done: asyncio.Future,
                         final_task: asyncio.Future | None, waits: set) -> None:
        while not data_done.done():
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if final_task is not None and final_task.done() and not data_done.done():
                error = final_task.exception()
                if error is not None:
                    raise error
                self._ended_by_reply(final_task.result(), tracker, stream)
                waits = {data_done}
        if (final_task is not None and self.source is not None and stream.runs_in_thread
                and stream.closed.result() is not None):
            # A blocking send fails the moment the server drops the connection, maybe
            # before its reply (522, 552, 426) that says why was read: wait a moment for it.
            if not final_task.done():
                await asyncio.wait({final_task}, timeout=_ANSWER_GRACE)
            if final_task.done() and not final_task.cancelled() and final_task.exception() is None:
                self._ended_by_reply(final_task.result(), tracker, stream)
        if data_done is not stream.closed:
            data_done.result()

    def _ended_by_reply(self, reply: Reply, tracker: ChannelTracker, stream: DataStream) -> None:
        """The final reply came while the data connection was open (or just failed): an
        error reply is the transfer's failure."""
        self._command_done = True
        if not reply.is_error:
            return
        tracker.bytes = stream.bytes
        stream.abort()
        if is_tls_refusal(reply):
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

    def _classify_end(self, outcome: BaseException, tracker: ChannelTracker,
                      stream: DataStream) -> FtpError:
        timeout = self.settings.data_timeout
        if isinstance(outcome, SilentData) and outcome.tcp is not None:
            tracker.tcp = outcome.tcp
        said = f" (TCP: {outcome.tcp.summary})" if isinstance(outcome, SilentData) \
            and outcome.tcp is not None else ""
        if isinstance(outcome, StalledData):
            return tracker.failure(
                DataFailure.STALLED,
                f"the transfer stalled: no bytes moved for {timeout:g} s after {stream.bytes} "
                f"bytes (the link or the server stopped){said}")
        if isinstance(outcome, SilentData):
            return tracker.failure(
                DataFailure.SILENT,
                f"the data connection opened and the server accepted {self.command.verb}, but "
                f"no byte arrived within {timeout:g} s: something between the hosts lets the "
                "connection through but not the data (a firewall or NAT helper), or the server "
                f"is stuck{said}")
        if isinstance(outcome, ssl.SSLError):
            return tracker.failure(DataFailure.TLS_FAILED,
                                   f"TLS failed on the data connection: {outcome}")
        if isinstance(outcome, OSError) and not isinstance(outcome, ConnectionError):
            tracker.failure(DataFailure.LOCAL, f"local error while storing data: {outcome}")
            return LocalError(f"could not write the downloaded data: {outcome.strerror or outcome}",
                              step=self.command.verb)
        return tracker.failure(
            DataFailure.RESET,
            f"the data connection was reset after {stream.bytes} bytes "
            f"({escape_control(str(outcome)) or type(outcome).__name__})")

    async def _answered_meanwhile(self) -> bool:
        """Whether the server ended the transfer itself: closing a silent or stalled data
        connection makes most servers answer 426 (or 226/451) at once. That reply is the
        command's own answer, not a stray one, and an ABOR after it would only be answered
        "no transfer to abort". Waits a moment for it; True also when the control
        connection is gone (nothing to resynchronise)."""
        try:
            while True:
                reply = await self.control.read_reply(_ANSWER_GRACE, step=self.command.verb)
                if not reply.is_preliminary:
                    self._command_done = True
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

