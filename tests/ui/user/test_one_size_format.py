"""One size format in the whole window: a file found with Search remote files (F3) shows
the size its row in the remote pane shows, and a local file of the same size shows it
too in the local pane (search said "29.2 kB" and "2887 B", the panes "28.5 KiB" and
"2.8 KiB", the local pane "2.82 KiB")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.ui.search_results import ResultColumn

from .helpers import connect

pytestmark = pytest.mark.gui


def size_in_list(view, name: str) -> str:
    model = view.model()
    for row in range(model.rowCount(view.rootIndex())):
        if model.index(row, 0, view.rootIndex()).data() == name:
            return model.index(row, 1, view.rootIndex()).data()
    raise AssertionError(f"{name} not listed")


def test_search_results_panes_and_local_list_show_sizes_alike(window, qtbot, demo) -> None:
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: window.remote_search is not None and window.remote_search.isVisible())
    dialog = window.remote_search
    dialog.pattern.selectAll()
    qtbot.keyClicks(dialog.pattern, "*.txt")
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=15_000)
    found = {dialog.model.found(r).path: dialog.model.index(r, ResultColumn.SIZE).data()
             for r in range(dialog.model.rowCount())}
    sizes = {dialog.model.found(r).path: dialog.model.found(r).entry.size
             for r in range(dialog.model.rowCount())}
    dialog.close()

    # the same files in the remote pane
    pane = window.remote_pane
    pane.path_bar.lineEdit().setText("/docs")
    qtbot.keyClick(pane.path_bar.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.current_path == "/docs" and not window.connection.busy,
                    timeout=15_000)
    assert sizes["/docs/guide.txt"] >= 1024  # a KiB size, not bytes
    assert found["/docs/guide.txt"] == size_in_list(pane.view, "guide.txt")
    assert found["/README.txt"].endswith(("B", "KiB"))

    # a local file of guide.txt's size shows the same text in the local pane
    local = window.local_pane
    (local.current / "copy.txt").write_bytes(b"x" * sizes["/docs/guide.txt"])
    (local.current / "tiny.txt").write_bytes(b"x" * 36)
    local.view.setFocus()
    qtbot.keyClick(local.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: size_in_list(local.view, "copy.txt") == found["/docs/guide.txt"]
                    if _listed(local.view, "copy.txt") else False, timeout=15_000)
    bottom = found["/docs/nested/deeper/deepest/bottom.txt"]
    assert bottom == "36 B" and size_in_list(local.view, "tiny.txt") == bottom


def _listed(view, name: str) -> bool:
    try:
        size_in_list(view, name)
    except AssertionError:
        return False
    return True


def test_both_panes_write_dates_and_name_columns_alike(window, qtbot, demo) -> None:
    """The local list said "Date Modified" and "1 6 2024 12:00" (the locale's form), the
    remote list "Modified" and "2024-06-01 12:00"."""
    import os
    import re
    from datetime import datetime

    window.resize(1366, 740)
    connect(window, qtbot, demo)
    local = window.local_pane
    path = local.current / "dated.txt"
    path.write_bytes(b"x")
    stamp = datetime(2024, 6, 1, 12, 0).timestamp()
    os.utime(path, (stamp, stamp))
    local.view.setFocus()
    qtbot.keyClick(local.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: _listed(local.view, "dated.txt"), timeout=15_000)
    model, root = local.view.model(), local.view.rootIndex()
    row = next(r for r in range(model.rowCount(root)) if model.index(r, 0, root).data() == "dated.txt")
    assert model.index(row, 3, root).data() == "2024-06-01 12:00"
    remote = window.remote_pane.model
    remote_dates = [remote.index(r, 3).data() for r in range(remote.rowCount())]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", d) for d in remote_dates if d)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headers == [remote.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]


def test_both_panes_name_a_file_s_type_alike(window, qtbot, demo) -> None:
    """The same files side by side: the remote list said "plain", "csv" and
    "octet-stream", the local list "plain text document", "CSV document" and "unknown"."""
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    pane = window.remote_pane
    pane.path_bar.lineEdit().setText("/data")
    qtbot.keyClick(pane.path_bar.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.current_path == "/data" and not window.connection.busy,
                    timeout=15_000)
    names = [e.name for e in pane.model.entries()] + ["guide.txt", "archive.tar.gz", "noext"]
    local = window.local_pane
    for name in names:
        (local.current / name).write_bytes(b"x")
    (local.current / "folder").mkdir()
    local.view.setFocus()
    qtbot.keyClick(local.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: all(_listed(local.view, n) for n in names), timeout=15_000)

    def local_type(name: str) -> str:
        model, root = local.view.model(), local.view.rootIndex()
        row = next(r for r in range(model.rowCount(root)) if model.index(r, 0, root).data() == name)
        return model.index(row, 2, root).data()

    remote = {e.name: pane.model.index(pane.model.row_of_name(e.name), 2).data()
              for e in pane.model.entries()}
    for name, text in remote.items():
        assert local_type(name) == text, name
    assert remote["ports.csv"] == "CSV document"
    assert remote["sample-2mb.bin"] == "BIN file"  # not "octet-stream" nor "unknown"
    assert local_type("guide.txt") == "Plain text document"
    assert local_type("archive.tar.gz") == "Tar archive (gzip-compressed)"
    assert local_type("noext") == "File"
    assert local_type("folder") == "Folder"
