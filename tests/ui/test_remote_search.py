"""Search remote files as a person does it: F3, type a pattern, press Search, see the
results arrive, double-click one to see it in the remote pane, select several and
download them; a folder that cannot be listed is named, Cancel stops a search."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt

from client.engine.settings import TlsMode
from client.ui.search_results import ResultColumn

from .helpers import run

pytestmark = pytest.mark.gui


@pytest.fixture
def tree_server(make_ftp_server, tmp_path):
    root = tmp_path / "root"
    for path, size in (("top.log", 10), ("notes.txt", 5), ("a/app.log", 500),
                       ("a/b/deep.log", 5000), ("a/b/c/deeper.log", 50), ("docs/x.txt", 1)):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(b"x" * size)
    return make_ftp_server(root=root)


def _search(qtbot, window, pattern: str):
    qtbot.keyClick(window, Qt.Key.Key_F3)
    dialog = window.remote_search
    assert dialog is not None and dialog.isVisible()
    assert dialog.folder.text() == "/"
    dialog.pattern.selectAll()
    qtbot.keyClicks(dialog.pattern, pattern)
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    return dialog


def _names(dialog) -> list[str]:
    model = dialog.model
    return sorted(model.found(row).path for row in range(model.rowCount()))


def test_find_open_in_pane_and_download(window, qtbot, tree_server) -> None:
    run(qtbot, window.connect_to(tree_server.settings(tls=TlsMode.OFF)))
    dialog = _search(qtbot, window, "*.LOG")
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=15_000)
    assert _names(dialog) == ["/a/app.log", "/a/b/c/deeper.log", "/a/b/deep.log", "/top.log"]
    assert "4 found" in dialog.status.text()

    # typing in the results goes to the first name starting so (Qt's keyboard search)
    dialog.results.setFocus()
    qtbot.keyClicks(dialog.results, "dee")
    current = dialog.sorted.mapToSource(dialog.results.currentIndex())
    assert dialog.model.found(current.row()).entry.name == "deep.log"

    # a click on the Size header sorts by size as a number
    header = dialog.results.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().topLeft() + QPoint(
                         header.sectionViewportPosition(ResultColumn.SIZE) + 5, 5))
    by_size = [dialog.model.found(dialog.sorted.mapToSource(dialog.sorted.index(r, 0)).row())
               .entry.size for r in range(dialog.sorted.rowCount())]
    assert by_size in ([10, 50, 500, 5000], [5000, 500, 50, 10])

    # double-click /a/b/deep.log: the pane goes to /a/b with the file selected
    row = next(r for r in range(dialog.model.rowCount())
               if dialog.model.found(r).path == "/a/b/deep.log")
    cell = dialog.results.visualRect(
        dialog.sorted.mapFromSource(dialog.model.index(row, ResultColumn.NAME))).center()
    qtbot.mouseClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    pane = window.remote_pane
    qtbot.waitUntil(lambda: pane.current_path == "/a/b"
                    and [e.name for e in pane.selected_entries()] == ["deep.log"],
                    timeout=10_000)

    # select two results in different folders and queue them for download
    selection = dialog.results.selectionModel()
    selection.clearSelection()
    for path in ("/top.log", "/a/app.log"):
        r = next(r for r in range(dialog.model.rowCount()) if dialog.model.found(r).path == path)
        selection.select(dialog.sorted.mapFromSource(dialog.model.index(r, 0)),
                         QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    assert dialog.download_button.isEnabled()
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    local = window.local_pane.current
    qtbot.waitUntil(lambda: (local / "top.log").exists() and (local / "app.log").exists(),
                    timeout=15_000)
    run(qtbot, window.transfers.wait_idle(), timeout=15_000)
    assert (local / "app.log").read_bytes() == b"x" * 500


def test_depth_and_size_from_the_form(window, qtbot, tree_server) -> None:
    run(qtbot, window.connect_to(tree_server.settings(tls=TlsMode.OFF)))
    qtbot.keyClick(window, Qt.Key.Key_F3)
    dialog = window.remote_search
    dialog.depth.setValue(1)
    qtbot.keyClicks(dialog.min_size, "100")
    dialog.pattern.selectAll()
    qtbot.keyClicks(dialog.pattern, "*.log")
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=15_000)
    assert _names(dialog) == ["/a/app.log"]
    dialog.min_size.setText("lots")
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert "is not a size" in dialog.status.text()


def test_cancel_stops_the_search(window, qtbot, tree_server) -> None:
    run(qtbot, window.connect_to(tree_server.settings(tls=TlsMode.OFF)))
    dialog = _search(qtbot, window, "*")
    assert dialog.cancel_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Cancelled"), timeout=10_000)
    assert dialog.search_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_a_folder_that_cannot_be_listed_is_named_and_the_search_goes_on(
        window, qtbot, vsftpd_server) -> None:
    import os

    root = vsftpd_server.root
    for folder in ("open", "closed"):
        (root / folder).mkdir()
        (root / folder / f"{folder}.log").write_bytes(b"x")
        os.chown(root / folder, *vsftpd_server.owner)
    os.chmod(root / "closed", 0o000)
    try:
        run(qtbot, window.connect_to(vsftpd_server.settings(tls=TlsMode.OFF)))
        dialog = _search(qtbot, window, "*.log")
        qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=15_000)
    finally:
        os.chmod(root / "closed", 0o755)
    assert _names(dialog) == ["/open/open.log"]
    assert dialog.failed_view.isVisible()
    assert dialog.failures.stringList()[0].startswith("/closed: ")
    assert "1 folder(s) could not be listed" in dialog.status.text()
