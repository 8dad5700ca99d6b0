"""The quickconnect password belongs to one server: the protocol, host, port and user it
was typed or filled for. When any of them changes the field is emptied, so a password
left from one connection (the demo server's, a saved site's, another tab's) is never
sent to a different server — an ``sftp://`` address typed over an FTP one would
otherwise have handed the FTP password to the SSH server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox

from client.config.urls import parse_target
from client.engine.schemes import Protocol, default_port
from client.engine.settings import TlsMode

__all__ = ["Destination", "destination_of", "PasswordScope"]


@dataclass(frozen=True)
class Destination:
    """Where the fields would connect: who receives the password."""

    protocol: object  # a TlsMode (FTP) or Protocol.SFTP
    host: str
    port: int
    user: str


def destination_of(host_text: str, user_text: str, port: int, choice: object) -> Destination:
    """The server the fields name, by the rules the bar connects with (a URL's scheme
    wins over the choice; the port field over the URL's; the User field over the URL's).
    Half-typed text is its own destination: any later edit is another one."""
    try:
        target = parse_target(host_text, sftp=True)
    except ValueError:
        return Destination(None, host_text.strip(), port, user_text.strip())
    sftp = target.is_sftp or (not target.scheme and choice is Protocol.SFTP)
    user = user_text.strip() or target.user or ""
    if sftp:
        return Destination(Protocol.SFTP, target.host.lower(),
                           port or target.port or default_port(Protocol.SFTP), user)
    tls = target.tls if target.tls is not None else (
        choice if isinstance(choice, TlsMode) else TlsMode.AUTO)
    return Destination(tls, target.host.lower(), port or target.effective_port(tls),
                       user or "anonymous")


class PasswordScope(QObject):
    """Watches the bar's fields and empties the password when its server changes.

    A password being typed into a form not yet sent is *pending*: the person is still
    filling in Host, User, Password and Port in any order, for the one server they have
    in mind. From the moment it is used (Connect) or filled with the other fields (a
    URL, a tab's server, a history entry) it belongs to that server."""

    def __init__(self, host: QLineEdit, user: QLineEdit, password: QLineEdit,
                 port: QSpinBox, protocol: QComboBox) -> None:
        super().__init__(password)
        self._fields = (host, user, password, port, protocol)
        self._owner: Destination | None = None
        self._pending = False
        self._filling = False
        host.textChanged.connect(self._check)
        user.textChanged.connect(self._check)
        port.valueChanged.connect(self._check)
        protocol.currentIndexChanged.connect(self._check)
        password.textChanged.connect(self._typed)  # typed, or set by a program

    def destination(self) -> Destination:
        host, user, _password, port, protocol = self._fields
        return destination_of(host.text(), user.text(), port.value(), protocol.currentData())

    def password_for(self, destination: Destination) -> str:
        """The field's password if it was given for ``destination`` (or is still being
        typed with the form), else ""."""
        password = self._fields[2].text()
        return password if password and (self._pending or self._owner == destination) \
            else ""

    def commit(self) -> None:
        """The form was sent: its password belongs to the server it named."""
        self._owner, self._pending = self.destination(), False

    @contextlib.contextmanager
    def filling(self) -> Iterator[None]:
        """Several fields set together (a URL, a tab's server, a history entry): the
        password set with them belongs to the destination they name together."""
        self._filling = True
        try:
            yield
        finally:
            self._filling = False
            self.commit()

    def _typed(self, _text: str) -> None:
        if not self._filling:
            self._pending = True

    def _check(self, *_args: object) -> None:
        if self._filling or self._pending:
            return
        password = self._fields[2]
        if password.text() and self.destination() != self._owner:
            password.clear()
            self._pending = False
