"""Synchronised browsing: entering a folder on one side enters the same relative folder
on the other. The two folders shown when it was switched on are the base pair; a
folder outside a base, or one the other side lacks, is said in the status bar and the
other side stays where it is."""

from __future__ import annotations

import posixpath
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePosixPath

from PySide6.QtCore import QObject, Signal

from client.ui.local_pane import LocalPane
from client.ui.remote.pane import RemotePane

__all__ = ["SynchronisedBrowsing"]


class SynchronisedBrowsing(QObject):
    """``browse_remote(path)`` opens a remote folder and raises when it cannot;
    ``message`` carries what the status bar should say."""

    message = Signal(str)

    def __init__(self, local: LocalPane, remote: RemotePane,
                 browse_remote: Callable[[str], Awaitable[object]],
                 spawn: Callable[[Awaitable[object]], object],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.local = local
        self.remote = remote
        self.browse_remote = browse_remote
        self.spawn = spawn
        self.enabled = False
        self.local_base: Path | None = None
        self.remote_base = ""
        self._remote_seen = ""
        self._expect_remote: str | None = None
        self._expect_local: Path | None = None
        local.folder_changed.connect(self._local_changed)
        remote.model.modelReset.connect(self._remote_changed)

    def set_enabled(self, on: bool) -> bool:
        """Switch on with the folders shown now as the base pair; False (and a message)
        when there is no remote folder to pair with."""
        if on and not self.remote.current_path:
            self.message.emit(self.tr("Synchronised browsing needs a connection: connect "
                                      "first, then open the two folders that belong together"))
            self.enabled = False
            return False
        self.enabled = on
        if on:
            self.local_base = self.local.current
            self.remote_base = self.remote.current_path
            self._remote_seen = self.remote_base
            self.message.emit(self.tr("Synchronised browsing: {} ⇄ {}").format(
                self.local_base, self.remote_base))
        else:
            self.message.emit(self.tr("Synchronised browsing is off"))
        return on

    # -- local → remote -----------------------------------------------------------------
    def _local_changed(self, folder: str) -> None:
        if not self.enabled or self.local_base is None:
            return
        path = Path(folder)
        if self._expect_local is not None and path == self._expect_local:
            self._expect_local = None
            return
        try:
            relative = path.relative_to(self.local_base)
        except ValueError:
            self.message.emit(self.tr("Synchronised browsing: {} is outside {}; the server "
                                      "side stays").format(path, self.local_base))
            return
        target = self.remote_base
        for part in relative.parts:
            target = posixpath.join(target, part)
        if target.rstrip("/") == self.remote.current_path.rstrip("/"):
            return
        self._expect_remote = target
        self.spawn(self._open_remote(target))

    async def _open_remote(self, target: str) -> None:
        try:
            await self.browse_remote(target)
        except Exception as exc:  # noqa: BLE001 - said in the status bar, not raised
            self._expect_remote = None
            self.message.emit(self.tr("Synchronised browsing: the server has no folder {} "
                                      "({})").format(target, getattr(exc, "message", exc)))

    # -- remote → local -----------------------------------------------------------------
    def _remote_changed(self) -> None:
        path = self.remote.current_path
        if not self.enabled or not path or path == self._remote_seen:
            return
        self._remote_seen = path
        if self._expect_remote is not None and path.rstrip("/") == self._expect_remote.rstrip("/"):
            self._expect_remote = None
            return
        base = PurePosixPath(self.remote_base)
        try:
            relative = PurePosixPath(path).relative_to(base)
        except ValueError:
            self.message.emit(self.tr("Synchronised browsing: {} is outside {}; the local "
                                      "side stays").format(path, self.remote_base))
            return
        assert self.local_base is not None
        target = self.local_base.joinpath(*relative.parts)
        if not target.is_dir():
            self.message.emit(self.tr("Synchronised browsing: there is no local folder {}"
                                      ).format(target))
            return
        if target != self.local.current:
            self._expect_local = target
            self.local.set_folder(target)
