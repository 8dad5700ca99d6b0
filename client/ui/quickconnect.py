"""The quickconnect bar: host (or full URL), user, password, port, the TLS choice,
Connect/Disconnect, the history drop-down, and the data-connection controls
(:mod:`client.ui.mode_segments`: Passive/Active and the command family).

The history keeps host, port, user, TLS, mode and command family — never a password.
A narrow window (under ``COMPACT_BELOW`` pixels, a 1024-pixel screen) gets the short
segment texts and TLS choice, so the Host field keeps room for a host name.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, QSize, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from client.config.history import QuickconnectHistory, RecentServer
from client.config.urls import RemoteUrl, parse_target
from client.engine.proxy.settings import ProxySettings
from client.engine.schemes import Protocol, default_port
from client.engine.settings import CommandFamily, ConnectionSettings, TlsMode, TransferMode
from client.engine.sftp.credentials import default_key_files
from client.engine.sftp.settings import HostKeyPolicy, SftpSettings
from client.ui.icons import icon
from client.ui.mode_segments import ModeSegments
from client.ui.password_scope import PasswordScope

__all__ = ["QuickConnectBar", "take_over_qsettings_history"]

#: the protocol choice's value for SFTP (the others are FTP's TLS modes)
SFTP_CHOICE = Protocol.SFTP
_TLS_CHOICES = (  # translated when shown (context QuickConnectBar)
    (TlsMode.AUTO, QT_TRANSLATE_NOOP("QuickConnectBar", "TLS if available")),
    (TlsMode.EXPLICIT, QT_TRANSLATE_NOOP("QuickConnectBar", "Require explicit TLS")),
    (TlsMode.IMPLICIT, QT_TRANSLATE_NOOP("QuickConnectBar", "Implicit TLS (990)")),
    (TlsMode.OFF, QT_TRANSLATE_NOOP("QuickConnectBar", "Plain FTP (insecure)")),
    (SFTP_CHOICE, QT_TRANSLATE_NOOP("QuickConnectBar", "SFTP (SSH)")),
)
#: Below this width the bar is compact (measured: the full bar needs ~1180 px with a
#: 190-pixel Host field; at 1024 px the field was squeezed to ~90 px).
COMPACT_BELOW = 1180
#: Where the window's settings file kept the history before it moved to client.config.
_OLD_HISTORY_KEY = "quickconnect/history"


def take_over_qsettings_history(settings: QSettings, history: QuickconnectHistory) -> None:
    """Move a history kept in the window's settings file into ``history`` (once: the old
    key is removed; an existing history file is never overwritten)."""
    if not settings.contains(_OLD_HISTORY_KEY):
        return
    try:
        items = json.loads(str(settings.value(_OLD_HISTORY_KEY, "[]")))
    except ValueError:
        items = []
    history.import_once(items if isinstance(items, list) else [])
    settings.remove(_OLD_HISTORY_KEY)
    settings.sync()


class _Field(QLineEdit):
    """A field that asks for ``width`` but gives up to 60 % of it when the window is
    narrow: the bar must not make the window wider than a small screen (1024 px)."""

    def __init__(self, width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._preferred = width
        self.setMinimumWidth(int(width * 0.4))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        # exactly the width asked for (QLineEdit's own ~125 px would make User and
        # Password as wide as Host, which then got the least of a narrow bar)
        return QSize(self._preferred, super().sizeHint().height())


class QuickConnectBar(QWidget):
    #: settings to connect with, and the start path (or None)
    connect_requested = Signal(object, object)
    disconnect_requested = Signal()
    mode_changed = Signal(object)  # TransferMode
    commands_changed = Signal(object)  # CommandFamily
    invalid_input = Signal(str)

    def __init__(self, history: QuickconnectHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quickConnect")
        self._history = history
        self._unrecorded: set[tuple[str, int]] = set()  # see never_remember
        self._offered_proxy: ProxySettings | None = None  # see use_proxy_once
        self.host = self._edit(self.tr("Host"), self.tr("host or ftp://, ftps://, ftpes://, sftp:// URL"), 190)
        self.user = self._edit(self.tr("User"), self.tr("anonymous"), 100)
        self.password = self._edit(self.tr("Password"), "", 90)
        # the placeholder says what an empty User means: it stays readable
        self.user.setMinimumWidth(self.user.fontMetrics().horizontalAdvance(
            self.user.placeholderText()) + 14)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.port = QSpinBox(self)
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText(self.tr("default"))
        self.port.setValue(0)
        self.port.setAccessibleName(self.tr("Port"))
        self.port.setToolTip(self.tr("Port (default: 21, or 990 for implicit TLS)"))

        # created here: the mode switch is the next stop after the connection fields (Tab)
        self.segments = ModeSegments(self)
        self.passive_button = self.segments.passive_button
        self.active_button = self.segments.active_button
        self.mode_group = self.segments.mode_group
        self.commands = self.segments.commands
        self.segments.mode_changed.connect(self.mode_changed)
        self.segments.commands_changed.connect(self.commands_changed)
        self._ftp = True  # the open session has FTP's modes (see set_ftp_controls)
        # the tab shown is connected over FTP: its modes work whatever protocol is
        # chosen for the next connection
        self._ftp_session = False

        self.tls = QComboBox(self)
        self.tls.setAccessibleName(self.tr("Encryption"))
        for mode, label in _TLS_CHOICES:
            self.tls.addItem(QCoreApplication.translate("QuickConnectBar", label), mode)
        # shows its whole text when there is room, a shortened one on a small screen
        # (the list that opens always shows the full choices)
        self.tls.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.tls.setMinimumContentsLength(9)
        self.tls.setToolTip(self.tr("FTP with or without TLS, or SFTP (file transfer over SSH)"))
        self.tls.currentIndexChanged.connect(self._protocol_chosen)

        self.connect_button = QPushButton(icon("connect"), self.tr("Connect"), self)
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setAccessibleName(self.tr("Connect"))
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.submit)
        # an icon with a tooltip: the bar must fit a 1024-pixel window (Disconnect is also
        # in the Server menu and the toolbar, with its name)
        self.disconnect_button = QPushButton(icon("disconnect"), "", self)
        self.disconnect_button.setAccessibleName(self.tr("Disconnect"))
        self.disconnect_button.setToolTip(self.tr("Disconnect"))
        self.disconnect_button.clicked.connect(self.disconnect_requested)
        self.disconnect_button.setEnabled(False)
        self.history_button = QToolButton(self)
        self.history_button.setText("▾")
        self.history_button.setToolTip(self.tr("Recent servers"))
        self.history_button.setAccessibleName(self.tr("Recent servers"))
        self.history_menu = QMenu(self.history_button)
        self.history_button.setMenu(self.history_menu)
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu.aboutToShow.connect(self._fill_history)

        for line in (self.host, self.user, self.password, self.port.lineEdit()):
            line.returnPressed.connect(self.submit)  # Enter in any field connects
        self.host.textEdited.connect(self._user_from_typed_url)
        self.host.textEdited.connect(lambda _text: self.use_proxy_once(None))
        self.password_scope = PasswordScope(self.host, self.user, self.password, self.port,
                                            self.tls)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)  # the whole bar fits a 1024-pixel window
        for label, widget in ((self.tr("&Host:"), self.host), (self.tr("&User:"), self.user),
                              (self.tr("Pass&word:"), self.password), (self.tr("&Port:"), self.port)):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            layout.addWidget(caption)
            layout.addWidget(widget)
        layout.addWidget(self.tls)
        layout.addWidget(self.connect_button)
        layout.addWidget(self.history_button)
        layout.addWidget(self.disconnect_button)
        layout.addWidget(self.segments)
        layout.addStretch(1)

    def _edit(self, name: str, placeholder: str, width: int) -> QLineEdit:
        edit = _Field(width, self)
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    # -- mode and command family (the segments) ------------------------------------------
    @property
    def mode(self) -> TransferMode:
        return self.segments.mode

    def set_mode(self, mode: TransferMode) -> None:
        self.segments.set_mode(mode)

    @property
    def command_family(self) -> CommandFamily:
        return self.segments.command_family

    def set_command_family(self, family: CommandFamily) -> None:
        self.segments.set_command_family(family)

    def set_ipv6(self, ipv6: bool) -> None:
        """Over an IPv6 control connection only EPSV/EPRT exist (see ModeSegments)."""
        self.segments.set_ipv6(ipv6)

    def set_ftp_controls(self, offered: bool) -> None:
        """The mode segments and the command family apply to FTP sessions only."""
        self._ftp = offered
        self._protocol_chosen()

    def set_ftp_session(self, connected: bool) -> None:
        """The tab shown has an FTP session open (the segments switch its mode even when
        SFTP is chosen for the next connection, e.g. from another tab)."""
        self._ftp_session = connected
        self._protocol_chosen()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        # the full texts' minimum would keep the window wider than a small screen; a bar
        # made that narrow turns compact, whose own minimum is well below this
        hint = super().minimumSizeHint()
        return QSize(hint.width() - self.segments.compact_saving(), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        # decided on the bar's own width, which the window sets (not on the texts, so
        # shortening them cannot flip it back)
        compact = self.width() < COMPACT_BELOW
        self.segments.set_compact(compact)
        self.tls.setMinimumContentsLength(6 if compact else 9)
        # QComboBox keeps its first minimum size hint: an explicit minimum replaces it
        self.tls.setMinimumWidth(self.tls.sizeHint().width() if compact else 0)
        super().resizeEvent(event)

    @property
    def sftp_chosen(self) -> bool:
        return self.tls.currentData() is SFTP_CHOICE

    def _protocol_chosen(self, _index: int = -1) -> None:
        """SFTP has no modes and no data-connection commands: the segments grey out and
        say why until an FTP connection or choice brings them back."""
        self.segments.set_enabled_for(offered=self._ftp,
                                      sftp=self.sftp_chosen and not self._ftp_session)

    # -- connecting -----------------------------------------------------------------------
    def build_settings(self) -> tuple[ConnectionSettings | SftpSettings, str | None]:
        """Settings from the fields (a URL's parts win over empty fields): SFTP's for an
        ``sftp://`` URL or the SFTP choice, else FTP's."""
        target = parse_target(self.host.text(), sftp=True)
        if target.is_sftp or (not target.scheme and self.sftp_chosen):
            self._choose(SFTP_CHOICE)
            return self._sftp_settings(target), target.path
        if target.tls is None and self.sftp_chosen:
            self._choose(TlsMode.AUTO)  # an ftp:// URL while SFTP was chosen
        tls = target.tls if target.tls is not None else self.tls.currentData()
        if target.tls is not None:
            index = self.tls.findData(target.tls)
            if index >= 0:
                self.tls.setCurrentIndex(index)
        user = self.user.text().strip() or target.user or "anonymous"
        password = self._typed_password() or target.password
        if password is None and user == "anonymous":
            password = "anonymous@"
        port = self.port.value() or target.effective_port(tls)
        settings = ConnectionSettings(host=target.host, port=port, user=user, password=password,
                                      tls=tls, mode=self.mode, proxy=self._proxy())
        return settings.with_commands(self.command_family), target.path

    def _typed_password(self) -> str:
        """The Password field, only if it was given for the server the fields name now."""
        return self.password_scope.password_for(self.password_scope.destination())

    def fill_fields(self, host: str, user: str, password: str, port: int = 0,
                    protocol: object = None) -> None:
        """Set the fields together; ``password`` then belongs to the server they name
        (editing any of them afterwards empties it). ``protocol``: a TLS mode or SFTP,
        None to leave the choice."""
        with self.password_scope.filling():
            self.host.setText(host)
            self.user.setText(user)
            self.password.setText(password)
            self.port.setValue(port)
            if protocol is not None:
                self._choose(protocol)

    def choose_sftp(self) -> None:
        """The protocol choice to SFTP (the mode switch greys out with the reason)."""
        self._choose(SFTP_CHOICE)

    def _choose(self, value: object) -> None:
        index = self.tls.findData(value)
        if index >= 0 and index != self.tls.currentIndex():
            self.tls.setCurrentIndex(index)

    def _sftp_settings(self, target: RemoteUrl) -> SftpSettings:
        """The window asks about unknown host keys (policy ASK) and for the password;
        no anonymous user."""
        user = self.user.text().strip() or target.user or ""
        password = self._typed_password() or target.password or None
        port = self.port.value() or target.port or default_port(Protocol.SFTP)
        # as OpenSSH: the agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa, then the
        # password (asked in a dialog when the field is empty)
        return SftpSettings(host=target.host, port=port, user=user, password=password,
                            key_files=default_key_files(),
                            host_key_policy=HostKeyPolicy.ASK, proxy=self._proxy())

    def use_proxy_once(self, proxy: ProxySettings | None) -> None:
        """Connect the address now in the bar through ``proxy`` (the proxy of the
        connection an SFTP offer came from: behind it there may be no other way out);
        None, or editing the address, goes back to the default proxy."""
        self._offered_proxy = proxy

    def _proxy(self) -> ProxySettings | None:
        """The offered proxy, else the default one (File > Proxy settings), for FTP and
        SFTP alike."""
        if self._offered_proxy is not None:
            return self._offered_proxy
        from client.config.proxies import ProxyStore

        return ProxyStore().load_default()

    def submit(self) -> None:
        try:
            if parse_target(self.host.text(), sftp=True).password is not None:
                # never leave a password on screen
                self.fill_from_url(self.host.text(), keep_port=True)
            settings, path = self.build_settings()
        except ValueError as exc:
            self.invalid_input.emit(str(exc))
            return
        self.password_scope.commit()  # the password is now this server's alone
        self._remember(settings)
        self.connect_requested.emit(settings, path)

    def _user_from_typed_url(self, text: str) -> None:
        """A user typed into the Host field (``sftp://alice@host``) goes into the User
        field at once: the User field wins when connecting, and one left from an earlier
        connection silently logged in as that other user. Typing in User afterwards
        still wins."""
        try:
            user = parse_target(text, sftp=True).user
        except ValueError:
            return  # half typed
        if user and user != self.user.text():
            self.user.setText(user)

    def fill_from_url(self, text: str, *, keep_port: bool = False) -> None:
        """Put a URL's parts into the fields; the host field never shows the password.
        ``keep_port``: the Port field stays (the URL was typed beside it)."""
        target = parse_target(text, sftp=True)
        self.use_proxy_once(None)
        scheme = {TlsMode.IMPLICIT: "ftps", TlsMode.EXPLICIT: "ftpes"}.get(target.tls, "ftp") \
            if target.tls is not None else None
        if target.is_sftp:
            scheme = "sftp"
        host = f"[{target.host}]" if ":" in target.host else target.host
        shown = f"{scheme}://{host}" if scheme else host
        if target.port is not None:
            shown += f":{target.port}"
        if scheme:
            shown += target.path_text()  # /pub relative to the login folder, /%2Fetc absolute
        # a link's server is the link's alone: no port (nor password) left from before
        self.fill_fields(shown, target.user or "", target.password or "",
                         self.port.value() if keep_port else 0)

    def set_connected(self, connected: bool) -> None:
        self.disconnect_button.setEnabled(connected)

    # -- history (no passwords) -----------------------------------------------------------
    def history(self) -> list[RecentServer]:
        return self._history.load()

    def never_remember(self, host: str, port: int) -> None:
        """Keep ``host:port`` out of the history: a server that lives only as long as
        this run (the embedded demo server, on a new port each time) would leave a
        dead entry behind."""
        self._unrecorded.add((host, port))

    def _remember(self, settings: ConnectionSettings | SftpSettings) -> None:
        if (settings.host, settings.port) in self._unrecorded:
            return
        self._history.remember(RecentServer.of(settings))

    def _fill_history(self) -> None:
        self.history_menu.clear()
        servers = self.history()
        if not servers:
            self.history_menu.addAction(self.tr("(no recent servers)")).setEnabled(False)
        for server in servers:
            how = "sftp" if server.protocol is Protocol.SFTP else server.tls.value
            label = f"{server.user}@{server.host}:{server.port} ({how})"
            self.history_menu.addAction(label, lambda s=server: self.apply_history(s))

    def apply_history(self, server: RecentServer) -> None:
        sftp = server.protocol is Protocol.SFTP
        self.fill_fields(server.host, "" if server.user == "anonymous" else server.user, "",
                         server.port, SFTP_CHOICE if sftp else server.tls)
        if sftp:
            return
        self.set_mode(server.mode)
        self.set_command_family(server.commands)
