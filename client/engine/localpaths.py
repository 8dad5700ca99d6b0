"""Local-path safety for downloads: names from the server become local paths only here.

A server decides the names in its listings. A hostile or broken one can list ``..``,
``/etc/passwd`` or ``C:\\x``, and a destination folder can already hold a symbolic
link pointing elsewhere (planted by a previous download, or by anyone who could write
there). The rules kept here:

* every server-supplied name passes :func:`client.protocol.paths.safe_local_name`;
* below the destination root no path component may be a symbolic link (checked with
  ``lstat``), so nothing is written through one; the root itself is the user's choice
  and may be a link;
* the ``.part`` file a download writes is created here with ``O_NOFOLLOW`` before the
  transfer opens it, so an existing link there is refused, not followed.

The checks run just before each file is written. They guard against names and links
that exist before a transfer starts; they are not a defence against another local
process swapping folders for links *during* the transfer.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from client.engine.errors import LocalError, UnsafePathError
from client.protocol.errors import UnsafeNameError
from client.protocol.paths import safe_local_name
from client.protocol.text import escape_control

__all__ = [
    "WINDOWS_NAMES",
    "local_name_for",
    "as_path",
    "ensure_directory",
    "prepare_download_target",
    "open_part_file",
    "part_path",
    "SAFE_OPEN_FLAGS",
    "drop_empty_part",
    "relative_parts",
    "is_case_insensitive",
    "numbered_name",
    "free_local_name",
]

#: Apply the Windows file-name rules (reserved names, ``<>:"|?*``) on Windows only.
WINDOWS_NAMES = sys.platform == "win32"

_LINUX = sys.platform.startswith("linux")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# A FIFO planted where the .part goes would block open() for writing until a reader came
# (on the event loop: the whole window); with O_NONBLOCK it fails at once (ENXIO) or
# opens and is then refused as not a regular file. No effect on regular files.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
#: Flags for opening a file someone else may have planted: no link followed, no blocking.
SAFE_OPEN_FLAGS = _NOFOLLOW | _NONBLOCK


def as_path(path: Path | str) -> Path:
    """``path`` as a Path, without parsing one that is a Path already (Python 3.11
    parses it again: a tree asks this for every file)."""
    return path if isinstance(path, Path) else Path(path)


def part_path(local: Path) -> Path:
    """Where a download of ``local`` is written until it is complete: ``NAME.part``."""
    return local.with_name(local.name + ".part")


def local_name_for(name: str) -> str:
    """``name`` as one local path component, or :class:`UnsafeNameError` with the reason."""
    return safe_local_name(name, windows=WINDOWS_NAMES)


def relative_parts(root: Path, target: Path) -> tuple[str, ...]:
    """The components of ``target`` below ``root``; :class:`UnsafePathError` if ``target``
    is not below it (or uses ``..``/``.`` to get there)."""
    parts = _below(os.fspath(root), os.fspath(target))
    if parts is None:  # not a plain prefix: pathlib decides (and words the refusal)
        try:
            parts = target.relative_to(root).parts
        except ValueError:
            raise UnsafePathError(
                f"{target} is not inside the destination folder {root}", step="local") from None
    for part in parts:
        try:
            local_name_for(part)
        except UnsafeNameError as exc:
            raise UnsafePathError(
                f"refusing to write {target}: the component {escape_control(part)!r} "
                f"{exc.reason}", step="local") from None
    return parts


def _below(root: str, target: str) -> tuple[str, ...] | None:
    """The components of ``target`` below ``root`` when its text starts with ``root``'s
    (paths as pathlib writes them: no doubled or trailing separators); None otherwise.
    Called for every file of a tree: ``relative_to`` parses both paths again."""
    if target == root:
        return ()
    base = root if root.endswith(os.sep) else root + os.sep
    if not target.startswith(base):
        return None
    return tuple(target[len(base):].split(os.sep))


def _refuse_link(path: Path | str, root: Path) -> UnsafePathError:
    try:
        points_to = os.readlink(path)
    except OSError:
        points_to = "?"
    return UnsafePathError(
        f"refusing to write through the symbolic link {escape_control(str(path))} (-> "
        f"{escape_control(points_to)}): it lies inside the destination "
        f"{escape_control(str(root))}, and following it could put the file anywhere",
        step="local")


def ensure_directory(root: Path, parts: tuple[str, ...] | list[str]) -> Path:
    """Create ``root/parts...`` one component at a time, refusing symbolic links and
    non-directories on the way. Returns the directory."""
    return Path(_ensure_folder(root, parts))


def _ensure_folder(root: Path, parts: tuple[str, ...] | list[str]) -> str:
    """:func:`ensure_directory` on path strings (asked once per file of a tree)."""
    current = os.fspath(root)
    try:
        if not os.path.isdir(root):  # looked at first: a tree asks once per file
            root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalError(f"could not create the destination folder {root}: "
                         f"{exc.strerror or exc}", step="local") from None
    for part in parts:
        current = os.path.join(current, part)
        try:
            info = _lstat(current)
        except OSError as exc:
            raise LocalError(f"could not look at the folder {current}: "
                             f"{exc.strerror or exc}", step="local") from None
        if info is None:
            try:
                os.mkdir(current)
            except FileExistsError:
                pass
            except OSError as exc:
                raise LocalError(f"could not create the folder {current}: "
                                 f"{exc.strerror or exc}", step="local") from None
            info = os.lstat(current)
        if stat.S_ISLNK(info.st_mode):
            raise _refuse_link(current, root)
        if not stat.S_ISDIR(info.st_mode):
            raise LocalError(f"{current} exists and is not a folder; cannot put files in it",
                             step="local")
    return current


def _lstat(path: Path | str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def prepare_download_target(root: Path, target: Path) -> bool:
    """Make ``target`` safe to download to: its folders exist below ``root`` with no link
    among them, ``target`` is no link, and ``target.part`` exists as a regular file
    created without following links (kept as it is when it already exists: resume).
    Returns whether the ``.part`` was created now (see :func:`drop_empty_part`)."""
    parts = relative_parts(root, target)
    if not parts:
        raise UnsafePathError(f"{target} is the destination folder itself, not a file in it",
                              step="local")
    final = os.path.join(_ensure_folder(root, parts[:-1]), parts[-1])
    existing = _lstat(final)
    if existing is not None and stat.S_ISLNK(existing.st_mode):
        raise _refuse_link(final, root)
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise LocalError(f"{final} is a folder; cannot download a file onto it", step="local")
    part = final + ".part"
    info = _lstat(part)
    if info is not None and stat.S_ISREG(info.st_mode):
        # There already (made ahead by the queue, or left for resume) and a regular
        # file: the download opens it without following a link, which is all an open
        # here would check.
        return False
    os.close(open_part_file(Path(part), truncate=False,
                            refuse_link=lambda link: _refuse_link(link, root)))
    return info is None


def open_part_file(part: Path, *, truncate: bool,
                   refuse_link: Callable[[Path], LocalError] | None = None) -> int:
    """Open a download's ``.part`` for writing and return the descriptor.

    The name may have been planted beside the destination by someone else (a shared
    folder such as /tmp): a symbolic link is never followed — that would write, or
    truncate, whatever it points at — and a FIFO or device is refused without blocking.
    The folder is created when it is missing (a queue may have made it already).
    ``refuse_link`` builds the error for a link (default: a plain refusal).
    """
    flags = os.O_WRONLY | os.O_CREAT | SAFE_OPEN_FLAGS | getattr(os, "O_BINARY", 0)
    if truncate:
        flags |= os.O_TRUNC
    try:
        try:
            fd = os.open(part, flags, 0o644)
        except FileNotFoundError:
            part.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(part, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP or stat.S_ISLNK(getattr(_lstat(part), "st_mode", 0)):
            if refuse_link is not None:
                raise refuse_link(part) from None
            raise LocalError(
                f"refusing to write the download through the symbolic link "
                f"{escape_control(str(part))}: it could put the bytes anywhere", step="local"
            ) from None
        if exc.errno == errno.ENXIO:
            raise LocalError(f"{escape_control(str(part))} exists and is not a regular file",
                             step="local") from None
        raise LocalError(f"could not create {escape_control(str(part))}: "
                         f"{exc.strerror or exc}", step="local") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LocalError(f"{escape_control(str(part))} exists and is not a regular file",
                             step="local")
        if _NONBLOCK and not _LINUX:
            # Linux ignores O_NONBLOCK on regular files (two system calls per file saved);
            # elsewhere keep the usual semantics
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def drop_empty_part(target: Path) -> None:
    """Remove ``target.part`` if it is an empty regular file: a download that failed
    before its first byte leaves nothing to resume, so nothing behind."""
    part = part_path(target)
    info = _lstat(part)
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_size == 0:
        try:
            os.unlink(part)
        except OSError:
            pass


def is_case_insensitive(directory: Path) -> bool:
    """Whether ``directory``'s file system folds case (macOS, Windows, casefold ext4):
    create a mixed-case probe file and look for it under its upper-case name."""
    probe = directory / f".ftpi-case-probe-{os.urandom(4).hex()}-aB"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    except OSError:
        return False
    os.close(fd)
    try:
        return os.path.lexists(directory / probe.name.upper())
    finally:
        try:
            os.unlink(probe)
        except OSError:
            pass


def numbered_name(name: str, number: int) -> str:
    """``report.pdf`` -> ``report (1).pdf``; ``.bashrc`` -> ``.bashrc (1)``;
    ``archive`` -> ``archive (1)``."""
    dot = name.rfind(".")
    if dot <= 0:
        return f"{name} ({number})"
    return f"{name[:dot]} ({number}){name[dot:]}"


def free_local_name(path: Path, limit: int = 1000) -> Path:
    """The first ``name (n).ext`` beside ``path`` for which neither the file nor its
    ``.part`` exists (links count as existing)."""
    for number in range(1, limit + 1):
        candidate = path.with_name(numbered_name(path.name, number))
        if not os.path.lexists(candidate) and not os.path.lexists(
                candidate.with_name(candidate.name + ".part")):
            return candidate
    raise LocalError(f"no free name like {numbered_name(path.name, 1)} beside {path} "
                     f"after {limit} tries", step="local")
