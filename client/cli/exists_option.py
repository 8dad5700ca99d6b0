"""What ``get`` and ``put`` do when the file they would write already exists.

Nothing is replaced unless the person said so: without an option the command stops with
:class:`TargetExistsError` (exit code 6) before any byte moves, as lftp does
(``xfer:clobber`` off) and unlike curl and wget, which overwrite or add ``.1``. The
choices are the window's exists policies (:class:`ExistsPolicy`, decided by
:func:`client.engine.exists.resolve`), with the short forms people know from wget and
lftp: ``--overwrite``, ``--skip-existing`` (wget's ``-nc``) and ``--resume``/``-c``.

A resumed download into an existing ``NAME`` continues from a copy of it in ``NAME.part``
(:mod:`client.engine.resume_copy`), so ``NAME`` stays as it was until the complete file
replaces it; a ``NAME`` larger than the source is no partial copy of it and is refused
rather than overwritten. ``put`` asks ``SIZE`` (or ``MLST``/a listing of the folder when
the server has no SIZE; one LSTAT over SFTP) before ``STOR``: one round trip; another
client writing the same name between that question and the upload is not detected.
"""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from client.protocol.text import escape_control
from client.protocol.values import value

# The engine's errors (and the events they carry) load when a check fails or the
# transfer runs: ``get`` parses its options and dials before the engine is imported.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt
    from types import ModuleType

    from client.engine.errors import LocalError, TargetExistsError
    from client.engine.exists import ExistsInfo, ExistsPolicy

__all__ = ["add_exists_options", "exists_policy", "ExistsPlan", "refuse_early",
           "plan_download", "plan_upload", "copy_for_resume", "CHOICES"]

#: ``--if-exists`` words -> :class:`ExistsPolicy` values (``ask`` is the window's dialog:
#: no terminal question). Values, not members: the engine's module loads only when a
#: transfer runs (every command builds this parser, and start-up time counts).
CHOICES: dict[str, str] = {
    "overwrite": "overwrite",
    "skip": "skip",
    "resume": "resume",
    "rename": "rename",
    "newer": "overwrite-if-newer",
    "different-size": "overwrite-if-different-size",
}


def add_exists_options(parser: argparse.ArgumentParser, *, where: str) -> None:
    """``--overwrite``, ``--skip-existing``, ``--resume``/``-c``, ``--if-exists``: one of
    them at most. ``where`` is "local" (get) or "remote" (put), for the help."""
    group = parser.add_argument_group(
        f"when the {where} file exists (default: stop with exit code 6, nothing written)")
    choice = group.add_mutually_exclusive_group()
    what = "the local file" if where == "local" else "the remote file"
    choice.add_argument("--overwrite", dest="if_exists", action="store_const",
                        const="overwrite", help=f"replace {what} when it exists")
    choice.add_argument("--skip-existing", dest="if_exists", action="store_const",
                        const="skip",
                        help=f"leave {what} alone when it exists, and exit 0 (wget's -nc)")
    partial = ("DEST.part, or DEST itself from a copy (DEST stays untouched until the "
               "download is complete), with REST" if where == "local"
               else "the remote file, with REST+STOR (or APPE)")
    choice.add_argument("-c", "--resume", "--continue", dest="resume", action="store_true",
                        help=f"continue a partial transfer: {partial}; a complete one is "
                             "left alone")
    choice.add_argument("--if-exists", dest="if_exists", choices=list(CHOICES),
                        default=None, metavar="POLICY",
                        help=f"when {what} exists, as the window's choices: overwrite, "
                             "skip, resume, rename "
                             "(add ' (1)' to the new file's name), newer (replace when "
                             "the source is newer), different-size (replace when the sizes "
                             "differ)")


def exists_policy(args: argparse.Namespace) -> ExistsPolicy | None:
    """The policy the options chose; None: refuse (the default)."""
    from client.engine.exists import ExistsPolicy

    if getattr(args, "resume", False):
        return ExistsPolicy.RESUME
    word = getattr(args, "if_exists", None)
    return ExistsPolicy(CHOICES[word]) if word else None


def _errors() -> ModuleType:
    """:mod:`client.engine.errors`, loaded on first use."""
    from client.engine import errors

    return errors


@value
class ExistsPlan:
    """What to do: ``skip`` (with ``reason``), or transfer to ``target`` (a new name for
    RENAME) with ``resume``; ``copy_first``: continue from a copy of the existing
    local file (download RESUME)."""

    target: Path | str
    resume: bool
    skip: str | None = None
    copy_first: bool = False


def _local_facts(path: Path) -> tuple[bool, int | None, _dt.datetime | None]:
    """(exists, size, mtime); a link is reported as existing with no size."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False, None, None
    except OSError as exc:
        raise _errors().LocalError(f"could not look at {path}: {exc.strerror or exc}",
                         step="local") from None
    if stat.S_ISLNK(info.st_mode):
        return True, None, None
    import datetime as _dt  # here: get checks its target before the engine (which has it) loads

    return True, info.st_size, _dt.datetime.fromtimestamp(info.st_mtime, _dt.UTC)


def _refusal(what: str, size: int | None, direction: str) -> TargetExistsError:
    shown = f" ({size} bytes)" if size is not None else ""
    resume = "-c/--resume (continue it)"
    return _errors().TargetExistsError(
        f"{what} already exists{shown}; nothing was {'downloaded' if direction == 'download' else 'uploaded'}. "
        f"Say what to do with it: --overwrite, --skip-existing, {resume}, "
        "or --if-exists rename|newer|different-size", path=what, step=None)


def _not_a_prefix(what: str, target: int | None, source: int | None) -> TargetExistsError:
    return _errors().TargetExistsError(
        f"{what} ({target} bytes) is larger than the file being transferred ({source} "
        "bytes), so it is not a partial copy of it and cannot be resumed; --overwrite "
        "replaces it", path=what, step=None)


def refuse_early(local: Path, args: argparse.Namespace) -> None:
    """Before connecting: a ``local`` that exists with no option chosen (exit 6), or a
    link there, is refused without a word to the server."""
    exists, size, _ = _local_facts(local)
    if exists and (size is None or exists_policy(args) is None):
        raise _local_refusal(local, size, exists_policy(args))


def _local_refusal(local: Path, size: int | None,
                   policy: ExistsPolicy | None) -> LocalError:
    shown = escape_control(str(local))
    if size is None:
        return _errors().UnsafePathError(
            f"{shown} is a symbolic link; refusing to download through it (remove it, or "
            "choose another -o)", step="local")
    return _refusal(shown, size, "download")


async def plan_download(session: object, remote: str, local: Path, args: argparse.Namespace,
                        known_size: int | None = None) -> ExistsPlan:
    """The plan for downloading ``remote`` to ``local``; raises :class:`TargetExistsError`
    when ``local`` exists and the options chose nothing."""
    if not getattr(args, "resume", False) and not getattr(args, "if_exists", None) \
            and not os.path.lexists(local):
        return ExistsPlan(local, False)  # the usual case: the exists rules never load
    from client.engine.exists import ExistsInfo, ExistsPolicy

    policy = exists_policy(args)
    resume = policy is ExistsPolicy.RESUME
    exists, size, mtime = _local_facts(local)
    if not exists:
        return ExistsPlan(local, resume)
    shown = escape_control(str(local))
    if size is None or policy is None:  # (found before connecting, unless it just appeared)
        raise _local_refusal(local, size, policy)
    remote_size = known_size
    if policy is not ExistsPolicy.OVERWRITE and remote_size is None:
        remote_size = await session.size(remote)  # type: ignore[attr-defined]
    remote_mtime = (await session.mdtm(remote)  # type: ignore[attr-defined]
                    if policy is ExistsPolicy.OVERWRITE_IF_NEWER else None)
    info = ExistsInfo("download", local, remote, size, mtime, remote_size, remote_mtime)
    plan = _decide(policy, info, shown, local, local_size=size)
    if plan.copy_first and os.path.lexists(str(local) + ".part"):
        # an earlier attempt's NAME.part is what to continue (copying NAME over it would
        # throw that away and splice two files); NAME stays until the download completes
        return ExistsPlan(local, True)
    return plan


async def plan_upload(session: object, local: Path, remote: str,
                      args: argparse.Namespace) -> ExistsPlan:
    """The plan for uploading ``local`` to ``remote``: SIZE (or a stat) first, unless the
    options said to overwrite anyway (no round trip then). A "continue" onto a remote
    file larger than ``local`` is refused: the upload would start over and replace it."""
    from client.engine.exists import ExistsInfo, ExistsPolicy

    policy = exists_policy(args)
    if policy is ExistsPolicy.OVERWRITE:
        return ExistsPlan(remote, False)
    exists, remote_size = await _remote_facts(session, remote)
    if not exists:
        return ExistsPlan(remote, False)  # (a resumed upload of nothing is an upload)
    shown = escape_control(remote)
    if policy is None:
        raise _refusal(f"the remote file {shown}", remote_size, "upload")
    if policy is ExistsPolicy.RENAME:
        return ExistsPlan(await _free_remote_name(session, remote), False)
    _, size, mtime = _local_facts(local)
    remote_mtime = (await session.mdtm(remote)  # type: ignore[attr-defined]
                    if policy is ExistsPolicy.OVERWRITE_IF_NEWER else None)
    info = ExistsInfo("upload", local, remote, size, mtime, remote_size, remote_mtime)
    return _decide(policy, info, f"the remote file {shown}", remote, local_size=None)


def _decide(policy: ExistsPolicy, info: ExistsInfo, shown: str, target: Path | str, *,
            local_size: int | None) -> ExistsPlan:
    from client.engine.exists import ExistsPolicy, resolve, skip_reason

    action = resolve(policy, info)
    if action is ExistsPolicy.SKIP:
        return ExistsPlan(target, False, skip=skip_reason(policy, info))
    if action is ExistsPolicy.RESUME:
        return ExistsPlan(target, True, copy_first=local_size is not None)
    if action is ExistsPolicy.OVERWRITE and policy is ExistsPolicy.RESUME:
        # resolve() would overwrite a target larger than its source: not on a "continue"
        raise _not_a_prefix(shown, info.target_size, info.source_size)
    if action is ExistsPolicy.RENAME and isinstance(target, Path):
        from client.engine.localpaths import free_local_name

        return ExistsPlan(free_local_name(target), False)
    return ExistsPlan(target, False)


async def _remote_facts(session: object, path: str) -> tuple[bool, int | None]:
    """(exists, size): SIZE when an FTP server offers it (one line; as the queue asks),
    else a stat (MLST or a listing of the folder; over SFTP one LSTAT). A folder of that
    name is a usage error: STOR would fail, and the person probably meant to upload
    into it."""
    from client.engine.session import FtpSession

    if isinstance(session, FtpSession) and session.answers_size:
        size = await session.size(path)  # type: ignore[attr-defined]
        return size is not None, size
    entry = await session.stat(path)  # type: ignore[attr-defined]
    if entry is not None and entry.is_dir:
        raise _errors().LocalError(
            f"{escape_control(path)} is a folder on the server; end the URL "
            "with '/' to upload into it", step="arguments")
    return entry is not None, getattr(entry, "size", None)


async def _free_remote_name(session: object, remote: str, limit: int = 100) -> str:
    from client.engine.localpaths import numbered_name
    from client.protocol.paths import remote_basename, remote_parent

    folder, name = remote_parent(remote), remote_basename(remote)
    for number in range(1, limit + 1):
        candidate = numbered_name(name, number)
        path = candidate if folder == "." else folder.rstrip("/") + "/" + candidate
        if not (await _remote_facts(session, path))[0]:
            return path
    raise _errors().TargetExistsError(
        f"no free name like {escape_control(numbered_name(name, 1))} "
        f"beside {escape_control(remote)} after {limit} tries",
        path=remote, step=None)


async def copy_for_resume(local: Path) -> int:
    """Copy ``local`` to ``local.part`` in a thread (see :mod:`client.engine.resume_copy`)."""
    import asyncio  # here: the command line's get dials before asyncio loads

    from client.engine.localpaths import prepare_download_target
    from client.engine.resume_copy import copy_for_resume as copy

    prepare_download_target(local.parent, local)
    return await asyncio.to_thread(copy, local)
