"""Runs of small plain-FTP downloads in a worker thread, seen by the loop in batches.

Why: on the event loop each small file of a tree costs ~1 ms of CPU, flat across
replies, transports, trackers, the queue and the local checks (bench/HISTORY.md), where
lftp needs ~0.3 ms. A worker whose session is plain FTP (no TLS, proxy or speed limit,
passive mode with ``PASV``, binary) claims the next few queued downloads that need
nothing but ``PASV`` and ``RETR`` (size and time known from the listing, a new target,
no resume, no exists question) and lends its control socket to a thread
(:mod:`.batch_wire`). The thread records what it does; the loop, a few milliseconds
later, shows every line through the control connection's annotator, replays every
data connection's phases through a :class:`ChannelTracker` with the times they
happened, and moves the jobs QUEUED → RUNNING → DONE/FAILED as the normal path does.

What falls back: a file the thread gives back (an unexpected reply, a target that
exists, an unsafe ``.part``, a connect that failed, a short file) runs on the normal
path next, which decides and reports; a refused ``RETR`` fails the job with the normal
path's own error (built by :meth:`DataTransfer.refused_by_server`); a timeout or a
broken connection fails the job in flight with the error the normal path names and
the session is replaced. Pause, cancel and closing the queue shut the thread's sockets
from the loop: the connection is then closed (no ``ABOR``) and the worker reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from client.engine.data.channel import DataTransfer
from client.engine.data.opening import extended_only
from client.engine.data.tracking import ChannelTracker
from client.engine.errors import (
    ConnectionLostError,
    ControlTimeoutError,
    FtpError,
    LocalError,
)
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    SessionState,
    TransferProgress,
)
from client.engine.localpaths import drop_empty_part, relative_parts
from client.engine.queue.batch_wire import BatchFile, BatchWire, Channel, Kind
from client.engine.queue.prepare import BY_DESCRIPTOR, claim_prepared
from client.engine.settings import TlsMode, TransferMode
from client.protocol.charsets import normalize_charset
from client.protocol.replies import Reply
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.queue.runner import JobRecord
    from client.engine.session import FtpSession

__all__ = ["BatchHooks", "DownloadBatch", "MAX_FILES", "MAX_SIZE", "plain_session", "fits",
           "safe_target"]

#: threads at most (one per connection of the largest queue)
MAX_CONCURRENCY = 10
#: files one batch claims at most (fewer when the queue is short, see core)
MAX_FILES = 16
#: seconds between the loop's own looks at what a batch recorded
TICK = 0.05
#: larger files take the normal path, with its progress events and stall watchdog
MAX_SIZE = 1024 * 1024


@dataclass(frozen=True)
class BatchHooks:
    """What a batch changes in its queue (bound methods of the queue's)."""

    started: Callable[[JobRecord, asyncio.Task | None], None]
    done: Callable[[JobRecord, int], None]
    failed: Callable[[JobRecord, Exception], None]
    stopped: Callable[[JobRecord], None]
    back: Callable[[JobRecord], None]
    released: Callable[[JobRecord], None]
    closed: Callable[[], bool]


def plain_session(session: object) -> FtpSession | None:
    """``session`` when a batch may borrow its connection, else None."""
    from client.engine.session import FtpSession

    if not isinstance(session, FtpSession) or not BY_DESCRIPTOR:
        return None
    settings = session.settings
    control = session.control
    if (session.state is not SessionState.READY or session.closed or session.data_protected
            or settings.tls is not TlsMode.OFF or settings.proxy is not None
            or session.mode is not TransferMode.PASSIVE or settings.use_epsv
            or session.memory.pasv_broken or not session.binary
            or not session.limiter.unlimited or control.server is None
            or extended_only(control.server.host)):
        return None
    return session


def fits(record: JobRecord, session: FtpSession, *, overwrite: bool) -> bool:
    """A transfer the thread can run alone: a download whose size and (when the time is
    kept) time the listing gave, or an upload the queue overwrites without asking;
    nothing to resume or decide (see also :func:`safe_target`). ``overwrite``: the
    queue's exists policy is OVERWRITE (an upload asks nothing first)."""
    job = record.job
    if (record.no_batch or record.batch is not None or record.resume_next
            or record.decision is not None or record.stop_as is not None
            or job.size is None or not 0 <= job.size <= MAX_SIZE):
        return False
    if job.direction == "upload":
        if not overwrite:
            return False
    elif record.listed_mtime is None and session.features.mdtm:
        return False  # the normal path asks MDTM
    return record.charset is None or normalize_charset(record.charset) == session.charset


def safe_target(record: JobRecord) -> bool:
    """A download's target passes :func:`relative_parts` (else the normal path refuses
    it, with the reason)."""
    if record.job.direction == "upload":
        return True
    try:
        return bool(relative_parts(record.root, record.job.local_path))
    except FtpError:
        return False  # the normal path refuses it, with the reason


class _Replayed(ChannelTracker):
    """A tracker whose events carry the times the thread recorded."""

    at = 0.0

    @property
    def elapsed(self) -> float:
        return max(0.0, self.at - self.started)

    def emit_at(self, at: float, phase: DataPhase, **extra: object) -> None:
        self.at = at
        self.bus.hold_clock(at)
        self.emit(phase, **extra)


class DownloadBatch:
    """One run of claimed downloads on one session (see the module doc)."""

    def __init__(self, session: FtpSession, records: list[JobRecord], hooks: BatchHooks) -> None:
        self.session = session
        self.records = records
        self.hooks = hooks
        self.by_id = {record.job.job_id: record for record in records}
        self.items: dict[int, BatchFile] = {}
        self.wire: BatchWire | None = None
        self.trackers: dict[int, _Replayed] = {}
        self.xfers: dict[int, DataTransfer] = {}
        self.current: JobRecord | None = None
        self.in_step = True
        #: the worker's task running the batch: a pause or cancel of its job cancels it
        self.task: asyncio.Task | None = None
        self._ticker: asyncio.TimerHandle | None = None
        #: jobs whose empty .part the queue made ahead (removed if they leave unrun)
        self.made_ahead: set[int] = set()
        for record in records:
            record.batch = self
            if claim_prepared(record):  # the thread opens the .part itself
                self.made_ahead.add(record.job.job_id)

    # ------------------------------------------------------------------ queue side
    def settle(self, record: JobRecord) -> None:
        """Before a pause or cancel: a job the thread has not taken leaves the batch;
        one it took has its state brought up to date (RUNNING, or finished)."""
        item = self.items.get(record.job.job_id)
        wire = self.wire
        if wire is None or item is None:
            self._release(record)
            return
        with wire.lock:
            taken = item.started
            if not taken:
                item.withdrawn = True
        if taken:
            self.apply()
        else:
            self._release(record)

    def _release(self, record: JobRecord) -> None:
        if record.batch is self:
            record.batch = None
            if record.job.job_id in self.made_ahead:
                drop_empty_part(record.job.local_path)
            self.hooks.released(record)

    # ------------------------------------------------------------------ running
    async def run(self) -> bool:
        """False when the connection could not be lent (nothing was done)."""
        session = self.session
        loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        try:
            async with session.locked(busy=True) as control:
                lent = control.lend_socket()
                if lent is None:
                    return False
                sock, parser = lent
                wire = self.wire = self._wire(sock, parser, loop)
                for item in wire.files:
                    self.items[item.job_id] = item

                finished = loop.run_in_executor(_executor(), wire.run)
                self._ticker = loop.call_later(TICK, self._tick, loop)
                try:
                    await asyncio.shield(finished)
                except asyncio.CancelledError:
                    wire.stop()
                    while not finished.done():
                        with contextlib.suppress(asyncio.CancelledError):
                            await asyncio.shield(finished)
                    self.apply()
                    self._end_in_flight()
                    raise
                finally:
                    if self._ticker is not None:
                        self._ticker.cancel()
                    self.apply()
                    control.take_back(in_step=self.in_step and not wire.stopping)
                    if not self.in_step or wire.stopping:
                        session.set_state(SessionState.FAILED,
                                          detail="the control connection was closed")
            return True
        finally:
            session.bus.hold_clock(None)
            for record in self.records:
                self._release(record)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        """Records the thread has not handed over yet (it hands them over between files,
        not while it waits for one): a job blocked on the wire shows as RUNNING."""
        self.apply()
        self._ticker = loop.call_later(TICK, self._tick, loop)

    def _wire(self, sock: object, parser: object, loop: asyncio.AbstractEventLoop) -> BatchWire:
        session = self.session
        settings = session.settings
        encoding = session.control.encoding
        files = []
        for record in self.records:
            job = record.job
            if job.direction == "upload":
                command = session.path_command("STOR", job.remote_path)
                files.append(BatchFile(job.job_id, command.to_bytes(encoding), command.display,
                                       "", "", job.size or 0, None,
                                       source=str(job.local_path),
                                       check_size=session.features.size,
                                       remote=job.remote_path))
                continue
            command = session.path_command("RETR", job.remote_path)
            local = str(job.local_path)
            folder, _, name = local.rpartition("/")
            mtime = record.listed_mtime
            files.append(BatchFile(job.job_id, command.to_bytes(encoding), command.display,
                                   folder, name, job.size or 0,
                                   mtime.timestamp() if mtime is not None else None))
        assert session.control.server is not None
        return BatchWire(sock, parser, files, root=str(self.records[0].root),  # type: ignore[arg-type]
                         peer=session.control.server.host, policy=settings.pasv_policy,
                         data_timeout=settings.data_timeout,
                         post=lambda: loop.call_soon_threadsafe(self.apply),
                         encoding=encoding, stamp_times=session.features.mfmt)

    # ------------------------------------------------------------------ the records
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
        tracker = _Replayed(xfer.setup, initiator="client", method="PASV",
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
            tracker.failure(DataFailure.REFUSED,
                            f"could not connect to {host}:{port}: {channel.connect_error}")
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

    def _tracker(self, record: JobRecord, at: float) -> _Replayed:
        """The record's tracker (made now when nobody drew it: a failure needs one)."""
        tracker = self.trackers.get(record.job.job_id)
        if tracker is None:
            xfer = self._xfer(record)
            tracker = _Replayed(xfer.setup, initiator="client", method="PASV",
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
                            reason=f"{why}; the file is fetched again on its own")
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


_EXECUTOR: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    """The batches' threads, kept between batches: starting a thread waits for it to
    run, and on a busy interpreter that wait cost ~2 ms per batch."""
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=MAX_CONCURRENCY,
                                       thread_name_prefix="ftp-batch")
    return _EXECUTOR
