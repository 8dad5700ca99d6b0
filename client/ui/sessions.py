"""The window's sessions: FTP/FTPS with the certificate dialog's trust, SFTP with the
known-hosts store (the app's file and ``~/.ssh/known_hosts``), the host-key dialog and
the password/passphrase dialog.
The settings' type chooses the engine (:func:`client.engine.queue.factory.new_session`),
so the browsing session and the queue's workers of one site speak the same protocol."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from client.config.known_hosts import KnownHostsStore
from client.engine.events import EventBus
from client.engine.queue.factory import new_session
from client.engine.remotefs import RemoteFileSystem
from client.ui.host_key_dialog import GuiHostKeyAsker
from client.ui.ssh_secret_dialog import GuiSecretAsker

__all__ = ["WindowSessions"]


class WindowSessions:
    """A :data:`~client.ui.connection.SessionFactory` for every protocol."""

    def __init__(self, parent: QWidget | None, *, host_keys: KnownHostsStore | None = None,
                 asker: GuiHostKeyAsker | None = None) -> None:
        self.host_keys = host_keys or KnownHostsStore()
        self.asker = asker or GuiHostKeyAsker(parent)
        #: asks an SSH password or a key's passphrase (kept for the session only)
        self.secret_asker = GuiSecretAsker(parent)

    def __call__(self, settings: Any, bus: EventBus, trust: Any) -> RemoteFileSystem:
        return new_session(settings, bus=bus, trust=trust,
                           pin_store=getattr(trust, "pin_store", None),
                           host_keys=self.host_keys, ask_host_key=self.asker,
                           ask_secret=self.secret_asker)
