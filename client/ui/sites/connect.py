"""Connecting the window to a saved site: the settings a site gives (the password
asked for when the site wants it, an encrypted key's passphrase each time, held only in
those settings), and ``site:NAME`` from the command line.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from client.config.sites import PasswordRequiredError, Site, SiteStore
from client.config.urls import parse_url
from client.engine.sftp.settings import HostKeyPolicy
from client.ui.dialogs import ask_password
from client.ui.sites.sftp_fields import key_needs_passphrase

__all__ = ["settings_for_site", "connect_saved_site", "connect_site"]


async def settings_for_site(window: QWidget, store: SiteStore, site: Site) -> Any:
    """Connection settings (FTP's, or SFTP's for an SFTP site), asking for the password
    when the site wants it. Cancelling that question cancels the connecting task
    (``asyncio.CancelledError``): the window reports no failure for it."""
    def settings_of(site: Site, **password: str) -> Any:
        if site.is_sftp:  # the window asks about an unknown host key
            return store.sftp_settings(site, policy=HostKeyPolicy.ASK, **password)
        return store.connection_settings(site, **password)

    try:
        settings = settings_of(site)
    except PasswordRequiredError:
        # the site and its port: two sites on one host and user (staging beside
        # production) otherwise asked in the same words
        host = f"[{site.host}]" if ":" in site.host else site.host
        password = await ask_password(window, window.tr("Password"), window.tr(
            "Password for {} on {}:{} (site {})").format(site.user, host, site.port, site.name))
        if password is None:  # the person chose not to connect now: no failure to report
            raise asyncio.CancelledError from None
        settings = settings_of(site, password=password)
    if site.is_sftp and site.key_file and settings.key_passphrase is None \
            and key_needs_passphrase(site.key_file):
        # asked each time, held only in these settings: never a file, never QSettings
        passphrase = await ask_password(window, window.tr("Key passphrase"), window.tr(
            "Passphrase of the key {}:").format(site.key_file))
        if passphrase is not None:
            settings = settings.replace(key_passphrase=passphrase)
    return settings


async def connect_saved_site(window: Any, text: str) -> str:
    """``site:NAME`` or ``site:Folder/NAME/path`` from the command line: the same parser
    and lookup as the CLI's (:mod:`client.config`)."""
    reference = parse_url(text if text.startswith("site:") else f"site:{text}").site
    assert reference is not None
    store = SiteStore()
    site, path = store.find_with_path(reference)
    return await connect_site(window, store, site, path)


async def connect_site(window: Any, store: SiteStore, site: Site, path: str | None = None) -> str:
    """Connect the window to a saved site (password asked for when needed), at ``path``
    or the site's default remote folder."""
    settings = await settings_for_site(window, store, site)
    if site.local_dir and Path(site.local_dir).is_dir():
        window.local_pane.set_folder(Path(site.local_dir))
    window.transfers.set_concurrency(site.connection_limit)
    window.queue.concurrency.setValue(site.connection_limit)
    window.remember_site(store, site)  # "Apply to this site" in Diagnose saves here too
    return await window.connect_to(settings, path or site.remote_dir or None)
