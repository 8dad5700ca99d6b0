"""The site manager (Ctrl+S): folders of saved sites on the left, the selected site's
settings on the right; New site, Delete (asks first), Import FileZilla…, Save, Connect.
Folders are not made on their own: typing a path in a site's Folder field
(``Work/Servers``) puts the site there, and a folder shows while a site is in it.

Passwords go to the keyring only (``SiteStore.set_password``); without a usable keyring
the "normal" logon type is disabled and "ask for password" offered instead, so a
password is never written anywhere else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.config.filezilla import import_sitemanager
from client.config.filezilla_export import export_sitemanager
from client.config.proxies import site_proxy_key
from client.config.sites import (
    Site,
    SiteStore,
    keyring_available,
)
from client.ui.dialogs import fit_title
from client.ui.sites.site_form import SiteForm

__all__ = ["SiteManagerDialog"]

SITE_ROLE = Qt.ItemDataRole.UserRole + 40
class SiteManagerDialog(QDialog):
    connect_requested = Signal(object, object)  # Site, start path (or None)

    def __init__(self, parent: QWidget | None = None, store: SiteStore | None = None, *,
                 open_sites: Callable[[], set[str]] = set) -> None:
        super().__init__(parent)
        #: ids of the sites a tab is connected to (a changed charset waits for them)
        self.open_sites = open_sites
        self.setObjectName("siteManager")
        self.setWindowTitle(self.tr("Site Manager"))
        self.resize(820, 520)
        self.store = store or SiteStore()
        self.sites: list[Site] = self.store.load()
        self.keyring_ok = keyring_available()

        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName(self.tr("Saved sites"))
        self.tree.currentItemChanged.connect(self._selected)

        self.form = SiteForm(self, self.store, self.keyring_ok)

        # the form scrolls rather than squeezing its rows: a squeezed wrapped label (the
        # keyring note) was cut off at the top and bottom
        form_scroll = QScrollArea(self)
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setWidget(self.form)
        splitter = QSplitter(self)
        splitter.addWidget(self.tree)
        splitter.addWidget(form_scroll)
        splitter.setStretchFactor(1, 2)

        buttons = QHBoxLayout()
        self.new_button = self._button(buttons, self.tr("New site"), self.new_site)
        self.duplicate_button = self._button(buttons, self.tr("Duplicate"), self.duplicate_site)
        self.delete_button = self._button(buttons, self.tr("Delete"), self.delete_site)
        self._button(buttons, self.tr("Import FileZilla…"), self.import_filezilla)
        self._button(buttons, self.tr("Export…"), self.export_filezilla)
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
    @property
    def current(self) -> Site | None:
        """The site shown in the form."""
        return self.form.site

    @current.setter
    def current(self, site: Site | None) -> None:
        self.form.site = site

    def _show(self, site: Site | None) -> None:
        self.form.show_site(site)
        for button in (self.connect_button, self.save_button, self.delete_button,
                       self.duplicate_button):
            button.setEnabled(site is not None)

    def form_site(self) -> Site:
        """The site as the form shows it (raises ValueError with a message)."""
        return self.form.form_site()

    # -- commands ---------------------------------------------------------------------------
    def new_site(self) -> Site:
        folder = self.current.folder if self.current else ""
        site = Site(name=self.tr("New site"), host="", folder=folder)
        self.sites.append(site)
        self.current = site
        self._fill_tree(select=site.site_id)
        self._show(site)
        self.form.name.setFocus()
        self.form.name.selectAll()
        return site

    def duplicate_site(self) -> Site | None:
        """A saved copy of the site as the form shows it, named "… (copy)", in the same
        folder; its password (kept in the keyring) is copied under the new site."""
        site = self.current
        if site is None:
            return None
        try:
            shown = self.form_site()
        except ValueError as exc:
            self.message.setText(str(exc))
            return None
        copy = shown.replace(site_id=uuid.uuid4().hex,
                             name=self.tr("{} (copy)").format(shown.name))
        # keyring to keyring: the password, the key passphrase and the proxy password
        # as saved, then what the form holds typed and not yet saved
        copied = self.store.copy_secrets(site.site_id, copy.site_id)
        if shown.logon != "normal":
            self.store.delete_password(copy.site_id)
        typed = self.form.password.text()
        try:
            if typed and shown.logon == "normal":
                self.store.set_password(copy.site_id, typed)
            if self.form.proxy.typed_password():
                self.store.proxies.set_password(site_proxy_key(copy.site_id),
                                                self.form.proxy.typed_password())
        except Exception:  # noqa: BLE001 - keyring backends raise their own types
            copied = False
        if not copied and shown.logon == "normal":
            copy = copy.replace(logon="ask")
        self.sites.append(copy)
        self.store.save([s for s in self.sites if s.host])
        self.current = copy
        self._fill_tree(select=copy.site_id)
        self._show(copy)
        text = self.tr("Saved {}.").format(copy.path)
        if not copied:
            text += " " + self.tr("The keyring refused to copy a secret: the copy asks for "
                                  "its password.")
        self.message.setText(text)
        self.form.name.setFocus()
        self.form.name.selectAll()
        return copy

    def save_current(self) -> bool:
        try:
            site = self.form_site()
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        password = self.form.password.text()
        if site.logon == "normal" and password:
            try:
                self.store.set_password(site.site_id, password)
            except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
                self.message.setText(self.tr("The keyring refused the password ({}); the site "
                                             "is set to ask for it.").format(exc))
                site = site.replace(logon="ask")
        elif site.logon != "normal":
            self.store.delete_password(site.site_id)
        self.form.password.clear()
        self._save_proxy_password(site)
        before = next((s for s in self.sites if s.site_id == site.site_id), None)
        self.sites = [s for s in self.sites if s.site_id != site.site_id] + [site]
        self.store.save([s for s in self.sites if s.host])
        self._fill_tree(select=site.site_id)
        text = self.tr("Saved {}.").format(site.path)
        if (before is not None and before.charset != site.charset
                and site.site_id in self.open_sites()):
            text += " " + self.tr("The open connection keeps reading names in {}; the new "
                                  "charset applies when you connect to it again.").format(
                                      before.charset or "auto")
        self.message.setText(text)
        return True

    def _save_proxy_password(self, site: Site) -> None:
        """The typed proxy password to the keyring (a site without a proxy user keeps
        none); the field is emptied either way."""
        key = site_proxy_key(site.site_id)
        typed = self.form.proxy.typed_password()
        self.form.proxy.password.clear()
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
        fit_title(box)  # the whole title, not cut by the title bar
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

    def export_filezilla(self, path: Path | None = None) -> None:
        """Every saved site to a FileZilla ``sitemanager.xml`` (never a password)."""
        if path is None:
            dialog = QFileDialog(self, self.tr("Export the sites"))
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setNameFilter(self.tr("FileZilla site manager (*.xml)"))
            dialog.setDefaultSuffix("xml")
            dialog.selectFile("sitemanager.xml")
            dialog.fileSelected.connect(lambda name: self.export_filezilla(Path(name)))
            dialog.open()
            return
        sites = self.store.load()
        try:
            export_sitemanager(path, sites)
        except OSError as exc:
            self.message.setText(self.tr("Export failed: {}").format(exc.strerror or exc))
            return
        self.message.setText(self.tr("Exported {} site(s) to {} (without passwords: "
                                     "FileZilla asks for them).").format(len(sites), path))

    def connect_current(self) -> None:
        if not self.save_current() or self.current is None:
            return
        site = self._site(self.current.site_id) or self.current
        self.connect_requested.emit(site, site.remote_dir or None)
        self.accept()


def _folder_icon() -> Any:
    from client.ui.icons import icon

    return icon("folder")
