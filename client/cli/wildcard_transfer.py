"""``get`` of a pattern and ``put`` of several files.

``get 'ftp://host/dir/*.log' -o DEST/``: the pattern (``*``, ``?``, ``[...]`` in the last
component; ``?`` is written ``%3F`` in a URL) is matched against the server's listing of
the folder, not by the local shell, case-sensitively, and as a shell does ``*`` does not
match a leading dot. A name that matches nothing but is listed exactly as written is
that one file (a name with brackets). Every name becomes a local file name only through
:func:`client.engine.localpaths.local_name_for`: ``../x``, ``a/b``, ``/abs``, control
characters and the like are refused and reported, so nothing is written outside DEST.

``put a.txt b.txt URL/``: the local shell expands the pattern; each file goes into the
folder the URL names. Both keep the single-file rules: nothing is replaced without an
option (every target is checked before the first byte moves, so exit code 6 means
nothing was transferred), downloads go through ``NAME.part``, and one refused file does
not stop the others (exit code 4 at the end).
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import FtpError, LocalError, TargetExistsError
from client.protocol.paths import join_remote, remote_basename, remote_parent
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.cli.runner import CommandContext
    from client.protocol.listing import ListingEntry

__all__ = ["get_matching", "match_names", "run_put_many"]

_OPTIONS_HINT = ("Say what to do with them: --overwrite, --skip-existing, -c/--resume, or "
                 "--if-exists rename|newer|different-size")


def match_names(entries: list[ListingEntry], pattern: str) -> list[ListingEntry]:
    """The entries whose name matches ``pattern`` (see the module docstring)."""
    hidden_ok = pattern.startswith(".")
    found = [entry for entry in entries
             if (hidden_ok or not entry.name.startswith("."))
             and fnmatch.fnmatchcase(entry.name, pattern)]
    if not found:
        found = [entry for entry in entries if entry.name == pattern]
    return sorted(found, key=lambda entry: entry.name)


def _all_exist(refusals: list[TargetExistsError], total: int, verb: str) -> TargetExistsError:
    names = ", ".join(error.path for error in refusals[:5])
    more = f" and {len(refusals) - 5} more" if len(refusals) > 5 else ""
    return TargetExistsError(f"{len(refusals)} of the {total} files already exist "
                             f"({names}{more}); nothing was {verb}. {_OPTIONS_HINT}",
                             path=refusals[0].path, step=None)


def _destination(context: CommandContext) -> Path:
    output = context.args.output
    if output == "-":
        raise LocalError("a pattern can match several files; -o - takes one file (name it "
                         "without * ? [ ])", step="arguments")
    dest = Path(output) if output else Path(".")
    if not dest.is_dir():
        raise LocalError(f"with a pattern, -o must name an existing folder, not "
                         f"{escape_control(str(dest))}", step="arguments")
    return dest


def _choose(context: CommandContext, folder: str, entries: list[ListingEntry],
            dest: Path) -> tuple[list[tuple[str, Path, int | None]], int]:
    """(remote path, local path, listed size) of each usable match; and how many
    matches were left out because their name cannot be a local file name."""
    from client.engine.localpaths import local_name_for
    from client.protocol.errors import UnsafeNameError

    chosen: list[tuple[str, Path, int | None]] = []
    refused = 0
    for entry in entries:
        if entry.is_dir:
            context.note(f"skipped the folder {escape_control(entry.name)} (mirror downloads "
                         "folders)")
            continue
        try:
            name = local_name_for(entry.name)
        except UnsafeNameError as exc:
            refused += 1
            print(f"ftp-inspector get: not downloaded: {escape_control(entry.name)!r}: "
                  f"{exc.reason}", file=context.stderr)
            continue
        remote = name if folder == "." else join_remote(folder, name)
        chosen.append((remote, dest / name, entry.size))
    return chosen, refused


async def get_matching(context: CommandContext, pattern_path: str) -> int:
    """Download every file of the folder whose name matches the last component."""
    from client.cli.exists_option import copy_for_resume, plan_download, refuse_early
    from client.cli.transfer_commands import _progress_callback
    from client.engine.units import format_bytes

    dest = _destination(context)
    folder, pattern = remote_parent(pattern_path), remote_basename(pattern_path)
    async with context.session() as session:
        listing = await session.list(None if folder == "." else folder)
        matches = match_names(list(listing.entries), pattern)
        if not matches:
            from client.engine.errors import NoMatchError

            where = "the login folder" if folder == "." else escape_control(folder)
            raise NoMatchError(f"no name in {where} matches "
                               f"{escape_control(pattern)}", step="match")
        chosen, failed = _choose(context, folder, matches, dest)
        refusals: list[TargetExistsError] = []
        for _remote, local, _size in chosen:
            try:
                refuse_early(local, context.args)
            except TargetExistsError as exc:
                refusals.append(exc)
        if refusals:
            raise _all_exist(refusals, len(chosen), "downloaded")
        done = skipped = total = 0

        async def download(remote: str, local: Path, size: int | None) -> object:
            plan = await plan_download(session, remote, local, context.args, known_size=size)
            if plan.skip is not None:
                context.note(f"skipped {escape_control(str(local))}: {plan.skip}")
                return _SKIPPED
            target = Path(plan.target)
            if plan.copy_first:
                await copy_for_resume(target)
            return await session.download(remote, target, resume=plan.resume,
                                          on_progress=_progress_callback(context, remote))

        for remote, local, size in chosen:
            # one file refused, or found not to be a partial copy (-c): the others still
            # come; exit 4 then (6 promises that nothing was written)
            result = await _one_of_many(context, "get", (4, 6), download(remote, local, size))
            if result is _SKIPPED:
                skipped += 1
            elif result is _FAILED:
                failed += 1
            else:
                done += 1
                total += getattr(result, "bytes_transferred", 0)
    context.note(f"downloaded {done} of {len(chosen) + failed} matching files "
                 f"({format_bytes(total)}) to {escape_control(str(dest))}; {skipped} skipped, "
                 f"{failed} not downloaded")
    return 4 if failed else 0


# ---------------------------------------------------------------------------- put


_SKIPPED = object()  # a file the exists options left alone
_FAILED = object()  # a file refused; the batch went on


async def _one_of_many(context: CommandContext, command: str, carry_on: tuple[int, ...],
                       transfer: Awaitable[object]) -> object:
    """One file of a batch: its result, or :data:`_FAILED` after printing a refusal whose
    exit code is in ``carry_on`` (the other files still go). The progress line ends."""
    from client.cli.output import exit_code_of, format_error

    try:
        return await transfer
    except FtpError as error:
        if exit_code_of(error) not in carry_on:
            raise
        print(format_error(error, command=command), file=context.stderr)
        return _FAILED
    finally:
        if context.progress is not None:
            context.progress.finish()


def _sources(names: list[str]) -> list[Path]:
    """The files to upload; a pattern the shell left alone (no match, or a shell that
    does not expand) is expanded here. Raises :class:`LocalError` for a folder or a
    name that is no file, and for two files of one name."""
    import glob

    paths: list[Path] = []
    for name in names:
        if not Path(name).exists() and any(ch in name for ch in "*?["):
            expanded = sorted(glob.glob(name))
            if not expanded:
                raise LocalError(f"no local file matches {name!r}", step="arguments")
            paths.extend(Path(item) for item in expanded)
        else:
            paths.append(Path(name))
    seen: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            raise LocalError(f"{str(path)!r} is a folder; put uploads files (a folder goes up "
                             f"with: ftp-inspector mirror --reverse URL {str(path)!r})",
                             step="arguments")
        if not path.is_file():
            raise LocalError(f"{str(path)!r} is not a readable file", step="arguments")
        if path.name in seen:
            raise LocalError(f"{str(seen[path.name])!r} and {str(path)!r} would both be "
                             f"uploaded as {path.name!r}", step="arguments")
        seen[path.name] = path
    return paths


def run_put_many(args: argparse.Namespace) -> int:
    from client.cli.ladder_output import laddered
    from client.cli.runner import run_command

    try:
        args.sources = _sources(args.local)
    except LocalError as exc:
        print(f"ftp-inspector put: {exc.message}", file=sys.stderr)
        return 1
    body = laddered(_put_many) if args.ladder else _put_many
    return run_command(args, "put", args.url, body, record_events=args.ladder)


async def _put_many(context: CommandContext) -> int:
    from client.cli.exists_option import plan_upload
    from client.cli.transfer_commands import _progress_callback
    from client.engine.units import format_bytes

    sources: list[Path] = context.args.sources
    folder = (context.target.path or "").rstrip("/") or (
        "/" if (context.target.path or "").startswith("/") else "")
    async with context.session() as session:
        plans = []
        refusals: list[TargetExistsError] = []
        for local in sources:
            remote = join_remote(folder, local.name) if folder else local.name
            try:
                plans.append((local, remote, await plan_upload(session, local, remote,
                                                               context.args)))
            except TargetExistsError as exc:
                refusals.append(exc)
        if refusals:
            raise _all_exist(refusals, len(sources), "uploaded")
        done = skipped = failed = total = 0
        for local, remote, plan in plans:
            if plan.skip is not None:
                skipped += 1
                context.note(f"skipped {escape_control(remote)}: {plan.skip}")
                continue
            result = await _one_of_many(context, "put", (4,), session.upload(
                local, str(plan.target), resume=plan.resume,
                on_progress=_progress_callback(context, local.name)))
            if result is _FAILED:
                failed += 1
            else:
                done += 1
                total += getattr(result, "bytes_transferred", 0)
    context.note(f"uploaded {done} of {len(sources)} files ({format_bytes(total)}) to "
                 f"{escape_control(folder or 'the login folder')}; {skipped} skipped, "
                 f"{failed} failed")
    return 4 if failed else 0
