"""Download targets prepared ahead, in a worker thread.

Creating a file is the dearest step of a small download on this side: the kernel takes
hundreds of microseconds per ``.part`` (more on a busy machine), and while it does, the
event loop — every other connection, and the window — waits. So while the loop runs
the transfers, one worker thread creates the ``.part`` files of the next queued
downloads: it opens their folders one below the other from the root (``openat``, no
link followed, whatever happens to the paths meanwhile) and creates only new files
(``O_EXCL``); where that is not available it runs
:func:`~client.engine.localpaths.prepare_download_target`. When a job starts, the runner
still runs every check of :func:`~client.engine.localpaths.prepare_download_target` on
the loop, just before the file is written, as always: it finds the ``.part`` in place
and only the cheap part is left.

A target that already exists is left alone (the exists policy decides at the job's
start). A ``.part`` made ahead for a job that never ran (cancelled, queue closed), or
whose file went elsewhere (skipped, renamed), is removed while it is still empty.
"""

from __future__ import annotations

import asyncio
import collections
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.localpaths import (
    SAFE_OPEN_FLAGS,
    drop_empty_part,
    prepare_download_target,
)

if TYPE_CHECKING:
    from client.engine.queue.runner import JobRecord

__all__ = ["TargetPreparer", "claim_prepared", "open_folder_below", "BY_DESCRIPTOR"]

#: Targets prepared per trip to the thread, and how few may be left before the next.
BATCH = 32
LOW_WATER = 16

_PENDING, _DONE, _CLAIMED = range(3)

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: a new .part only: an existing name (a link among them) is left as it is
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | SAFE_OPEN_FLAGS | _CLOEXEC
#: folders opened one below the other (``openat``): the thread follows no link at all,
#: whatever happens to the paths meanwhile, and does little Python work (it holds the
#: interpreter's lock while it does, away from the loop)
BY_DESCRIPTOR = bool(os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd
                      and _DIRECTORY and _NOFOLLOW)


class _Ahead:
    """One target on its way. ``lock`` makes the thread's work on it and the job's
    claim exclusive: a job never starts while its ``.part`` is being made, and a
    claimed target is never made afterwards (next to a file that is complete)."""

    __slots__ = ("lock", "state", "created", "root", "local")

    def __init__(self, root: Path, local: Path) -> None:
        self.lock = threading.Lock()
        self.state = _PENDING
        self.created = False
        self.root = root
        self.local = local


def open_folder_below(root: str, folder: str) -> int | None:
    """A descriptor of ``folder``, reached from ``root`` one component at a time without
    following a link; None when it is missing, a link, not below ``root``, or unusual
    (the job meets the reason itself, on the loop)."""
    base = root.rstrip(os.sep)
    if folder == root:
        parts: list[str] = []
    elif folder.startswith(base + os.sep):
        parts = folder[len(base) + 1:].split(os.sep)
    else:
        return None
    if any(part in ("", ".", "..") for part in parts):
        return None
    try:
        fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)  # the user's choice
    except OSError:
        return None
    for part in parts:
        try:
            child = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
        except OSError:
            os.close(fd)
            return None
        os.close(fd)
        fd = child
    return fd


def _create_part(folder_fd: int, name: str) -> bool:
    """Create ``name.part`` in the folder, unless ``name`` or ``name.part`` exists."""
    try:
        os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
        return False  # the target exists: the exists policy decides, at the job's start
    except FileNotFoundError:
        pass
    except OSError:
        return False
    try:
        fd = os.open(name + ".part", _CREATE, 0o644, dir_fd=folder_fd)
    except OSError:
        return False
    os.close(fd)
    return True


def _prepare_all(batch: list[_Ahead]) -> None:
    """In the worker thread."""
    folders: dict[str, int | None] = {}
    try:
        for entry in batch:
            with entry.lock:
                if entry.state != _PENDING:
                    continue
                entry.state = _DONE
                if not BY_DESCRIPTOR:
                    try:
                        if not os.path.lexists(entry.local):
                            entry.created = prepare_download_target(entry.root, entry.local)
                    except Exception:  # noqa: BLE001 - the job meets it again on the loop
                        pass
                    continue
                folder, name = os.path.split(os.fspath(entry.local))
                if folder not in folders:
                    folders[folder] = open_folder_below(os.fspath(entry.root), folder)
                folder_fd = folders[folder]
                if folder_fd is not None:
                    entry.created = _create_part(folder_fd, name)
    finally:
        for folder_fd in folders.values():
            if folder_fd is not None:
                os.close(folder_fd)


def _claim(entry: _Ahead) -> bool:
    with entry.lock:  # waits only while the thread works on this very target
        entry.state = _CLAIMED
        return entry.created


def claim_prepared(record: JobRecord) -> bool:
    """Called when ``record``'s job starts: whether its ``.part`` was created ahead (so
    a failure before the first byte removes it, as one made now). Afterwards nothing
    touches the target ahead of the job any more."""
    entry = record.ahead
    if entry is None:
        return False
    record.ahead = None
    return _claim(entry)


class TargetPreparer:
    """The queue's targets prepared ahead (see the module doc)."""

    def __init__(self) -> None:
        # targets sent to the thread, in queue order; the claimed ones leave from the left
        self._waiting: collections.deque[tuple[JobRecord, _Ahead]] = collections.deque()
        self._running: asyncio.Future[None] | None = None
        self._closed = False

    def top_up(self, upcoming: Iterable[JobRecord]) -> None:
        """Send the next downloads of ``upcoming`` (queued jobs in order) to the thread
        when fewer than :data:`LOW_WATER` prepared ones are waiting."""
        if self._closed or (self._running is not None and not self._running.done()):
            return
        waiting = self._waiting
        while waiting and waiting[0][1].state == _CLAIMED:
            waiting.popleft()
        if len(waiting) >= LOW_WATER:
            return
        batch: list[_Ahead] = []
        for record in upcoming:
            job = record.job
            if (job.direction != "download" or record.ahead is not None
                    or record.batch is not None or record.resume_next or record.decision is not None):
                continue
            entry = _Ahead(record.root, job.local_path)
            record.ahead = entry
            waiting.append((record, entry))
            batch.append(entry)
            if len(batch) >= BATCH:
                break
        if batch:
            self._running = asyncio.get_running_loop().run_in_executor(None, _prepare_all,
                                                                       batch)

    @staticmethod
    def forget(record: JobRecord) -> None:
        """``record``'s job will not run now (cancelled while queued): nothing is made
        for it any more, and an empty ``.part`` made for it goes."""
        entry = record.ahead
        if entry is None:
            return
        record.ahead = None
        if _claim(entry):
            drop_empty_part(entry.local)

    async def close(self) -> None:
        """Stop preparing; remove what was made for jobs that did not run."""
        self._closed = True
        for record, _ in self._waiting:
            self.forget(record)
        self._waiting.clear()
        if self._running is not None:
            await asyncio.wait([self._running])
