"""File → Proxy settings…: the default proxy every connection uses unless its site
says otherwise (the same ``proxy.json`` the command line reads; the password in the
keyring)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from client.config.proxies import DEFAULT_PROXY_KEY, ProxyStore
from client.config.sites import keyring_available
from client.ui.proxy_fields import ProxyFields

__all__ = ["ProxyDialog"]


class ProxyDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, store: ProxyStore | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("proxyDialog")
        self.setWindowTitle(self.tr("Proxy settings"))
        self.store = store or ProxyStore()
        intro = QLabel(self.tr(
            "The default proxy is used by every connection whose site says \"Use the "
            "default proxy\", by Quick Connect and by the command line (--proxy none skips "
            "it). Active mode cannot work through SOCKS or HTTP CONNECT."), self)
        intro.setWordWrap(True)
        form = QFormLayout()
        self.fields = ProxyFields(self, form, with_default=False)
        url = self.store.default_url()
        stored = url is not None and keyring_available() and \
            self.store.load_default() is not None and \
            self.store.load_default().password is not None  # type: ignore[union-attr]
        self.fields.set_choice(url or "none", password_stored=stored)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def save(self) -> bool:
        try:
            proxy = self.fields.proxy()
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        if proxy is not None and proxy.user and not proxy.password:
            keep = self.store.load_default()
            if keep is not None and keep.user == proxy.user and keep.password:
                proxy = proxy.replace(password=keep.password)  # unchanged: keep the stored one
        try:
            self.store.save_default(proxy)
        except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
            self.message.setText(self.tr("The proxy could not be saved: {}").format(exc))
            return False
        if proxy is None:
            self.store.delete_password(DEFAULT_PROXY_KEY)
        self.accept()
        return True
