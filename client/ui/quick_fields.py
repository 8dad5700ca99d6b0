"""What the quickconnect fields hold, per connection tab.

The quickconnect bar is one for the window, but each tab has its own server: when the
person switches tabs the fields show the tab's host, user, port and protocol (a tab that
never connected gets back what was typed there, or empty fields), so Connect never
opens the other tab's server by mistake. A value: the fields of one moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from client.engine.settings import ConnectionSettings
from client.engine.sftp.settings import SftpSettings
from client.ui.quickconnect import SFTP_CHOICE, QuickConnectBar

__all__ = ["QuickFields", "read_fields", "show_fields", "fields_of"]


@dataclass(frozen=True)
class QuickFields:
    """The four fields and the protocol choice (its data: a TLS mode or SFTP)."""

    host: str = ""
    user: str = ""
    password: str = ""
    port: int = 0
    protocol: object = None  # None: leave the choice as it is


EMPTY = QuickFields()


def read_fields(bar: QuickConnectBar) -> QuickFields:
    return QuickFields(bar.host.text(), bar.user.text(), bar.password.text(),
                       bar.port.value(), bar.tls.currentData())


def show_fields(bar: QuickConnectBar, fields: QuickFields) -> None:
    # the password (masked, never in the history) belongs to these fields' server only
    bar.fill_fields(fields.host, fields.user, fields.password, fields.port, fields.protocol)


def fields_of(settings: ConnectionSettings | SftpSettings) -> QuickFields:
    """The fields that connect to ``settings`` again (anonymous shows as an empty User,
    as the history does)."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    anonymous = settings.user in ("", "anonymous")
    password = "" if anonymous else (settings.password or "")
    protocol = SFTP_CHOICE if isinstance(settings, SftpSettings) else settings.tls
    return QuickFields(host, "" if anonymous else settings.user, password, settings.port,
                       protocol)
