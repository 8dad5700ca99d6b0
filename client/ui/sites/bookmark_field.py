"""The Site Manager's list of a site's bookmarks (remote folder ⇄ local folder): what
Bookmarks → Add bookmark… kept, shown where the site is edited, with Remove. Saving the
site keeps what the list holds."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QWidget

from client.config.bookmarks import Bookmark, without_bookmark

__all__ = ["BookmarkField"]

_BOOKMARK_ROLE = Qt.ItemDataRole.UserRole + 41


class BookmarkField(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("siteBookmarks")
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Bookmarks"))
        self.list.setMaximumHeight(self.list.fontMetrics().height() * 4 + 8)
        # lines wrap at the list's width: the hint of an empty list and long folder
        # pairs were cut off at its right edge above a horizontal scroll bar
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setToolTip(self.tr("Added in the window with Bookmarks → Add bookmark… "
                                     "(Ctrl+B) while connected to this site"))
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.setAccessibleName(self.tr("Remove the bookmark"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(
            lambda row: self.remove_button.setEnabled(row >= 0))
        self.remove_button.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        self._bookmarks: tuple[Bookmark, ...] = ()

    def set_bookmarks(self, bookmarks: tuple[Bookmark, ...]) -> None:
        self._bookmarks = bookmarks
        self.list.clear()
        for bookmark in bookmarks:
            text = f"{bookmark.name}: {bookmark.remote}"
            if bookmark.local:
                text += f"  ⇄  {bookmark.local}"
            item = QListWidgetItem(text, self.list)
            item.setData(_BOOKMARK_ROLE, bookmark.name)
            item.setToolTip(text)
        if not bookmarks:
            self.list.addItem(self.tr("(none yet: Bookmarks → Add bookmark… in the window)"))
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.remove_button.setEnabled(False)

    def bookmarks(self) -> tuple[Bookmark, ...]:
        return self._bookmarks

    def remove_selected(self) -> None:
        item = self.list.currentItem()
        name = item.data(_BOOKMARK_ROLE) if item is not None else None
        if isinstance(name, str):
            self.set_bookmarks(without_bookmark(self._bookmarks, name))
