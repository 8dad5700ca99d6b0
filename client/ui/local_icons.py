"""The local pane's icons: the app's own (``client.ui.icons``) chosen by the same rule
as the remote list's, so a folder or a ``.txt`` file looks the same on both sides. Qt's
default provider asks the desktop's icon theme, which a bare desktop (or none) lacks:
the local list then showed no icons at all."""

from __future__ import annotations

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QAbstractFileIconProvider, QIcon

from client.ui.icons import icon, icon_for_entry

__all__ = ["EntryIconProvider"]

_FOLDER_LIKE = (QAbstractFileIconProvider.IconType.Folder,
                QAbstractFileIconProvider.IconType.Drive,
                QAbstractFileIconProvider.IconType.Computer,
                QAbstractFileIconProvider.IconType.Network)


class EntryIconProvider(QAbstractFileIconProvider):
    """For a QFileSystemModel (it keeps no ownership: the pane holds this)."""

    def icon(self, what: QFileInfo | QAbstractFileIconProvider.IconType) -> QIcon:  # type: ignore[override]
        if isinstance(what, QFileInfo):
            return icon_for_entry(what.fileName(), what.isDir(), what.isSymLink())
        return icon("folder") if what in _FOLDER_LIKE else icon("file")
