"""Resuming into an existing file without putting it at risk: copy-on-resume.

When the queue's "Resume" policy continues a download whose target ``NAME`` already
exists, the download must append to ``NAME.part`` (a download only ever writes there, and
renames it onto ``NAME`` once complete). Moving ``NAME`` to ``NAME.part`` would be
cheaper, but then a job that fails for good, is cancelled, or a crash in between, leaves
the user's file only under ``NAME.part`` — with whatever bytes the attempt appended.
So ``NAME`` is *copied* to ``NAME.part`` instead and never touched until the complete
download replaces it: whatever happens to the job, ``NAME`` stays exactly as it was
(contents, time, inode). The price is one local copy of ``NAME`` (in the kernel where it
can: ``copy_file_range``, a reflink on file systems that share blocks).

A copy the attempt added nothing to is removed again when the attempt fails
(:func:`drop_unchanged_copy`): it is only a duplicate of ``NAME``. A ``.part`` that
grew is kept, like any partial download, for Retry to continue.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

from client.engine.errors import LocalError
from client.engine.localpaths import SAFE_OPEN_FLAGS, open_part_file, part_path
from client.protocol.text import escape_control

__all__ = ["copy_for_resume", "drop_unchanged_copy"]

_CHUNK = 8 * 1024 * 1024
#: copy_file_range cannot do this pair of files: copy through user space instead
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP,
                   getattr(errno, "ENOTSUP", errno.EOPNOTSUPP), errno.EBADF}


def copy_for_resume(target: Path, stop: threading.Event | None = None) -> int:
    """Copy ``target`` into ``target.part`` (made by ``prepare_download_target``, not
    through a link) and return the bytes copied. Blocking: run it in a thread. When
    ``stop`` is set the copy stops and the partial ``.part`` is removed (returns -1); on
    an error the ``.part`` is removed and :class:`LocalError` raised. ``target`` itself
    is only read."""
    try:
        source = os.open(target, os.O_RDONLY | SAFE_OPEN_FLAGS)
    except OSError as exc:
        raise LocalError(f"could not read {escape_control(str(target))} to resume it: "
                         f"{exc.strerror or exc}", step="local") from None
    try:
        if not stat.S_ISREG(os.fstat(source).st_mode):
            raise LocalError(f"{escape_control(str(target))} is not a regular file; "
                             "cannot resume into it", step="local")
        copied = _copy(source, target, stop)
    finally:
        os.close(source)
    return copied


def _copy(source: int, target: Path, stop: threading.Event | None) -> int:
    part = part_path(target)
    destination = open_part_file(part, truncate=True)
    copied = 0
    kernel = hasattr(os, "copy_file_range")
    try:
        while True:
            if stop is not None and stop.is_set():
                _remove(part)
                return -1
            if kernel:
                try:
                    count = os.copy_file_range(source, destination, _CHUNK)
                except OSError as exc:
                    if exc.errno not in _NO_KERNEL_COPY or copied:
                        raise
                    kernel = False
                    continue
            else:
                chunk = os.read(source, _CHUNK)
                count = len(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(destination, view):]
            if not count:
                return copied
            copied += count
    except OSError as exc:
        _remove(part)
        raise LocalError(f"could not copy {escape_control(str(target))} to "
                         f"{escape_control(part.name)} to resume it: {exc.strerror or exc}",
                         step="local") from None
    finally:
        os.close(destination)


def _remove(part: Path) -> None:
    try:
        os.unlink(part)
    except OSError:
        pass


def drop_unchanged_copy(target: Path, copied: int) -> None:
    """Remove ``target.part`` when it is still the ``copied``-byte copy of ``target``
    (the attempt that made it added nothing): ``target`` holds the same bytes."""
    part = part_path(target)
    try:
        info = os.lstat(part)
    except OSError:
        return
    if stat.S_ISREG(info.st_mode) and info.st_size == copied:
        _remove(part)
