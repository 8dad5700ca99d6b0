"""From two folders to a plan: both snapshots, the checksums when the rule asks for
them (and the server offers a command), then :func:`build_plan`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import CommandFailedError
from client.engine.localpaths import is_case_insensitive
from client.engine.sync.checksum import NO_CHECKSUM_NOTE, checksum_choice, same_contents
from client.engine.sync.compare import CompareRule
from client.engine.sync.entries import EntryType, Side, TreeSnapshot
from client.engine.sync.plan import (
    Direction,
    SyncOptions,
    SyncPlan,
    build_plan,
    local_path_of,
    matches_filters,
    remote_path_of,
)
from client.engine.sync.walk import snapshot_local, snapshot_remote
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["prepare_plan"]


async def prepare_plan(session: FtpSession, local_root: Path, remote_root: str,
                       options: SyncOptions, *,
                       utc_offset: timedelta = timedelta(0)) -> SyncPlan:
    """Snapshot both sides and plan. A missing local folder is an empty one (a first
    download); so is a missing remote folder when uploading (``create_remote_root``);
    a remote root that cannot be listed otherwise raises."""
    local_root = Path(local_root)
    folded = False
    if local_root.is_dir():
        local = await asyncio.to_thread(snapshot_local, local_root)
        folded = await asyncio.to_thread(is_case_insensitive, local_root)
    else:
        local = TreeSnapshot(Side.LOCAL, str(local_root))
    notes: list[str] = []
    missing = False
    try:
        remote = await snapshot_remote(session, remote_root, utc_offset=utc_offset,
                                       case_insensitive=folded)
    except CommandFailedError as exc:
        # uploading into a folder that is not there yet: it is made first
        if (options.direction is not Direction.UPLOAD or exc.reply_code < 500
                or await session.stat(remote_root) is not None):
            raise
        remote, missing = TreeSnapshot(Side.REMOTE, remote_root), True
        notes.append(f"the remote folder {escape_control(remote_root)} does not exist "
                     f"({exc.reply_code}); it is created first")
    verdicts: dict[str, bool] | None = None
    if options.rule is CompareRule.CHECKSUM:
        choice = checksum_choice(session)
        if choice is None:
            notes.append(NO_CHECKSUM_NOTE)
        else:
            notes.append(f"contents compared with {choice.command}"
                         + (f" ({choice.algorithm})" if choice.command == "HASH" else ""))
            pairs = _same_size_pairs(local, remote, local_root, remote_root, options)
            verdicts = await same_contents(session, pairs, choice)
    plan = build_plan(local, remote, options, verdicts, case_insensitive=folded)
    plan.notes[:0] = notes
    plan.create_remote_root = missing
    return plan


def _same_size_pairs(local: TreeSnapshot, remote: TreeSnapshot, local_root: Path,
                     remote_root: str, options: SyncOptions) -> list[tuple[str, Path, str]]:
    pairs = []
    for relpath, ours in local.entries.items():
        theirs = remote.entries.get(relpath)
        if (theirs is None or ours.type is not EntryType.FILE
                or theirs.type is not EntryType.FILE or ours.size != theirs.size
                or not matches_filters(relpath, False, options.include, options.exclude)):
            continue
        pairs.append((relpath, local_path_of(local_root, relpath),
                      remote_path_of(remote_root, relpath)))
    return pairs
