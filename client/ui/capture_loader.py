"""File → Open capture… and dropping a capture file on the window.

The capture is read in a worker thread (``asyncio.to_thread``; the thread touches no Qt
object, it only stores its progress in a plain tuple that a timer on the Qt thread
shows). The analysis's events are then emitted on an event bus of their own whose clock
starts at the capture's first packet, through the window's one bridge: the console, the
ladder, the data-channel table and the status bar show them as they would a session.
The verdict goes to the console and the diagram as notes, and to a small dialog. A
capture opened while the tab shown has a session (or another capture) gets a new tab.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from client.engine.capture import CaptureAnalysis, CaptureError, analyze_capture
from client.engine.events import EventBus, Notice
from client.protocol.annotate import Severity
from client.protocol.text import escape_control
from client.ui.dialogs import fit_title

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["CaptureLoader", "CAPTURE_SUFFIXES"]

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".dmp", ".pcap.gz", ".pcapng.gz")
_SHOW_PROGRESS_FROM = 20 * 1024 * 1024  # bytes: smaller files open before a bar would help


class _Cancelled(Exception):
    """Raised inside the worker thread when the person pressed Cancel."""


def is_capture_name(name: str) -> bool:
    return name.lower().endswith(CAPTURE_SUFFIXES)


class CaptureLoader(QObject):
    """Opens captures into the window. ``last_analysis`` and ``last_message`` keep the
    latest result for the person (and for tests)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last_analysis: CaptureAnalysis | None = None
        self.last_message: str | None = None
        self.dialog: QMessageBox | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._progress: tuple[int, int] = (0, 0)
        self._cancelled = False
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    # -- entry points ------------------------------------------------------------------

    def choose_file(self) -> None:
        chooser = QFileDialog(self.window, self.window.tr("Open capture"))
        chooser.setObjectName("openCaptureDialog")
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        chooser.setNameFilters([self.window.tr("Packet captures (*.pcap *.pcapng *.cap *.gz)"),
                                self.window.tr("All files (*)")])
        chooser.fileSelected.connect(self.open_path)
        chooser.open()
        self.chooser = chooser

    def open_path(self, path: str) -> asyncio.Task[None]:
        return self.window.spawn(self.load(Path(path)), doing=self.window.tr("Opening the capture"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() in (QEvent.Type.DragEnter,
                                                       QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent)
            if self._dropped_capture(event) is not None:
                event.acceptProposedAction()
                return True
        elif watched is self.window and event.type() == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            path = self._dropped_capture(event)
            if path is not None:
                event.acceptProposedAction()
                self.open_path(path)
                return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _dropped_capture(event: QDropEvent) -> str | None:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and is_capture_name(url.toLocalFile()):
                return url.toLocalFile()
        return None

    # -- loading ------------------------------------------------------------------------

    def _on_progress(self, done: int, total: int) -> None:
        """Called in the worker thread: store, never touch Qt."""
        if self._cancelled:
            raise _Cancelled()
        self._progress = (done, total)

    def _show_progress(self, path: Path) -> QTimer | None:
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if size < _SHOW_PROGRESS_FROM:
            return None
        dialog = QProgressDialog(self.window.tr("Reading {}…").format(path.name),
                                 self.window.tr("Cancel"), 0, 1000, self.window)
        dialog.setObjectName("captureProgress")
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(self._cancel)
        self.progress_dialog = dialog
        timer = QTimer(self)

        def tick() -> None:
            if dialog.wasCanceled():
                self._cancelled = True
            done, total = self._progress
            if total:
                dialog.setValue(min(999, int(done * 1000 / total)))

        timer.timeout.connect(tick)
        timer.start(100)
        return timer

    def _cancel(self) -> None:
        self._cancelled = True

    async def load(self, path: Path) -> None:
        """Read ``path`` off the Qt thread, then show it; errors become a message."""
        self._cancelled = False
        self._progress = (0, 0)
        timer = self._show_progress(path)
        try:
            analysis = await asyncio.to_thread(analyze_capture, path, self._on_progress)
        except _Cancelled:
            self.last_message = self.window.tr("Reading the capture was cancelled.")
            return
        except CaptureError as error:
            self._tell(self.window.tr("This file cannot be analysed"),
                       escape_control(error.message), QMessageBox.Icon.Warning)
            return
        finally:
            if timer is not None:
                timer.stop()
            if self.progress_dialog is not None:
                self.progress_dialog.close()
                self.progress_dialog = None
        self.show(analysis)

    def show(self, analysis: CaptureAnalysis) -> None:
        """Feed the analysis through the window's bridge, then say the verdict."""
        self.last_analysis = analysis
        tabs = getattr(self.window, "tabs", None)
        if tabs is not None:
            tab = tabs.current
            if tab.connection.settings is not None or tab.capture_name is not None:
                # a tab with a session (or another capture) keeps its own console and
                # diagram: the capture gets a tab of its own
                tab = tabs.new_tab()
            tab.capture_name = Path(analysis.path).name
            tab.changed.emit()
        dock = self.window.inspector_dock
        panel = getattr(dock, "panel", None)
        if dock is not None and panel is not None:
            panel.new_session()  # a fresh diagram for the capture
            dock.show()
        bus = EventBus(origin=0.0, wall_origin=analysis.wall_origin)
        bridge = self.window.bridge
        while bridge.backlog:  # the window's own events go where they belong first
            bridge.flush()
        # the capture's connection names ("c1" …) are its own: it all goes to the tab shown
        diverted = tabs.router.diverted_to(tabs.current) if tabs is not None \
            else contextlib.nullcontext()
        unsubscribe = bridge.observe(bus)
        with diverted:
            try:
                for event in analysis.events:
                    bus.emit(event)
                judgement = analysis.judgement
                verdict = judgement.verdict
                last_t = analysis.events[-1].t if analysis.events else 0.0
                severity = Severity.INFO if verdict.key == "healthy" else Severity.ERROR
                bus.emit(Notice(t=last_t, connection="c1", severity=severity, kind="verdict",
                                text=f"capture verdict: {verdict.headline} [{verdict.key}]. "
                                     f"{verdict.explanation}"))
                bus.emit(Notice(t=last_t, connection="c1", severity=Severity.INFO,
                                kind="verdict", text="what this capture cannot show: "
                                + "; ".join(judgement.limits)))
                while bridge.backlog:  # delivered while the tab shown is the target
                    bridge.flush()
            finally:
                unsubscribe()
        self.window.setWindowTitle(f"{Path(analysis.path).name} — capture — FTP Inspector")
        lines = [verdict.explanation]
        if verdict.fixes:
            lines.append("")
            lines += [f"• {fix}" for fix in verdict.fixes]
        self._tell(verdict.headline, "\n".join(escape_control(line) for line in lines),
                   QMessageBox.Icon.Information if verdict.key == "healthy"
                   else QMessageBox.Icon.Warning,
                   details="\n".join(["What this capture cannot show:", *judgement.limits,
                                      "", analysis.summary()]))

    def _tell(self, title: str, text: str, icon: QMessageBox.Icon, details: str = "") -> None:
        self.last_message = f"{title}: {text}"
        box = QMessageBox(icon, self.window.tr("Capture"), title, QMessageBox.StandardButton.Ok,
                          self.window)
        box.setObjectName("captureVerdict")
        box.setInformativeText(text)
        if details:
            box.setDetailedText("\n".join(escape_control(line) for line in details.split("\n")))
        box.setModal(False)
        fit_title(box)  # the whole title, not cut by the title bar
        box.open()
        self.dialog = box
