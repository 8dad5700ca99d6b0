"""Bookmarks of a saved site, as a person keeps them: connected from the Site Manager,
in /docs with a local folder beside it, Ctrl+B and a name keep the pair; later, from
elsewhere, Bookmarks → the name shows both folders again. The Site Manager lists the
bookmark and Remove + Save takes it away. Stored in the site, never with a secret."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from client.config.sites import Site, SiteStore

from .helpers import run

pytestmark = pytest.mark.gui


def _answer(qtbot, text: str) -> None:
    qtbot.waitUntil(lambda: any(isinstance(w, QInputDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QInputDialog) and w.isVisible())
    dialog.setTextValue(text)
    dialog.accept()


def test_a_bookmark_brings_back_both_folders(window, qtbot, demo, memory_keyring,
                                             config_dir, tmp_path) -> None:
    from client.ui.sites.connect import connect_site

    store = SiteStore()
    site = Site(name="Demo", host=demo.host, port=demo.port, user=demo.user, tls="off")
    store.save([site])
    store.set_password(site.site_id, demo.password)
    run(qtbot, connect_site(window, store, site))
    window.bridge.flush()
    build = tmp_path / "build"
    build.mkdir()
    run(qtbot, window.remote_actions.browse("/docs"))
    window.local_pane.set_folder(build)

    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    _answer(qtbot, "Docs")
    qtbot.waitUntil(lambda: SiteStore().find("Demo").bookmarks != ())
    saved = SiteStore().find("Demo").bookmarks
    assert [(b.name, b.remote, b.local) for b in saved] == [("Docs", "/docs", str(build))]
    assert demo.password not in (config_dir / "sites.json").read_text()

    run(qtbot, window.remote_actions.browse("/"))
    window.local_pane.set_folder(tmp_path)
    menu = window.bookmarks.menu
    menu.aboutToShow.emit()  # as opening the menu does
    entry = next(a for a in menu.actions() if a.text() == "Docs")
    assert entry.isEnabled() and "/docs" in entry.toolTip()
    entry.trigger()
    qtbot.waitUntil(lambda: window.remote_pane.current_path == "/docs"
                    and not window.connection.busy, timeout=15_000)
    assert window.local_pane.current == build

    window.menu_actions.site_manager.trigger()  # File → Site Manager…
    qtbot.waitUntil(lambda: window.site_manager is not None)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    item = manager.tree.findItems("Demo", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
    manager.tree.setCurrentItem(item)
    field = manager.form.bookmarks
    assert field.list.count() == 1 and "/docs" in field.list.item(0).text()
    field.list.setCurrentRow(0)
    qtbot.mouseClick(field.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    assert SiteStore().find("Demo").bookmarks == ()
    manager.close()


def test_a_quickconnect_session_says_where_bookmarks_come_from(window, qtbot, demo) -> None:
    from .helpers import connect

    connect(window, qtbot, demo)
    menu = window.bookmarks.menu
    menu.aboutToShow.emit()
    assert not window.bookmarks.add_action.isEnabled()
    assert any("Site Manager" in a.text() for a in menu.actions())
    menu.aboutToHide.emit()
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    banner = window.remote_pane.banner
    qtbot.waitUntil(banner.isVisible)
    assert "Site Manager" in banner.message.text()


def test_the_site_managers_empty_bookmark_list_is_read_whole(window, qtbot) -> None:
    """At 1366x768 the hint of a site without bookmarks was cut ("… Add bookmark… in")
    with a horizontal scroll bar under it: the list wraps its lines instead."""
    from PySide6.QtCore import QRect

    window.resize(1366, 740)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    manager.resize(846, 540)
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    field = manager.form.bookmarks
    field.list.scrollToItem(field.list.item(0))
    qtbot.waitUntil(lambda: field.list.isVisible())
    hint = field.list.item(0)
    assert "none yet" in hint.text()
    room = field.list.visualItemRect(hint)
    needed = field.list.fontMetrics().boundingRect(
        QRect(0, 0, field.list.viewport().width(), 10_000),
        int(Qt.TextFlag.TextWordWrap), hint.text())
    assert needed.width() <= field.list.viewport().width()
    assert room.height() >= needed.height(), (room, needed)
    assert field.list.horizontalScrollBar().maximum() == 0
    manager.close()
