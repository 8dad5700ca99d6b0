"""One attempt at one job on one session: the exists check, the local-path checks and
the call into the session's :class:`~client.engine.remotefs.RemoteFileSystem` (FTP or another).

Kept apart from the scheduling in :mod:`client.engine.queue.core` so the rules for a
single file can be read in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import os
import stat
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import FtpError, LocalError, UnsafePathError
from client.engine.events import TransferProgress
from client.engine.exists import ExistsInfo, ExistsPolicy, skip_reason
from client.engine.localpaths import (
    drop_empty_part,
    free_local_name,
    numbered_name,
    part_path,
    prepare_download_target,
)
from client.engine.queue.jobs import JobState, TransferJob, replace_job
from client.engine.queue.prepare import claim_prepared
from client.engine.resume_copy import copy_for_resume, drop_unchanged_copy
from client.protocol.paths import remote_basename, remote_parent
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.queue.batch import TransferBatch
    from client.engine.queue.prepare import _Ahead
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["JobRecord", "Outcome", "run_attempt"]

#: Answers "the target exists": (the policy applied, the action: OVERWRITE, RESUME, SKIP
#: or RENAME), asking the user if the queue's policy is ASK.
Decide = Callable[[TransferJob, ExistsInfo], Awaitable[tuple[ExistsPolicy, ExistsPolicy]]]

#: Policies whose answer depends on the modification times (MDTM is asked only then).
_NEEDS_TIMES = (ExistsPolicy.ASK, ExistsPolicy.OVERWRITE_IF_NEWER)


@dataclass
class JobRecord:
    """The queue's mutable bookkeeping around one immutable :class:`TransferJob`."""

    job: TransferJob
    root: Path  # downloads: nothing is written outside it (tree root, or the file's folder)
    resume_next: bool = False  # the next attempt continues what an earlier one left
    decision: ExistsPolicy | None = None  # the exists answer, kept across retries
    failures: int = 0  # consecutive transient failures in this run
    not_before: float = 0.0  # loop time before which a retry must not start
    task: asyncio.Task | None = None
    stop_as: JobState | None = None  # PAUSED/CANCELLED asked for while running
    resuming: bool = False  # the current attempt continues a partial file
    restart_refused: bool = False  # the server would not continue this upload
    listed_mtime: _dt.datetime | None = None  # download: the listing's exact time (no MDTM)
    charset: str | None = None  # FTP: the charset its names were read in (None: the session's)
    ahead: _Ahead | None = None  # download: its target being prepared ahead (see .prepare)
    batch: TransferBatch | None = None  # claimed by a batch of small downloads (see .batch)
    no_batch: bool = False  # went back from a batch once: the normal path runs it


@dataclass(frozen=True)
class Outcome:
    state: JobState  # DONE or SKIPPED
    job: TransferJob
    reason: str | None = None


def _local_facts(path: Path) -> tuple[int | None, _dt.datetime | None, bool]:
    """(size, mtime, exists) of a local file; a symbolic link is reported as existing
    with no size (never followed)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None, None, False
    except OSError as exc:
        raise LocalError(f"could not look at {path}: {exc.strerror or exc}", step="local") from None
    if stat.S_ISLNK(info.st_mode):
        return None, None, True
    return info.st_size, _dt.datetime.fromtimestamp(info.st_mtime, _dt.UTC), True


async def run_attempt(record: JobRecord, session: RemoteFileSystem, *, policy: ExistsPolicy,
                      decide: Decide,
                      on_progress: Callable[[TransferProgress], None]) -> Outcome:
    """Run ``record``'s job once. ``policy`` is the queue's exists policy now (it decides
    which facts are worth a round trip); ``decide`` gives the answer."""
    if record.job.direction == "download":
        return await _download(record, session, policy, decide, on_progress)
    return await _upload(record, session, policy, decide, on_progress)


async def _download(record: JobRecord, session: RemoteFileSystem, policy: ExistsPolicy,
                    decide: Decide,
                    on_progress: Callable[[TransferProgress], None]) -> Outcome:
    job = record.job
    local = job.local_path
    resume = record.resume_next
    made_ahead = claim_prepared(record)
    size, mtime, exists = _local_facts(local)
    if exists and made_ahead:  # the file appeared since: decide as if nothing was made
        drop_empty_part(local)
        made_ahead = False
    if exists and record.decision is None:
        if size is None:  # a link where the file should go
            raise UnsafePathError(
                f"{local} is a symbolic link; refusing to download through it", step="local")
        if policy is ExistsPolicy.OVERWRITE:  # nothing to find out: spare the round trips
            remote_size = job.size
        else:
            remote_size = (job.size if job.size is not None
                           else await session.size(job.remote_path))
        remote_mtime = await session.mdtm(job.remote_path) if policy in _NEEDS_TIMES else None
        info = ExistsInfo("download", local, job.remote_path, size, mtime, remote_size,
                          remote_mtime)
        applied, action = await decide(job, info)
        record.decision = action
        if action is ExistsPolicy.SKIP:
            return Outcome(JobState.SKIPPED, job, skip_reason(applied, info))
        if action is ExistsPolicy.RENAME:
            local = await asyncio.to_thread(free_local_name, local)
            job = _with(job, local_path=local)
            record.job = job
        elif action is ExistsPolicy.RESUME:
            resume = True
    # Resume into an existing NAME: continue from a copy of it in NAME.part, so NAME stays
    # exactly as it is whatever becomes of the job (see client.engine.resume_copy).
    # Again on a retry whose attempt before added nothing (that copy was dropped).
    copy_first = (record.decision is ExistsPolicy.RESUME and exists and size is not None
                  and not os.path.lexists(part_path(local)))
    # Inline, not through a thread: a handful of metadata calls on the local disk (like
    # the lstat above and the open of the .part), where the hop to a worker thread and
    # back cost more than the work for every small file of a tree.
    created = prepare_download_target(record.root, local) or made_ahead
    copied: int | None = None
    record.resuming = resume
    try:
        if copy_first:
            copied = await _copy_for_resume(local)
        result = await session.download(job.remote_path, local, resume=resume,
                                        on_progress=on_progress, transfer_id=job.job_id,
                                        known_size=job.size, known_mtime=record.listed_mtime)
    except BaseException as exc:  # also a cancelled job: a copy of NAME is no progress
        if copied is not None:
            drop_unchanged_copy(local, copied)
        elif created and isinstance(exc, Exception):
            drop_empty_part(local)
        raise
    total = result.total_size
    return Outcome(JobState.DONE, _with(record.job, bytes_done=total if total is not None
                                        else result.bytes_transferred, size=total))


async def _copy_for_resume(local: Path) -> int:
    """Copy NAME to NAME.part in a thread (a large file takes a while); a cancelled job
    stops the copy and leaves no partial copy behind."""
    stop = threading.Event()
    copy = asyncio.ensure_future(asyncio.to_thread(copy_for_resume, local, stop))
    try:
        return await asyncio.shield(copy)
    except asyncio.CancelledError:
        stop.set()
        with contextlib.suppress(BaseException):
            copied = await copy
            if copied >= 0:  # finished just before the stop: a duplicate, nothing more
                drop_unchanged_copy(local, copied)
        raise


async def _upload(record: JobRecord, session: RemoteFileSystem, policy: ExistsPolicy,
                  decide: Decide,
                  on_progress: Callable[[TransferProgress], None]) -> Outcome:
    job = record.job
    resume = record.resume_next
    # With OVERWRITE nothing depends on the remote file: spare the round trip.
    if record.decision is None and policy is not ExistsPolicy.OVERWRITE:
        exists, remote_size = await _remote_facts(session, job.remote_path)
        if exists:
            size, mtime, _ = _local_facts(job.local_path)
            remote_mtime = (await session.mdtm(job.remote_path)
                            if policy in _NEEDS_TIMES else None)
            info = ExistsInfo("upload", job.local_path, job.remote_path, size, mtime,
                              remote_size, remote_mtime)
            applied, action = await decide(job, info)
            record.decision = action
            if action is ExistsPolicy.SKIP:
                return Outcome(JobState.SKIPPED, job, skip_reason(applied, info))
            if action is ExistsPolicy.RENAME:
                job = _with(job, remote_path=await _free_remote_name(session, job.remote_path))
                record.job = job
            elif action is ExistsPolicy.RESUME:
                resume = True
    record.resuming = resume and not record.restart_refused
    result = await session.upload(job.local_path, job.remote_path, resume=record.resuming,
                                  on_progress=on_progress, transfer_id=job.job_id)
    total = result.total_size
    return Outcome(JobState.DONE, _with(job, bytes_done=total if total is not None
                                        else result.bytes_transferred, size=total))


async def _remote_facts(session: RemoteFileSystem, path: str) -> tuple[bool, int | None]:
    """(exists, size) of a remote file. SIZE when offered: one line on the control
    connection, where a stat without MLST would list the whole parent folder."""
    if session.answers_size:
        size = await session.size(path)
        return size is not None, size
    entry = await session.stat(path)
    return entry is not None, entry.size if entry is not None else None


async def _free_remote_name(session: RemoteFileSystem, remote: str, limit: int = 100) -> str:
    folder, name = remote_parent(remote), remote_basename(remote)
    for number in range(1, limit + 1):
        candidate = numbered_name(name, number)
        path = candidate if folder == "." else (folder.rstrip("/") + "/" + candidate)
        if not (await _remote_facts(session, path))[0]:
            return path
    raise FtpError(f"no free name like {numbered_name(name, 1)} beside "
                     f"{escape_control(remote)} on the server after {limit} tries",
                     step="rename")


def _with(job: TransferJob, **changes: object) -> TransferJob:
    return replace_job(job, **changes)
