"""``mirror`` with a plan: ``--reverse``, ``--delete``, ``--dry-run``, ``--compare``,
``--include``/``--exclude``. Both trees are compared (:mod:`client.engine.sync`), the
plan is printed (``--dry-run``: and nothing else happens) or run: copies through the
transfer queue, folders and deletes on the command's own connection. The engine's sync
modules load only when ``mirror`` runs with one of these options (every other command
builds this parser too, and its start-up time counts).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from client.protocol.text import escape_control

TYPE_CHECKING = False  # typing loads for type checkers only (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable

    from client.cli.runner import CommandContext
    from client.engine.events import EngineEvent
    from client.engine.sync import SyncOptions, SyncPlan

__all__ = ["add_sync_options", "wants_plan", "sync_mirror", "format_plan"]


def add_sync_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("synchronise (compare both trees first)")
    group.add_argument("--reverse", action="store_true",
                       help="upload: make the remote folder match LOCALDIR")
    group.add_argument("--delete", action="store_true",
                       help="delete what is absent on the source (local files when "
                            "downloading, remote files with --reverse)")
    group.add_argument("--dry-run", action="store_true",
                       help="print the plan, one line per action, and change nothing")
    group.add_argument("--compare", choices=["size", "time", "checksum"], default=None,
                       help="what makes a file differ: size (default), time (newer on the "
                            "source, see --tolerance), checksum (HASH/XSHA*/XMD5/XCRC where "
                            "the server offers one, else size)")
    group.add_argument("--tolerance", type=float, default=2.0, metavar="SECONDS",
                       help="times this close count as equal (default 2; a server's ls -l "
                            "times add a minute or a day of their own)")
    group.add_argument("--include", action="append", default=[], metavar="GLOB",
                       help="only files matching (name, or relative path if it has '/'); "
                            "repeatable")
    group.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="leave out files and folders matching; never deleted; repeatable")


def wants_plan(args: argparse.Namespace) -> bool:
    """The classic download-only mirror unless one of the plan's options was given."""
    return bool(args.reverse or args.delete or args.dry_run or args.compare
                or args.include or args.exclude)


def _options(args: argparse.Namespace) -> SyncOptions:
    from client.engine.sync import CompareRule, Direction, SyncOptions

    return SyncOptions(direction=Direction.UPLOAD if args.reverse else Direction.DOWNLOAD,
                       rule=CompareRule(args.compare or "size"), tolerance=args.tolerance,
                       include=tuple(args.include), exclude=tuple(args.exclude),
                       delete=args.delete)


def format_plan(plan: SyncPlan) -> list[str]:
    """One line per action, then one per refused name: ``VERB  PATH  (reason)``."""
    from client.engine.units import format_bytes

    lines = []
    for action in plan.actions:
        shown = escape_control(action.relpath) + ("/" if action.is_dir else "")
        size = f", {format_bytes(action.size)}" if action.size is not None \
            and not action.kind.is_delete else ""
        lines.append(f"{action.kind.value:<13} {shown}  ({action.reason}{size})")
    for refusal in plan.refused:
        where = f"{refusal.folder}/" if refusal.folder else ""
        lines.append(f"{'skip':<13} {escape_control(where + refusal.name)}  "
                     f"({refusal.side.value}: {refusal.reason})")
    return lines


async def sync_mirror(context: CommandContext,
                      progress: Callable[[EngineEvent], None] | None = None) -> int:
    """Plan, print or run (see the module doc); ``progress`` watches the bus (the
    queue's jobs summed into one progress bar)."""
    from client.engine.queue import ExistsPolicy, JobState, TransferQueue
    from client.engine.sync import Direction
    from client.engine.sync.execute import run_plan
    from client.engine.sync.prepare import prepare_plan
    from client.engine.units import format_bytes

    args = context.args
    local_dir = Path(args.localdir)
    options = _options(args)
    if options.direction is Direction.UPLOAD and not local_dir.is_dir():
        from client.engine.errors import LocalError

        raise LocalError(f"{local_dir} is not a folder (--reverse uploads from it)",
                         step="arguments")
    async with context.session() as session:
        remote_dir = context.target.path or await session.pwd()
        plan = await prepare_plan(session, local_dir, remote_dir, options)
        for note in plan.notes:
            context.note(note)
        if args.dry_run:
            lines = format_plan(plan)
            if lines:
                context.stdout.write("\n".join(lines) + "\n")
            context.stdout.flush()
            context.note(f"dry run: {len(plan.actions)} actions planned "
                         f"({len(plan.deletes)} deletes), {len(plan.refused)} names skipped; "
                         "nothing was changed")
            return 0
        for refusal in plan.refused:
            where = f"{refusal.folder}/" if refusal.folder else ""
            context.note(f"skipped {escape_control(where + refusal.name)}: {refusal.reason}")

        async def new_session():  # -> FtpSession
            extra = context.session()
            await extra.connect()
            return extra

        if progress is not None:
            context.bus.subscribe(progress, kinds=getattr(progress, "kinds", None))
        queue = TransferQueue(new_session, bus=context.bus, concurrency=args.parallel,
                              exists_policy=ExistsPolicy.OVERWRITE)
        try:
            run = await run_plan(plan.actions, local_root=local_dir, remote_root=remote_dir,
                                 fs=session, queue=queue,
                                 create_remote_root=plan.create_remote_root)
            await queue.wait_idle()
            jobs = queue.jobs()
        finally:
            await queue.close()
            if context.progress is not None:
                context.progress.finish()
    failed_jobs = [job for job in jobs if job.state is not JobState.DONE]
    copied = len(jobs) - len(failed_jobs)
    deleted = sum(1 for a in run.done if a.kind.is_delete)
    context.note(f"synchronised {escape_control(remote_dir)} and {local_dir}: {copied} of "
                 f"{len(jobs)} files copied ({format_bytes(sum(j.bytes_done for j in jobs))}), "
                 f"{deleted} deleted, {len(run.failed) + len(failed_jobs)} failed")
    for action, why in run.failed:
        print(f"ftp-inspector mirror: failed: {action.kind.value} "
              f"{escape_control(action.relpath)}: {escape_control(why)}", file=context.stderr)
    for job in failed_jobs:
        print(f"ftp-inspector mirror: failed: {escape_control(job.remote_path)}: "
              f"{escape_control(job.error or job.state.value)}", file=context.stderr)
    return 4 if (run.failed or failed_jobs) else 0
