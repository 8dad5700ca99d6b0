"""A second :class:`~client.engine.remotefs.RemoteFileSystem`, kept in memory.

Only for the protocol-conformance test of the window: it proves the panes, the queue
and the actions need nothing FTP-specific (everything that talks FTP is tested against
real servers). It has no :class:`~client.engine.remotefs.FtpControls`, as an SFTP
session has none.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.engine.errors import CommandFailedError
from client.engine.events import Endpoint, EventBus, SessionState, TransferProgress
from client.engine.settings import ConnectionSettings
from client.engine.transfer import TransferResult
from client.protocol.listing import EntryKind, ListingEntry, ListingResult

__all__ = ["MemoryFileSystem", "MemoryTree"]

_WHEN = _dt.datetime(2024, 5, 1, 12, 0, tzinfo=_dt.UTC)


@dataclass
class MemoryTree:
    """The server's files (path -> bytes), folders and modes, shared by all sessions."""

    files: dict[str, bytes] = field(default_factory=dict)
    folders: set[str] = field(default_factory=lambda: {"/"})
    modes: dict[str, int] = field(default_factory=dict)
    opened: list[MemoryFileSystem] = field(default_factory=list)

    def factory(self, settings: ConnectionSettings, bus: EventBus,
                _trust: Any) -> MemoryFileSystem:
        session = MemoryFileSystem(self, settings, bus)
        self.opened.append(session)
        return session


def _refused(path: str, why: str = "no such file or folder") -> CommandFailedError:
    text = f"{path}: {why}"
    return CommandFailedError(text, reply_code=550, reply_text=text, command="memfs")


class MemoryFileSystem:
    def __init__(self, tree: MemoryTree, settings: ConnectionSettings, bus: EventBus) -> None:
        self.tree = tree
        self.bus = bus
        self.connection_id = bus.next_connection_id()
        self.state = SessionState.DISCONNECTED
        self._server = Endpoint(settings.host, settings.port)
        self._cwd = "/"

    # -- facts -----------------------------------------------------------------------------
    @property
    def server(self) -> Endpoint | None:
        return self._server if self.state is SessionState.READY else None

    @property
    def current_directory(self) -> str | None:
        return self._cwd

    @property
    def answers_size(self) -> bool:
        return True

    @property
    def answers_mtime(self) -> bool:
        return True

    def _abs(self, path: str) -> str:
        return posixpath.normpath(posixpath.join(self._cwd, path)).replace("//", "/")

    # -- lifecycle -------------------------------------------------------------------------
    async def connect(self) -> None:
        self.state = SessionState.READY

    async def close(self) -> None:
        self.state = SessionState.CLOSED

    async def noop(self) -> object:
        return None

    # -- folders ---------------------------------------------------------------------------
    async def pwd(self) -> str:
        return self._cwd

    async def cwd(self, path: str) -> str:
        target = self._abs(path)
        if target not in self.tree.folders:
            raise _refused(target)
        self._cwd = target
        return target

    async def list(self, path: str | None = None) -> ListingResult:
        folder = self._abs(path or ".")
        if folder not in self.tree.folders:
            raise _refused(folder)
        names = {p for p in self.tree.folders | set(self.tree.files)
                 if p != folder and posixpath.dirname(p) == folder}
        return ListingResult(tuple(self._entry(p) for p in sorted(names)), format="memory")

    def _entry(self, path: str) -> ListingEntry:
        is_dir = path in self.tree.folders
        mode = self.tree.modes.get(path, 0o755 if is_dir else 0o644)
        permissions = "".join(c if mode & (1 << (8 - i)) else "-"
                              for i, c in enumerate("rwxrwxrwx"))
        return ListingEntry(posixpath.basename(path), EntryKind.DIR if is_dir else EntryKind.FILE,
                            size=None if is_dir else len(self.tree.files[path]),
                            modified=_WHEN, modified_precision="second",
                            permissions=permissions)

    async def stat(self, path: str) -> ListingEntry | None:
        target = self._abs(path)
        known = target in self.tree.folders or target in self.tree.files
        return self._entry(target) if known else None

    async def size(self, path: str) -> int | None:
        data = self.tree.files.get(self._abs(path))
        return None if data is None else len(data)

    async def mdtm(self, path: str) -> _dt.datetime | None:
        return _WHEN if self._abs(path) in self.tree.files else None

    async def mdtm_many(self, paths: list[str]) -> list[_dt.datetime | None]:
        return [await self.mdtm(path) for path in paths]

    async def mkdir(self, path: str) -> str:
        target = self._abs(path)
        self.tree.folders.add(target)
        return target

    async def rmdir(self, path: str) -> None:
        target = self._abs(path)
        if any(posixpath.dirname(p) == target for p in self.tree.folders | set(self.tree.files)):
            raise _refused(target, "folder not empty")
        self.tree.folders.discard(target)

    async def delete(self, path: str) -> None:
        if self.tree.files.pop(self._abs(path), None) is None:
            raise _refused(path)

    async def rename(self, old: str, new: str) -> None:
        source, target = self._abs(old), self._abs(new)
        if source in self.tree.files:
            self.tree.files[target] = self.tree.files.pop(source)
        elif source in self.tree.folders:
            self.tree.folders.discard(source)
            self.tree.folders.add(target)
        else:
            raise _refused(source)

    async def chmod(self, path: str, mode: int) -> None:
        self.tree.modes[self._abs(path)] = mode

    # -- transfers -------------------------------------------------------------------------
    async def download(self, remote: str, local: Path, *, resume: bool = False,
                       on_progress: Callable[[TransferProgress], None] | None = None,
                       **_options: Any) -> TransferResult:
        """Into NAME.part, renamed when complete (as every download of the app)."""
        data = self.tree.files.get(self._abs(remote))
        if data is None:
            raise _refused(remote)
        part = local.with_name(local.name + ".part")
        part.write_bytes(data)
        part.replace(local)
        return TransferResult(remote, local, len(data), len(data), 0.0, 0)

    async def upload(self, local: Path, remote: str, *, resume: bool = False,
                     on_progress: Callable[[TransferProgress], None] | None = None,
                     **_options: Any) -> TransferResult:
        data = Path(local).read_bytes()
        self.tree.files[self._abs(remote)] = data
        return TransferResult(remote, Path(local), len(data), len(data), 0.0, 0)
