"""The remote pane's hung-listing assistant: when a listing's data connection fails, the
inspector's banner (``client.ui.inspector.hung_banner``, when installed) explains it in
the pane, and its buttons act here: retry in the other mode, dial the control address
instead of the 227 address, list over the control connection (STAT), or run Diagnose.

The banner can also come early (``show_early``): while the listing still waits for a
data connection that made no progress for a few seconds. Its buttons then first cancel
that listing (ABOR, session kept) so they act at once instead of after the data timeout.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from client.engine.errors import DataChannelError
from client.engine.settings import TransferMode
from client.protocol.addresses import PasvPolicy
from client.ui.inspector.hung_banner import HungListingBanner

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["HungListingAssistant"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Failure:
    """A failed listing's banner, kept for its tab while another tab is shown."""

    error: DataChannelError
    console_row: int | None
    path: str | None


class HungListingAssistant:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.banner: HungListingBanner | None = None
        self.failed_path: str | None = None
        self.stuck_task: Any = None  # the listing still hanging when shown early
        self.stuck_arrow: Any = None  # its data connection (a ladder DataArrow)
        self._shown: _Failure | None = None  # the failure the banner tells now
        self._waiting: dict[int, _Failure] = {}  # by id of a remote pane not shown
        # the early banner's "waiting N s" counts on, as the diagram's arrow does: a
        # number frozen at the moment it was shown would contradict the diagram
        self._ticker = QTimer(window)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.refresh_waiting)
        pane = window.remote_pane
        self.banner = HungListingBanner(pane)
        pane.layout().insertWidget(2, self.banner)
        self.banner.retry_active_requested.connect(lambda: self._retry(TransferMode.ACTIVE))
        self.banner.retry_passive_requested.connect(lambda: self._retry(TransferMode.PASSIVE))
        self.banner.use_control_address_requested.connect(self._use_control_address)
        self.banner.stat_listing_requested.connect(self._stat_listing)
        self.banner.diagnose_requested.connect(self._diagnose)
        self.banner.why_requested.connect(window.show_console_line)
        self.banner.log_requested.connect(self.show_log_file)

    def handles(self, exc: BaseException, pane: Any) -> bool:
        return (self.banner is not None and isinstance(exc, DataChannelError)
                and any(tab.remote_pane is pane for tab in self.window.tabs.tabs()))

    def show(self, exc: DataChannelError, seq: int | None, pane: Any = None) -> None:
        """Explain a failed listing of ``pane`` (default: the tab shown); in a tab not
        shown, it waits there until that tab is shown."""
        if pane is not None and pane is not self.window.remote_pane:
            tab = next(t for t in self.window.tabs.tabs() if t.remote_pane is pane)
            self._waiting[id(pane)] = _Failure(exc, seq, tab.remote_actions.pending_path)
            return
        self._show_failure(_Failure(exc, seq, self.window.remote_actions.pending_path))

    def _show_failure(self, failure: _Failure) -> None:
        self.stuck_task = None
        self.stuck_arrow = None
        self._ticker.stop()
        self.failed_path = failure.path
        command = f"LIST {self.failed_path}" if self.failed_path else None
        self.window.remote_pane.banner.hide()
        self.banner.show_for_error(failure.error, command=command,
                                   console_row=failure.console_row,
                                   control_host=self._control_host())
        self._shown = failure
        self._offer_log()

    def _offer_log(self) -> None:
        """The failing connection's session log, for the banner's "Session log" link."""
        path = self.window.session_log.file_for(self.window.connection.connection_id)
        self.banner.set_log_file(str(path) if path is not None else None)

    def show_log_file(self, path: str) -> None:
        """Open the log's folder and put the file's path on the clipboard."""
        QGuiApplication.clipboard().setText(path)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))

    def _control_host(self) -> str | None:
        """The address the browsing session's control connection reached."""
        session = self.window.connection.session
        server = session.server if session is not None else None
        return server.host if server is not None else None

    def show_early(self, arrow: Any, now: float) -> bool:
        """The listing's data connection (a ladder ``DataArrow``) is not moving: say so
        now, before the engine's data timeout fails it."""
        if self.banner is None:
            return False
        self.failed_path = self.window.remote_actions.pending_path
        self._shown = None
        self.window.remote_pane.banner.hide()
        shown = bool(self.banner.show_for_arrow(arrow, now, control_host=self._control_host()))
        if shown:
            self._offer_log()
            self.stuck_task = self.window.connection.current_task
            self.stuck_arrow = arrow
            self._ticker.start()
        return shown

    def refresh_waiting(self, now: float | None = None) -> None:
        """Bring the early banner's waiting time up to ``now`` (default: the session
        clock); stop once the listing or its data connection is no longer waiting."""
        arrow, task = self.stuck_arrow, self.stuck_task
        dock = self.window.inspector_dock
        model = getattr(dock, "model", None)
        if arrow is not None and model is not None:  # the model replaces arrows as they move
            latest = model.data_arrow(arrow.channel)
            if latest is not None and latest.connection == arrow.connection:
                arrow = self.stuck_arrow = latest
        still = (self.banner is not None and self.banner.isVisible() and arrow is not None
                 and getattr(arrow, "waiting_for", None) is not None
                 and (task is None or not task.done()))
        if not still:
            self._ticker.stop()
            return
        if now is None:  # the diagram's clock, so both show the same number
            ladder = getattr(dock, "ladder", None)
            now = ladder.now() if ladder is not None else self.window.bus.now()
        self.banner.show_for_arrow(arrow, now, console_row=self.banner.console_row,
                                   control_host=self._control_host())

    def move_to(self, pane: Any) -> None:
        """Another connection tab is shown: the banner goes to its remote pane. A
        failure it told waits for its tab; the new tab's own failure, if any, shows."""
        if self.banner is None or self.banner.parent() is pane:
            return
        old = self.banner.parent()
        if self._shown is not None and not self.banner.isHidden() and old is not None:
            self._waiting[id(old)] = self._shown
        self.hide()
        pane.layout().insertWidget(2, self.banner)
        waiting = self._waiting.pop(id(pane), None)
        if waiting is not None:
            self._show_failure(waiting)

    def no_longer_applies(self, pane: Any) -> None:
        """``pane``'s listing failure is over (in the tab shown or not): it shows a new
        listing, or its connection is gone (the banner's buttons needed it)."""
        if pane is self.window.remote_pane:
            self.hide()
        else:
            self._waiting.pop(id(pane), None)

    def forget(self, pane: Any) -> None:
        """``pane``'s tab is closed."""
        self._waiting.pop(id(pane), None)

    def hide_if_over(self) -> None:
        """F5 retries: a banner about a listing that has ended goes until the retry's
        outcome (one about a listing still hanging stays, with its buttons)."""
        if self.stuck_task is None or self.stuck_task.done():
            self.hide()

    def hide(self) -> None:
        self.stuck_task = None
        self.stuck_arrow = None
        self._shown = None
        self._ticker.stop()
        if self.banner is not None:
            self.banner.hide()

    def _stop_stuck_listing(self) -> None:
        task, self.stuck_task = self.stuck_task, None
        if task is not None and not task.done():
            task.cancel()

    # -- the buttons -----------------------------------------------------------------------
    def _browse_again(self, doing: str) -> None:
        w = self.window
        w.spawn(w.remote_actions.browse(self.failed_path), pane=w.remote_pane, doing=doing)

    def _retry(self, mode: TransferMode) -> None:
        self._stop_stuck_listing()
        self.hide()
        self.window.set_mode(mode)
        self._browse_again(self.window.tr("Listing again in {} mode").format(mode.value))

    def _use_control_address(self) -> None:
        self._stop_stuck_listing()
        self.hide()
        w = self.window
        settings = w.connection.settings
        if settings is None:
            return
        w.spawn(w.connect_to(settings.replace(pasv_policy=PasvPolicy.CONTROL), self.failed_path),
                pane=w.remote_pane, doing=w.tr("Reconnecting with the control address"))

    def _stat_listing(self) -> None:
        self._stop_stuck_listing()
        self.hide()
        w = self.window
        path = self.failed_path or w.remote_pane.current_path or "/"

        async def run() -> None:
            listing = await w.connection.stat_listing(path)
            w.remote_pane.show_listing(path, list(listing.entries))
            w.remote_pane.banner.show_message(
                w.tr("Listed over the control connection (STAT): no data connection was used."),
                severity="info")

        w.spawn(run(), pane=w.remote_pane, doing=w.tr("Listing over the control connection"))

    def _diagnose(self) -> None:
        # The wizard is not modal: a failed listing's explanation stays in the pane while
        # it runs and after it closes (Apply lists again, which replaces it). A listing
        # still hanging is stopped now (the diagnosis needs the server's attention); its
        # banner stays, saying so, else the pane would be left empty with nothing to say
        # why, and its buttons still retry the same folder.
        if self.stuck_task is not None:
            self._stop_stuck_listing()
            self.stuck_arrow = None
            self._ticker.stop()
            if self.banner is not None and self.banner.isVisible():
                self.banner.mark_stopped(self.window.tr(
                    "Listing stopped so that Diagnose can run."))
        self.window.run_diagnose()
