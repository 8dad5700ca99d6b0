"""Transfers the person starts: from the remote pane of the tab shown, from the local
pane (drag, Enter, its menu) and from the queue's buttons; and what a finished job
refreshes (the pane showing the folder an upload went into, or the local pane)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from client.ui.failure_banner import Spawn
from client.ui.local_actions import LocalActions
from client.ui.local_pane import LocalPane
from client.ui.queue_view import QueueWidget
from client.ui.tabs import ConnectionTab
from client.ui.tabs.manager import TabManager

__all__ = ["TransferCommands"]


class TransferCommands(QObject):
    """Starts and follows the transfers of the window's tabs."""

    def __init__(self, tabs: TabManager, local_pane: LocalPane, queue: QueueWidget, *,
                 spawn: Spawn, parent: QObject) -> None:
        super().__init__(parent)
        self.tabs = tabs
        self.local_pane = local_pane
        self.queue = queue
        self.spawn = spawn

    def wire_local_pane(self, actions: LocalActions) -> None:
        """The local pane's gestures: uploads to the remote folder shown, dropped
        downloads, and its own folder operations."""
        lp = self.local_pane
        lp.upload_requested.connect(lambda paths: self.spawn(
            self.upload_paths(paths, self.tabs.current.remote_pane.current_path), pane=lp,
            doing=self.tr("Upload")))
        lp.download_dropped.connect(lambda paths, folder: self.spawn(
            self.tabs.current.transfers.download_paths(paths, folder), pane=lp,
            doing=self.tr("Download")))
        lp.mkdir_requested.connect(lambda: self.spawn(actions.mkdir(), pane=lp, doing=self.tr("Create folder")))
        lp.rename_requested.connect(lambda p: self.spawn(actions.rename(p), pane=lp, doing=self.tr("Rename")))
        lp.move_requested.connect(lambda ps, folder: self.spawn(
            actions.move(ps, folder), pane=lp, doing=self.tr("Move")))
        lp.delete_requested.connect(lambda ps: self.spawn(actions.delete(ps), pane=lp, doing=self.tr("Delete")))
        lp.chmod_requested.connect(lambda ps: self.spawn(
            actions.chmod(ps), pane=lp, doing=self.tr("Change permissions")))

    async def download_entries(self, entries: list[object],
                               local_dir: Path | None = None) -> list[int]:
        """Download remote entries of the current folder (double-click, Enter, menu, drag)."""
        tab = self.tabs.current
        return await tab.transfers.download(tab.remote_pane.current_path, entries,
                                            local_dir or self.local_pane.current)

    async def upload_paths(self, paths: list[Path], remote_dir: str | None = None) -> list[int]:
        """Upload local files or folders (Enter, menu, drag from the local pane or desktop)."""
        tab = self.tabs.current
        return await tab.transfers.upload(paths, remote_dir or tab.remote_pane.current_path)

    def transfer_finished(self, tab: ConnectionTab, job: object) -> None:
        """A job of ``tab`` is done: an upload into the folder its pane shows refreshes
        the pane; a download refreshes the local pane."""
        direction = getattr(job, "direction", "")
        pane = tab.remote_pane
        if direction == "upload" and tab.connection.is_connected and tab in self.tabs.tabs():
            remote_dir = str(getattr(job, "remote_path", "")).rsplit("/", 1)[0] or "/"
            if remote_dir == pane.current_path.rstrip("/") or (
                    remote_dir == "/" and pane.current_path == "/"):
                self.spawn(tab.remote_actions.refresh(), pane=pane)
        elif direction == "download":
            self.local_pane.files.setRootPath(str(self.local_pane.current))

    def queue_action(self, action: str, jobs: list[Any]) -> None:
        """A queue button (cancel, retry, move…) on jobs of any tab."""
        order = self.tabs.queue_action(action, jobs)
        if order is not None:
            self.queue.model.set_order(order)
