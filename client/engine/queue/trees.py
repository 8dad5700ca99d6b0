"""Recursive folder transfers: walk the tree (:mod:`client.engine.tree`), prepare the
folders on the receiving side, queue one job per file, report every skipped name."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import CommandFailedError, FtpError
from client.engine.events import NoticeKind
from client.engine.localpaths import ensure_directory, is_case_insensitive, relative_parts
from client.engine.queue.retry import needs_new_connection
from client.engine.tree import SkippedName, walk_local, walk_remote
from client.protocol.annotate import Severity
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.queue.core import TransferQueue

__all__ = ["add_download_tree", "add_upload_tree"]


def _report(queue: TransferQueue, item: SkippedName) -> None:
    queue.notice(item.describe(), kind=NoticeKind.SKIPPED, severity=Severity.WARNING)


def _make_local_folders(root: Path, folders: list[Path]) -> list[tuple[Path, str]]:
    """Create ``folders`` below ``root`` (no links followed); the ones refused, with why."""
    refused: list[tuple[Path, str]] = []
    for folder in folders:
        if any(folder == bad or bad in folder.parents for bad, _ in refused):
            continue
        try:
            ensure_directory(root, relative_parts(root, folder))
        except FtpError as exc:
            refused.append((folder, exc.message))
    return refused


async def add_download_tree(queue: TransferQueue, remote_dir: str, local_dir: Path) -> list[int]:
    await asyncio.to_thread(ensure_directory, local_dir, ())
    case_insensitive = queue.case_insensitive
    if case_insensitive is None:
        case_insensitive = await asyncio.to_thread(is_case_insensitive, local_dir)
    session = await queue.sessions.borrow()
    broken = False
    try:
        plan = await walk_remote(session, remote_dir, local_dir,
                                 case_insensitive=case_insensitive,
                                 on_skip=lambda item: _report(queue, item),
                                 exact_times=True)
    except BaseException as exc:
        broken = needs_new_connection(exc)
        raise
    finally:
        await queue.sessions.give_back(session, broken=broken)
    refused = await asyncio.to_thread(_make_local_folders, local_dir, plan.directories)
    for folder, why in refused:
        queue.notice(f"skipped the folder {folder} and everything in it: {why}",
                     kind=NoticeKind.SKIPPED, severity=Severity.WARNING)
    ids: list[int] = []
    for planned in plan.files:
        if any(bad == planned.local_path.parent or bad in planned.local_path.parents
               for bad, _ in refused):
            continue
        ids.append(queue.add_download(planned.remote_path, planned.local_path, planned.size,
                                      root=local_dir, modified=planned.modified))
    return ids


def _ancestors(remote_dir: str) -> list[str]:
    """``/a/b/c`` -> ``/a``, ``/a/b``, ``/a/b/c`` (MKD -p; relative paths likewise)."""
    absolute = remote_dir.startswith("/")
    parts = [p for p in remote_dir.split("/") if p]
    return [("/" if absolute else "") + "/".join(parts[: i + 1]) for i in range(len(parts))]


async def add_upload_tree(queue: TransferQueue, local_dir: Path, remote_dir: str) -> list[int]:
    plan = await asyncio.to_thread(walk_local, local_dir, remote_dir)
    for item in plan.skipped:
        _report(queue, item)
    session = await queue.sessions.borrow()
    broken = False
    try:
        for folder in _ancestors(remote_dir) + plan.remote_directories[1:]:
            try:
                await session.mkdir(folder)
            except CommandFailedError as exc:
                if exc.reply_code < 500:
                    raise
                # Usually "it exists" (servers say 550 for both); look before worrying.
                entry = await session.stat(folder)
                if entry is None or not entry.is_dir:
                    queue.notice(f"could not create the remote folder {escape_control(folder)} "
                                 f"({exc.reply_code} {exc.reply_text}); uploads into it will fail",
                                 kind=NoticeKind.QUEUE, severity=Severity.WARNING)
    except BaseException as exc:
        broken = needs_new_connection(exc)
        raise
    finally:
        await queue.sessions.give_back(session, broken=broken)
    return [queue.add_upload(planned.local_path, planned.remote_path) for planned in plan.files]
