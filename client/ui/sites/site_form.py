"""The Site Manager's form: one saved site's fields (host, protocol, logon, transfer
mode, folders, charset, keep-alive, proxy…), filled from a site and read back into one.
SFTP greys out the data-connection fields; without a usable keyring the "normal" logon
is disabled, so a password is never written anywhere but the keyring."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from client.config.sites import MAX_KEEPALIVE, Site, SiteStore
from client.engine.settings import CommandFamily, TlsMode, TransferMode, active_address_problem
from client.protocol.addresses import PasvPolicy
from client.protocol.text import escape_control
from client.ui.proxy_fields import ProxyFields
from client.ui.sites.bookmark_field import BookmarkField
from client.ui.sites.charset_field import CharsetField
from client.ui.sites.sftp_fields import (
    SFTP_CHOICE,
    SftpFields,
    default_port_for,
    protocol_choice,
    set_ftp_only,
    site_protocol_changes,
)
from client.ui.wheel_guard import guard_wheel

__all__ = ["SiteForm"]

_PROTOCOLS = ((TlsMode.AUTO.value, "FTP: TLS if available"),
              (TlsMode.EXPLICIT.value, "FTP over TLS: require explicit TLS (FTPES)"),
              (TlsMode.IMPLICIT.value, "FTP over TLS: implicit (FTPS)"),
              (TlsMode.OFF.value, "Plain FTP (insecure)"),
              (SFTP_CHOICE, "SFTP: file transfer over SSH"))
_LOGON = (("anonymous", "Anonymous"), ("normal", "Normal (password in the keyring)"),
          ("ask", "Ask for password"))
_POLICY = ((PasvPolicy.AUTO, "Auto: the control address (227 reported)"),
           (PasvPolicy.CONTROL, "Always the control connection's address"),
           (PasvPolicy.ADVERTISED, "Trust the server's 227 address"))


def _let_combos_narrow(form: QWidget) -> None:
    """The form's lists no wider than the field column: a list as wide as its longest
    entry (the 227 address's) pushed the column past the dialog's edge, cutting off every
    field's right end and the key file's Browse… button. Their open lists stay as wide
    as the entries."""
    for combo in form.findChildren(QComboBox):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)


class SiteForm(QWidget):
    """The fields of the site shown (``site``; None while no site is selected)."""

    def __init__(self, parent: QWidget, store: SiteStore, keyring_ok: bool) -> None:
        super().__init__(parent)
        self.store = store
        self.keyring_ok = keyring_ok
        self.site: Site | None = None
        form = QFormLayout(self)
        self.name = self._line(form, self.tr("Name"))
        self.folder = self._line(form, self.tr("Folder"), self.tr("e.g. Work/Servers"))
        self.host = self._line(form, self.tr("Host"))
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(21)
        self.port.setAccessibleName(self.tr("Port"))
        form.addRow(self.tr("Port"), self.port)
        self.tls = self._combo(form, self.tr("Protocol"), list(_PROTOCOLS))
        self.tls.setObjectName("siteProtocol")
        self.sftp = SftpFields(self)
        form.addRow(self.tr("Key file"), self.sftp.row)
        form.addRow("", self.sftp.use_agent)
        self.logon = self._combo(form, self.tr("Logon type"), list(_LOGON))
        self.user = self._line(form, self.tr("User"))
        self.password = self._line(form, self.tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        form.addRow("", self.keyring_note)
        self.mode = self._combo(form, self.tr("Transfer mode"),
                                [(TransferMode.PASSIVE.value, self.tr("Passive")),
                                 (TransferMode.ACTIVE.value, self.tr("Active"))])
        self.commands = self._combo(form, self.tr("Commands"),
                                    [(CommandFamily.CLASSIC.value,
                                      self.tr("Classic (PASV/PORT)")),
                                     (CommandFamily.EXTENDED.value,
                                      self.tr("Extended (EPSV/EPRT)"))])
        self.commands.setToolTip(self.tr(
            "Which commands set up data connections on IPv4. Classic PASV/PORT replies "
            "carry the address the inspector decodes; IPv6 always uses EPSV/EPRT."))
        self.policy = self._combo(form, self.tr("227 address"), [(p.value, t) for p, t in _POLICY])
        self.policy.setItemData(0, self.tr(
            "Dial the control connection's address on the 227's port, and say in the "
            "console what the 227 named when it differs"), Qt.ItemDataRole.ToolTipRole)
        self.active_address = self._line(form, self.tr("Active: address to advertise"),
                                         self.tr("an IP address; default: the control "
                                                 "connection's address"))
        self.active_ports = self._line(form, self.tr("Active: port range"), self.tr("e.g. 50000-50100"))
        self.local_dir = self._line(form, self.tr("Default local folder"))
        self.remote_dir = self._line(form, self.tr("Default remote folder"))
        self.limit = QSpinBox(self)
        self.limit.setRange(1, 10)
        self.limit.setAccessibleName(self.tr("Connection limit"))
        form.addRow(self.tr("Connection limit"), self.limit)
        self.charset = CharsetField(self)
        self.charset.setAccessibleName(self.tr("Charset"))
        form.addRow(self.tr("Charset"), self.charset)
        self.keepalive = QSpinBox(self)
        self.keepalive.setRange(0, MAX_KEEPALIVE)
        self.keepalive.setSuffix(self.tr(" s"))
        self.keepalive.setSpecialValueText(self.tr("Off"))
        self.keepalive.setAccessibleName(self.tr("Keep-alive every N seconds (0: off)"))
        self.keepalive.setToolTip(self.tr(
            "Send NOOP after this many seconds without traffic, so a NAT router or the "
            "server's idle timeout does not drop the connection while you look around. "
            "0 turns it off."))
        form.addRow(self.tr("Keep-alive every"), self.keepalive)
        self.list_hidden = QCheckBox(self.tr("Show hidden files (LIST -a)"), self)
        self.list_hidden.setAccessibleName(self.tr("Show hidden files (LIST -a)"))
        self.list_hidden.setToolTip(self.tr(
            "Ask the server for dot files too. Servers that offer MLSD list them anyway; "
            "a few old servers take -a for a file name."))
        form.addRow("", self.list_hidden)
        self.proxy = ProxyFields(self, form, with_default=True)
        self.bookmarks = BookmarkField(self)
        form.addRow(self.tr("Bookmarks"), self.bookmarks)
        self.logon.currentIndexChanged.connect(self._logon_changed)
        self._ftp_only = [self.mode, self.commands, self.policy, self.active_address,
                          self.active_ports, self.list_hidden]
        self._ftp_tips = {id(w): w.toolTip() for w in self._ftp_only}
        self._shown_choice = str(self.tls.currentData())
        self.tls.currentIndexChanged.connect(self._protocol_changed)
        _let_combos_narrow(self)
        guard_wheel(self)  # the form scrolls: the wheel must not change what passes under it

    def _line(self, form: QFormLayout, label: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(label)
        edit.setPlaceholderText(placeholder)
        form.addRow(label, edit)
        return edit

    def _combo(self, form: QFormLayout, label: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(label)
        for value, text in items:
            combo.addItem(self.tr(text), value)
        form.addRow(label, combo)
        return combo

    def show_site(self, site: Site | None) -> None:
        """Fill the fields from ``site`` (None: empty and disabled)."""
        self.site = site
        self.setEnabled(site is not None)
        site = site or Site(name="", host="")
        self.name.setText(site.name)
        self.folder.setText(site.folder)
        self.host.setText(site.host)
        self.port.setValue(site.port)
        self._shown_choice = protocol_choice(site)
        self.set_combo(self.tls, self._shown_choice)
        self.sftp.show_site(site)
        self.set_combo(self.logon, site.logon)
        self.user.setText(site.user)
        self.password.clear()
        self.set_combo(self.mode, site.mode)
        self.set_combo(self.commands, site.commands)
        self.set_combo(self.policy, site.pasv_policy)
        self.active_address.setText(site.active_address)
        self.active_ports.setText(f"{site.active_ports[0]}-{site.active_ports[1]}"
                                  if site.active_ports else "")
        self.local_dir.setText(site.local_dir)
        self.remote_dir.setText(site.remote_dir)
        self.limit.setValue(site.connection_limit)
        self.charset.set_charset(site.charset)
        self.keepalive.setValue(site.keepalive_interval)
        self.list_hidden.setChecked(site.list_hidden)
        stored = (self.keyring_ok and self.site is not None and site.proxy not in
                  ("default", "none") and self.store.proxies.for_site(
                      site.proxy, site.site_id).password is not None)  # type: ignore[union-attr]
        self.proxy.set_choice(site.proxy, password_stored=stored)
        self.bookmarks.set_bookmarks(site.bookmarks)
        self._logon_changed()
        self._protocol_changed()

    def _protocol_changed(self, _index: int = -1) -> None:
        """SFTP greys out the data-connection settings; the port follows the protocol
        when it was the previous protocol's default."""
        choice = str(self.tls.currentData())
        if self.port.value() == default_port_for(self._shown_choice):
            self.port.setValue(default_port_for(choice))
        self._shown_choice = choice
        sftp = choice == SFTP_CHOICE
        set_ftp_only(self._ftp_only, sftp, self._ftp_tips)
        self.sftp.set_sftp(sftp)
        self.proxy.offer_ftp_proxies(not sftp)

    @staticmethod
    def set_combo(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(0, index))

    def _logon_changed(self) -> None:
        normal_index = self.logon.findData("normal")
        model = self.logon.model()
        item = model.item(normal_index) if hasattr(model, "item") else None
        if item is not None:
            item.setEnabled(self.keyring_ok)
        if not self.keyring_ok:
            self.keyring_note.setText(self.tr(
                "No secure system keyring is available, so passwords cannot be saved: use "
                "\"Ask for password\"."))
            if self.logon.currentData() == "normal":
                self.set_combo(self.logon, "ask")
        else:
            self.keyring_note.setText("")
        logon = self.logon.currentData()
        self.user.setEnabled(logon != "anonymous")
        self.password.setEnabled(logon == "normal" and self.keyring_ok)
        self.password.setPlaceholderText(self._password_hint(logon))
        # the placeholder is short enough for the field; the whole story in the tooltip
        self.password.setToolTip(self._password_hint(logon) if self.keyring_ok else self.tr(
            "No secure system keyring is available: the password is asked for when "
            "connecting and never saved"))

    def _password_hint(self, logon: str) -> str:
        """What the Password field says about where the password is (or is not) kept."""
        if logon == "anonymous":
            return self.tr("not needed for an anonymous logon")
        if not self.keyring_ok:
            return self.tr("asked for when connecting, never saved")  # the note says why
        if logon == "ask":
            return self.tr("asked for when connecting, never saved")
        if self.site is not None and self.store.get_password(self.site.site_id) is not None:
            return self.tr("(stored in the keyring; type to replace)")
        return self.tr("stored in the system keyring")

    def form_site(self) -> Site:
        """The site as the form shows it (raises ValueError with a message)."""
        if self.site is None:
            raise ValueError(self.tr("select or create a site first"))
        host = self.host.text().strip()
        if not host:
            raise ValueError(self.tr("enter the host"))
        ports = None
        text = self.active_ports.text().strip()
        if text:
            low, _, high = text.partition("-")
            if not (low.strip().isdigit() and high.strip().isdigit()
                    and 0 < int(low) <= int(high) < 65536):
                raise ValueError(self.tr("the active port range must look like 50000-50100"))
            ports = (int(low), int(high))
        address = self.active_address.text().strip()
        if address and active_address_problem(address) is not None:
            raise ValueError(self.tr(
                "the active-mode address must be an IPv4 or IPv6 address such as "
                "203.0.113.7, not a host name ({}): PORT and EPRT carry a numeric "
                "address. Leave it empty to use the control connection's address."
            ).format(escape_control(address)))
        folder = "/".join(p.strip() for p in self.folder.text().split("/") if p.strip())
        proxy = self.proxy.choice()
        if str(self.tls.currentData()) == SFTP_CHOICE and self.proxy.ftp_proxy_chosen():
            raise ValueError(self.tr("An FTP proxy relays FTP logins only: choose SOCKS5, "
                                     "SOCKS4a, HTTP CONNECT or no proxy for SFTP."))
        return self.site.replace(
            name=self.name.text().strip() or host, folder=folder, host=host,
            port=self.port.value(), logon=self.logon.currentData(),
            **site_protocol_changes(str(self.tls.currentData()), self.site),
            **(self.sftp.changes() if self.tls.currentData() == SFTP_CHOICE else {}),
            user=self.user.text().strip(), mode=self.mode.currentData(),
            commands=self.commands.currentData(),
            pasv_policy=self.policy.currentData(),
            active_address=address, active_ports=ports,
            local_dir=self.local_dir.text().strip(), remote_dir=self.remote_dir.text().strip(),
            connection_limit=self.limit.value(), charset=self.charset.charset(),
            keepalive_interval=self.keepalive.value(), list_hidden=self.list_hidden.isChecked(),
            proxy=proxy, bookmarks=self.bookmarks.bookmarks())
