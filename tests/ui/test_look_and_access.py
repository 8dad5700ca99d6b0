"""Accessibility and look: every interactive control of the main window and the site
manager has an accessible name (or visible text), the About box shows the version, the
dark palette is dark and the light one light, and Copy URL never carries a password."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from client import __version__
from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui


def _unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, (QAbstractButton, QLineEdit, QComboBox, QSpinBox,
                                   QAbstractItemView)):
            continue
        if widget.parent() is not None and isinstance(widget.parent(), (QComboBox, QSpinBox)):
            continue  # the inner line edit of an editable combo box or spin box
        if isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
            continue  # column headers speak their sections; Qt's own helper buttons
        if widget.window() is not root.window() or not widget.isVisibleTo(root):
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text.strip("&").strip()):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in "
                           f"{type(widget.parent()).__name__}")
    return missing


@pytest.fixture
def window(qloop, qtbot, config_dir, tmp_path):
    from client.ui.main_window import MainWindow

    win = MainWindow(local_start=tmp_path)
    win.show()
    yield win
    task = asyncio.ensure_future(win.shutdown())
    qtbot.waitUntil(task.done, timeout=10_000)
    win.close()
    win.deleteLater()


def test_controls_have_accessible_names(window, memory_keyring) -> None:
    own = [w for w in _unnamed(window) if "inspector" not in w.lower() and "Ladder" not in w
           and "DataChannel" not in w and "Hung" not in w]
    assert own == []
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog(window)
    dialog.show()
    assert _unnamed(dialog) == []
    dialog.close()


def test_about_shows_the_version(window) -> None:
    window.about()
    assert __version__ in window.about_box.text() and window.about_box.isVisible()
    assert "FTP, FTPS and SFTP client" in window.about_box.text()  # SFTP was left out
    window.about_box.close()


def test_dark_and_light_palettes(qapp) -> None:
    from client.ui.app import apply_palette

    apply_palette(qapp, dark=True)
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert qapp.palette().color(QPalette.ColorRole.WindowText).lightness() > 180
    apply_palette(qapp, dark=False)
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 180


def test_copy_url_has_no_password(window, qapp) -> None:
    from PySide6.QtGui import QGuiApplication

    from client.protocol.listing import EntryKind, ListingEntry

    window.connection.settings = ConnectionSettings(host="127.0.0.1", port=2121, user="alice",
                                                    password="s3cret")
    window.remote_pane.model.set_listing("/pub dir", [ListingEntry(
        name="a file#1.txt", kind=EntryKind.FILE, size=1, modified=None,
        modified_precision=None, permissions=None, owner=None, group=None, target=None,
        facts={}, raw="")])
    text = window.remote_actions.copy_urls(window.remote_pane.model.entries())
    assert text == "ftp://127.0.0.1:2121/pub%20dir/a%20file%231.txt"
    assert QGuiApplication.clipboard().text() == text and "s3cret" not in text


def test_status_bar_names_every_session_state(qapp) -> None:
    """Each state reads as words (TLS in capitals), not as an enum value."""
    from client.engine.events import SessionState, SessionStateChanged
    from client.ui.status import InspectorStatusBar

    bar = InspectorStatusBar()
    bar.on_state(SessionStateChanged(connection="c1", t=0.0, state=SessionState.TLS_HANDSHAKE))
    assert bar.state_label.text() == "TLS handshake"
    for state in SessionState:
        bar.on_state(SessionStateChanged(connection="c1", t=0.0, state=state))
        text = bar.state_label.text()
        assert "-" not in text and text[0].isupper(), text
