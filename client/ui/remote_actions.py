"""What the remote pane's gestures do: browse, create folder, rename, delete, chmod,
copy URL, open with the default application (download to a temporary folder, watch it,
offer to upload the changes). Each is a coroutine on the browsing connection; failures
surface in the pane's banner (see ``MainWindow.spawn``)."""

from __future__ import annotations

import posixpath
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from client.engine.errors import CommandFailedError
from client.engine.remotefs import RemoteFileSystem, ftp_controls
from client.protocol.listing import ListingEntry, ListingResult
from client.protocol.text import escape_control
from client.ui.dialogs import (
    ChmodDialog,
    ask_text,
    await_dialog,
    confirm,
    mode_from_permissions,
    name_stem_length,
)
from client.ui.remote.listing_model import entry_is_dir
from client.ui.remote.pane import RemotePane, remote_url

if TYPE_CHECKING:
    from client.ui.connection import RemoteConnection
    from client.ui.main_window import MainWindow

__all__ = ["RemoteActions"]


class RemoteActions:
    def __init__(self, window: MainWindow, *, connection: RemoteConnection | None = None,
                 pane: RemotePane | None = None) -> None:
        self.window = window
        self.connection = connection if connection is not None else window.connection
        self.pane = pane if pane is not None else window.remote_pane
        self._temp = tempfile.TemporaryDirectory(prefix="ftp-inspector-open-")
        self.watcher = QFileSystemWatcher()
        self.watcher.fileChanged.connect(self._opened_file_changed)
        self._opened: dict[str, str] = {}  # local temp path -> remote path
        self.pending_path: str | None = None  # the folder being listed (for the assistant)
        self.pane.charset_bar.accepted.connect(lambda charset: window.spawn(
            self.use_charset(charset), pane=self.pane, doing=self.tr("Changing the charset")))

    def tr(self, text: str) -> str:
        """Translated in this class's own context: the one Qt's string extractor files
        these strings under (the window's context would never find them)."""
        return QCoreApplication.translate("RemoteActions", text)

    # -- browsing --------------------------------------------------------------------------
    async def browse(self, path: str | None = None, *, after_login: bool = False,
                     refused_is_file: bool = False) -> str | None:
        """Change to ``path`` (None: stay) and list it; returns the folder shown.

        ``after_login``: the session has just logged in, and its login already asked PWD
        (``RemoteFileSystem.current_directory``), so the folder is known without asking again.
        Only then: later the server's folder may have changed under a raw command.

        ``refused_is_file``: ``path`` is a link of unknown kind; a 550 to its CWD means
        it is not a folder: nothing is shown and None is returned."""
        self.pending_path = path or self.pane.current_path or None
        if self.pending_path:
            self.pane.tree_model.mark_requested(self.pending_path)

        async def work(session: RemoteFileSystem) -> tuple[str | None, ListingResult | None]:
            if path:
                try:
                    where = await session.cwd(path)
                except CommandFailedError as exc:
                    if refused_is_file and exc.reply_code == 550:
                        return None, None
                    raise
            else:
                known = session.current_directory if after_login else None
                where = known or await session.pwd()
            listing = await session.list()
            controls = ftp_controls(session)
            self.pane.charset_bar.offer(controls.charset_guess if controls else None)
            return where, listing

        try:
            where, listing = await self.connection.run(work)
        except BaseException:
            if self.pending_path:
                self.pane.tree_model.fetch_failed(self.pending_path)
            raise
        if where is None or listing is None:
            if self.pending_path:
                self.pane.tree_model.fetch_failed(self.pending_path)
            return None
        self.window.hung_listing.no_longer_applies(self.pane)
        self.pane.show_listing(where, list(listing.entries))
        if listing.unparsed:
            self.pane.banner.show_message(
                self.tr("{} line(s) of the listing could not be read; they are in the console")
                .format(len(listing.unparsed)), severity="warning")
        return where

    async def show_found(self, folder: str, name: str) -> None:
        """A search result in the pane: its folder listed, its row selected and in view."""
        await self.browse(folder)
        self.pane.select_names([name])
        row = self.pane.model.row_of_name(name)
        if row is not None and row >= 0:
            self.pane.view.scrollTo(self.pane.model.index(row, 0))
        self.pane.view.setFocus()

    async def use_charset(self, charset: str) -> None:
        """Read and send names in ``charset`` from now on (this session, the queue's
        next ones and, when the session came from a saved site, that site)."""
        controls = ftp_controls(self.connection.session)
        if controls is None:  # SFTP: names are UTF-8 bytes as the server has them
            return
        controls.set_charset(charset)
        if self.connection.settings is not None:
            self.connection.settings = self.connection.settings.replace(encoding=charset)
        if self.window.current_site is not None:
            store, site = self.window.current_site
            site = site.replace(charset=charset)
            store.upsert(site)
            self.window.remember_site(store, site)
        if not await self.window.transfers.reset_if_finished():
            self.window.transfers.use_charset(charset)
            self.pane.banner.show_message(self.tr(
                "Transfers already in the queue keep the charset their names were read "
                "in; the ones you add now use {}").format(charset), severity="info")
        await self.refresh()

    async def refresh(self) -> str:
        return await self.browse(self.pane.current_path or None)  # type: ignore[return-value]

    async def open_link(self, link: ListingEntry,
                        selection: list[ListingEntry] | None = None) -> str | None:
        """Open a symbolic link whose kind the listing does not tell (``www -> /var/www``)
        as FileZilla does: change into it; when the server refuses (550) it is a file,
        and ``selection`` (default: the link) is downloaded. Returns the folder shown,
        or None when it was downloaded."""
        where = await self.browse(self._full(link), refused_is_file=True)
        if where is None:
            await self.window.download_entries(selection or [link])
        return where

    async def fetch_tree(self, path: str) -> None:
        try:
            listing = await self.connection.list(path)
        except Exception:
            self.pane.tree_model.fetch_failed(path)
            raise
        self.pane.tree_model.set_children(path, (e.name for e in listing.entries if entry_is_dir(e)))

    def _full(self, entry: ListingEntry) -> str:
        return self.pane.model.full_path(entry)

    # -- file operations -------------------------------------------------------------------
    async def mkdir(self, name: str | None = None) -> str | None:
        if name is None:
            name = await ask_text(self.window, self.tr("Create folder"),
                                  self.tr("Name of the new folder in {}:").format(
                                      escape_control(self.pane.current_path)))
        if not name:
            return None
        path = posixpath.join(self.pane.current_path or "/", name)
        await self.connection.mkdir(path)
        await self.refresh()
        self.pane.select_names([name])
        return path

    async def rename(self, entry: ListingEntry, new_name: str | None = None) -> None:
        old = entry.name
        if new_name is None:
            new_name = await ask_text(self.window, self.tr("Rename"),
                                      self.tr("New name for {}:").format(escape_control(old)), old,
                                      selected=name_stem_length(old, entry_is_dir(entry)))
        if not new_name or new_name == old:
            return
        folder = self.pane.current_path or "/"
        await self.connection.rename(posixpath.join(folder, old),
                                     posixpath.join(folder, new_name))
        await self.refresh()
        self.pane.select_names([new_name])

    async def move(self, paths: list[str], folder: str, *, confirmed: bool = False) -> None:
        """Move ``paths`` into ``folder`` on the server (RNFR/RNTO), after asking."""
        if not paths:
            return
        if not confirmed:
            names = ", ".join(escape_control(posixpath.basename(p)) for p in paths[:5])
            more = self.tr(" and {} more").format(len(paths) - 5) if len(paths) > 5 else ""
            text = self.tr("Move {}{} into {}?").format(names, more, escape_control(folder))
            if not await confirm(self.window, self.tr("Move"), text):
                return
        for path in paths:
            await self.connection.rename(path, posixpath.join(folder, posixpath.basename(path)))
        await self.refresh()

    async def delete(self, entries: list[ListingEntry], *, confirmed: bool = False) -> None:
        if not entries:
            return
        if not confirmed:
            names = ", ".join(escape_control(e.name) for e in entries[:5])
            more = self.tr(" and {} more").format(len(entries) - 5) if len(entries) > 5 else ""
            folders = any(entry_is_dir(e) for e in entries)
            text = self.tr("Delete {}{} from the server?").format(names, more)
            if folders:
                text += "\n" + self.tr("Folders are deleted with everything in them.")
            if not await confirm(self.window, self.tr("Delete"), text):
                return

        async def work(session: RemoteFileSystem) -> None:
            for entry in entries:
                await _delete_tree(session, self._full(entry), entry_is_dir(entry))

        await self.connection.run(work)
        await self.refresh()

    async def chmod(self, entries: list[ListingEntry], mode: int | None = None) -> None:
        if not entries:
            return
        if mode is None:
            modes = [mode_from_permissions(getattr(e, "permissions", None),
                                           getattr(e, "facts", None)) for e in entries]
            dialog = ChmodDialog(self.window, [e.name for e in entries], modes[0],
                                 mixed=len(set(modes)) > 1)
            accepted = await await_dialog(dialog)
            mode = dialog.mode
            dialog.deleteLater()
            if not accepted:
                return

        async def work(session: RemoteFileSystem) -> None:
            for entry in entries:
                await session.chmod(self._full(entry), mode)

        await self.connection.run(work)
        await self.refresh()

    def copy_urls(self, entries: list[ListingEntry]) -> str:
        settings = self.connection.settings
        if settings is None:
            return ""
        scheme = {"implicit": "ftps", "explicit": "ftpes"}.get(settings.tls.value, "ftp")
        text = "\n".join(remote_url(settings.host, settings.port, self._full(e), scheme)
                         for e in entries)
        QGuiApplication.clipboard().setText(text)
        return text

    # -- open with the default application ------------------------------------------------
    async def open_with_default_app(self, entry: ListingEntry, *, launch: bool = True) -> Path:
        remote = self._full(entry)
        folder = Path(self._temp.name) / f"{len(self._opened) + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        local = folder / escape_control(entry.name).replace("/", "_")
        await self.connection.download(remote, local)
        self._opened[str(local)] = remote
        self.watcher.addPath(str(local))
        if launch:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(local)))
        return local

    def _opened_file_changed(self, local: str) -> None:
        remote = self._opened.get(local)
        if remote is None:
            return
        if local not in self.watcher.files() and Path(local).exists():
            self.watcher.addPath(local)  # editors that replace the file drop the watch
        self.pane.banner.show_message(
            self.tr("{} was changed locally. Upload it back to the server?").format(
                escape_control(remote)),
            severity="info",
            action=(self.tr("Upload changes"), lambda: self.window.spawn(
                self.upload_opened(local), pane=self.pane, doing=self.tr("Uploading changes"))))

    async def upload_opened(self, local: str) -> None:
        remote = self._opened[local]
        await self.connection.upload(Path(local), remote)
        await self.refresh()

    def close(self) -> None:
        """Stop watching opened files and remove their temporary copies."""
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        self._temp.cleanup()


async def _delete_tree(session: RemoteFileSystem, path: str, is_dir: bool, depth: int = 0) -> None:
    """Delete a file, or a folder after its content (bounded depth against loops)."""
    if not is_dir:
        await session.delete(path)
        return
    if depth > 64:
        raise RuntimeError(f"refusing to delete deeper than 64 levels at {escape_control(path)}")
    listing = await session.list(path)
    for entry in listing.entries:
        if entry.name in (".", ".."):
            continue
        child = posixpath.join(path, entry.name)
        is_link = getattr(getattr(entry, "kind", None), "name", "") == "LINK"
        # a symlink is removed as a link, never followed
        await _delete_tree(session, child, entry_is_dir(entry) and not is_link, depth + 1)
    await session.rmdir(path)
