"""The Diagnose wizard and the early hung-listing banner in the main window.

``install_diagnose(window)`` adds the "Diagnose…" action (toolbar and Inspector menu),
sets ``window.run_diagnose`` (what the hung-listing banner's "Run Diagnose" calls), and
connects the inspector panel's ``data_connection_hung`` signal: a listing whose data
connection has made no progress for ~3 s brings up the banner right away instead of
after the engine's data timeout.

"Apply to this site" (:func:`apply_recommendation`) changes the open connection's
settings so the next data connection uses them: a mode change is applied in place
(``window.set_mode``); a different PASV address policy, EPSV/EPRT choice or STAT
fallback needs a new login, so the window reconnects to the folder it shows. When the
session was opened from the site manager, the saved site's mode and PASV policy are
updated too (the only two of these a saved site keeps).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from shiboken6 import isValid

from client.engine.diagnose.model import Recommendation
from client.engine.ladder import DataArrow
from client.engine.settings import ConnectionSettings, TlsMode
from client.ui.inspector.diagnose_wizard import DiagnoseWizard

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["install_diagnose", "open_diagnose", "apply_recommendation", "show_hung_listing_early",
           "with_pinned_certificates", "LISTING_COMMANDS"]

log = logging.getLogger(__name__)

#: Data commands that are a directory listing (the banner is for listings only).
LISTING_COMMANDS = frozenset({"LIST", "MLSD", "NLST"})


def install_diagnose(window: MainWindow) -> QAction:
    """The Diagnose action in the toolbar and the Inspector menu; returns it."""
    action = QAction(window.tr("&Diagnose…"), window)
    action.setObjectName("diagnoseAction")
    action.setShortcut(QKeySequence("Ctrl+Shift+D"))
    action.setToolTip(window.tr("Try every way of opening a data connection and say which "
                                "side blocks"))
    action.triggered.connect(window.run_diagnose)
    window.add_toolbar_action(action, menu="&Inspector")
    if window.inspector_dock is not None:
        window.inspector_dock.data_connection_hung.connect(
            lambda arrow: show_hung_listing_early(window, arrow))
    return action


def open_diagnose(window: MainWindow) -> DiagnoseWizard:
    """Show the wizard for the current site and folder (raise it if already open for the
    tab shown: each tab has its own)."""
    tabs = getattr(window, "tabs", None)
    diagnosed = tabs.current if tabs is not None else None
    wizard = diagnosed.diagnose_wizard if diagnosed is not None else window.diagnose_wizard
    # a finished wizard deletes itself; the attribute then names a dead C++ object
    if wizard is not None and isValid(wizard) and wizard.isVisible():
        wizard.raise_()
        wizard.activateWindow()
        return wizard
    settings = with_pinned_certificates(window, window.connection.settings)
    path = window.remote_pane.current_path or None
    failed = getattr(window.hung_listing, "failed_path", None)
    if window.hung_listing.banner is not None and window.hung_listing.banner.isVisible():
        path = failed or path

    async def apply(recommendation: Recommendation) -> str:
        # the wizard is not modal: another tab may be shown by now; Apply is for the
        # tab that was diagnosed, shown again so its relisting is seen
        if tabs is not None and diagnosed is not None and diagnosed is not tabs.current:
            if diagnosed not in tabs.tabs():
                raise RuntimeError(window.tr("the tab that was diagnosed is closed"))
            tabs.widget.set_current(diagnosed)
        return await apply_recommendation(window, recommendation)

    wizard = DiagnoseWizard(settings, path, window, apply=apply)
    wizard.sftp_requested.connect(window.offer_sftp)
    wizard.finished.connect(wizard.deleteLater)
    window.closed.connect(wizard.cancel)  # the app is quitting: stop the run too
    if diagnosed is not None:
        diagnosed.diagnose_wizard = wizard
    wizard.show()
    return wizard


def with_pinned_certificates(window: MainWindow,
                             settings: ConnectionSettings | None) -> ConnectionSettings | None:
    """The settings plus the certificates the user accepted in this app (the pin store):
    the diagnosis cannot ask about a certificate, so without them every row of a site
    with a self-signed certificate would fail at login."""
    pin_store = getattr(getattr(window, "trust", None), "pin_store", None)
    if settings is None or pin_store is None or settings.tls is TlsMode.OFF:
        return settings
    try:
        pins = pin_store.pins_for(settings.host, settings.port)
    except (OSError, ValueError) as error:
        log.warning("the pinned certificates could not be read: %s", error)
        return settings
    if not pins or pins <= settings.pinned_fingerprints:
        return settings
    return settings.replace(pinned_fingerprints=settings.pinned_fingerprints | pins)


def _saved_site_for(window: MainWindow, settings: ConnectionSettings) -> tuple[Any, Any] | None:
    """(store, site) when the open session came from the site manager."""
    origin = getattr(window, "current_site", None)
    if not origin:
        return None
    store, site = origin
    if site.host != settings.host or int(site.port) != settings.port:
        return None  # connected elsewhere since
    return store, site


async def apply_recommendation(window: MainWindow, recommendation: Recommendation) -> str:
    """Make the next data connection use ``recommendation``; returns what changed."""
    settings = window.connection.settings
    if settings is None:
        raise RuntimeError("no site is open: connect first, then apply")
    changes = recommendation.changes()
    updated = settings.replace(**changes)
    saved = _saved_site_for(window, settings)
    site_note = ""
    if saved is not None:
        store, site = saved
        new_site = site.replace(mode=recommendation.mode.value,
                                pasv_policy=recommendation.pasv_policy.value)
        if recommendation.commands is not None:  # None: the user's choice stays
            new_site = new_site.replace(commands=recommendation.commands.value)
        store.upsert(new_site)
        window.remember_site(store, new_site)
        site_note = window.tr(" Saved in the site “{}”.").format(site.path)
    # mode and command family apply to the next data connection without a new login
    next_connection_only = ("mode", "use_epsv", "use_eprt")
    needs_login = any(getattr(settings, name) != value for name, value in changes.items()
                      if name not in next_connection_only)
    what = recommendation.text or recommendation.mode.value
    window.set_mode(recommendation.mode)
    if recommendation.commands is not None:
        window.set_commands(recommendation.commands)
    # the folder shown, else the one whose listing failed (the pane is empty then);
    # None lists the login folder
    path = window.remote_pane.current_path or window.hung_listing.failed_path or None
    if needs_login and window.connection.is_connected:
        await window.connect_to(updated, path)
        return window.tr("Applied: {}. Reconnected with the new settings.{}").format(
            what, site_note)
    window.connection.settings = updated
    if not window.connection.is_connected:
        return window.tr("Applied: {}. The next data connection uses it.{}").format(
            what, site_note)
    # list again with it: the pane was left empty by the failed listing
    window.hung_listing.hide()
    window.spawn(window.remote_actions.browse(path), pane=window.remote_pane,
                 doing=window.tr("Listing again"))
    return window.tr("Applied: {}. Listing the folder again with it.{}").format(what, site_note)


def show_hung_listing_early(window: MainWindow, arrow: DataArrow) -> bool:
    """Show the hung-listing banner for a listing of the browsing session whose data
    connection stopped making progress; False when the arrow is not that."""
    assistant = window.hung_listing
    session = window.connection.session
    if assistant.banner is None or session is None:
        return False
    if arrow.connection != session.connection_id:
        return False  # a queue worker's transfer, or a diagnosis
    verb = arrow.command.split(" ", 1)[0].upper()
    if verb not in LISTING_COMMANDS:
        return False
    dock = window.inspector_dock
    now = dock.ladder.now() if dock is not None else arrow.last_progress_t
    show_early = getattr(assistant, "show_early", None)
    if callable(show_early):
        return bool(show_early(arrow, now))
    window.remote_pane.banner.hide()
    return assistant.banner.show_for_arrow(arrow, now)
