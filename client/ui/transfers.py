"""Transfers started from the window: double-click, Enter, context menu and drag and
drop all end in :meth:`Transfers.download` / :meth:`Transfers.upload`.

Each transfer is a job of the engine's ``TransferQueue`` (``client.engine.queue``), run
on the queue's own connections, so browsing stays responsive.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from client.engine.errors import UnsafePathError
from client.engine.events import EventBus
from client.engine.exists import ExistsPolicy
from client.engine.queue import TransferQueue
from client.engine.queue.jobs import FINISHED_STATES, JobState, TransferJob
from client.engine.queue.saved import QueueSaver, SavedJob, restore_jobs
from client.engine.settings import ConnectionSettings
from client.protocol.listing import ListingEntry
from client.ui.connection import RemoteConnection
from client.ui.queue_menu import MOVABLE_STATES
from client.ui.remote.listing_model import entry_is_dir, transfer_size

__all__ = ["Transfers"]

log = logging.getLogger(__name__)

#: States that wait for the person (Resume, Retry): a closed tab's queue keeps them.
KEPT_STATES = frozenset({JobState.PAUSED, JobState.FAILED})
#: States nothing more happens to unless the person asks again.
_SETTLED = frozenset({JobState.DONE, JobState.CANCELLED, JobState.SKIPPED})


class Transfers:
    def __init__(self, connection: RemoteConnection, bus: EventBus, *,
                 on_jobs: Callable[[list[TransferJob]], None],
                 on_finished: Callable[[TransferJob], None],
                 concurrency: int = 2,
                 ask_exists: Callable[..., Any] | None = None,
                 saver: QueueSaver | None = None,
                 site: Callable[[], str] | None = None) -> None:
        self.connection = connection
        self.bus = bus
        self._on_jobs = on_jobs
        self._on_finished = on_finished
        self._concurrency = concurrency
        self._processing = True
        self._ask_exists = ask_exists
        self.queue: TransferQueue | None = None
        #: keeps the unfinished jobs on disk, with ``site()`` naming where they belong
        self.saver = saver
        self._site = site
        self._watch: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()  # a job changed (see wait_settled)

    # -- the engine queue ----------------------------------------------------------------
    def _ensure_queue(self) -> TransferQueue:
        if self.queue is None:
            policy = ExistsPolicy.ASK if self._ask_exists is not None else ExistsPolicy.OVERWRITE
            self.queue = TransferQueue(self.connection.open_session, bus=self.bus,
                                       concurrency=self._concurrency, exists_policy=policy,
                                       ask_exists=self._ask_exists)
            self.queue.set_processing(self._processing)
            settings = self.connection.settings
            if isinstance(settings, ConnectionSettings):  # names are read in this charset
                self.queue.set_charset(settings.encoding)
            if self.saver is not None and self._site is not None:
                self.saver.attach(self.queue, self._site())
        return self.queue

    def ensure_queue(self) -> TransferQueue:
        """The window's queue (made on first use), for jobs started elsewhere (Synchronise)."""
        return self._ensure_queue()

    def set_concurrency(self, count: int) -> None:
        self._concurrency = count
        if self.queue is not None:
            self.queue.set_concurrency(count)

    def set_processing(self, on: bool) -> None:
        """"Process queue": off, waiting jobs stay waiting (running ones finish)."""
        self._processing = on
        if self.queue is not None:
            self.queue.set_processing(on)

    def apply(self, action: str, jobs: list[TransferJob]) -> list[TransferJob] | None:
        """A queue button: pause, resume, cancel, retry, up, down or remove (finished
        ones) on ``jobs``. Returns the new job order after a move or a removal (None
        otherwise, or without a queue)."""
        queue = self.queue
        if queue is None:
            return None
        if action in ("up", "down"):  # only waiting jobs have a place in the queue
            jobs = [job for job in jobs if job.state in MOVABLE_STATES]
        for job in jobs:
            job_id = job.job_id
            if action in ("up", "down"):
                _move_past_waiting_neighbour(queue, job_id, up=action == "up")
            elif action in ("pause", "resume", "cancel", "retry"):
                getattr(queue, action)(job_id)
        if action == "remove":  # finished jobs off the list
            queue.remove_finished([job.job_id for job in jobs])
        return queue.jobs() if action in ("up", "down", "remove") else None

    async def reset(self) -> None:
        """The site changed: finish with the old queue (its connections close)."""
        queue, self.queue = self.queue, None
        reset = getattr(self._ask_exists, "reset", None)
        if callable(reset):
            reset()  # "apply to all" belonged to the old queue
        if queue is not None:
            if self.saver is not None:
                self.saver.detach(queue)  # its unfinished jobs stay saved, running ones interrupted
            await queue.close()

    def use_charset(self, charset: str) -> None:
        """Jobs added from now on have names read in ``charset``; those queued before
        keep theirs (each job is sent in its own, on any of the queue's connections)."""
        if self.queue is not None:
            self.queue.set_charset(charset)

    async def reset_if_finished(self) -> bool:
        """Close the queue's connections when no job is waiting, running or paused (the
        connection settings changed, e.g. the charset: the next transfers must log in
        anew). Returns whether it was done."""
        queue = self.queue
        if queue is not None and any(job.state not in FINISHED_STATES for job in queue.jobs()):
            return False
        await self.reset()
        return True

    def jobs_changed(self, jobs: list[TransferJob]) -> None:
        """From the bridge (QueueJobChanged): forward and report finished ones."""
        self._changed.set()
        for job in jobs:
            if job.state is JobState.DONE:
                self._on_finished(job)

    # -- starting transfers --------------------------------------------------------------
    async def download(self, remote_dir: str, entries: list[ListingEntry], local_dir: Path) -> list[int]:
        """Download ``entries`` (of ``remote_dir``) into ``local_dir``; folders recursively.

        A name that cannot be a safe local file name (``..``, ``a/b``, control characters
        …) is skipped and the others still go; the skipped ones are reported at the end.
        """
        queue = self._ensure_queue()
        ids: list[int] = []
        refused: list[str] = []
        for entry in entries:
            remote = posixpath.join(remote_dir or "/", entry.name)
            try:
                name = _safe_local_name(entry.name)
            except ValueError as exc:
                refused.append(str(exc))
                continue
            if entry_is_dir(entry):
                ids += await queue.add_download_tree(remote, local_dir / name)
            else:
                ids.append(queue.add_download(remote, local_dir / name, transfer_size(entry)))
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
                ids += await queue.add_upload_tree(path, remote)
            else:
                ids.append(queue.add_upload(path, remote))
        return ids

    def restore(self, jobs: list[SavedJob]) -> list[int]:
        """Saved jobs of the connected site back into the queue, resuming."""
        return restore_jobs(self._ensure_queue(), jobs)

    async def wait_idle(self) -> None:
        if self.queue is not None:
            await self.queue.wait_idle()

    def has_kept_jobs(self) -> bool:
        """Jobs wait for the person: paused (to resume) or failed (to retry)."""
        queue = self.queue
        return queue is not None and any(job.state in KEPT_STATES for job in queue.jobs())

    async def wait_settled(self) -> None:
        """Return when no job is left to run, resume or retry: a closed tab's queue stays
        until then, so its paused and failed jobs still answer the queue view's buttons."""
        while self.queue is not None and any(job.state not in _SETTLED
                                             for job in self.queue.jobs()):
            self._changed.clear()
            await self._changed.wait()


def _safe_local_name(name: str) -> str:
    """A server-supplied name as one safe local file name, or ValueError saying why."""
    from client.protocol.paths import safe_local_name

    try:
        return safe_local_name(name, windows=sys.platform == "win32")
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - UnsafeNameError is a ProtocolError
        raise ValueError(str(exc)) from exc


def _move_past_waiting_neighbour(queue: TransferQueue, job_id: int, *, up: bool) -> None:
    """Move a waiting job one place among the waiting ones: past the job the Queued tab
    shows above (below) it. A plain step in the queue's order could land it next to a
    finished job the tab no longer shows, and nothing moved there."""
    order = queue.jobs()
    ids = [j.job_id for j in order]
    if job_id not in ids:
        return
    here = ids.index(job_id)
    around = order[here - 1::-1] if up and here else order[here + 1:] if not up else []
    neighbour = next((j for j in around if j.state in MOVABLE_STATES), None)
    if neighbour is not None:
        queue.move(job_id, ids.index(neighbour.job_id))
