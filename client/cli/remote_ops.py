"""What ``rm``, ``mkdir``, ``rmdir``, ``mv`` and ``chmod`` do on the server, written
against :class:`~client.engine.remotefs.RemoteFileSystem` so that FTP, FTPS and SFTP
share it. Refusals are made specific after the fact (is the path missing? a folder?):
the extra question is asked only once the server said no, so a success costs nothing.

Recursive removal walks the server's listings and never trusts a listed name as a path:
a name holding ``/``, ``\\``, ``..``, ``.`` or a line break is not removed and not descended
into (the server could otherwise steer a delete outside the folder named on the
command line); its folder then stays, and the command says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from client.engine.errors import (
    CommandFailedError,
    DataChannelError,
    FtpError,
    LocalError,
    TargetExistsError,
)
from client.protocol.paths import join_remote, remote_basename, remote_parent
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["MissingPathError", "RemovalReport", "explain_refusal", "make_folders",
           "remove_tree", "unusable_name"]

#: Deeper than this is a loop on the server, or a hostile one.
MAX_REMOVE_DEPTH = 48

#: Replies that mean "this command does not exist here", not "not allowed".
_NOT_IMPLEMENTED = frozenset({500, 501, 502, 504})


class MissingPathError(CommandFailedError):
    """The server refused a command because the path does not exist (asked after the
    refusal; exit code 4 like any refusal)."""


def unusable_name(name: str) -> str | None:
    """Why a listed ``name`` cannot safely be joined to its folder, or None."""
    if name in ("", ".", ".."):
        return "it names a folder itself, not an entry in it"
    if "/" in name or "\\" in name:
        return ("it contains '/' or '\\' (a separator on Windows servers), so joined to "
                "its folder it could name another path")
    if any(ch in name for ch in "\r\n\x00"):
        return "it contains CR, LF or NUL, which cannot be sent in a command"
    return None


async def explain_refusal(session: RemoteFileSystem, path: str, exc: FtpError, *,
                          want: str | None = None, hint: str = "") -> FtpError:
    """A clearer error for a refused command on ``path``: missing, or of the wrong kind
    (``want`` is "file" or "dir"; ``hint`` says what to do then), else ``exc`` itself.
    One stat, after the refusal."""
    refused = isinstance(exc, CommandFailedError) or (
        isinstance(exc, DataChannelError) and exc.failure.value == "server-refused")
    if not refused:
        return exc
    try:
        entry = await session.stat(path)
    except FtpError:
        return exc  # the original refusal is the one to report
    shown = escape_control(path)
    if entry is None:
        return MissingPathError(f"{shown} does not exist on the server ({exc.message})",
                                reply_code=exc.reply_code or 550,
                                reply_text=getattr(exc, "reply_text", "") or "",
                                command=getattr(exc, "command", "") or "", step=exc.step)
    if want == "file" and entry.is_dir:
        return LocalError(f"{shown} is a folder, not a file{hint}", step="arguments")
    if want == "dir" and not entry.is_dir:
        return LocalError(f"{shown} is not a folder{hint}", step="arguments")
    return exc


async def make_folders(session: RemoteFileSystem, path: str) -> list[str]:
    """``mkdir -p``: each missing folder of ``path``, parent first; returns those made.
    A component that exists as a folder is passed; as a file it stops with an error."""
    parts = [part for part in path.split("/") if part]
    current = "/" if path.startswith("/") else ""
    made: list[str] = []
    for part in parts:
        current = join_remote(current, part) if current else part
        try:
            await session.mkdir(current)
        except CommandFailedError as exc:
            try:
                entry = await session.stat(current)
            except FtpError:
                raise exc from None
            if entry is None:
                raise
            if not entry.is_dir:
                # the same answer as a plain mkdir onto an existing name (exit code 6)
                raise TargetExistsError(
                    f"{escape_control(current)} already exists on the server and is not a "
                    "folder (a file)", path=current, step="mkdir") from None
            continue
        made.append(current)
    return made


@dataclass
class RemovalReport:
    """What a recursive removal did: files and folders removed, and what it left with
    the reason (a refused delete, a listing that failed, a name it would not use)."""

    files: int = 0
    folders: int = 0
    left: list[tuple[str, str]] = field(default_factory=list)


async def remove_tree(session: RemoteFileSystem, root: str,
                      on_removed: Callable[[str], None] | None = None) -> RemovalReport:
    """Remove the folder ``root`` and everything below it, depth first. Links are
    removed as links (never followed). A refusal inside is recorded and the walk goes
    on; the folders above what was left then stay too (their RMD is refused)."""
    report = RemovalReport()
    await _remove_folder(session, root, 0, report, on_removed, set())
    return report


async def _remove_folder(session: RemoteFileSystem, folder: str, depth: int,
                         report: RemovalReport, on_removed: Callable[[str], None] | None,
                         visited: set[str]) -> None:
    key = folder.rstrip("/") or "/"
    if key in visited or depth > MAX_REMOVE_DEPTH:
        report.left.append((folder, "the server lists this folder inside itself (a loop?)"))
        return
    visited.add(key)
    try:
        listing = await session.list(folder)
    except CommandFailedError as exc:
        if depth == 0:
            raise
        report.left.append((folder, f"could not be listed: {exc.message}"))
        return
    for entry in listing.entries:
        why = unusable_name(entry.name)
        if why is not None:
            if entry.name not in (".", ".."):  # a listing's own dots are no entries
                report.left.append((folder, f"the listed name {escape_control(entry.name)!r} "
                                            f"was not used: {why}"))
            continue
        path = join_remote(folder, entry.name)
        if entry.is_dir:
            await _remove_folder(session, path, depth + 1, report, on_removed, visited)
            continue
        try:
            await session.delete(path)
        except CommandFailedError as exc:
            report.left.append((path, exc.message))
            continue
        report.files += 1
        if on_removed is not None:
            on_removed(path)
    try:
        await session.rmdir(folder)
    except CommandFailedError as exc:
        report.left.append((folder, exc.message))
        return
    report.folders += 1
    if on_removed is not None:
        on_removed(folder + "/")


def rename_target(source: str, new: str) -> str:
    """Where ``mv`` puts ``source``: ``new`` as given when absolute, else beside the
    source (in its folder); a ``new`` ending in ``/`` is a folder that keeps the name."""
    if not new.startswith("/"):
        folder = remote_parent(source)
        new = new if folder == "." else join_remote(folder, new)
    if new.endswith("/"):
        new = join_remote(new.rstrip("/") or "/", remote_basename(source))
    return new


def chmod_unsupported(exc: FtpError) -> bool:
    """The server answered SITE CHMOD (or SETSTAT) with "no such command"."""
    if getattr(exc, "status", None) == 8:  # SSH_FX_OP_UNSUPPORTED
        return True
    return isinstance(exc, CommandFailedError) and exc.reply_code in _NOT_IMPLEMENTED
