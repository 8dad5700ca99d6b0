"""The proxy fields of the Site Manager and of the default-proxy dialog: a kind (or
"the default proxy" / "no proxy"), host, port, user and password.

The widget turns its fields into the stored choice of :mod:`client.config.proxies`
("default", "none", or a proxy URL without its password); the password is handed to
the caller, which puts it in the keyring, never in a file.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from client.config.proxies import DEFAULT_CHOICE, NO_PROXY, normalise_choice
from client.config.sites import keyring_available
from client.engine.proxy import ProxyKind, ProxySettings, ProxyUrlError, parse_proxy_url

__all__ = ["ProxyFields"]


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProxyFields", text)


_KINDS = (
    (ProxyKind.SOCKS5.value, "SOCKS5"),
    (ProxyKind.SOCKS4A.value, "SOCKS4a"),
    (ProxyKind.HTTP.value, "HTTP CONNECT"),
    (ProxyKind.FTP_USER.value, "FTP proxy: USER user@host"),
    (ProxyKind.FTP_SITE.value, "FTP proxy: SITE host"),
    (ProxyKind.FTP_OPEN.value, "FTP proxy: OPEN host"),
)


class ProxyFields:
    """Adds the proxy rows to ``form`` (widgets parented to ``parent``). ``with_default``
    offers "Use the default proxy" (a site); without it the first entry is "No proxy"
    (the default itself)."""

    def __init__(self, parent: QWidget, form: QFormLayout, *, with_default: bool) -> None:
        self.kind = QComboBox(parent)
        self.kind.setAccessibleName(_tr("Proxy"))
        if with_default:
            self.kind.addItem(_tr("Use the default proxy"), DEFAULT_CHOICE)
        self.kind.addItem(_tr("No proxy (connect directly)"), NO_PROXY)
        for value, text in _KINDS:
            self.kind.addItem(_tr(text), value)
        self.kind.setToolTip(_tr(
            "SOCKS5, SOCKS4a and HTTP CONNECT carry the control connection and every "
            "passive data connection (active mode cannot work through them). An FTP proxy "
            "is logged in to and told where to connect."))
        form.addRow(_tr("Proxy"), self.kind)
        self.host = QLineEdit(parent)
        self.host.setAccessibleName(_tr("Proxy host"))
        form.addRow(_tr("Proxy host"), self.host)
        self.port = QSpinBox(parent)
        self.port.setRange(1, 65535)
        self.port.setValue(1080)
        self.port.setAccessibleName(_tr("Proxy port"))
        form.addRow(_tr("Proxy port"), self.port)
        self.user = QLineEdit(parent)
        self.user.setAccessibleName(_tr("Proxy user"))
        self.user.setPlaceholderText(_tr("none"))
        form.addRow(_tr("Proxy user"), self.user)
        self.password = QLineEdit(parent)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_tr("Proxy password"))
        form.addRow(_tr("Proxy password"), self.password)
        #: a proxy password is kept only in the keyring: without one it cannot be saved
        self.keyring_ok = keyring_available()
        self.password.setPlaceholderText(self._password_hint(stored=False))
        if not self.keyring_ok:
            self.password.setToolTip(_tr("No secure system keyring is available: a proxy "
                                         "password cannot be saved"))
        self._last_kind = self.kind.currentData()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        value = self.kind.currentData()
        has_fields = value not in (DEFAULT_CHOICE, NO_PROXY)
        for widget in (self.host, self.port, self.user, self.password):
            widget.setEnabled(has_fields)
        self.password.setEnabled(has_fields and value != ProxyKind.SOCKS4A.value
                                 and self.keyring_ok)
        if has_fields:
            old_default = (ProxyKind(self._last_kind).default_port
                           if self._last_kind not in (DEFAULT_CHOICE, NO_PROXY) else None)
            if old_default is None or self.port.value() == old_default:
                self.port.setValue(ProxyKind(value).default_port)
        self._last_kind = value

    def offer_ftp_proxies(self, offered: bool) -> None:
        """An FTP proxy relays FTP logins only: for an SFTP site its kinds are greyed in
        the list (they failed only when connecting)."""
        model = self.kind.model()
        if not isinstance(model, QStandardItemModel):  # a QComboBox's own model is one
            return
        for value, _text in _KINDS:
            if not ProxyKind(value).is_tunnel:
                item = model.item(self.kind.findData(value))
                if item is not None:
                    item.setEnabled(offered)

    def ftp_proxy_chosen(self) -> bool:
        value = self.kind.currentData()
        return value not in (DEFAULT_CHOICE, NO_PROXY) and not ProxyKind(value).is_tunnel

    def set_choice(self, choice: str, *, password_stored: bool = False) -> None:
        """Show a stored choice; the password field stays empty (``password_stored``
        only changes its hint)."""
        choice = normalise_choice(choice)
        self.password.clear()
        if choice in (DEFAULT_CHOICE, NO_PROXY):
            index = self.kind.findData(choice)
            self.kind.setCurrentIndex(max(0, index))
            self.host.clear()
            self.user.clear()
        else:
            proxy = parse_proxy_url(choice)
            self.kind.setCurrentIndex(max(0, self.kind.findData(proxy.kind.value)))
            self.host.setText(proxy.host)
            self.port.setValue(proxy.port)
            self.user.setText(proxy.user or "")
        self.password.setPlaceholderText(self._password_hint(stored=password_stored))

    def _password_hint(self, *, stored: bool) -> str:
        """Where the proxy password is kept, or that it cannot be."""
        if not self.keyring_ok:
            return _tr("no keyring: cannot be saved")  # the tooltip says it whole
        if stored:
            return _tr("(stored in the keyring; type to replace)")
        return _tr("stored in the system keyring")

    def choice(self) -> str:
        """The stored form of the fields; ValueError with a message when they do not
        make a proxy."""
        proxy = self.proxy()
        if proxy is None:
            value = self.kind.currentData()
            return value if value == DEFAULT_CHOICE else NO_PROXY
        return proxy.url()

    def proxy(self) -> ProxySettings | None:
        """The proxy the fields describe, with the typed password (None: default/none)."""
        value = self.kind.currentData()
        if value in (DEFAULT_CHOICE, NO_PROXY):
            return None
        host = self.host.text().strip()
        if not host:
            raise ValueError(_tr("enter the proxy host"))
        user = self.user.text().strip()
        try:
            proxy = ProxySettings(kind=ProxyKind(value), host=host, port=self.port.value(),
                                  user=user or None)
            parse_proxy_url(proxy.url())  # the one rule for what a proxy may be
        except (ProxyUrlError, ValueError) as exc:
            raise ValueError(_tr("the proxy cannot be used: {}").format(exc)) from None
        return proxy.replace(password=self.password.text() or None)

    def typed_password(self) -> str:
        return self.password.text()
