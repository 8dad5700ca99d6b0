"""The remote pane as a person uses it: select-all in a huge folder, and opening a
symbolic link whose listing does not say whether it is a folder or a file (against a
scripted server on loopback that answers CWD and LIST like a Unix server)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fixtures.scripted_steps import by_path, resolve_path, transfer
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from client.engine.settings import ConnectionSettings, TlsMode
from client.protocol.listing import EntryKind, ListingEntry

from .helpers import run

pytestmark = pytest.mark.gui


def file_entry(name: str, size: int = 1) -> ListingEntry:
    return ListingEntry(name=name, kind=EntryKind.FILE, size=size,
                        modified=datetime(2024, 1, 1, tzinfo=UTC), modified_precision="second",
                        permissions="rw-r--r--", owner="o", group="g", target=None, facts={},
                        raw=name)


def test_select_all_in_a_100000_entry_folder(qapp, qtbot, monkeypatch) -> None:
    """Ctrl+A selects every entry, and the selection comes back whole and in order.

    The cost is checked by counting, not timing: Qt's header repaint and
    ``selectedRows()`` used to ask the model's ``flags()`` for every cell (600,000 Python
    calls each, seconds of frozen window); now only the painted cells are asked."""
    import client.ui.remote.pane as pane_module
    from client.ui.remote.listing_model import RemoteListModel

    flag_calls = [0]

    class CountingModel(RemoteListModel):
        def flags(self, index):  # type: ignore[override]
            flag_calls[0] += 1
            return super().flags(index)

    monkeypatch.setattr(pane_module, "RemoteListModel", CountingModel)
    pane = pane_module.RemotePane()
    qtbot.addWidget(pane)
    pane.set_connected(True)
    pane.resize(800, 600)
    pane.show()
    entries = [file_entry(f"file-{i:06d}.dat", size=i) for i in range(100_000)]
    pane.show_listing("/big", entries)
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus, timeout=15_000)
    flag_calls[0] = 0
    qtbot.keyClick(pane.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()  # the updates the selection queued, then a full paint
    pane.view.repaint()
    pane.view.horizontalHeader().repaint()

    selected = pane.selected_entries()
    assert len(selected) == 100_000
    assert flag_calls[0] < 10_000, f"flags() asked {flag_calls[0]} times"
    assert [e.name for e in selected[:2]] == ["file-000000.dat", "file-000001.dat"]
    assert selected[-1].name == "file-099999.dat"

    # Ctrl+click one row away: the selection splits into two ranges, one row fewer
    model = pane.model
    pane.view.selectionModel().select(
        model.index(500, 0),
        QItemSelectionModel.SelectionFlag.Deselect | QItemSelectionModel.SelectionFlag.Rows)
    selected = pane.selected_entries()
    assert len(selected) == 99_999
    assert "file-000500.dat" not in {e.name for e in selected[499:501]}
    assert [e.name for e in selected[498:501]] == [
        "file-000498.dat", "file-000499.dat", "file-000501.dat"]

    # a drag asks for one index per row, not one per cell
    dragged = pane.view.selectedIndexes()
    assert len(dragged) == 99_999 and {i.column() for i in dragged} == {0}


# --- a link whose kind the listing does not tell ----------------------------------------

_ROOT_LISTING = (
    b"drwxr-xr-x    2 ftp      ftp          4096 Jan 01 12:00 data\r\n"
    b"lrwxrwxrwx    1 ftp      ftp             8 Jan 01 12:00 www -> /var/www\r\n"
    b"lrwxrwxrwx    1 ftp      ftp             9 Jan 01 12:00 notes -> notes.txt\r\n"
    b"-rw-r--r--    1 ftp      ftp            17 Jan 01 12:00 notes.txt\r\n"
)
_WWW_LISTING = b"-rw-r--r--    1 ftp      ftp            12 Jan 01 12:00 index.html\r\n"
_NOTES = b"hello from notes\n"
_FOLDERS = {"/", "/data", "/www"}


def _cwd(session: object, argument: str) -> None:
    """CWD as a Unix server answers it: folders (and links to folders) yes, files no."""
    path = resolve_path(session, argument)  # type: ignore[arg-type]
    if path in _FOLDERS:
        session.state["cwd"] = path  # type: ignore[attr-defined]
        session.send(b"250 Directory successfully changed.\r\n")  # type: ignore[attr-defined]
    else:
        session.send(b"550 Failed to change directory.\r\n")  # type: ignore[attr-defined]


@pytest.fixture
def link_server(scripted_server):
    return scripted_server({
        "CWD": _cwd,
        "LIST": by_path({"/": transfer(payload=_ROOT_LISTING),
                         "/www": transfer(payload=_WWW_LISTING),
                         "/data": transfer(payload=b"")}),
        "RETR": by_path({"/notes": transfer(payload=_NOTES),
                         "/notes.txt": transfer(payload=_NOTES)}),
    })


def _press_enter_on(qtbot, pane, name: str) -> None:
    row = pane.model.row_of_name(name)
    assert row is not None, name
    pane.view.setFocus()
    pane.view.setCurrentIndex(pane.model.index(row, 0))
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)


def test_a_link_to_a_folder_opens_and_a_link_to_a_file_downloads(
        window, qtbot, link_server, ftp_password) -> None:
    settings = ConnectionSettings(host=link_server.host, port=link_server.port, user="alice",
                                  password=ftp_password, tls=TlsMode.OFF)
    run(qtbot, window.connect_to(settings))
    pane = window.remote_pane
    assert pane.current_path == "/"
    www = pane.model.entry(pane.model.row_of_name("www"))
    assert www.kind is EntryKind.LINK and www.target == "/var/www"

    # Enter on "www -> /var/www": the server accepts CWD, so it is a folder
    _press_enter_on(qtbot, pane, "www")
    qtbot.waitUntil(lambda: pane.current_path == "/www", timeout=10_000)
    assert [e.name for e in pane.model.entries()] == ["index.html"]
    assert not pane.banner.isVisible()
    assert not [c for c in link_server.commands if c.verb == "RETR"]

    # back up; Enter on "notes -> notes.txt": CWD is refused (550), so it downloads
    run(qtbot, window.remote_actions.browse("/"))
    _press_enter_on(qtbot, pane, "notes")
    target = window.local_pane.current / "notes"
    qtbot.waitUntil(lambda: target.exists() and target.read_bytes() == _NOTES, timeout=15_000)
    run(qtbot, window.transfers.wait_idle(), timeout=15_000)
    assert pane.current_path == "/"
    assert not pane.banner.isVisible()
    cwds = [c.argument for c in link_server.commands if c.verb == "CWD"]
    assert "/notes" in cwds
