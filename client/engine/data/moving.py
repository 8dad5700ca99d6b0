"""Moving the bytes of one data command over its open connection, watching it, and
collecting the final reply.

Once the command is accepted: a download's bytes are read as they come, an upload's
source runs in a task of its own (or the stream's worker thread sends the file
itself), the watchdog judges silence and stalls, and the final reply is read whenever
it comes — while the connection is still open it may end the transfer. How each ending
becomes an error is :mod:`client.engine.data.classifying`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

from client.engine.data.classifying import (
    connection_end,
    error_while_open,
    final_reply_lost,
    refused_final,
)
from client.engine.data.stream import DataStream
from client.engine.data.tracking import ChannelTracker, Watchdog
from client.engine.errors import ControlTimeoutError, FtpError
from client.engine.events import DataPhase
from client.protocol.replies import Reply

if TYPE_CHECKING:
    from client.engine.data.channel import DataTransfer

__all__ = ["ANSWER_GRACE", "Mover"]

#: how long a failed transfer waits for the server's own final reply before sending ABOR
ANSWER_GRACE = 0.25


class Mover:
    """The transfer phase of one :class:`~client.engine.data.channel.DataTransfer`: from
    the accepted command to the final reply, over ``stream``, whose phases ``tracker``
    shows. :meth:`run` once."""

    def __init__(self, xfer: DataTransfer, stream: DataStream, tracker: ChannelTracker) -> None:
        self.xfer = xfer
        self.stream = stream
        self.tracker = tracker
        self.verb = xfer.command.verb
        #: the final reply, a future the control connection resolves (no reading task)
        self.final_task: asyncio.Future[Reply] | None = None
        #: the task feeding an upload on the loop
        self.sender: asyncio.Future[None] | None = None

    async def run(self, first: Reply) -> Reply:
        """Move the bytes, watch the connection, and collect the final reply."""
        xfer, stream = self.xfer, self.stream
        if xfer.on_command_accepted is not None:
            xfer.on_command_accepted(first)
        if first.is_preliminary:
            self.final_task = xfer.control.reply_future(None, step=self.verb)
        # A timer and a done-callback, not two tasks: each task cost a start and a
        # cancellation round through the loop for every file of a tree.
        watchdog = Watchdog(stream, xfer.settings.data_timeout, xfer.sink,
                            uploading=xfer.source is not None)
        begin = getattr(stream.transport, "begin_reading", None)
        if begin is not None:  # a raw transport: what has arrived is read now
            begin()
        if stream.first_byte.done():  # the bytes came with the reply (a small file)
            self._announce_first_byte(stream.first_byte)
        else:
            stream.first_byte.add_done_callback(self._announce_first_byte)
        try:
            if xfer.source is not None:
                if stream.runs_in_thread:  # its thread reads the file itself
                    stream.start_receiving()  # certificate accepted, the server's 150 in
                else:
                    self.sender = self._start_sending()
            await self._wait_data()
            return await self._finish(first)
        finally:
            await self._stop_sender()
            watchdog.cancel()
            stream.first_byte.remove_done_callback(self._announce_first_byte)
            if self.final_task is not None and not self.final_task.done():
                self.final_task.cancel()  # the reply, when it comes, stays queued

    def _announce_first_byte(self, _: asyncio.Future) -> None:
        self.tracker.bytes = self.stream.bytes
        self.tracker.emit(DataPhase.FIRST_BYTE)

    async def _finish(self, first: Reply) -> Reply:
        """After the connection closed: its outcome, the sink's last writes, and the
        final reply, each a failure of the transfer when it went wrong."""
        xfer, stream, tracker = self.xfer, self.stream, self.tracker
        if self.sender is not None:
            self._sent(self.sender)
        outcome = stream.closed.result() if stream.closed.done() else None
        tracker.bytes = stream.bytes
        if stream.local_failure is not None:
            raise stream.local_failure  # the local file shrank, as the sender reports
        if outcome is not None:
            raise self._ended(outcome)
        if xfer.sink is not None:
            try:
                await xfer.sink.finish()
            except OSError as exc:
                raise self._ended(exc) from None
        if self.final_task is None:
            final = first
        else:
            final = await self._final_reply(self.final_task)
        tracker.bytes = stream.bytes
        xfer.command_answered()
        if final.is_error:
            raise refused_final(tracker, final, self.verb, stream.bytes)
        tracker.emit(DataPhase.CLOSED)
        return final

    def _ended(self, outcome: BaseException) -> FtpError:
        return connection_end(outcome, self.tracker, verb=self.verb, moved=self.stream.bytes,
                              timeout=self.xfer.settings.data_timeout)

    async def _final_reply(self, final_task: asyncio.Future[Reply]) -> Reply:
        """The reply after a data connection that ended normally. When it never comes
        (the control connection went silent, e.g. a NAT forgot it while the data
        flowed), the error says so and how long the control connection had been
        idle, so a caller holding every byte can keep them."""
        control = self.xfer.control
        idle = time.monotonic() - control.last_activity
        if final_task.done():
            return final_task.result()
        # Wait with the control timeout from now on: the reading without a deadline
        # makes way for one with it (a reply never falls between the two: it stays
        # queued until a read takes it).
        final_task.cancel()
        try:
            return await control.read_reply(step=self.verb)
        except ControlTimeoutError:
            lost = (f"the server sent no final reply within {control.timeout:g} s: the "
                    "control connection went silent")
        raise final_reply_lost(self.tracker, lost=lost, verb=self.verb,
                               moved=self.stream.bytes, idle=idle)

    # ----------------------------------------------------------------- uploads
    def _start_sending(self) -> asyncio.Future[None]:
        """Run the upload source in a task of its own and close the connection when it
        is done (the end of the file for the server); one that fails on the connection
        ends the stream with that error. The source stops as soon as the connection is
        gone (the watchdog's stall verdict aborts the transport; a blocked sendfile
        would otherwise never notice): see :meth:`DataStream.abort`."""
        source, stream = self.xfer.source, self.stream
        assert source is not None
        sending = asyncio.ensure_future(source(stream))
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

    async def _stop_sender(self) -> None:
        sender = self.sender
        if sender is not None and not sender.done():
            # the connection ended under the upload: the source stops before its
            # file is closed (a sendfile still registered would touch it)
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender

    # ----------------------------------------------------------------- waiting
    async def _wait_data(self) -> None:
        """Until the data connection ends; a final reply that comes first may end the
        transfer (an error reply) or only be kept for later."""
        stream, final_task = self.stream, self.final_task
        data_done = stream.closed
        waits: set[asyncio.Future] = {data_done, final_task} if final_task else {data_done}
        while not data_done.done():
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if final_task is not None and final_task.done() and not data_done.done():
                error = final_task.exception()
                if error is not None:
                    raise error
                self._ended_by_reply(final_task.result())
                waits = {data_done}
        if (final_task is not None and self.xfer.source is not None and stream.runs_in_thread
                and data_done.result() is not None):
            # A blocking send fails the moment the server drops the connection, maybe
            # before its reply (522, 552, 426) that says why was read: wait a moment for it.
            if not final_task.done():
                await asyncio.wait({final_task}, timeout=ANSWER_GRACE)
            if final_task.done() and not final_task.cancelled() and final_task.exception() is None:
                self._ended_by_reply(final_task.result())

    def _ended_by_reply(self, reply: Reply) -> None:
        """The final reply came while the data connection was open (or just failed): an
        error reply is the transfer's failure."""
        self.xfer.command_answered()
        if not reply.is_error:
            return
        stream = self.stream
        self.tracker.bytes = stream.bytes
        stream.abort()
        raise error_while_open(self.tracker, reply, self.verb, stream.bytes)
