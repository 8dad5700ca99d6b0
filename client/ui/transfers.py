"""Transfers started from the window: double-click, Enter, context menu and drag and
drop all end in :meth:`Transfers.download` / :meth:`Transfers.upload`.

With the engine's ``TransferQueue`` (``client.engine.queue``) each transfer is a queue
job run on the queue's own connections, so browsing stays responsive. Without it the
transfers run one after another on the browsing connection, shown in the same queue view
through :class:`DirectJob` rows.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import itertools
import logging
import posixpath
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client.engine.errors import UnsafePathError
from client.engine.events import EventBus
from client.ui.connection import RemoteConnection
from client.ui.error_text import describe_error
from client.ui.remote.listing_model import entry_is_dir, transfer_size

__all__ = ["Transfers", "DirectJob", "queue_available"]

log = logging.getLogger(__name__)


def queue_available() -> bool:
    """True when the engine's TransferQueue can be imported (not merely its folder)."""
    if importlib.util.find_spec("client.engine.queue") is None:
        return False
    try:
        from client.engine.queue import TransferQueue  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class DirectJob:
    """A transfer run directly on the browsing session (same fields as TransferJob)."""

    job_id: int
    direction: str
    remote_path: str
    local_path: Path
    size: int | None = None
    state: str = "queued"
    bytes_done: int = 0
    rate: float = 0.0
    error: str | None = None
    attempts: int = 0


class Transfers:
    def __init__(self, connection: RemoteConnection, bus: EventBus, *,
                 on_jobs: Callable[[list[object]], None],
                 on_finished: Callable[[object], None],
                 concurrency: int = 2,
                 ask_exists: Callable[..., Any] | None = None) -> None:
        self.connection = connection
        self.bus = bus
        self._on_jobs = on_jobs
        self._on_finished = on_finished
        self._concurrency = concurrency
        self._ask_exists = ask_exists
        self.queue: Any = None
        self._ids = itertools.count(1)
        self._direct_tasks: set[asyncio.Task[None]] = set()
        self._watch: asyncio.Task[None] | None = None

    # -- the engine queue ----------------------------------------------------------------
    def _ensure_queue(self) -> Any:
        if self.queue is None and queue_available():
            from client.engine.exists import ExistsPolicy
            from client.engine.queue import TransferQueue

            policy = ExistsPolicy.ASK if self._ask_exists is not None else ExistsPolicy.OVERWRITE
            self.queue = TransferQueue(self.connection.open_session, bus=self.bus,
                                       concurrency=self._concurrency, exists_policy=policy,
                                       ask_exists=self._ask_exists)
        return self.queue

    def set_concurrency(self, count: int) -> None:
        self._concurrency = count
        if self.queue is not None:
            self.queue.set_concurrency(count)

    def apply(self, action: str, jobs: list[object]) -> list[object] | None:
        """A queue button: pause, resume, cancel, retry, up or down on ``jobs``.
        Returns the new job order after a move (None otherwise, or without a queue)."""
        queue = self.queue
        if queue is None:
            return None
        for job in jobs:
            job_id = job.job_id  # type: ignore[attr-defined]
            if action in ("up", "down"):
                ids = [j.job_id for j in queue.jobs()]
                if job_id in ids:
                    queue.move(job_id, max(0, ids.index(job_id) + (-1 if action == "up" else 1)))
            elif action in ("pause", "resume", "cancel", "retry"):
                getattr(queue, action)(job_id)
        return queue.jobs() if action in ("up", "down") else None

    async def reset(self) -> None:
        """The site changed: finish with the old queue (its connections close)."""
        queue, self.queue = self.queue, None
        reset = getattr(self._ask_exists, "reset", None)
        if callable(reset):
            reset()  # "apply to all" belonged to the old queue
        if queue is not None:
            await queue.close()

    def jobs_changed(self, jobs: list[object]) -> None:
        """From the bridge (QueueJobChanged): forward and report finished ones."""
        for job in jobs:
            state = str(getattr(getattr(job, "state", ""), "value", getattr(job, "state", "")))
            if state.lower() == "done":
                self._on_finished(job)

    # -- starting transfers --------------------------------------------------------------
    async def download(self, remote_dir: str, entries: list[object], local_dir: Path) -> list[int]:
        """Download ``entries`` (of ``remote_dir``) into ``local_dir``; folders recursively.

        A name that cannot be a safe local file name (``..``, ``a/b``, control characters
        …) is skipped and the others still go; the skipped ones are reported at the end.
        """
        queue = self._ensure_queue()
        ids: list[int] = []
        refused: list[str] = []
        for entry in entries:
            remote = posixpath.join(remote_dir or "/", entry.name)  # type: ignore[attr-defined]
            try:
                name = _safe_local_name(entry.name)  # type: ignore[attr-defined]
            except ValueError as exc:
                refused.append(str(exc))
                continue
            if entry_is_dir(entry):
                if queue is None:
                    raise RuntimeError("downloading folders needs the transfer queue")
                ids += await queue.add_download_tree(remote, local_dir / name)
            elif queue is not None:
                ids.append(queue.add_download(remote, local_dir / name, transfer_size(entry)))
            else:
                ids.append(self._direct("download", remote, local_dir / name,
                                        transfer_size(entry)))
        if refused:
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise UnsafePathError(f"{refused[0]}{more}; the other files were queued")
        return ids

    async def download_paths(self, remote_paths: list[str], local_dir: Path) -> list[int]:
        """Remote paths dragged onto the local pane (the listing tells files from folders)."""
        by_dir: dict[str, list[str]] = {}
        for path in remote_paths:
            by_dir.setdefault(posixpath.dirname(path.rstrip("/")) or "/", []).append(
                posixpath.basename(path.rstrip("/")))
        ids: list[int] = []
        for folder, names in by_dir.items():
            listing = await self.connection.list(folder)
            wanted = [e for e in listing.entries if e.name in names]
            ids += await self.download(folder, wanted, local_dir)
        return ids

    async def upload(self, paths: list[Path], remote_dir: str) -> list[int]:
        queue = self._ensure_queue()
        ids: list[int] = []
        for path in paths:
            remote = posixpath.join(remote_dir or "/", path.name)
            if path.is_dir():
                if queue is None:
                    raise RuntimeError("uploading folders needs the transfer queue")
                ids += await queue.add_upload_tree(path, remote)
            elif queue is not None:
                ids.append(queue.add_upload(path, remote))
            else:
                ids.append(self._direct("upload", remote, path, path.stat().st_size))
        return ids

    async def wait_idle(self) -> None:
        if self.queue is not None:
            await self.queue.wait_idle()
        while self._direct_tasks:
            await asyncio.gather(*tuple(self._direct_tasks), return_exceptions=True)

    # -- without the queue ---------------------------------------------------------------
    def _direct(self, direction: str, remote: str, local: Path, size: int | None) -> int:
        job = DirectJob(job_id=next(self._ids) + 1_000_000, direction=direction,
                        remote_path=remote, local_path=local, size=size)
        self._on_jobs([job])
        task = asyncio.ensure_future(self._run_direct(job))
        self._direct_tasks.add(task)
        task.add_done_callback(self._direct_tasks.discard)
        return job.job_id

    async def _run_direct(self, job: DirectJob) -> None:
        def progress(event: object) -> None:
            self._on_jobs([dataclasses.replace(job, state="running",
                                               bytes_done=getattr(event, "bytes_done", 0),
                                               rate=getattr(event, "rate", 0.0))])

        self._on_jobs([dataclasses.replace(job, state="running", attempts=1)])
        try:
            if job.direction == "download":
                job.local_path.parent.mkdir(parents=True, exist_ok=True)
                result = await self.connection.download(job.remote_path, job.local_path, progress)
            else:
                result = await self.connection.upload(job.local_path, job.remote_path, progress)
        except asyncio.CancelledError:
            self._on_jobs([dataclasses.replace(job, state="cancelled")])
            raise
        except Exception as exc:  # noqa: BLE001 - shown in the queue's Failed tab
            self._on_jobs([dataclasses.replace(job, state="failed", attempts=1,
                                               error=describe_error(exc))])
            return
        done = dataclasses.replace(job, state="done", attempts=1,
                                   bytes_done=getattr(result, "bytes_transferred", 0),
                                   size=getattr(result, "total_size", None) or job.size)
        self._on_jobs([done])
        self._on_finished(done)


def _safe_local_name(name: str) -> str:
    """A server-supplied name as one safe local file name, or ValueError saying why."""
    from client.protocol.paths import safe_local_name

    try:
        return safe_local_name(name, windows=sys.platform == "win32")
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - UnsafeNameError is a ProtocolError
        raise ValueError(str(exc)) from exc
