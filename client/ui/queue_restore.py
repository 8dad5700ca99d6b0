"""The saved queue in the window: every queue's jobs are saved as they change (see
:mod:`client.engine.queue.saved`), and at start the jobs an earlier run left are offered
again — "Restore 5 queued transfers?". Restored jobs wait for a connection to their
site (a saved site connects by itself; for a quickconnect address the fields are filled
and the password asked for) and then run, resuming from their ``.part``."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from client.engine.queue.saved import QueueSaver, SavedJob
from client.engine.settings import ConnectionSettings, TlsMode
from client.engine.sftp.settings import SftpSettings
from client.ui.dialogs import fit_title

__all__ = ["QueueRestoreOffer", "site_url"]


def site_url(settings: ConnectionSettings | SftpSettings, site_path: str | None = None) -> str:
    """How a saved job names its site: ``site:PATH`` for a saved site, else the URL
    without password (``ftpes://alice@host:21``, ``sftp://alice@host:22``)."""
    if site_path:
        return f"site:{site_path}"
    if isinstance(settings, SftpSettings):
        scheme = "sftp"
    else:
        scheme = {TlsMode.IMPLICIT: "ftps", TlsMode.EXPLICIT: "ftpes"}.get(settings.tls, "ftp")
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    user = "" if settings.user in ("", "anonymous") else quote(settings.user, safe="") + "@"
    return f"{scheme}://{user}{host}:{settings.port}"


class QueueRestoreOffer(QObject):
    """Asks once at start; keeps the accepted jobs until the window connects to their
    site. ``connect_site(url)`` opens a site reference (``site:NAME`` or a URL)."""

    #: jobs were put back into the queue (how many)
    restored = Signal(int)

    def __init__(self, saver: QueueSaver, restore: Callable[[list[SavedJob]], object],
                 connect_site: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self._saver = saver
        self._restore = restore
        self._connect_site = connect_site
        self._parent = parent
        #: sites whose saved jobs were accepted and wait for a connection to them
        self.waiting: list[str] = []
        self.box: QMessageBox | None = None

    def offer(self) -> QMessageBox | None:
        """The question, when an earlier run left jobs (non-modal; None otherwise)."""
        jobs = self._saver.offered
        if not jobs or self.box is not None:
            return None
        sites = sorted({job.site for job in jobs})
        failed = sum(1 for job in jobs if job.state.value == "failed")
        text = (self.tr("Restore 1 queued transfer?") if len(jobs) == 1
                else self.tr("Restore {} queued transfers?").format(len(jobs)))
        detail = self.tr("Left from the last run, for {}.").format(", ".join(sites))
        if failed:
            detail += " " + (self.tr("1 of them had failed.") if failed == 1
                             else self.tr("{} of them had failed.").format(failed))
        detail += " " + self.tr("Downloads continue from their .part files.")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unfinished transfers"),
                          text, QMessageBox.StandardButton.NoButton, self._parent)
        box.setObjectName("restoreQueueBox")
        box.setInformativeText(detail)
        box.setDetailedText("\n".join(f"{job.state.value}: {job.direction} {job.remote_path}"
                                      for job in jobs))
        restore = box.addButton(self.tr("&Restore"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(self.tr("&Discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("&Later"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.buttonClicked.connect(lambda button: self._answered(
            "restore" if button is restore else "discard" if button is discard else "later"))
        fit_title(box)  # the whole title, not cut by the title bar
        box.open()
        self.box = box
        return box

    def _answered(self, answer: str) -> None:
        self.box = None
        if answer == "later":
            return  # stays in the file: offered again at the next start
        if answer == "discard":
            self._saver.take_offered()
            return
        # the jobs stay saved until they are in a queue: closing the window (or a
        # crash) before the connection is made loses none of them
        self.waiting = sorted({job.site for job in self._saver.offered})
        self._connect_site(self.waiting[0])

    def connected(self, site: str) -> None:
        """The window is connected to ``site``: the jobs waiting for it go to the queue."""
        if site not in self.waiting:
            return
        self.waiting.remove(site)
        ready = self._saver.take_offered(site)
        if ready:
            self._restore(ready)
            self.restored.emit(len(ready))
