"""The site manager (Ctrl+S): folders of saved sites on the left, the selected site's
settings on the right; New site, Delete (asks first), Import FileZilla…, Save, Connect.
Folders are not made on their own: typing a path in a site's Folder field
(``Work/Servers``) puts the site there, and a folder shows while a site is in it.

Passwords go to the keyring only (``SiteStore.set_password``); without a usable keyring
the "normal" logon type is disabled and "ask for password" offered instead, so a
password is never written anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.config.filezilla import import_sitemanager
from client.config.proxies import site_proxy_key
from client.config.sites import (
    MAX_KEEPALIVE,
    PasswordRequiredError,
    Site,
    SiteStore,
    keyring_available,
)
from client.config.urls import parse_url
from client.engine.settings import CommandFamily, TlsMode, TransferMode, active_address_problem
from client.engine.sftp.settings import HostKeyPolicy
from client.protocol.addresses import PasvPolicy
from client.protocol.text import escape_control
from client.ui.dialogs import ask_password
from client.ui.proxy_fields import ProxyFields
from client.ui.sites.charset_field import CharsetField
from client.ui.sites.sftp_fields import (
    SFTP_CHOICE,
    SftpFields,
    default_port_for,
    key_needs_passphrase,
    protocol_choice,
    set_ftp_only,
    site_protocol_changes,
)

__all__ = ["SiteManagerDialog", "connect_saved_site"]

SITE_ROLE = Qt.ItemDataRole.UserRole + 40
_PROTOCOLS = ((TlsMode.AUTO.value, "FTP: TLS if available"),
              (TlsMode.EXPLICIT.value, "FTP over TLS: require explicit TLS (FTPES)"),
              (TlsMode.IMPLICIT.value, "FTP over TLS: implicit (FTPS)"),
              (TlsMode.OFF.value, "Plain FTP (insecure)"),
              (SFTP_CHOICE, "SFTP: file transfer over SSH"))
_LOGON = (("anonymous", "Anonymous"), ("normal", "Normal (password in the keyring)"),
          ("ask", "Ask for password"))
_POLICY = ((PasvPolicy.AUTO, "Auto: the control address, and say what the 227 named"),
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


class SiteManagerDialog(QDialog):
    connect_requested = Signal(object, object)  # Site, start path (or None)

    def __init__(self, parent: QWidget | None = None, store: SiteStore | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("siteManager")
        self.setWindowTitle(self.tr("Site Manager"))
        self.resize(820, 520)
        self.store = store or SiteStore()
        self.sites: list[Site] = self.store.load()
        self.current: Site | None = None
        self.keyring_ok = keyring_available()

        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName(self.tr("Saved sites"))
        self.tree.currentItemChanged.connect(self._selected)

        form_box = QWidget(self)
        form = QFormLayout(form_box)
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
        self.logon.currentIndexChanged.connect(self._logon_changed)
        self.form_box = form_box
        self._ftp_only = [self.mode, self.commands, self.policy, self.active_address,
                          self.active_ports, self.list_hidden]
        self._ftp_tips = {id(w): w.toolTip() for w in self._ftp_only}
        self._shown_choice = str(self.tls.currentData())
        self.tls.currentIndexChanged.connect(self._protocol_changed)

        # the form scrolls rather than squeezing its rows: a squeezed wrapped label (the
        # keyring note) was cut off at the top and bottom
        _let_combos_narrow(form_box)
        form_scroll = QScrollArea(self)
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setWidget(form_box)
        splitter = QSplitter(self)
        splitter.addWidget(self.tree)
        splitter.addWidget(form_scroll)
        splitter.setStretchFactor(1, 2)

        buttons = QHBoxLayout()
        self.new_button = self._button(buttons, self.tr("New site"), self.new_site)
        self.delete_button = self._button(buttons, self.tr("Delete"), self.delete_site)
        self._button(buttons, self.tr("Import FileZilla…"), self.import_filezilla)
        buttons.addStretch(1)
        self.save_button = self._button(buttons, self.tr("Save"), self.save_current)
        # FileZilla's choice: a site opens in a new connection tab or in the one shown
        self.new_tab_box = QCheckBox(self.tr("In a new tab"), self)
        self.new_tab_box.setObjectName("connectInNewTab")
        self.new_tab_box.setToolTip(self.tr("Connect in a new tab (on) or in the tab shown, "
                                            "closing its connection (off)"))
        buttons.addWidget(self.new_tab_box)
        self.connect_button = self._button(buttons, self.tr("Connect"), self.connect_current)
        self.connect_button.setDefault(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it repeats what was typed

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._fill_tree()
        self._show(None)

    # -- widgets ----------------------------------------------------------------------------
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

    def _button(self, layout: QHBoxLayout, text: str, slot: Any) -> QPushButton:
        """A push button that calls ``slot()`` with no arguments: ``clicked`` carries a
        ``checked`` flag that must not land in a slot's optional parameter (a path)."""
        button = QPushButton(text, self)
        button.setAccessibleName(text)
        button.clicked.connect(lambda _checked=False: slot())
        layout.addWidget(button)
        return button

    # -- tree -------------------------------------------------------------------------------
    def _fill_tree(self, select: str | None = None) -> None:
        self.tree.clear()
        folders: dict[str, QTreeWidgetItem] = {}

        def folder_item(path: str) -> QTreeWidgetItem | None:
            if not path:
                return None
            if path not in folders:
                parent_path, _, name = path.rpartition("/")
                parent = folder_item(parent_path)
                item = QTreeWidgetItem([name])
                item.setIcon(0, _folder_icon())
                (parent.addChild(item) if parent else self.tree.addTopLevelItem(item))
                folders[path] = item
            return folders[path]

        chosen = None
        for site in sorted(self.sites, key=lambda s: (s.folder.casefold(), s.name.casefold())):
            parent = folder_item(site.folder)
            item = QTreeWidgetItem([site.name])
            item.setData(0, SITE_ROLE, site.site_id)
            (parent.addChild(item) if parent else self.tree.addTopLevelItem(item))
            if site.site_id == select:
                chosen = item
        self.tree.expandAll()
        if chosen is not None:
            self.tree.setCurrentItem(chosen)

    def _site(self, site_id: str | None) -> Site | None:
        return next((s for s in self.sites if s.site_id == site_id), None)

    def _selected(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        self._show(self._site(item.data(0, SITE_ROLE)) if item else None)

    # -- form <-> site ----------------------------------------------------------------------
    def _show(self, site: Site | None) -> None:
        self.current = site
        self.form_box.setEnabled(site is not None)
        self.connect_button.setEnabled(site is not None)
        self.save_button.setEnabled(site is not None)
        self.delete_button.setEnabled(site is not None)
        site = site or Site(name="", host="")
        self.name.setText(site.name)
        self.folder.setText(site.folder)
        self.host.setText(site.host)
        self.port.setValue(site.port)
        self._shown_choice = protocol_choice(site)
        self._set_combo(self.tls, self._shown_choice)
        self.sftp.show_site(site)
        self._set_combo(self.logon, site.logon)
        self.user.setText(site.user)
        self.password.clear()
        self._set_combo(self.mode, site.mode)
        self._set_combo(self.commands, site.commands)
        self._set_combo(self.policy, site.pasv_policy)
        self.active_address.setText(site.active_address)
        self.active_ports.setText(f"{site.active_ports[0]}-{site.active_ports[1]}"
                                  if site.active_ports else "")
        self.local_dir.setText(site.local_dir)
        self.remote_dir.setText(site.remote_dir)
        self.limit.setValue(site.connection_limit)
        self.charset.set_charset(site.charset)
        self.keepalive.setValue(site.keepalive_interval)
        self.list_hidden.setChecked(site.list_hidden)
        stored = (self.keyring_ok and self.current is not None and site.proxy not in
                  ("default", "none") and self.store.proxies.for_site(
                      site.proxy, site.site_id).password is not None)  # type: ignore[union-attr]
        self.proxy.set_choice(site.proxy, password_stored=stored)
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
    def _set_combo(combo: QComboBox, value: str) -> None:
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
                self._set_combo(self.logon, "ask")
        else:
            self.keyring_note.setText("")
        logon = self.logon.currentData()
        self.user.setEnabled(logon != "anonymous")
        self.password.setEnabled(logon == "normal" and self.keyring_ok)
        self.password.setPlaceholderText(self._password_hint(logon))

    def _password_hint(self, logon: str) -> str:
        """What the Password field says about where the password is (or is not) kept."""
        if logon == "anonymous":
            return self.tr("not needed for an anonymous logon")
        if not self.keyring_ok:
            return self.tr("no system keyring: asked for when connecting, never saved")
        if logon == "ask":
            return self.tr("asked for when connecting, never saved")
        if self.current is not None and self.store.get_password(self.current.site_id) is not None:
            return self.tr("(stored in the keyring; type to replace)")
        return self.tr("stored in the system keyring")

    def form_site(self) -> Site:
        """The site as the form shows it (raises ValueError with a message)."""
        if self.current is None:
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
        return self.current.replace(
            name=self.name.text().strip() or host, folder=folder, host=host,
            port=self.port.value(), logon=self.logon.currentData(),
            **site_protocol_changes(str(self.tls.currentData()), self.current),
            **(self.sftp.changes() if self.tls.currentData() == SFTP_CHOICE else {}),
            user=self.user.text().strip(), mode=self.mode.currentData(),
            commands=self.commands.currentData(),
            pasv_policy=self.policy.currentData(),
            active_address=address, active_ports=ports,
            local_dir=self.local_dir.text().strip(), remote_dir=self.remote_dir.text().strip(),
            connection_limit=self.limit.value(), charset=self.charset.charset(),
            keepalive_interval=self.keepalive.value(), list_hidden=self.list_hidden.isChecked(),
            proxy=proxy)

    # -- commands ---------------------------------------------------------------------------
    def new_site(self) -> Site:
        folder = self.current.folder if self.current else ""
        site = Site(name=self.tr("New site"), host="", folder=folder)
        self.sites.append(site)
        self.current = site
        self._fill_tree(select=site.site_id)
        self._show(site)
        self.name.setFocus()
        self.name.selectAll()
        return site

    def save_current(self) -> bool:
        try:
            site = self.form_site()
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        password = self.password.text()
        if site.logon == "normal" and password:
            try:
                self.store.set_password(site.site_id, password)
            except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
                self.message.setText(self.tr("The keyring refused the password ({}); the site "
                                             "is set to ask for it.").format(exc))
                site = site.replace(logon="ask")
        elif site.logon != "normal":
            self.store.delete_password(site.site_id)
        self.password.clear()
        self._save_proxy_password(site)
        self.sites = [s for s in self.sites if s.site_id != site.site_id] + [site]
        self.store.save([s for s in self.sites if s.host])
        self._fill_tree(select=site.site_id)
        self.message.setText(self.tr("Saved {}.").format(site.path))
        return True

    def _save_proxy_password(self, site: Site) -> None:
        """The typed proxy password to the keyring (a site without a proxy user keeps
        none); the field is emptied either way."""
        key = site_proxy_key(site.site_id)
        typed = self.proxy.typed_password()
        self.proxy.password.clear()
        has_user = site.proxy not in ("default", "none") and "@" in site.proxy
        if not has_user:
            self.store.proxies.delete_password(key)
            return
        if typed:
            try:
                self.store.proxies.set_password(key, typed)
            except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
                self.message.setText(self.tr("The keyring refused the proxy password ({})."
                                             ).format(exc))

    def delete_site(self) -> QMessageBox | None:
        """Ask before deleting the selected site (No is the default: Enter keeps it);
        the box is opened window-modally and answers through ``finished``."""
        site = self.current
        if site is None:
            return None
        text = self.tr("Delete the site {}?").format(site.path or site.name or site.host)
        if site.logon == "normal" and self.store.get_password(site.site_id) is not None:
            text += "\n" + self.tr("Its password is removed from the system keyring too.")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete site"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("deleteSiteDialog")
        box.setTextFormat(Qt.TextFormat.PlainText)  # site names are never markup
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda _result: self._delete_answered(box, site))
        box.open()
        return box

    def _delete_answered(self, box: QMessageBox, site: Site) -> None:
        confirmed = box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
        box.deleteLater()
        if not confirmed:
            return
        self.store.remove(site.site_id)
        self.sites = [s for s in self.sites if s.site_id != site.site_id]
        self._fill_tree()
        self._show(None)
        self.message.setText(self.tr("Deleted {}.").format(site.path or site.name or site.host))

    def import_filezilla(self, path: Path | None = None) -> None:
        if path is None:
            dialog = QFileDialog(self, self.tr("FileZilla sitemanager.xml"))
            dialog.setNameFilter(self.tr("FileZilla site manager (sitemanager.xml *.xml)"))
            dialog.fileSelected.connect(lambda name: self.import_filezilla(Path(name)))
            dialog.open()
            return
        try:
            report = import_sitemanager(path, self.store)
        except (OSError, ValueError) as exc:
            self.message.setText(self.tr("Import failed: {}").format(exc))
            return
        self.sites = self.store.load()
        self._fill_tree()
        lines = [self.tr("Imported {} site(s).").format(len(report.imported))]
        if report.skipped:
            lines.append(self.tr("Skipped {} site(s) already in the Site Manager (same folder, "
                                 "name, host, port and user).").format(len(report.skipped)))
        lines += report.warnings
        self.message.setText("\n".join(lines))

    def connect_current(self) -> None:
        if not self.save_current() or self.current is None:
            return
        site = self._site(self.current.site_id) or self.current
        self.connect_requested.emit(site, site.remote_dir or None)
        self.accept()


def _folder_icon() -> Any:
    from client.ui.icons import icon

    return icon("folder")


async def settings_for_site(window: QWidget, store: SiteStore, site: Site) -> Any:
    """Connection settings (FTP's, or SFTP's for an SFTP site), asking for the password
    when the site wants it."""
    def settings_of(site: Site, **password: str) -> Any:
        if site.is_sftp:  # the window asks about an unknown host key
            return store.sftp_settings(site, policy=HostKeyPolicy.ASK, **password)
        return store.connection_settings(site, **password)

    try:
        settings = settings_of(site)
    except PasswordRequiredError:
        password = await ask_password(window, window.tr("Password"),
                                      window.tr("Password for {} on {}:").format(site.user, site.host))
        if password is None:
            raise
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
