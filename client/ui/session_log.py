"""The window's always-on session log: the engine's :class:`SessionLog` on the window's
bus (unless turned off in the preferences), its folder in the app's data folder, and
*Open log folder*."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from client.config.appdirs import log_dir
from client.engine.events import UNLOGGED_KINDS, EventBus
from client.engine.sessionlog import SessionLog
from client.ui.dialogs import fit_title

__all__ = ["SessionLogControl", "log_folder"]

_ENABLED = "sessionLog/enabled"


def log_folder() -> Path:
    """Where the session logs go: ``logs`` in the app's data folder (the command line's
    too)."""
    return log_dir()


class SessionLogControl(QObject):
    def __init__(self, bus: EventBus, settings: QSettings, parent: QObject | None = None,
                 *, folder: Path | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        self._settings = settings
        self.folder = folder or log_folder()
        self.log: SessionLog | None = None
        self._unsubscribe = None
        #: the note naming the folder when the desktop could not open it
        self.message: QMessageBox | None = None
        if self.enabled:
            self._start()

    @property
    def enabled(self) -> bool:
        return str(self._settings.value(_ENABLED, "true")).lower() in ("true", "1")

    def set_enabled(self, on: bool) -> None:
        """Turn the log on or off now and for the next starts."""
        self._settings.setValue(_ENABLED, "true" if on else "false")
        self._settings.sync()
        if on and self.log is None:
            self._start()
        elif not on:
            self.close()

    def _start(self) -> None:
        self.log = SessionLog(self.folder)
        self._unsubscribe = self._bus.subscribe(self.log, exclude=UNLOGGED_KINDS)

    def file_for(self, connection: str | None) -> Path | None:
        """The log file of ``connection``, with everything logged so far in it."""
        if self.log is None or connection is None:
            return None
        self.log.flush(timeout=1.0)
        return self.log.file_for(connection)

    def folder_url(self) -> QUrl:
        return QUrl.fromLocalFile(str(self.folder))

    def open_folder(self) -> bool:
        """Show the log folder in the desktop's file manager (made if still missing)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(self.folder_url())

    def show_folder(self, parent: QWidget) -> None:
        """Help → Open log folder: the file manager there, or, on a desktop without one,
        a note naming the folder (the click otherwise did nothing at all)."""
        if self.open_folder():
            return
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Log folder"),
                          self.tr("No file manager could be opened. The session logs are "
                                  "in:\n\n{}").format(self.folder),
                          QMessageBox.StandardButton.Ok, parent)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = box
        fit_title(box)  # the whole title, not cut by the title bar
        box.open()  # never exec() under qasync

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.log is not None:
            self.log.close()
            self.log = None
