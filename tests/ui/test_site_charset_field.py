"""The site manager's Charset: chosen from the list, typed by another name, or refused
when unknown; saved in the site and used by its connections."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.config.sites import SiteStore

pytestmark = pytest.mark.gui


def _dialog(qtbot):
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    qtbot.addWidget(dialog)
    dialog.new_site()
    dialog.form.name.setText("Old")
    dialog.form.host.setText("127.0.0.1")
    return dialog


def test_a_charset_picked_from_the_list_is_saved(qapp, qtbot, config_dir,
                                                 memory_keyring) -> None:
    dialog = _dialog(qtbot)
    assert dialog.form.charset.currentData() == "auto"  # a new site
    dialog.form.charset.setCurrentIndex(dialog.form.charset.findData("koi8-r"))
    assert dialog.save_current()
    saved = SiteStore().find("Old")
    assert saved.charset == "koi8-r"
    assert SiteStore().connection_settings(saved, password="x").encoding == "koi8-r"


def test_a_typed_name_is_stored_as_its_usual_spelling(qapp, qtbot, config_dir,
                                                      memory_keyring) -> None:
    dialog = _dialog(qtbot)
    dialog.form.charset.lineEdit().selectAll()
    qtbot.keyClicks(dialog.form.charset.lineEdit(), "latin2")
    assert dialog.save_current()
    assert SiteStore().find("Old").charset == "iso-8859-2"


def test_an_unknown_charset_is_refused(qapp, qtbot, config_dir, memory_keyring) -> None:
    dialog = _dialog(qtbot)
    dialog.form.charset.lineEdit().selectAll()
    qtbot.keyClicks(dialog.form.charset.lineEdit(), "klingon")
    qtbot.keyClick(dialog.form.charset.lineEdit(), Qt.Key.Key_Tab)
    assert not dialog.save_current()
    assert "unknown charset" in dialog.message.text()


def test_a_stored_charset_is_checked_when_sites_are_read() -> None:
    from client.config.sites import Site

    assert Site.from_json({"name": "a", "host": "h", "charset": "CP1251"}).charset == \
        "windows-1251"
    assert Site.from_json({"name": "a", "host": "h", "charset": "bogus"}).charset == "auto"
    assert Site.from_json({"name": "a", "host": "h"}).charset == "auto"
