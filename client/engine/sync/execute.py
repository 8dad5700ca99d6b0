"""Running a plan: folders are created and deletes done at once on one connection;
every copy becomes a job of the transfer queue (so it has progress, retries and
``.part`` downloads), overwriting its target whatever the queue's policy for existing
files (the plan, which the user may have previewed, decided that). Every path is checked again here, just before it is used: a
local one must lie below the chosen folder with no symbolic link on the way, a remote
one must be built from checked components below the chosen remote folder.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import CommandFailedError, FtpError, UnsafePathError
from client.engine.exists import ExistsPolicy
from client.engine.localpaths import ensure_directory, relative_parts
from client.engine.sync.entries import path_problem
from client.engine.sync.plan import ActionKind, SyncAction
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.queue import TransferQueue
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["SyncRun", "run_plan"]


@dataclass
class SyncRun:
    """What running a plan started or did: the queue's job ids, the actions done at
    once, and the failed ones with why."""

    job_ids: list[int] = field(default_factory=list)
    done: list[SyncAction] = field(default_factory=list)
    failed: list[tuple[SyncAction, str]] = field(default_factory=list)


def _checked(action: SyncAction) -> None:
    problem = path_problem(action.relpath)
    if problem is not None:
        raise UnsafePathError(f"refusing {escape_control(action.relpath)!r}: {problem}",
                              step="sync")


def _local_target(root: Path, action: SyncAction) -> Path:
    """The local path of ``action``, with every folder between ``root`` and it an
    existing real folder (not a link)."""
    target = action.local_path(root)
    parts = relative_parts(root, target)
    current = root
    for part in parts[:-1]:
        current = current / part
        info = os.lstat(current)
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafePathError(f"{current} is not a folder (a link?); not touching "
                                  f"{escape_control(str(target))}", step="sync")
    return target


def _delete_local(root: Path, action: SyncAction) -> None:
    target = _local_target(root, action)
    info = os.lstat(target)
    if action.is_dir:
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafePathError(f"{target} is no longer a folder; not deleted", step="sync")
        os.rmdir(target)  # only when empty: what the plan kept in it stays
    else:
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePathError(f"{target} is no longer a regular file; not deleted",
                                  step="sync")
        os.unlink(target)


async def _mkdir_remote(fs: RemoteFileSystem, path: str) -> None:
    try:
        await fs.mkdir(path)
    except CommandFailedError as exc:
        if exc.reply_code < 500:
            raise
        entry = await fs.stat(path)  # 550 usually means "exists"
        if entry is None or not entry.is_dir:
            raise


async def run_plan(actions: Iterable[SyncAction], *, local_root: Path, remote_root: str,
                   fs: RemoteFileSystem, queue: TransferQueue,
                   on_done: Callable[[SyncAction], None] | None = None,
                   create_remote_root: bool = False) -> SyncRun:
    """Carry out ``actions`` (a plan's, or the ones the user kept ticked), in their
    order: folders, then copies queued, then deletes. A failed folder or delete is
    recorded and the rest goes on; copies into a folder that failed still run (and
    fail with the server's or the disk's reason). ``create_remote_root``: make
    ``remote_root`` and its missing parents first (MKD)."""
    run = SyncRun()
    local_root = Path(local_root)
    if create_remote_root:
        for folder in _ancestors(remote_root):
            await _mkdir_remote(fs, folder)
    for action in actions:
        try:
            _checked(action)
            await _one(action, run, local_root, remote_root, fs, queue)
        except (FtpError, OSError) as exc:
            text = exc.message if isinstance(exc, FtpError) else (exc.strerror or str(exc))
            run.failed.append((action, text))
            continue
        if on_done is not None and action.kind not in (ActionKind.UPLOAD, ActionKind.DOWNLOAD):
            on_done(action)
    return run


async def _one(action: SyncAction, run: SyncRun, local_root: Path, remote_root: str,
               fs: RemoteFileSystem, queue: TransferQueue) -> None:
    kind = action.kind
    if kind is ActionKind.MKDIR_LOCAL:
        parts = tuple(action.relpath.split("/"))
        await asyncio.to_thread(ensure_directory, local_root, parts)
        run.done.append(action)
    elif kind is ActionKind.MKDIR_REMOTE:
        await _mkdir_remote(fs, action.remote_path(remote_root))
        run.done.append(action)
    elif kind is ActionKind.DOWNLOAD:
        target = await asyncio.to_thread(_local_target_lenient, local_root, action)
        run.job_ids.append(queue.add_download(action.remote_path(remote_root), target,
                                              action.size, root=local_root,
                                              exists_policy=ExistsPolicy.OVERWRITE))
    elif kind is ActionKind.UPLOAD:
        source = await asyncio.to_thread(_local_target, local_root, action)
        run.job_ids.append(queue.add_upload(source, action.remote_path(remote_root),
                                            exists_policy=ExistsPolicy.OVERWRITE))
    elif kind is ActionKind.DELETE_LOCAL:
        await asyncio.to_thread(_delete_local, local_root, action)
        run.done.append(action)
    elif kind is ActionKind.DELETE_REMOTE:
        path = action.remote_path(remote_root)
        if action.is_dir:
            await fs.rmdir(path)  # RMD refuses a folder that still holds something
        else:
            await fs.delete(path)
        run.done.append(action)


def _ancestors(remote_dir: str) -> list[str]:
    """``/a/b`` -> ``/a``, ``/a/b`` (relative paths likewise)."""
    absolute = remote_dir.startswith("/")
    parts = [p for p in remote_dir.split("/") if p]
    return [("/" if absolute else "") + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _local_target_lenient(root: Path, action: SyncAction) -> Path:
    """A download's target: folders may still be missing (the queue creates them,
    refusing links); only the path itself is checked to lie below ``root``."""
    target = action.local_path(root)
    relative_parts(root, target)
    return target
