"""The loop's side of a batch (see :mod:`.batch`): what the thread recorded becomes the
usual events and job changes. Lines go through the control connection's annotator with
the times they were exchanged, data connections through a :class:`ChannelTracker`
replaying their phases, and each outcome ends its job as the normal path would (its
own error for a refusal, a timeout or a broken connection)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from client.engine.data.channel import DataTransfer
from client.engine.data.tracking import ChannelTracker
from client.engine.errors import ConnectionLostError, ControlTimeoutError, LocalError
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    TransferProgress,
)
from client.engine.localpaths import drop_empty_part
from client.engine.queue.batch_records import Channel, Kind
from client.engine.settings import TransferMode
from client.protocol.replies import Reply
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.queue.batch import BatchHooks
    from client.engine.queue.batch_wire import BatchWire
    from client.engine.queue.runner import JobRecord
    from client.engine.session import FtpSession

__all__ = ["Replay", "Tracker"]


class Tracker(ChannelTracker):
    """A tracker whose events carry the times the thread recorded."""

    at = 0.0

    @property
    def elapsed(self) -> float:
        return max(0.0, self.at - self.started)

    def emit_at(self, at: float, phase: DataPhase, **extra: object) -> None:
        self.at = at
        self.bus.hold_clock(at)
        self.emit(phase, **extra)


class Replay:
    """Mixed into :class:`.batch.TransferBatch`, which holds the state named below."""

    if TYPE_CHECKING:
        session: FtpSession
        hooks: BatchHooks
        by_id: dict[int, JobRecord]
        wire: BatchWire | None
        trackers: dict[int, Tracker]
        xfers: dict[int, DataTransfer]
        current: JobRecord | None
        in_step: bool
        task: asyncio.Task | None

    def apply(self) -> None:
        """Turn what the thread recorded so far into events and job changes."""
        wire = self.wire
        if wire is None:
            return
        wire.post_pending = False
        records = wire.records
        control = self.session.control
        bus = self.session.bus
        try:
            while records:
                entry = records.popleft()
                kind = entry[0]
                if kind == Kind.SENT:
                    control.show_sent(entry[2], entry[1])
                elif kind == Kind.RECEIVED:
                    control.show_received(entry[2], entry[1])
                else:
                    self._job_record(kind, entry)
        finally:
            bus.hold_clock(None)

    def _job_record(self, kind: int, entry: tuple) -> None:
        record = self.by_id[entry[2]] if entry[2] is not None else self.current
        if kind == Kind.STARTED:
            self.current = record
            self.hooks.started(record, self.task)  # (applied from a timer too: no task)
        elif kind == Kind.CHANNEL:
            self._channel(record, entry[1], entry[3])
        elif kind == Kind.FIRST_BYTE:
            tracker = self.trackers.get(record.job.job_id)
            if tracker is not None:
                tracker.emit_at(entry[1], DataPhase.FIRST_BYTE)
        elif kind == Kind.DONE:
            self._done(record, entry[1], entry[3])
        elif kind == Kind.REFUSED:
            self._refused(record, entry[1], entry[3])
        elif kind == Kind.BACK:
            self._back(record, entry[1], entry[3])
        elif kind == Kind.NOTE:
            self.session.bus.hold_clock(entry[1])
            self.session.notice(entry[3])
        elif kind == Kind.BROKEN:
            self.in_step = False
            if record is not None and record is self.current:
                self._broken(record, entry[1], entry[3], entry[4])

    def _channel(self, record: JobRecord, at: float, channel: Channel) -> None:
        bus = self.session.bus
        if channel.connect_error is None and not bus.wants(DataChannelEvent):
            return  # nobody draws it, and it cannot fail any more but with the job
        xfer = self._xfer(record)
        tracker = Tracker(xfer.setup, initiator="client", method="PASV",
                            command=xfer.command.display)
        tracker.control_peer = xfer.control_peer
        tracker.started = channel.advertised_at
        tracker.advertised = Endpoint(*channel.advertised)
        tracker.emit_at(channel.advertised_at, DataPhase.ADVERTISED)
        tracker.remote = Endpoint(*channel.dialled)
        tracker.emit_at(channel.connecting_at, DataPhase.CONNECTING)
        self.trackers[record.job.job_id] = tracker
        if channel.connect_error is not None:
            host, port = channel.dialled
            tracker.at = at
            failure = (DataFailure.CONNECT_TIMEOUT if "timed out" in channel.connect_error
                       else DataFailure.REFUSED)
            tracker.failure(failure,
                            f"could not connect to {host}:{port}: {channel.connect_error}")
            del self.trackers[record.job.job_id]  # ended: the file goes back, said by _back
            return
        if channel.local is not None:
            tracker.local = Endpoint(*channel.local)
        tracker.emit_at(at, DataPhase.CONNECTED)

    def _xfer(self, record: JobRecord) -> DataTransfer:
        xfer = self.xfers.get(record.job.job_id)
        if xfer is None:
            session = self.session
            verb = "STOR" if record.job.direction == "upload" else "RETR"
            xfer = DataTransfer(session.channel_setup(TransferMode.PASSIVE),
                                session.path_command(verb, record.job.remote_path))
            self.xfers[record.job.job_id] = xfer
        return xfer

    def _tracker(self, record: JobRecord, at: float) -> Tracker:
        """The record's tracker (made now when nobody drew it: a failure needs one)."""
        tracker = self.trackers.get(record.job.job_id)
        if tracker is None:
            xfer = self._xfer(record)
            tracker = Tracker(xfer.setup, initiator="client", method="PASV",
                                command=xfer.command.display)
            tracker.control_peer = xfer.control_peer
            tracker.started = at
            self.trackers[record.job.job_id] = tracker
        tracker.at = at
        self.session.bus.hold_clock(at)
        return tracker

    def _finish(self, record: JobRecord) -> None:
        self.trackers.pop(record.job.job_id, None)
        self.xfers.pop(record.job.job_id, None)
        if self.current is record:
            self.current = None
        record.batch = None

    def _done(self, record: JobRecord, at: float, received: int) -> None:
        bus = self.session.bus
        tracker = self.trackers.get(record.job.job_id)
        if tracker is not None:
            tracker.bytes = received
            tracker.emit_at(at, DataPhase.CLOSED)
        if bus.wants(TransferProgress):
            bus.hold_clock(at)
            bus.emit(TransferProgress(
                t=bus.now(), connection=self.session.connection_id,
                transfer_id=record.job.job_id, direction=record.job.direction,
                remote_path=record.job.remote_path, bytes_done=received, total=received,
                rate=0.0, done=True))
        self._finish(record)
        self.hooks.done(record, received)

    def _refused(self, record: JobRecord, at: float, reply: Reply) -> None:
        xfer = self._xfer(record)
        error = xfer.refused_by_server(self._tracker(record, at), reply)
        self._finish(record)
        self._fail(record, error)

    def _back(self, record: JobRecord, at: float, why: str) -> None:
        tracker = self.trackers.get(record.job.job_id)
        if tracker is not None and tracker.phase is not DataPhase.ADVERTISED:
            tracker.emit_at(at, DataPhase.CLOSED,
                            reason=f"{why}; the file is transferred again on its own")
        record.no_batch = True
        self._finish(record)
        self.hooks.back(record)

    def _broken(self, record: JobRecord, at: float, kind: str, text: str) -> None:
        timeout = self.session.settings.data_timeout
        verb = self._xfer(record).command.verb
        if kind == "stopped":
            return  # ended by the loop: see _end_in_flight
        if kind == "control-timeout":
            error: Exception = ControlTimeoutError(
                f"no reply from the server within {self.session.control.timeout:g} s "
                f"(waiting for the reply to {self._xfer(record).command.verb}); the server or "
                "a firewall in between stopped answering on the control connection",
                step=verb)
        elif kind in ("421", "lost"):
            error = ConnectionLostError(
                "the server is closing the control connection (421): " + escape_control(text)
                if kind == "421" else f"the control connection was lost: {text}",
                reply_code=421 if kind == "421" else None, step=verb)
        else:
            tracker = self._tracker(record, at)
            if kind == "silent":
                error = tracker.failure(
                    DataFailure.SILENT,
                    f"the data connection opened and the server accepted {verb}, but no byte "
                    f"arrived within {timeout:g} s", step=verb)
            elif kind == "stalled":
                error = tracker.failure(
                    DataFailure.STALLED, f"the transfer stalled: no bytes moved for "
                    f"{timeout:g} s after {text} bytes", step=verb)
            elif kind == "local":
                tracker.failure(DataFailure.LOCAL, f"local error while storing data: {text}")
                error = LocalError(f"could not write the downloaded data: {text}", step=verb)
            else:
                error = tracker.failure(DataFailure.RESET, f"the data connection failed: {text}",
                                        step=verb)
        self._finish(record)
        self._fail(record, error)

    def _fail(self, record: JobRecord, error: Exception) -> None:
        if record.job.direction == "download":
            drop_empty_part(record.job.local_path)  # as the normal path: no byte, no .part
        if record.stop_as is not None and not self.hooks.closed():
            self.hooks.stopped(record)  # the user's word wins, as on the normal path
        else:
            self.hooks.failed(record, error)

    def _end_in_flight(self) -> None:
        """After the loop stopped the thread: the job it was on ends as the normal path's
        does on a pause, a cancel or the queue's close."""
        record = self.current
        if record is None:
            return
        tracker = self.trackers.get(record.job.job_id)
        if tracker is not None and tracker.phase is not DataPhase.ADVERTISED:
            tracker.emit_at(time.monotonic(), DataPhase.CLOSED,
                            reason="the transfer was stopped; its connections were closed")
            self.session.bus.hold_clock(None)
        self._finish(record)
        if record.job.direction == "download":
            drop_empty_part(record.job.local_path)
        if record.stop_as is not None and not self.hooks.closed():
            self.hooks.stopped(record)
        else:
            self.hooks.failed(record, asyncio.CancelledError())
