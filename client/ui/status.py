"""The status bar: connection state, server, TLS (version, session reuse, fingerprint on
hover), the current mode (Passive/Active, EPSV/PASV) and the address actually used for
the last data connection. Fed by the bridge's signals."""

from __future__ import annotations

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from client.engine.events import DataChannelEvent, DataPhase, SessionStateChanged, TlsEstablished
from client.engine.settings import CommandFamily, TransferMode
from client.protocol.text import escape_control

__all__ = ["InspectorStatusBar"]

#: what the state label says for each SessionState value (TLS stays in capitals)
_STATE_WORDS = {
    "disconnected": "Disconnected",
    "connecting": "Connecting",
    "tls-handshake": "TLS handshake",
    "logging-in": "Logging in",
    "ready": "Ready",
    "busy": "Busy",
    "closing": "Closing",
    "failed": "Failed",
}


class InspectorStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = self._label(self.tr("Disconnected"), self.tr("Connection state"))
        self.server_label = self._label("", self.tr("Server"))
        self.tls_label = self._label(self.tr("No TLS"), self.tr("TLS state"))
        self.mode_label = self._label(self.tr("Passive"), self.tr("Transfer mode"))
        self.data_label = self._label(self.tr("No data connection yet"),
                                      self.tr("Last data connection"))
        self._method: str | None = None  # what the last data connection sent
        self._mode = TransferMode.PASSIVE
        self._commands = CommandFamily.CLASSIC
        self._tls_version: str | None = None
        self._one_connection = False
        self._refresh_mode()

    def show_connection(self, state: SessionStateChanged | None, tls: TlsEstablished | None,
                        data: DataChannelEvent | None, server: str) -> None:
        """Show another connection (a connection tab): its last state, TLS and data
        connection as they were shown for it."""
        self.state_label.setText(self.tr("Disconnected"))
        self.server_label.setText(server)
        self.tls_label.setText(self.tr("No TLS"))
        self.tls_label.setToolTip(self.tr("TLS state"))
        self.data_label.setText(self.tr("No data connection yet"))
        self.data_label.setToolTip(self.tr("Last data connection"))
        self._method = None
        self._tls_version = None
        if state is not None:
            self.on_state(state)
        if tls is not None:
            self.on_tls(tls)
        if data is not None:
            self.on_data_channel(data)
        self._refresh_mode()

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setAccessibleName(name)
        label.setToolTip(name)
        self.addPermanentWidget(label)
        return label

    def on_state(self, event: SessionStateChanged) -> None:
        self.state_label.setText(self.tr(_STATE_WORDS.get(event.state.value, event.state.value)))
        if event.server is not None:
            self.server_label.setText(str(event.server))
        if event.state.value in ("disconnected", "failed") and not self._one_connection:
            self.tls_label.setText(self.tr("No TLS"))
            self.tls_label.setToolTip(self.tr("TLS state"))

    def on_tls(self, event: TlsEstablished) -> None:
        """Control TLS sets the version; each data channel's TLS says whether it resumed
        the control session (what servers with require_ssl_reuse insist on)."""
        reused = self.tr("yes") if event.session_reused else self.tr("no")
        if event.channel is not None:
            self.tls_label.setText(self.tr("{} (data session reused: {})").format(
                self._tls_version or event.version, reused))
            return
        self._tls_version = event.version
        self.tls_label.setText(self.tr("{} (session reused: {})").format(event.version, reused))
        tip = self.tr("Cipher: {}").format(event.cipher)
        if event.fingerprint_sha256:
            tip += "\n" + self.tr("SHA-256: {}").format(event.fingerprint_sha256)
        if event.peer_subject:
            tip += "\n" + self.tr("Subject: {}").format(escape_control(event.peer_subject))
        # The subject is the server's choice: as plain text, never rendered as HTML.
        self.tls_label.setToolTip(Qt.convertFromPlainText(tip))

    def on_data_channel(self, event: DataChannelEvent) -> None:
        if event.method:
            self._method = event.method
            self._refresh_mode()
        failed = event.phase is DataPhase.FAILED
        if event.phase not in (DataPhase.CONNECTED, DataPhase.CLOSED) and not failed:
            return
        if event.remote is None and not failed:
            return
        who = self.tr("client → server") if event.initiator == "client" else \
            self.tr("server → client")
        if event.initiator == "client":
            remote = event.remote or event.advertised
            text = f"{event.local} → {remote}" if event.local else str(remote or "?")
        else:  # active: the server dials us; a failure may have no server end at all
            ours = event.local or event.advertised
            text = f"{event.remote or '?'} → {ours}" if ours else str(event.remote or "?")
        outcome = self.tr(" (failed)") if failed else ""
        self.data_label.setText(self.tr("Data: {}{}").format(text, outcome))
        tip = self.tr("Last data connection: {} ({}, {})").format(text, who, event.method or "")
        if event.address_note:
            tip += "\n" + event.address_note
        self.data_label.setToolTip(tip)

    def set_mode(self, mode: TransferMode) -> None:
        if mode is not self._mode:
            self._method = None
        self._mode = mode
        self._refresh_mode()

    def set_commands(self, family: CommandFamily) -> None:
        """Until the next data connection says what it sent, show what it will send."""
        if family is not self._commands:
            self._method = None
        self._commands = family
        self._refresh_mode()

    def set_one_connection(self, on: bool) -> None:
        """An SFTP session: encrypted by SSH, no mode, and never a data connection. Off
        again only after an SFTP session: what an FTP session's events showed (its TLS
        state) stays."""
        was, self._one_connection = self._one_connection, on
        if on:
            self.tls_label.setText(self.tr("SSH"))
            self.tls_label.setToolTip(self.tr("Encrypted by SSH (see the console for the "
                                              "negotiated algorithms)"))
            self.mode_label.setText(self.tr("SFTP: one connection"))
            self.data_label.setText(self.tr("No data connections (SFTP)"))
            self.data_label.setToolTip(self.tr(
                "SFTP carries every listing and transfer inside its one SSH connection"))
        elif was:
            self.tls_label.setText(self.tr("No TLS"))
            self.tls_label.setToolTip(self.tr("TLS state"))
            self.data_label.setText(self.tr("No data connection yet"))
            self.data_label.setToolTip(self.tr("Last data connection"))
            self._refresh_mode()

    def _refresh_mode(self) -> None:
        if self._one_connection:
            return
        name = self.tr("Active") if self._mode is TransferMode.ACTIVE else self.tr("Passive")
        method = self._method or self._commands.command(self._mode)
        self.mode_label.setText(f"{name} ({method})")
