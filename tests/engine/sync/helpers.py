"""Running a whole synchronisation against a test server, as the CLI and the window do."""

from __future__ import annotations

from pathlib import Path

from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, TransferQueue
from client.engine.session import FtpSession
from client.engine.sync import SyncOptions, SyncPlan
from client.engine.sync.execute import SyncRun, run_plan
from client.engine.sync.prepare import prepare_plan

from ..sessions import session_factory

FAST = dict(data_timeout=5.0, control_timeout=5.0)


async def plan_and_run(info, bus: EventBus, local_root: Path, remote_root: str,
                       options: SyncOptions, *, run: bool = True) -> tuple[SyncPlan, SyncRun | None]:
    session = FtpSession(info.settings(**FAST), bus=bus)
    await session.connect()
    try:
        if not remote_root.startswith("/"):
            home = await session.pwd()
            remote_root = home.rstrip("/") + "/" + remote_root
        plan = await prepare_plan(session, local_root, remote_root, options)
        if not run:
            return plan, None
        queue = TransferQueue(session_factory(info, bus, **FAST), bus=bus, concurrency=2,
                              exists_policy=ExistsPolicy.OVERWRITE, retry_delay=0.1)
        try:
            result = await run_plan(plan.actions, local_root=local_root,
                                    remote_root=remote_root, fs=session, queue=queue)
            await queue.wait_idle()
        finally:
            await queue.close()
        return plan, result
    finally:
        await session.close()


def files_below(root: Path) -> dict[str, bytes]:
    """Every regular file below ``root`` by relative path (links not followed)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def folders_below(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}
