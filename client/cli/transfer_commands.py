"""``ftp-inspector get|put|mirror``: thin front ends over :class:`FtpSession` and the
transfer queue (``ls`` is :mod:`client.cli.ls_command`, ``--ladder`` is
:mod:`client.cli.ladder_output`); connection options, credentials, ``-v`` and
``--transcript`` are shared with ``diagnose``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from client.cli.exists_option import (
    add_exists_options,
    copy_for_resume,
    plan_download,
    plan_upload,
    refuse_early,
)
from client.cli.ladder_output import laddered, print_ladder
from client.cli.limits import add_limit_option
from client.cli.mirror_sync import add_sync_options, sync_mirror, wants_plan
from client.cli.options import add_common_options
from client.engine.units import format_bytes, format_rate
from client.protocol.paths import join_remote, remote_basename
from client.protocol.text import escape_control

# The runner and the engine's events load when a command runs: ``get`` starts its login
# first (client/cli/early_start.py), so that loading them overlaps the server's answer.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.cli.options import Target
    from client.cli.runner import CommandContext
    from client.engine.events import EngineEvent, TransferProgress

# laddered and print_ladder: still importable from here
__all__ = ["COMMANDS", "laddered", "print_ladder", "register", "register_one"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name in COMMANDS:
        register_one(subparsers, name)


def register_one(subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
                 name: str) -> None:
    """Only the command being run: building the parsers of its two siblings (~40 more
    options) costs start-up time, and a ``get`` dials only once its options are parsed."""
    COMMANDS[name](subparsers)


def _add_get(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    get = subparsers.add_parser(
        "get", help="download a file",
        description="Download a remote file (to DEST, into a folder, or to standard output "
                    "with -o -). A pattern in the last part of the URL, quoted, e.g. "
                    "'ftp://host/logs/*.log' -o DEST/, downloads every file of that folder "
                    "whose name matches the server's listing. An existing local file is "
                    "never replaced without an option (exit code 6).")
    get.add_argument("url", help="URL of the remote file; a name with * or [...] (? is "
                                 "written %%3F in a URL) downloads every file of the "
                                 "folder it matches, into the folder DEST")
    get.add_argument("-o", "--output", metavar="DEST", default=None,
                     help="local file or existing folder (default: the remote name here); "
                          "'-' writes the file to standard output (it is downloaded to a "
                          "private temporary folder first, then copied)")
    get.add_argument("--ladder", action="store_true",
                     help="afterwards (or after the failure), draw the conversation as an "
                          "ASCII ladder diagram (on stderr with -o -)")
    add_exists_options(get, where="local")
    add_common_options(get)
    add_limit_option(get)
    get.set_defaults(func=run_get)


def _add_put(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    put = subparsers.add_parser(
        "put", help="upload a file",
        description="Upload a local file to the URL, or several files (put a.txt b.txt "
                    "URL/) each into the folder the URL names, under its own name. A file "
                    "on the server is never replaced without an option (exit code 6).")
    put.add_argument("local", nargs="+", help="local file(s) to upload (several, or a "
                                              "pattern the shell expands: into a folder)")
    put.add_argument("url", help="URL of the remote file, or of a folder ending in '/'")
    put.add_argument("--ladder", action="store_true",
                     help="afterwards (or after the failure), draw the conversation as an "
                          "ASCII ladder diagram")
    add_exists_options(put, where="remote")
    add_common_options(put)
    add_limit_option(put)
    put.set_defaults(func=run_put)


def _add_mirror(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mirror = subparsers.add_parser("mirror", help="download a remote tree, or synchronise",
                                   description="Download a remote tree (files whose size "
                                               "differs), or with the options below compare "
                                               "both trees and copy, upload or delete what "
                                               "differs.")
    mirror.add_argument("url", help="URL of the remote folder")
    mirror.add_argument("localdir", help="local folder (created if missing)")
    mirror.add_argument("--parallel", type=int, default=2, metavar="N",
                        help="transfers at once, each on its own connection (1-10, default 2)")
    add_sync_options(mirror)
    add_common_options(mirror)
    add_limit_option(mirror)
    mirror.set_defaults(func=run_mirror)


#: The commands of this module and what adds each one's parser.
COMMANDS = {"get": _add_get, "put": _add_put, "mirror": _add_mirror}


# ---------------------------------------------------------------------------- get / put


def _progress_callback(context: CommandContext, name: str):  # -> Callable | None
    """The progress bar's feed, or None without a bar: the engine then builds no
    progress event for the command at all."""
    progress = context.progress
    if progress is None:
        return None

    def on_progress(event: TransferProgress) -> None:
        progress.update(name, event.bytes_done, event.total, event.rate, force=event.done)
    return on_progress


def _summary(context: CommandContext, verb: str, result: object) -> None:
    done = getattr(result, "bytes_transferred", 0)
    elapsed = getattr(result, "elapsed", 0.0) or 0.0
    resumed = getattr(result, "resumed_from", 0)
    verified = getattr(result, "verified", None)
    rate = f" ({format_rate(done / elapsed)})" if elapsed > 0 else ""
    text = f"{verb} {format_bytes(done)} in {elapsed:.2f}s{rate}"
    if resumed:
        text += f", resumed from byte {resumed}"
    if verified:
        text += f", verified with {verified}"
    context.note(text)


def run_get(args: argparse.Namespace) -> int:
    from client.cli.early_start import prepare

    prepared = prepare(args, args.url, lambda target: _get_can_start(target, args))
    from client.cli.runner import run_command  # the engine loads while the login runs

    return run_command(args, "get", args.url, laddered(_get) if args.ladder else _get,
                       prepared=prepared, record_events=args.ladder)


def _get_can_start(target: Target, args: argparse.Namespace) -> bool:
    """The checks of :func:`_get` that need no server: only then is there a login to
    start early (a missing folder, or a file there that no option says what to do with,
    dials nothing)."""
    remote = target.path
    if not remote or remote.endswith("/") or remote_basename(remote) in ("", ".", ".."):
        return False
    if args.output == "-":
        return True
    local = _download_target(remote, args.output)
    if not local.parent.is_dir():
        return False
    try:
        refuse_early(local, args)
    except Exception:  # noqa: BLE001 - _get raises it again, with its exit code
        return False
    return True


def _download_target(remote: str, output: str | None) -> Path:
    name = remote_basename(remote)
    if output is None:
        return Path(name)
    dest = Path(output)
    if dest.is_dir() or output.endswith(("/", "\\")):
        return dest / name
    return dest


async def _get(context: CommandContext) -> int:
    from client.engine.errors import LocalError

    remote = context.target.path
    if not remote or remote.endswith("/"):
        raise LocalError(f"get needs the URL of a file, not of a folder: {context.target.display}",
                         step="arguments")
    if any(ch in remote_basename(remote) for ch in "*?["):
        from client.cli.wildcard_transfer import get_matching

        return await get_matching(context, remote)
    if context.args.output == "-":
        return await _get_to_stdout(context, remote)
    local = _download_target(remote, context.args.output)
    if not remote_basename(remote) or remote_basename(remote) in (".", ".."):
        raise LocalError(f"cannot tell a local file name from {escape_control(remote)}",
                         step="arguments")
    if not local.parent.is_dir():  # -o names a file or an existing folder; a typo makes none
        raise LocalError(f"the folder {escape_control(str(local.parent))} does not exist "
                         "(-o takes a file in an existing folder, or an existing folder)",
                         step="arguments")
    refuse_early(local, context.args)
    async with context.session() as session:
        plan = await plan_download(session, remote, local, context.args)
        if plan.skip is not None:
            context.note(f"skipped {local}: {plan.skip}")
            return 0
        local = Path(plan.target)
        copied = await copy_for_resume(local) if plan.copy_first else None
        try:
            result = await session.download(remote, local, resume=plan.resume,
                                            on_progress=_progress_callback(context, remote))
        except BaseException as exc:
            if copied is not None:  # the copy of DEST gained nothing: only a duplicate
                from client.engine.resume_copy import drop_unchanged_copy

                drop_unchanged_copy(local, copied)
            await _explain_a_folder(session, remote, exc, context)
            raise
        finally:
            if context.progress is not None:
                context.progress.finish()
    _summary(context, f"downloaded {escape_control(remote)} to {local}:", result)
    return 0


async def _explain_a_folder(session: object, remote: str, exc: BaseException,
                            context: CommandContext) -> None:
    """A refused RETR of a folder's name ("550 Is a directory", or a bare "550") becomes
    a usage error naming ``mirror``: asked (MLST, a listing of the parent, an SFTP stat)
    only after the refusal. Raises :class:`LocalError` when it is a folder."""
    from client.engine.errors import CommandFailedError, DataChannelError, LocalError

    refused = isinstance(exc, CommandFailedError) or (
        isinstance(exc, DataChannelError) and exc.failure.value == "server-refused")
    if not refused:
        return
    try:
        entry = await session.stat(remote)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - the original error is the one to report then
        return
    if entry is not None and entry.is_dir:
        raise LocalError(f"{escape_control(remote)} is a folder; get downloads one file (a "
                         f"folder comes down with: ftp-inspector mirror "
                         f"{context.target.display} LOCALDIR)", step="arguments") from exc


async def _get_to_stdout(context: CommandContext, remote: str) -> int:
    """``-o -``: as curl and wget do, the file's bytes on stdout. The download still goes
    through a ``.part`` (in a folder only this user can read, removed afterwards), so
    stdout receives the file only once it is complete: a failed transfer writes nothing."""
    import shutil
    import tempfile

    from client.engine.errors import LocalError

    if context.args.resume or context.args.if_exists:
        raise LocalError("-o - writes to standard output: there is no local file to "
                         "continue, skip or overwrite", step="arguments")
    with tempfile.TemporaryDirectory(prefix="ftp-inspector-get-") as folder:
        local = Path(folder) / "download"
        async with context.session() as session:
            try:
                result = await session.download(remote, local,
                                                on_progress=_progress_callback(context, remote))
            finally:
                if context.progress is not None:
                    context.progress.finish()
        context.stdout.flush()
        out = getattr(context.stdout, "buffer", None)
        if out is None:
            raise LocalError("standard output takes no bytes here", step="local")
        with open(local, "rb") as source:
            shutil.copyfileobj(source, out)
        out.flush()
    _summary(context, f"downloaded {escape_control(remote)} to standard output:", result)
    return 0


def run_put(args: argparse.Namespace) -> int:
    if len(args.local) > 1 or (not Path(args.local[0]).exists()
                               and any(ch in args.local[0] for ch in "*?[")):
        from client.cli.wildcard_transfer import run_put_many

        return run_put_many(args)
    args.local = args.local[0]
    local = Path(args.local)
    if local.is_dir():
        print(f"ftp-inspector put: {args.local!r} is a folder; put uploads one file (a "
              f"folder goes up with: ftp-inspector mirror --reverse URL {args.local!r})",
              file=sys.stderr)
        return 1
    if not local.is_file():
        print(f"ftp-inspector put: {args.local!r} is not a readable file", file=sys.stderr)
        return 1
    from client.cli.early_start import prepare

    prepared = prepare(args, args.url, lambda _target: True)
    from client.cli.runner import run_command  # the engine loads while the login runs

    return run_command(args, "put", args.url, laddered(_put) if args.ladder else _put,
                       prepared=prepared, record_events=args.ladder)


async def _put(context: CommandContext) -> int:
    local = Path(context.args.local)
    remote = context.target.path
    if remote is None:
        remote = local.name
    elif remote.endswith("/"):
        remote = join_remote(remote.rstrip("/") or "/", local.name)
    async with context.session() as session:
        plan = await plan_upload(session, local, remote, context.args)
        if plan.skip is not None:
            context.note(f"skipped {escape_control(remote)}: {plan.skip}")
            return 0
        remote = str(plan.target)
        try:
            result = await session.upload(local, remote, resume=plan.resume,
                                          on_progress=_progress_callback(context, local.name))
        finally:
            if context.progress is not None:
                context.progress.finish()
    _summary(context, f"uploaded {local} to {escape_control(remote)}:", result)
    return 0


# ---------------------------------------------------------------------------- mirror


def run_mirror(args: argparse.Namespace) -> int:
    if not 1 <= args.parallel <= 10:
        print("ftp-inspector mirror: --parallel must be from 1 to 10", file=sys.stderr)
        return 1
    from client.cli.runner import run_command

    if wants_plan(args):
        return run_command(args, "mirror", args.url,
                           lambda context: sync_mirror(context, _MirrorProgress(context)))
    return run_command(args, "mirror", args.url, _mirror)


class _MirrorProgress:
    """Sums the queue's jobs into one bar: bytes done of the bytes known."""

    def __init__(self, context: CommandContext) -> None:
        from client.engine.events import DataChannelEvent, QueueJobChanged

        self._channel_event, self._job_event = DataChannelEvent, QueueJobChanged
        #: what it looks at (the bus builds no console lines for it)
        self.kinds = (DataChannelEvent, QueueJobChanged)
        self.context = context
        self.jobs: dict[int, object] = {}
        self.data_failures = 0  # data connections that failed for connectivity reasons

    def __call__(self, event: EngineEvent) -> None:
        if isinstance(event, self._channel_event) and event.failure is not None \
                and event.failure.value != "server-refused":
            self.data_failures += 1
        if not isinstance(event, self._job_event):
            return
        job = event.job
        self.jobs[getattr(job, "job_id", 0)] = job
        if self.context.progress is None:
            return
        done = sum(getattr(j, "bytes_done", 0) for j in self.jobs.values())
        total = sum(getattr(j, "size", 0) or 0 for j in self.jobs.values())
        rate = sum(getattr(j, "rate", 0.0) for j in self.jobs.values()
                   if getattr(getattr(j, "state", None), "value", "") == "running")
        finished = sum(1 for j in self.jobs.values()
                       if getattr(getattr(j, "state", None), "value", "") in
                       ("done", "failed", "skipped", "cancelled"))
        self.context.progress.update(f"{finished}/{len(self.jobs)} files", done, total or None,
                                     rate)


async def _mirror(context: CommandContext) -> int:
    from client.engine.queue import ExistsPolicy, JobState, TransferQueue

    settings = context.settings
    local_dir = Path(context.args.localdir)

    async def new_session():  # -> FtpSession
        session = context.session(settings)
        await session.connect()
        return session

    progress = _MirrorProgress(context)
    context.bus.subscribe(progress, kinds=progress.kinds)
    queue = TransferQueue(new_session, bus=context.bus, concurrency=context.args.parallel,
                          exists_policy=ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE)
    try:
        remote_dir = context.target.path
        if remote_dir is None:  # the login directory, by name
            async with context.session(settings) as probe:
                remote_dir = await probe.pwd()
        ids = await queue.add_download_tree(remote_dir, local_dir)
        await queue.wait_idle()
        jobs = queue.jobs()
    finally:
        await queue.close()
        if context.progress is not None:
            context.progress.finish()
    failed = [job for job in jobs if job.state is JobState.FAILED]
    done = [job for job in jobs if job.state is JobState.DONE]
    skipped = [job for job in jobs if job.state is JobState.SKIPPED]
    total = sum(job.bytes_done for job in done)
    context.note(f"mirrored {escape_control(remote_dir)} to {local_dir}: {len(done)} of "
                 f"{len(ids)} files downloaded ({format_bytes(total)}), {len(skipped)} "
                 f"unchanged or skipped, {len(failed)} failed")
    for job in failed:
        print(f"ftp-inspector mirror: failed: {escape_control(job.remote_path)}: "
              f"{escape_control(job.error or 'unknown error')}", file=context.stderr)
    if failed:
        # the queue keeps a job's error as text: a failed data connection seen on the
        # bus makes it a data-channel failure (3), else the server refused something (4)
        return 3 if progress.data_failures else 4
    return 0
