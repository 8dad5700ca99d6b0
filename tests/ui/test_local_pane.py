"""The local pane over real temporary folders: the filter box (and Ctrl+F) keeps the
children of the shown folder that match, the list sorts like the remote one (folders
first both ways, names case-insensitive and natural, sizes by bytes, dates by time), and
F5 refreshes the pane whose list has the focus, with no ambiguous shortcut."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from client.engine.settings import ConnectionSettings

pytestmark = pytest.mark.gui

FOLDERS = ("sub_b", "zfolder")
#: name -> (size in bytes, modification time); the size text ("4.88 KiB" < "900 bytes")
#: and the date text sort differently from the bytes and times
FILES = {
    "Zeta.txt": (10, datetime(2024, 6, 1, 12, 0)),
    "a_big.txt": (5000, datetime(2009, 12, 31, 23, 0)),
    "b_small.txt": (900, datetime(2010, 1, 1, 1, 0)),
    "file2.txt": (20, datetime(2015, 3, 3, 3, 0)),
    "file10.txt": (30, datetime(2012, 2, 2, 2, 0)),
    "match_me.txt": (40, datetime(2020, 5, 5, 5, 0)),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    for name in FOLDERS:
        (root / name).mkdir()
    (root / "sub_b" / "match_inner.txt").write_text("x")
    (root / "sub_b" / "other.txt").write_text("x")
    for name, (size, when) in FILES.items():
        path = root / name
        path.write_bytes(b"x" * size)
        os.utime(path, (when.timestamp(), when.timestamp()))
    return root


@pytest.fixture
def pane(qtbot, folder: Path):
    from client.ui.local_pane import LocalPane

    widget = LocalPane(start=folder)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    expected = len(FOLDERS) + len(FILES)
    qtbot.waitUntil(lambda: len(shown(widget)) == expected, timeout=15_000)
    return widget


def shown(pane, column: int = 0) -> list[str]:
    """The texts the file list shows in ``column``, top to bottom."""
    view = pane.view
    model, root = view.model(), view.rootIndex()
    return [str(model.data(model.index(row, column, root))) for row in range(model.rowCount(root))]


def click_header(qtbot, pane, column: int) -> None:
    header = pane.view.header()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def ambiguous_shortcut_warnings() -> list[str]:
    from fixtures import qt_messages

    return [m for m in qt_messages._messages if "Ambiguous shortcut" in m]


# -- filter ------------------------------------------------------------------------------
def test_filter_keeps_the_matching_children_of_the_shown_folder(qtbot, pane, folder) -> None:
    qtbot.keyClicks(pane.filter_box, "MATCH")
    qtbot.waitUntil(lambda: shown(pane) == ["match_me.txt"], timeout=15_000)
    assert pane.current == folder.resolve()

    qtbot.keyClicks(pane.filter_box, "_me")
    assert shown(pane) == ["match_me.txt"]
    pane.filter_box.clear()
    assert len(shown(pane)) == len(FOLDERS) + len(FILES)


def test_filter_applies_to_the_folder_opened_while_it_is_set(qtbot, pane, folder) -> None:
    qtbot.keyClicks(pane.filter_box, "match")
    qtbot.waitUntil(lambda: shown(pane) == ["match_me.txt"], timeout=15_000)
    # sub_b is hidden by the filter; the path bar still opens it
    pane.path_bar.lineEdit().setText(str(folder / "sub_b"))
    qtbot.keyClick(pane.path_bar.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shown(pane) == ["match_inner.txt"], timeout=15_000)
    qtbot.mouseClick(pane.up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(pane) == ["match_me.txt"], timeout=15_000)


# -- sorting -----------------------------------------------------------------------------
def test_names_sort_folders_first_case_insensitive_and_natural(qtbot, pane) -> None:
    ascending = ["sub_b", "zfolder", "a_big.txt", "b_small.txt", "file2.txt", "file10.txt",
                 "match_me.txt", "Zeta.txt"]
    assert shown(pane) == ascending  # the list opens sorted by name
    click_header(qtbot, pane, 0)
    assert pane.view.header().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert shown(pane) == ["zfolder", "sub_b", "Zeta.txt", "match_me.txt", "file10.txt",
                           "file2.txt", "b_small.txt", "a_big.txt"]
    click_header(qtbot, pane, 0)
    assert shown(pane) == ascending


def test_size_sorts_by_bytes_with_folders_first(qtbot, pane) -> None:
    by_bytes = sorted(FILES, key=lambda name: FILES[name][0])
    click_header(qtbot, pane, 1)
    if pane.view.header().sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        click_header(qtbot, pane, 1)
    assert shown(pane) == ["sub_b", "zfolder", *by_bytes]
    click_header(qtbot, pane, 1)
    assert shown(pane) == ["zfolder", "sub_b", *reversed(by_bytes)]


def test_date_sorts_by_modification_time_with_folders_first(qtbot, pane, folder) -> None:
    os.utime(folder / "sub_b", (FILES["Zeta.txt"][1].timestamp(),) * 2)
    os.utime(folder / "zfolder", (FILES["a_big.txt"][1].timestamp(),) * 2)
    pane.refresh()
    by_time = sorted(FILES, key=lambda name: FILES[name][1])
    click_header(qtbot, pane, 3)
    if pane.view.header().sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        click_header(qtbot, pane, 3)
    qtbot.waitUntil(lambda: shown(pane) == ["zfolder", "sub_b", *by_time], timeout=15_000)
    click_header(qtbot, pane, 3)
    assert shown(pane) == ["sub_b", "zfolder", *reversed(by_time)]


# -- F5 and Ctrl+F in the window -----------------------------------------------------------
@pytest.fixture
def window(qloop, qtbot, config_dir, folder):
    from client.ui.main_window import MainWindow

    win = MainWindow(local_start=folder)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    qtbot.waitUntil(lambda: len(shown(win.local_pane)) == len(FOLDERS) + len(FILES), timeout=15_000)
    yield win
    task = asyncio.ensure_future(win.shutdown())
    qtbot.waitUntil(task.done, timeout=10_000)
    win.close()
    win.deleteLater()


def size_text(pane, name: str) -> str:
    return shown(pane, 1)[shown(pane).index(name)]


def test_f5_in_the_local_list_refreshes_it(qtbot, window, folder) -> None:
    pane = window.local_pane
    before = size_text(pane, "Zeta.txt")
    # another program grows the file: the folder watcher does not see a file's size
    (folder / "Zeta.txt").write_bytes(b"x" * 50_000)
    qtbot.wait(300)  # kept: the check is that nothing changes on its own meanwhile
    assert size_text(pane, "Zeta.txt") == before
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus, timeout=15_000)
    qtbot.keyClick(pane.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: "KiB" in size_text(pane, "Zeta.txt"), timeout=15_000)
    assert ambiguous_shortcut_warnings() == []


def test_f5_in_the_remote_list_refreshes_it(qtbot, window, demo) -> None:
    settings = ConnectionSettings(host=demo.host, port=demo.port, user=demo.user,
                                  password=demo.password, data_timeout=5.0)
    task = asyncio.ensure_future(window.connect_to(settings))
    qtbot.waitUntil(task.done, timeout=15_000)
    task.result()
    remote = window.remote_pane
    (demo.root / "arrived_after_listing.txt").write_text("new")
    try:
        names = lambda: {e.name for e in remote.model.entries()}  # noqa: E731
        assert "arrived_after_listing.txt" not in names()
        remote.view.setFocus()
        qtbot.waitUntil(remote.view.hasFocus, timeout=15_000)
        qtbot.keyClick(remote.view, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: "arrived_after_listing.txt" in names(), timeout=10_000)
    finally:
        (demo.root / "arrived_after_listing.txt").unlink()
    assert ambiguous_shortcut_warnings() == []


def test_ctrl_f_in_the_local_list_filters_it(qtbot, window) -> None:
    pane = window.local_pane
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus, timeout=15_000)
    qtbot.keyClick(pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.filter_box.hasFocus()
    qtbot.keyClicks(pane.filter_box, "match")
    qtbot.waitUntil(lambda: shown(pane) == ["match_me.txt"], timeout=15_000)
