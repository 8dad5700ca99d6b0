"""Each button of each dialog and wizard page clicked once, the dialog opened afresh for
every button, as a person trying them out would; no exception may reach Qt's loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QInputDialog, QMessageBox

from .answer import answer_everything, settle
from .helpers import connect

pytestmark = pytest.mark.gui


def key(button: QAbstractButton) -> str:
    return button.text() or button.objectName() or button.accessibleName()


def buttons_of(dialog) -> list[QAbstractButton]:
    return [b for b in dialog.findChildren(QAbstractButton)
            if b.isVisible() and b.isEnabled() and key(b)]


def click_each_button(qtbot, window, tmp_path, open_dialog, *, skip: tuple[str, ...] = (),
                      only: tuple[str, ...] = ()) -> list[str]:
    """Open the dialog once to learn its buttons, then once per button and click it."""
    dialog = open_dialog()
    names = [key(b) for b in buttons_of(dialog)]
    answer_everything(tmp_path)
    settle(qtbot, window)
    clicked: list[str] = []
    for name in names:
        if name in skip or (only and name not in only):
            continue
        dialog = open_dialog()
        match = [b for b in buttons_of(dialog) if key(b) == name]
        if not match:
            continue
        match[0].click()
        clicked.append(name)
        settle(qtbot, window)
        answer_everything(tmp_path)
        settle(qtbot, window)
        answer_everything(tmp_path)
    return clicked


@pytest.fixture
def connected(window, qtbot, demo):
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    return window


def newest(kind):
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[-1]


IMPORT = "Import FileZilla…"


def open_site_manager(window, qtbot):
    def opener():
        window.open_site_manager()
        qtbot.waitExposed(window.site_manager)
        if not window.site_manager.save_button.isEnabled():
            window.site_manager.new_button.click()  # a site to save, connect or delete
        return window.site_manager
    return opener


def test_site_manager_buttons(connected, qtbot, tmp_path) -> None:
    clicked = click_each_button(qtbot, connected, tmp_path, open_site_manager(connected, qtbot),
                                skip=(IMPORT,))
    assert {"New site", "Save", "Delete", "Connect"} <= set(clicked), clicked


def test_site_manager_import_button(connected, qtbot, tmp_path, no_exception_reaches_qt) -> None:
    clicked = click_each_button(qtbot, connected, tmp_path, open_site_manager(connected, qtbot),
                                only=(IMPORT,))
    caught, no_exception_reaches_qt[:] = list(no_exception_reaches_qt), []
    assert clicked == [IMPORT] and caught == []


def test_about_box_buttons(connected, qtbot, tmp_path) -> None:
    def opener():
        connected.about()
        return connected.about_box
    assert click_each_button(qtbot, connected, tmp_path, opener)


def diagnose_opener(window, qtbot, pages: int):
    from client.ui.inspector.diagnose_install import open_diagnose

    def opener():
        wizard = open_diagnose(window)
        wizard.plan_page.timeout_box.setValue(2.0)
        qtbot.waitExposed(wizard)
        for _ in range(pages):
            wizard.next()
            qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=60_000)
        return wizard
    return opener


@pytest.mark.parametrize("page", [0, 1, 2], ids=["plan", "run", "verdict"])
def test_diagnose_wizard_buttons(connected, qtbot, tmp_path, page: int) -> None:
    clicked = click_each_button(qtbot, connected, tmp_path, diagnose_opener(connected, qtbot, page))
    assert clicked


def test_certificate_dialog_buttons(connected, qtbot, tmp_path) -> None:
    from client.engine.trust import CertificateInfo
    from client.ui.certificates import CertificateDialog

    info = CertificateInfo(subject="CN=demo", issuer="CN=demo", not_before="2026-01-01",
                           not_after="2027-01-01", fingerprint_sha256="ab" * 32,
                           verify_error="self-signed certificate", host="127.0.0.1", port=21)

    def opener():
        dialog = CertificateDialog(info, connected)
        dialog.open()
        return dialog
    clicked = click_each_button(qtbot, connected, tmp_path, opener)
    assert {"Trust once", "Refuse"} <= set(clicked)


def test_file_exists_dialog_buttons(connected, qtbot, tmp_path) -> None:
    from client.engine.exists import ExistsInfo
    from client.ui.exists_dialog import FileExistsDialog

    info = ExistsInfo(direction="download", local_path=tmp_path / "a.bin", remote_path="/a.bin",
                      local_size=10, local_mtime=datetime(2026, 1, 1, tzinfo=UTC),
                      remote_size=100, remote_mtime=None)

    def opener():
        dialog = FileExistsDialog(info, connected)
        dialog.open()
        return dialog
    assert len(click_each_button(qtbot, connected, tmp_path, opener)) >= 3


def test_permissions_dialog_buttons(connected, qtbot, tmp_path) -> None:
    from client.ui.dialogs import ChmodDialog

    def opener():
        dialog = ChmodDialog(connected, ["readme.txt"], 0o644)
        dialog.open()
        return dialog
    assert len(click_each_button(qtbot, connected, tmp_path, opener)) >= 9


@pytest.mark.parametrize("kind", ["create folder", "confirm"])
def test_question_dialog_buttons(connected, qtbot, tmp_path, kind: str) -> None:
    from client.ui.dialogs import ask_text, confirm

    def opener():
        if kind == "create folder":
            asyncio.ensure_future(ask_text(connected, "Create folder", "Folder name:"))
            qtbot.waitUntil(lambda: any(isinstance(w, QInputDialog) and w.isVisible()
                                        for w in QApplication.topLevelWidgets()))
            return newest(QInputDialog)
        asyncio.ensure_future(confirm(connected, "Delete", "Delete readme.txt?"))
        qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()))
        return newest(QMessageBox)
    assert len(click_each_button(qtbot, connected, tmp_path, opener)) >= 2
