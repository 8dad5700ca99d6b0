"""Directory comparison, synchronised browsing and Synchronise… as a person uses them:
toolbar clicks, keys in the lists and the dialog, against a pyftpdlib server."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QStyleOptionViewItem

from client.engine.sync import Side

from .helpers import run

pytestmark = pytest.mark.usefixtures("qloop")


def make(root: Path, files: dict[str, bytes], stamp: float) -> None:
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if relpath.endswith("/"):
            path.mkdir(exist_ok=True)
            continue
        path.write_bytes(data)
        os.utime(path, (stamp, stamp))


def click_tool(window, qtbot, action) -> None:
    button = window.toolbar.widgetForAction(action)
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def connected(window, qtbot, server, path: str) -> None:
    run(qtbot, window.connect_to(server.settings(), path))
    qtbot.waitUntil(lambda: window.remote_pane.current_path == path, timeout=10_000)


def local_row(window, name: str):
    view = window.local_pane.view
    root = view.rootIndex()
    model = view.model()
    for row in range(model.rowCount(root)):
        index = model.index(row, 0, root)
        if index.data() == name:
            return index
    return None


def shown_text(view, index) -> str:
    """The name cell as painted (the delegate adds the comparison's words)."""
    option = QStyleOptionViewItem()
    view.itemDelegate().initStyleOption(option, index)
    return option.text


@pytest.fixture
def trees(ftp_server, window):
    stamp = time.time() - 3600
    make(ftp_server.root / "site", {"same.txt": b"same", "bigger.txt": b"server is bigger",
                                    "only-there.txt": b"t", "newer-there.txt": b"n",
                                    "sub/": b"", "sub/inner.txt": b"i"}, stamp)
    os.utime(ftp_server.root / "site" / "newer-there.txt", (stamp + 600, stamp + 600))
    local = window.local_pane.current
    make(local, {"same.txt": b"same", "bigger.txt": b"small", "only-here.txt": b"h",
                 "newer-there.txt": b"n", "sub/": b"", "sub/inner.txt": b"i",
                 "localonly/": b""}, stamp)
    return local


def test_comparison_marks_both_panes_in_words_and_colour(window, qtbot, ftp_server, trees):
    connected(window, qtbot, ftp_server, "/site")
    qtbot.waitUntil(lambda: local_row(window, "only-here.txt") is not None, timeout=10_000)
    actions = window.compare_tools.actions
    click_tool(window, qtbot, actions.compare)
    assert actions.compare.isChecked()
    label = window.compare_tools.label
    qtbot.waitUntil(lambda: "only here" in label.text(), timeout=15_000)
    assert label.text() == ("Comparison (by size and time): 2 only here, 1 only on the "
                            "server, 1 differ in size, 1 newer on the server")

    remote = window.remote_pane
    row = remote.model.row_of_name("only-there.txt")
    assert shown_text(remote.view, remote.model.index(row, 0)) == \
        "only-there.txt  [only on the server]"
    assert shown_text(window.local_pane.view, local_row(window, "only-here.txt")) == \
        "only-here.txt  [only here]"
    assert shown_text(window.local_pane.view, local_row(window, "bigger.txt")).endswith(
        "[differs]")
    newer_row = remote.model.row_of_name("newer-there.txt")
    assert shown_text(remote.view, remote.model.index(newer_row, 0)).endswith("[newer]")
    # the local copy of a file newer on the server is not marked "newer"
    assert shown_text(window.local_pane.view, local_row(window, "newer-there.txt")) == \
        "newer-there.txt"
    comparison = window.compare_tools.comparison
    assert comparison.row_mark(Side.LOCAL, "bigger.txt").tooltip == \
        "Sizes differ: 5 bytes here, 16 bytes on the server"
    assert comparison.row_mark(Side.REMOTE, "newer-there.txt").tooltip == \
        "Newer on the server by 10 min"

    # by size only: the newer file is no longer marked
    actions.compare_size.trigger()
    qtbot.waitUntil(lambda: label.text().startswith("Comparison (by size)"), timeout=15_000)
    assert label.text() == ("Comparison (by size): 2 only here, 1 only on the server, "
                            "1 differ in size")
    # hide identical files: same.txt and newer-there.txt go, folders stay
    actions.hide_identical.trigger()
    same = remote.model.row_of_name("same.txt")
    qtbot.waitUntil(lambda: remote.view.isRowHidden(same), timeout=15_000)
    assert remote.view.isRowHidden(remote.model.row_of_name("newer-there.txt"))
    assert not remote.view.isRowHidden(remote.model.row_of_name("sub"))
    assert not remote.view.isRowHidden(remote.model.row_of_name("bigger.txt"))
    local_view = window.local_pane.view
    same_local = local_row(window, "same.txt")
    assert local_view.isRowHidden(same_local.row(), local_view.rootIndex())
    # off: no marks, nothing hidden
    click_tool(window, qtbot, actions.compare)
    assert label.text() == ""
    assert not remote.view.isRowHidden(same)
    assert shown_text(remote.view, remote.model.index(row, 0)) == "only-there.txt"


def test_synchronised_browsing_follows_and_says_when_it_cannot(window, qtbot, ftp_server,
                                                               trees):
    (ftp_server.root / "site" / "remote-dir").mkdir()
    connected(window, qtbot, ftp_server, "/site")
    qtbot.waitUntil(lambda: local_row(window, "sub") is not None, timeout=10_000)
    click_tool(window, qtbot, window.compare_tools.actions.sync_browsing)
    view = window.local_pane.view
    # open "sub" on the local side with the keyboard: the server side follows
    view.setFocus()
    view.setCurrentIndex(local_row(window, "sub"))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.remote_pane.current_path == "/site/sub", timeout=10_000)
    # up on the server side: the local side follows
    qtbot.mouseClick(window.remote_pane.up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.local_pane.current == trees.resolve(), timeout=10_000)
    # a folder the server lacks: said in the status bar, the server side stays
    qtbot.waitUntil(lambda: local_row(window, "localonly") is not None, timeout=10_000)
    view.setCurrentIndex(local_row(window, "localonly"))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "has no folder" in window.status.currentMessage(), timeout=10_000)
    assert "/site/localonly" in window.status.currentMessage()
    assert window.remote_pane.current_path == "/site"
    # back on the local side, then a server folder this computer lacks
    qtbot.mouseClick(window.local_pane.up_button, Qt.MouseButton.LeftButton)
    remote = window.remote_pane
    remote.view.setFocus()
    remote.view.setCurrentIndex(remote.model.index(remote.model.row_of_name("remote-dir"), 0))
    qtbot.keyClick(remote.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "no local folder" in window.status.currentMessage(),
                    timeout=10_000)
    assert remote.current_path == "/site/remote-dir"
    assert window.local_pane.current == trees.resolve()


def test_synchronise_without_a_connection_says_so(window, qtbot):
    click_tool(window, qtbot, window.compare_tools.actions.synchronise)
    assert "needs a connection" in window.status.currentMessage()
    click_tool(window, qtbot, window.compare_tools.actions.sync_browsing)
    assert not window.compare_tools.actions.sync_browsing.isChecked()


def open_dialog(window, qtbot):
    click_tool(window, qtbot, window.compare_tools.actions.synchronise)
    dialog = window.compare_tools.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def preview(dialog, qtbot) -> None:
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)


def untick(dialog, qtbot, relpath: str) -> None:
    """Click the row's path, move to its check box with Left, press Space."""
    model, table = dialog.model, dialog.table
    row = next(r for r in range(model.rowCount()) if model.action(r).relpath == relpath)
    rect = table.visualRect(model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table, Qt.Key.Key_Left)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert model.index(row, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_synchronise_previews_lets_untick_and_confirms_deletes(window, qtbot, ftp_server, trees):
    connected(window, qtbot, ftp_server, "/site")
    outside = trees.parent / "outside.txt"
    outside.write_bytes(b"keep")
    dialog = open_dialog(window, qtbot)
    # Remote → local: one step down in the direction list
    dialog.direction.setFocus()
    qtbot.keyClick(dialog.direction, Qt.Key.Key_Down)
    assert dialog.direction.currentText().startswith("Remote → local")
    qtbot.mouseClick(dialog.delete, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert dialog.delete.isChecked()
    preview(dialog, qtbot)
    planned = [(dialog.model.index(r, 0).data(), dialog.model.index(r, 1).data())
               for r in range(dialog.model.rowCount())]
    # by size and time (the panes' rule, the default): newer-there.txt has the same
    # size but is newer on the server
    assert dialog.rule.currentText() == "Size and time"
    assert planned == [("Download", "bigger.txt"), ("Download", "newer-there.txt"),
                       ("Download", "only-there.txt"),
                       ("Delete local", "only-here.txt"), ("Delete local", "localonly/")]
    assert "3 copies, 0 folders to create, 2 deletes" in dialog.summary.text()
    untick(dialog, qtbot, "only-there.txt")
    untick(dialog, qtbot, "newer-there.txt")
    # nothing happened yet
    assert (trees / "only-here.txt").exists() and not (trees / "only-there.txt").exists()

    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and box.isVisible()
    assert "deletes 2 files or folders" in box.text()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert (trees / "only-here.txt").exists()  # cancelled: nothing deleted
    assert dialog.isVisible()

    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    delete = next(b for b in box.buttons() if b.text() == "Delete and synchronise")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    queue = window.transfers.queue
    assert queue is not None
    run(qtbot, queue.wait_idle())
    assert (trees / "bigger.txt").read_bytes() == b"server is bigger"
    assert not (trees / "only-here.txt").exists() and not (trees / "localonly").exists()
    assert not (trees / "only-there.txt").exists()  # unticked
    assert outside.read_bytes() == b"keep"
    assert "1 copy queued, 2 deleted" in window.status.currentMessage()
    assert [j.state.value for j in queue.jobs()] == ["done"]
    QApplication.processEvents()


def test_synchronise_upload_without_deletes_needs_no_confirmation(window, qtbot, ftp_server,
                                                                  trees):
    connected(window, qtbot, ftp_server, "/site")
    dialog = open_dialog(window, qtbot)
    assert dialog.direction.currentText().startswith("Local → remote")
    qtbot.mouseClick(dialog.exclude, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.exclude, "bigger.txt")
    preview(dialog, qtbot)
    paths = [dialog.model.action(r).relpath for r in range(dialog.model.rowCount())]
    assert paths == ["localonly", "only-here.txt"]
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.confirm_box is None
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    run(qtbot, window.transfers.queue.wait_idle())
    site = ftp_server.root / "site"
    assert (site / "only-here.txt").read_bytes() == b"h"
    assert (site / "localonly").is_dir()
    assert (site / "bigger.txt").read_bytes() == b"server is bigger"  # excluded
    assert (site / "only-there.txt").exists()  # no delete asked


def test_the_counts_follow_the_ticks_and_one_delete_is_named(window, qtbot, ftp_server, trees):
    """Unticking a row changes the counts under the list (they kept saying what the
    preview planned); with nothing ticked Synchronise is greyed; one delete is named
    alone ("deletes 1 files or folders")."""
    connected(window, qtbot, ftp_server, "/site")
    dialog = open_dialog(window, qtbot)
    dialog.direction.setFocus()
    qtbot.keyClick(dialog.direction, Qt.Key.Key_Down)
    qtbot.mouseClick(dialog.delete, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    preview(dialog, qtbot)
    assert dialog.summary.text().startswith("3 copies, 0 folders to create, 2 deletes")
    untick(dialog, qtbot, "newer-there.txt")
    untick(dialog, qtbot, "only-there.txt")
    untick(dialog, qtbot, "localonly")
    assert dialog.summary.text().startswith("1 copy, 0 folders to create, 1 delete.")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and box.isVisible()
    assert "deletes 'only-here.txt'" in box.text() and "1 files" not in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Escape answers Cancel
    qtbot.waitUntil(lambda: not box.isVisible())
    assert (trees / "only-here.txt").exists()
    untick(dialog, qtbot, "bigger.txt")
    untick(dialog, qtbot, "only-here.txt")
    assert dialog.summary.text().startswith("0 copies, 0 folders to create, 0 deletes")
    assert not dialog.run_button.isEnabled()
    dialog.reject()
