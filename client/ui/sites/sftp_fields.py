"""The Site Manager's SFTP part: the key file (a path only: the key stays where it is,
and its passphrase is asked for or kept in the keyring, never in the sites file) and
"use the SSH agent"; and the rule that FTP's data-connection settings are greyed out
for an SFTP site, with a tooltip saying why.

The Protocol choice of the form holds the TLS modes of FTP and, last, SFTP: one combo
answers "what does this site speak" (:func:`protocol_choice`).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from client.config.sites import Site
from client.engine.schemes import Protocol
from client.engine.settings import TlsMode

__all__ = ["SFTP_CHOICE", "SftpFields", "protocol_choice", "site_protocol_changes",
           "NO_DATA_CONNECTIONS", "default_port_for", "set_ftp_only",
           "key_needs_passphrase"]

#: the Protocol combo's value for SFTP (the others are TlsMode values)
SFTP_CHOICE = Protocol.SFTP.value
NO_DATA_CONNECTIONS = QT_TRANSLATE_NOOP(
    "SftpFields",
    "SFTP has no data connections: every listing and transfer travels inside the one SSH "
    "connection, so there is no passive or active mode, no PASV/PORT and no port range "
    "to open")


def protocol_choice(site: Site) -> str:
    """What the Protocol combo shows for ``site``."""
    return SFTP_CHOICE if site.is_sftp else site.tls


def site_protocol_changes(choice: str, site: Site) -> dict[str, object]:
    """The Site fields the Protocol combo sets (SFTP keeps the site's TLS mode aside)."""
    if choice == SFTP_CHOICE:
        return {"protocol": Protocol.SFTP.value, "tls": site.tls}
    return {"protocol": Protocol.FTP.value, "tls": choice}


def key_needs_passphrase(path: str) -> bool:
    """Whether the key file is encrypted (reading it without a passphrase fails so);
    a missing or unreadable file is not: the engine reports it when connecting."""
    from client.engine.sftp.handshake import load_key_files

    keys = load_key_files((path,), None)
    return bool(keys) and keys[0].keypair is None and "encrypted" in (keys[0].problem or "")


def default_port_for(choice: str) -> int:
    if choice == SFTP_CHOICE:
        return 22
    return 990 if choice == TlsMode.IMPLICIT.value else 21


class SftpFields(QObject):
    """The key-file row (a line and Browse…) and the agent check box of the form."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.row = QWidget(parent)
        self.key_file = QLineEdit(self.row)
        self.key_file.setObjectName("sftpKeyFile")
        self.key_file.setAccessibleName(self.tr("Key file"))
        self.key_file.setPlaceholderText(self.tr("e.g. ~/.ssh/id_ed25519 (optional)"))
        self.key_file.setToolTip(self.tr(
            "The private key to log on with. Only its path is saved; when it has a "
            "passphrase, you are asked for it when connecting."))
        self.browse = QPushButton(self.tr("Browse…"), self.row)
        self.browse.setObjectName("sftpKeyFileBrowse")
        self.browse.setAccessibleName(self.tr("Choose the key file"))
        self.browse.clicked.connect(lambda _checked=False: self.choose_key_file())
        layout = QHBoxLayout(self.row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.key_file, 1)
        layout.addWidget(self.browse)
        self.use_agent = QCheckBox(self.tr("Use the SSH agent"), parent)
        self.use_agent.setObjectName("sftpUseAgent")
        self.use_agent.setAccessibleName(self.tr("Use the SSH agent"))
        self.use_agent.setToolTip(self.tr(
            "Offer the keys of the running SSH agent (SSH_AUTH_SOCK) before the password"))
        self.dialog: QFileDialog | None = None

    def show_site(self, site: Site) -> None:
        self.key_file.setText(site.key_file)
        self.use_agent.setChecked(site.use_agent)

    def changes(self) -> dict[str, object]:
        return {"key_file": self.key_file.text().strip(),
                "use_agent": self.use_agent.isChecked()}

    def set_sftp(self, sftp: bool) -> None:
        for widget in (self.key_file, self.browse, self.use_agent):
            widget.setEnabled(sftp)
        tip = "" if sftp else self.tr("Only for SFTP sites (choose SFTP as the protocol)")
        self.row.setToolTip(tip)
        self.use_agent.setToolTip(tip or self.tr(
            "Offer the keys of the running SSH agent (SSH_AUTH_SOCK) before the password"))

    def choose_key_file(self) -> QFileDialog:
        """A non-modal file dialog (its answer fills the key-file line)."""
        dialog = QFileDialog(self._parent, self.tr("Private key file"))
        dialog.setObjectName("sftpKeyFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.key_file.setText)
        dialog.open()
        self.dialog = dialog
        return dialog


def set_ftp_only(widgets: list[QWidget], sftp: bool, tips: dict[int, str]) -> None:
    """Grey out FTP's data-connection settings for SFTP (tooltip: why); restore the
    FTP tooltips (``tips``, by ``id(widget)``) otherwise."""
    for widget in widgets:
        widget.setEnabled(not sftp)
        widget.setToolTip(QCoreApplication.translate("SftpFields", NO_DATA_CONNECTIONS)
                          if sftp else tips.get(id(widget), ""))
