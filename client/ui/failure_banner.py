"""Operations run on the qasync loop, and a failed one shown in its pane's banner: the message written for the person
debugging the link, "Why?" tied to the console line of that operation, and the one
action that may help (Reconnect, or Connect with SFTP when the FTP port speaks SSH)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject

from client.engine.diagnose.model import SftpOffer
from client.engine.errors import (
    CertificateError,
    ConnectionLostError,
    ControlTimeoutError,
    FtpError,
)
from client.engine.sftp.errors import ChangedHostKeyError
from client.ui.bridge import EngineBridge
from client.ui.error_text import describe_error
from client.ui.host_key_dialog import GuiHostKeyAsker
from client.ui.hung_listing import HungListingAssistant
from client.ui.sftp_offer import sftp_offer_for_error
from client.ui.tabs.manager import TabManager

__all__ = ["FailureBanner", "Spawn", "TaskRunner", "reconnect_may_help"]

#: ``TaskRunner.spawn``: run a coroutine; a failure shows in ``pane``'s banner
Spawn = Callable[..., "asyncio.Task[Any]"]

log = logging.getLogger(__name__)


def reconnect_may_help(exc: BaseException) -> bool:
    """A lost or silent connection, or a certificate the person refused (connecting
    again asks again); not a pinned certificate that changed (it would fail the same)."""
    if isinstance(exc, CertificateError):
        return exc.expected_fingerprint is None
    return isinstance(exc, ConnectionLostError | ControlTimeoutError)


class FailureBanner(QObject):
    """Shows failures in the banner of the pane that started the operation."""

    def __init__(self, bridge: EngineBridge, tabs: TabManager, host_keys: GuiHostKeyAsker,
                 hung_listing: HungListingAssistant, *, reconnect: Callable[[], None],
                 offer_sftp: Callable[[SftpOffer], None], parent: QObject) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.tabs = tabs
        self.host_keys = host_keys
        self.hung_listing = hung_listing
        self.reconnect = reconnect
        self.offer_sftp = offer_sftp
        #: the last failure's text (the self-test reports it)
        self.last_error: str | None = None

    def show(self, exc: BaseException, *, pane: Any, doing: str = "",
             since: float | None = None) -> None:
        """Show ``exc`` in ``pane``'s banner. ``since`` (the bus clock when the failed
        operation began) ties the banner's "Why?" to a line of that operation: the
        failing reply (matched by its code when the error carries one), else its
        newest error or line; no "Why?" when it logged nothing. Without ``since`` the
        newest error line anywhere is used."""
        log.debug("operation failed", exc_info=exc)
        self.bridge.flush()  # the failing lines are in the console before "Why?" is offered
        tab = next((t for t in self.tabs.tabs() if t.remote_pane is pane), self.tabs.current)
        model = tab.console.model
        if since is not None:
            code = exc.reply_code if isinstance(exc, FtpError) else None
            seq = model.line_for_failure(since, code)
        else:
            seq = model.last_error_seq
            if seq is None and model.lines():
                seq = model.seq_of_row(model.rowCount() - 1) if model.rowCount() else None
        self.last_error = describe_error(exc, doing=doing)
        if isinstance(exc, ChangedHostKeyError):  # the strong warning, beside the banner
            asyncio.ensure_future(self.host_keys.show_changed(exc))
        if self.hung_listing.handles(exc, pane):
            self.hung_listing.show(exc, seq, pane)
            return
        action = None
        offer = sftp_offer_for_error(exc, tab.connection.settings)
        if offer is not None:
            action = (self.tr("Connect with SFTP"), lambda: self.offer_sftp(offer))
        elif reconnect_may_help(exc) and tab.connection.settings is not None:
            action = (self.tr("Reconnect"), self.reconnect)
        pane.banner.show_message(self.last_error, seq=seq, action=action)


class TaskRunner:
    """Runs the window's operations as tasks; a failure goes to ``report`` with the
    pane that started it, what was being done, and the bus clock when it began."""

    def __init__(self, clock: Callable[[], float], report: Callable[..., None],
                 default_pane: Callable[[], Any]) -> None:
        self.clock = clock
        self.report = report
        self.default_pane = default_pane
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], *, pane: Any = None,
              doing: str = "") -> asyncio.Task[Any]:
        started = self.clock()
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self.tasks.discard(t)
            if t.cancelled():
                return
            exc = t.exception()
            if exc is not None:
                self.report(exc, pane=pane or self.default_pane(), doing=doing, since=started)

        task.add_done_callback(done)
        return task

    def cancel_all(self) -> None:
        for task in list(self.tasks):
            task.cancel()
