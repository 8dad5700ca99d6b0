"""The queue on disk: pending, failed and interrupted jobs survive a restart or a crash.

:class:`QueueSaver` watches ``QueueJobChanged`` and rewrites one JSON file shortly after
each change (debounced: a tree of 10,000 files queued at once is one write), atomically
(a temporary file renamed over the old one, so a crash mid-write leaves the previous
version). What a killed process had saved is what the next start offers again.

A job is saved with the site it belongs to as a URL *without* a password (or a
``site:NAME`` reference): the password stays in the keyring or is asked again.
Finished, skipped and cancelled jobs are dropped; a job that was running when the
process stopped comes back as *interrupted* and resumes from its ``.part``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from client.engine.events import EngineEvent, QueueJobChanged
from client.engine.queue.jobs import JobState, TransferJob

if TYPE_CHECKING:
    from client.engine.queue.core import TransferQueue

__all__ = ["SavedState", "SavedJob", "QueueSaver", "load_saved", "write_saved", "restore_jobs"]

_VERSION = 1


class SavedState(enum.Enum):
    PENDING = "pending"  # queued or paused: not started, or stopped by the user
    FAILED = "failed"  # gave up after its retries; the error says why
    INTERRUPTED = "interrupted"  # was running when the queue or the process stopped


_STATE_OF = {JobState.QUEUED: SavedState.PENDING, JobState.PAUSED: SavedState.PENDING,
             JobState.RUNNING: SavedState.INTERRUPTED, JobState.FAILED: SavedState.FAILED}


@dataclass(frozen=True)
class SavedJob:
    """One job as saved: enough to queue it again on a new connection to ``site``."""

    site: str  # ftp://user@host:port or site:NAME; never a password
    direction: str  # "download" | "upload"
    remote_path: str
    local_path: str
    root: str  # downloads: nothing is written outside this folder
    state: SavedState
    size: int | None = None
    bytes_done: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        record = asdict(self)
        record["state"] = self.state.value
        return record

    @classmethod
    def from_json(cls, record: dict[str, object]) -> SavedJob:
        size = record.get("size")
        return cls(site=str(record["site"]), direction=str(record["direction"]),
                   remote_path=str(record["remote_path"]),
                   local_path=str(record["local_path"]), root=str(record["root"]),
                   state=SavedState(record["state"]),
                   size=size if isinstance(size, int) else None,
                   bytes_done=int(record.get("bytes_done") or 0),  # type: ignore[call-overload]
                   error=str(record["error"]) if record.get("error") else None)


def load_saved(path: Path) -> list[SavedJob]:
    """The jobs saved in ``path`` (none when it is missing or unreadable: a damaged file
    must not stop the app from starting)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [SavedJob.from_json(r) for r in data.get("jobs", [])
                if r.get("direction") in ("download", "upload")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def write_saved(path: Path, jobs: list[SavedJob]) -> None:
    """Replace ``path`` with ``jobs`` atomically; an empty list removes the file."""
    if not jobs:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": _VERSION, "jobs": [j.to_json() for j in jobs]}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # a name in a charset not read as such keeps its raw bytes as lone surrogates
        # (surrogateescape); JSON's \udcXX escapes carry them and read back the same
        text = json.dumps(data, separators=(",", ":"))
    fd, temporary = tempfile.mkstemp(prefix=".queue-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())  # once per debounced write, so the rename is durable
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class QueueSaver:
    """Observer (``bus.subscribe(saver)``) that keeps ``path`` in step with the queue.

    :meth:`attach` names a queue now running and its site (several at once: one per
    connection tab); :meth:`detach` (before a queue is closed) keeps its unfinished jobs
    as they are, running ones as interrupted. Jobs loaded at start stay in the file until
    :meth:`take_offered` hands them over (restored into a queue, or declined)."""

    def __init__(self, path: Path, *, delay: float = 0.5) -> None:
        self.path = Path(path)
        self.delay = delay
        self.offered: list[SavedJob] = load_saved(self.path)
        self._kept: list[SavedJob] = []  # unfinished jobs of queues already closed
        self._jobs: dict[int, SavedJob] = {}
        self._sites: dict[int, tuple[TransferQueue, str]] = {}  # id(queue) -> queue, site
        self._owner: dict[int, int] = {}  # job id -> id(queue)
        self._timer: asyncio.TimerHandle | None = None
        self._sequence = 0  # snapshots taken
        self._written = 0  # the newest snapshot on disk
        self._write_lock = threading.Lock()
        self._transient: set[tuple[str, int]] = set()  # see never_save

    def never_save(self, host: str, port: int) -> None:
        """Save no job of a server at ``host:port``: one that lives only as long as this
        run (the embedded demo servers, on new ports each time) would be offered at the
        next start for a server that is gone."""
        self._transient.add((host.strip("[]").lower(), port))

    def attach(self, queue: TransferQueue, site: str) -> None:
        """Follow ``queue``'s jobs, saved under ``site`` (not for a server named in
        :meth:`never_save`)."""
        if _server_of(site) in self._transient:
            return
        self._sites[id(queue)] = (queue, site)

    def detach(self, queue: TransferQueue | None = None) -> None:
        """Stop following ``queue`` (default: every queue); its unfinished jobs are kept
        as they are now."""
        gone = set(self._sites) if queue is None else {id(queue)} & set(self._sites)
        if not gone:
            return
        for key in gone:
            del self._sites[key]
        for job_id, owner in list(self._owner.items()):
            if owner in gone:
                del self._owner[job_id]
                job = self._jobs.pop(job_id, None)
                if job is not None:
                    self._kept.append(job)
        self.save()  # now: the process may be about to end

    def take_offered(self, site: str | None = None) -> list[SavedJob]:
        """The jobs loaded at start (those of ``site`` only, when given), handed over
        once: from now on they are the caller's (restored, or declined)."""
        taken = [job for job in self.offered if site is None or job.site == site]
        self.offered = [job for job in self.offered if job not in taken]
        self._schedule()
        return taken

    def jobs(self) -> list[SavedJob]:
        return [*self.offered, *self._kept, *self._jobs.values()]

    def __call__(self, event: EngineEvent) -> None:
        if not isinstance(event, QueueJobChanged) or not self._sites:
            return
        job = event.job
        if not isinstance(job, TransferJob):
            return
        owner = self._owner_of(job.job_id)
        if owner is None:
            return  # a queue nobody attached (Diagnose's, a closed tab's)
        queue, site = owner
        state = _STATE_OF.get(job.state)
        if state is None:
            self._owner.pop(job.job_id, None)
            if self._jobs.pop(job.job_id, None) is not None:
                self._schedule()
            return
        previous = self._jobs.get(job.job_id)
        if previous is not None and previous.state is state and previous.error == job.error:
            # bytes only: the file is rewritten on a state change, not ten times a second
            return
        try:
            root = str(queue.root_of(job.job_id))
        except KeyError:
            root = str(job.local_path.parent)
        self._jobs[job.job_id] = SavedJob(
            site=site, direction=job.direction, remote_path=job.remote_path,
            local_path=str(job.local_path), root=root, state=state, size=job.size,
            bytes_done=job.bytes_done, error=job.error)
        self._schedule()

    def _owner_of(self, job_id: int) -> tuple[TransferQueue, str] | None:
        """The attached queue that holds ``job_id`` (job ids are unique in the process)."""
        known = self._owner.get(job_id)
        if known is not None and known in self._sites:
            return self._sites[known]
        for key, (queue, site) in self._sites.items():
            try:
                queue.root_of(job_id)
            except KeyError:
                continue
            self._owner[job_id] = key
            return queue, site
        return None

    def _schedule(self) -> None:
        if self._timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.save()
            return
        self._timer = loop.call_later(self.delay, self._save_in_thread)

    def _save_in_thread(self) -> None:
        """The debounced write: the snapshot is taken here, the JSON and the disk are
        a worker thread's (a queue of 10,000 files is a few MB to write)."""
        self._timer = None
        snapshot = self._snapshot()
        future = asyncio.ensure_future(asyncio.to_thread(self._write, *snapshot))
        future.add_done_callback(lambda f: f.cancelled() or f.exception())

    def save(self) -> None:
        """Write now, from the caller's thread (closing, or no event loop)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._write(*self._snapshot())

    def _snapshot(self) -> tuple[int, list[SavedJob]]:
        self._sequence += 1
        return self._sequence, self.jobs()

    def _write(self, sequence: int, jobs: list[SavedJob]) -> None:
        # one writer at a time, and never an older snapshot over a newer one
        with self._write_lock:
            if sequence < self._written:
                return
            self._written = sequence
            with contextlib.suppress(OSError):
                write_saved(self.path, jobs)


def restore_jobs(queue: TransferQueue, jobs: list[SavedJob]) -> list[int]:
    """Queue ``jobs`` again (on ``queue``, connected to their site), each resuming what
    the earlier run left: a download from its ``.part``, an upload from what the server
    already has."""
    ids = []
    for job in jobs:
        if job.direction == "download":
            ids.append(queue.add_download(job.remote_path, Path(job.local_path), job.size,
                                          root=Path(job.root), resume=True))
        else:
            ids.append(queue.add_upload(Path(job.local_path), job.remote_path, resume=True))
    return ids


def _server_of(site: str) -> tuple[str, int] | None:
    """``(host, port)`` of a URL site reference; None for ``site:NAME`` or no port."""
    if site.startswith("site:"):
        return None
    try:
        parts = urlsplit(site)
        port = parts.port
    except ValueError:
        return None
    if parts.hostname is None or port is None:
        return None
    return parts.hostname.lower(), port
