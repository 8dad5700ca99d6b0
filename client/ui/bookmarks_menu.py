"""The Bookmarks menu: the saved site's remote folders, each with the local folder that
goes with it (:mod:`client.config.bookmarks`). Choosing one lists the remote folder and
shows the local one; "Add bookmark…" (Ctrl+B) keeps the two folders shown now.

Bookmarks belong to a saved site (they are stored in it, and the Site Manager lists
them); a quickconnect session has none, and the menu says how to get them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from client.config.bookmarks import Bookmark, with_bookmark
from client.config.sites import Site, SiteStore
from client.ui.dialogs import ask_text
from client.ui.local_pane import LocalPane
from client.ui.tabs.manager import TabManager

__all__ = ["BookmarksMenu"]

Spawn = Callable[..., Any]


class BookmarksMenu(QObject):
    """Installed before Help; rebuilt each time it opens (the tab shown decides)."""

    def __init__(self, window: QMainWindow, tabs: TabManager, local_pane: LocalPane,
                 spawn: Spawn) -> None:
        super().__init__(window)
        self.window, self.tabs, self.local_pane, self.spawn = window, tabs, local_pane, spawn
        self.menu = QMenu(self.tr("&Bookmarks"), window)
        self.menu.setObjectName("bookmarksMenu")
        self.menu.setToolTipsVisible(True)
        self.add_action = self.menu.addAction(self.tr("Add bookmark…"))
        self.add_action.setShortcut(QKeySequence("Ctrl+B"))
        self.add_action.triggered.connect(self.add_current)
        window.addAction(self.add_action)  # the shortcut works with the menu closed
        self.menu.aboutToShow.connect(self.fill)
        self.menu.aboutToHide.connect(lambda: self.add_action.setEnabled(True))
        bar = window.menuBar()
        entries = bar.actions()
        if entries:  # before Help, which stays last
            bar.insertMenu(entries[-1], self.menu)
        else:
            bar.addMenu(self.menu)
        self.fill()
        self.add_action.setEnabled(True)

    def _site(self) -> tuple[SiteStore, Site] | None:
        site = self.tabs.current.site
        return site if isinstance(site, tuple) and len(site) == 2 else None

    def fill(self) -> None:
        for action in self.menu.actions()[1:]:
            self.menu.removeAction(action)
            action.deleteLater()
        origin = self._site()
        connected = self.tabs.current.connection.is_connected
        # greyed only in the open menu: the shortcut explains itself (add_current)
        self.add_action.setEnabled(origin is not None and connected)
        self.menu.addSeparator()
        if origin is None:
            self.menu.addAction(self.tr("Bookmarks belong to a saved site: open one from "
                                        "the Site Manager")).setEnabled(False)
            return
        _store, site = origin
        if not site.bookmarks:
            self.menu.addAction(self.tr("(no bookmarks for {})").format(site.name)
                                ).setEnabled(False)
        for bookmark in site.bookmarks:
            action = self.menu.addAction(bookmark.name)
            where = bookmark.remote + (f"  ⇄  {bookmark.local}" if bookmark.local else "")
            action.setToolTip(where)
            action.setStatusTip(where)
            action.setEnabled(connected)
            action.triggered.connect(lambda _on=False, b=bookmark: self.go_to(b))

    def go_to(self, bookmark: Bookmark) -> Any:
        """List the remote folder; show the local one when it exists still."""
        if bookmark.local and Path(bookmark.local).is_dir():
            self.local_pane.set_folder(Path(bookmark.local))
        tab = self.tabs.current
        return self.spawn(tab.remote_actions.browse(bookmark.remote), pane=tab.remote_pane,
                          doing=self.tr("Going to the bookmark {}").format(bookmark.name))

    def add_current(self) -> Any:
        origin = self._site()
        tab = self.tabs.current
        if origin is None or not tab.connection.is_connected:
            # the shortcut works whatever the menu showed last: say why nothing happens
            tab.remote_pane.banner.show_message(self.tr(
                "Bookmarks belong to a saved site: connect to one from the Site Manager "
                "(Ctrl+S), then Bookmarks → Add bookmark… keeps the folders shown."),
                severity="info")
            return None
        return self.spawn(self._add(*origin), pane=self.tabs.current.remote_pane,
                          doing=self.tr("Add bookmark"))

    async def _add(self, store: SiteStore, site: Site, name: str | None = None) -> Bookmark | None:
        tab = self.tabs.current
        remote = tab.remote_pane.current_path or "/"
        local = str(self.local_pane.current)
        if name is None:
            name = await ask_text(self.window, self.tr("Add bookmark"), self.tr(
                "Name of the bookmark for {} (with the local folder {}):").format(remote, local),
                posixpath.basename(remote.rstrip("/")) or "/")
        if not name:
            return None
        bookmark = Bookmark(name, remote, local)
        saved = next((s for s in store.load() if s.site_id == site.site_id), site)
        updated = saved.replace(bookmarks=with_bookmark(saved.bookmarks, bookmark))
        store.upsert(updated)
        for each in self.tabs.tabs():  # every tab open on that site sees it
            if isinstance(each.site, tuple) and each.site[1].site_id == site.site_id:
                each.site = (store, updated)
        return bookmark


