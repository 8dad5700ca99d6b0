"""Everyday file management as a person does it: the permissions dialog, hidden local
files, the transfer queue's own menu. Against the demo server on loopback."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from client.demo import UPLOAD_FOLDER

from .helpers import connect, run

pytestmark = pytest.mark.gui


def newest_visible(kind):
    return next(w for w in reversed(QApplication.topLevelWidgets())
                if isinstance(w, kind) and w.isVisible())


def test_the_permissions_field_takes_only_octal_and_ok_waits_for_three_digits(
        window, qtbot, demo) -> None:
    """Typing 999 into the numeric field showed 999 and OK then applied the old mode
    (644) without a word; now only octal digits go in, OK waits for three of them,
    and what the field says is what is applied."""
    from client.ui.dialogs import ChmodDialog

    target = demo.root / UPLOAD_FOLDER / "perm-me.txt"
    target.write_text("x")
    target.chmod(0o644)
    connect(window, qtbot, demo)
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    entry = next(e for e in window.remote_pane.model.entries() if e.name == target.name)
    task = asyncio.ensure_future(window.remote_actions.chmod([entry]))
    qtbot.waitUntil(lambda: any(isinstance(w, ChmodDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = newest_visible(ChmodDialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    field = dialog.octal
    field.setFocus()

    def retype(text: str) -> None:
        qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(field, Qt.Key.Key_Backspace)
        qtbot.keyClicks(field, text)

    retype("999")
    assert field.text() != "999"
    assert not ok.isEnabled() or dialog.mode == int(field.text(), 8)
    retype("75")
    assert not ok.isEnabled()  # two digits are not a mode yet
    qtbot.keyClicks(field, "5")
    assert field.text() == "755" and ok.isEnabled() and dialog.mode == 0o755
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert target.stat().st_mode & 0o777 == 0o755


def local_names(pane) -> set[str]:
    view = pane.view
    model, root = view.model(), view.rootIndex()
    return {model.index(r, 0, root).data() for r in range(model.rowCount(root))}


def right_click_empty_local_list(window, qtbot):
    """Right click below the last row; returns the menu that opened."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu

    view = window.local_pane.view
    spot = QPoint(40, view.viewport().height() - 5)
    view.customContextMenuRequested.emit(spot)  # what a right click there sends
    qtbot.waitUntil(lambda: any(isinstance(w, QMenu) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    return newest_visible(QMenu)


def test_hidden_local_files_can_be_shown_and_stay_shown_after_a_restart(
        window, qtbot, tmp_path) -> None:
    """A web site's .htaccess could not be uploaded from the local pane: dot files were
    never listed. The list's menu (and Ctrl+H) shows them; the window remembers."""
    from ..helpers import shown_window

    pane = window.local_pane
    (pane.current / ".htaccess").write_text("Deny from all\n")
    (pane.current / "index.html").write_text("<p>hi</p>\n")
    qtbot.waitUntil(lambda: "index.html" in local_names(pane))
    assert ".htaccess" not in local_names(pane)

    menu = right_click_empty_local_list(window, qtbot)
    entry = next(a for a in menu.actions() if a.text().replace("&", "") == "Show hidden files")
    assert not entry.isChecked()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(entry).center())
    qtbot.waitUntil(lambda: ".htaccess" in local_names(pane))

    # Ctrl+H in the list hides them again, and shows them once more
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ".htaccess" not in local_names(pane))
    qtbot.keyClick(pane.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ".htaccess" in local_names(pane))

    from client.ui.window_state import save_window_state

    save_window_state(window)  # as closing the window does
    (tmp_path / "again").mkdir()
    with shown_window(qtbot, tmp_path / "again") as again:
        (again.local_pane.current / ".env").write_text("A=1\n")
        qtbot.waitUntil(lambda: ".env" in local_names(again.local_pane))


def download(window, qtbot, names: list[str]) -> None:
    """Click the first name, Ctrl+click the others, press Enter; wait for the queue."""
    pane = window.remote_pane
    for i, name in enumerate(names):
        index = pane.model.index(pane.model.row_of_name(name), 0)
        pane.view.scrollTo(index)
        qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.ControlModifier if i else
                         Qt.KeyboardModifier.NoModifier,
                         pos=pane.view.visualRect(index).center())
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.transfers.queue is not None
                    and len(window.transfers.queue.jobs()) == len(names), timeout=15_000)
    run(qtbot, window.transfers.queue.wait_idle())
    window.bridge.flush()


def open_queue_menu(window, qtbot, view, pos):
    from PySide6.QtWidgets import QMenu

    view.customContextMenuRequested.emit(pos)  # what a right click there sends
    qtbot.waitUntil(lambda: any(isinstance(w, QMenu) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    return newest_visible(QMenu)


def choose(qtbot, menu, text: str) -> None:
    entry = next(a for a in menu.actions() if a.text() == text)
    assert entry.isEnabled(), text
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(entry).center())


def test_finished_transfers_can_be_taken_off_the_queue(window, qtbot, demo) -> None:
    """The queue had buttons but no menu, and nothing took a finished transfer off
    the list. Right click: the buttons' actions, Remove from the list (or Del), Clear
    successful transfers."""
    from PySide6.QtCore import QPoint

    from client.ui.queue_view import QueueTab

    connect(window, qtbot, demo)
    run(qtbot, window.remote_actions.browse("/photos 2024"))
    download(window, qtbot, ["beach day.jpg", "mountain view.png", "日本の写真.jpg"])
    queue = window.queue
    bar = queue.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(2).center())
    assert queue.tabs.tabText(2) == "Successful (3)"
    view = queue.views[QueueTab.SUCCESSFUL]
    first = view.model().index(0, 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(first).center())
    menu = open_queue_menu(window, qtbot, view, view.visualRect(first).center())
    disabled = {a.text() for a in menu.actions() if not a.isEnabled() and a.text()}
    assert {"Pause", "Resume", "Cancel", "Retry"} <= disabled  # done: nothing to do
    choose(qtbot, menu, "Remove from the list (Del)")
    qtbot.waitUntil(lambda: queue.tabs.tabText(2) == "Successful (2)")

    view.setFocus()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(0, 1)).center())
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: queue.tabs.tabText(2) == "Successful (1)")

    menu = open_queue_menu(window, qtbot, view, QPoint(10, view.viewport().height() - 4))
    choose(qtbot, menu, "Clear successful transfers")
    qtbot.waitUntil(lambda: queue.tabs.tabText(2) == "Successful (0)")
    assert window.transfers.queue.jobs() == []


def drop_rows_on(view, rows: list[int], target_row: int) -> None:
    """Drag ``rows`` of the remote list and let go over ``target_row`` (the events a
    mouse drag delivers; the drag's data is what the list gives a drag)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    model = view.model()
    mime = model.mimeData([model.index(r, 0) for r in rows])
    spot = view.visualRect(model.index(target_row, 0)).center()
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    copy = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(spot, copy, mime, buttons, keys)
    QApplication.sendEvent(view.viewport(), enter)
    move = QDragMoveEvent(spot, copy, mime, buttons, keys)
    QApplication.sendEvent(view.viewport(), move)
    assert move.isAccepted()
    QApplication.sendEvent(view.viewport(), QDropEvent(QPointF(spot), copy, mime, buttons, keys))


def test_a_remote_file_dragged_onto_a_folder_of_the_list_moves_there(window, qtbot,
                                                                      demo) -> None:
    """Dropping rows of the remote list on one of its folders did nothing; now it
    asks, then moves them on the server (RNFR/RNTO)."""
    from PySide6.QtWidgets import QMessageBox

    folder = demo.root / UPLOAD_FOLDER
    (folder / "box").mkdir(exist_ok=True)
    (folder / "move-me.txt").write_text("m")
    connect(window, qtbot, demo)
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    pane = window.remote_pane
    source, target = pane.model.row_of_name("move-me.txt"), pane.model.row_of_name("box")
    drop_rows_on(pane.view, [source], target)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    box = newest_visible(QMessageBox)
    assert "move-me.txt" in box.text() and "box" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (folder / "box" / "move-me.txt").exists(), timeout=15_000)
    assert not (folder / "move-me.txt").exists()
    qtbot.waitUntil(lambda: "move-me.txt" not in {e.name for e in pane.model.entries()},
                    timeout=15_000)


@pytest.mark.parametrize("name, typed, result", [("notes.txt", "todo", "todo.txt"),
                                                 ("archive.tar.gz", "old", "old.gz"),
                                                 (".htaccess", ".htpasswd", ".htpasswd")])
def test_f2_selects_the_name_without_its_extension(window, qtbot, name, typed,
                                                   result) -> None:
    """F2, type, Enter: the new name keeps the file's type (the whole name was
    selected, so typing dropped the extension)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    pane = window.local_pane
    pane.set_show_hidden(True)
    (pane.current / name).write_text("x")
    qtbot.waitUntil(lambda: name in local_names(pane))
    view = pane.view
    model, root = view.model(), view.rootIndex()
    row = next(r for r in range(model.rowCount(root)) if model.index(r, 0, root).data() == name)
    index = model.index(row, 0, root)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: any(isinstance(w, QInputDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = newest_visible(QInputDialog)
    field = dialog.findChild(QLineEdit)
    qtbot.waitUntil(lambda: field.selectedText() != name or name == ".htaccess")
    qtbot.keyClicks(field, typed)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: (pane.current / result).exists())
    assert not (pane.current / name).exists()


def test_a_local_file_dragged_onto_a_folder_of_the_list_moves_there(window, qtbot) -> None:
    """Dropping rows of the local list on one of its folders did nothing; now it asks,
    then moves them there. A name already in the folder stays where it is, and says so."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QMessageBox

    pane = window.local_pane
    (pane.current / "box").mkdir()
    (pane.current / "move-me.txt").write_text("m")
    (pane.current / "box" / "taken.txt").write_text("old")
    (pane.current / "taken.txt").write_text("new")
    qtbot.waitUntil(lambda: {"box", "move-me.txt", "taken.txt"} <= local_names(pane))
    view = pane.view

    def drop(names: list[str]) -> None:
        model, root = view.model(), view.rootIndex()
        row_of = {model.index(r, 0, root).data(): model.index(r, 0, root)
                  for r in range(model.rowCount(root))}
        mime = model.mimeData([row_of[n] for n in names])  # what a drag of them carries
        spot = view.visualRect(row_of["box"]).center()
        keys, copy = Qt.KeyboardModifier.NoModifier, Qt.DropAction.CopyAction
        QApplication.sendEvent(view.viewport(), QDragEnterEvent(
            spot, copy, mime, Qt.MouseButton.LeftButton, keys))
        over = QDragMoveEvent(spot, copy, mime, Qt.MouseButton.LeftButton, keys)
        QApplication.sendEvent(view.viewport(), over)
        assert over.isAccepted()
        QApplication.sendEvent(view.viewport(), QDropEvent(
            QPointF(spot), copy, mime, Qt.MouseButton.LeftButton, keys))
        qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()))
        box = newest_visible(QMessageBox)
        assert "into" in box.text()
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)

    drop(["move-me.txt"])
    qtbot.waitUntil(lambda: (pane.current / "box" / "move-me.txt").exists())
    assert not (pane.current / "move-me.txt").exists()
    drop(["taken.txt"])
    qtbot.waitUntil(lambda: pane.banner.isVisible())
    assert "already exists" in pane.banner.text
    assert (pane.current / "box" / "taken.txt").read_text() == "old"
    assert (pane.current / "taken.txt").read_text() == "new"


def test_the_local_pane_opens_where_it_was_left(window, qtbot, tmp_path) -> None:
    """Closed in a project folder, the window opened in the home folder again; now it
    opens in the folder it was closed in (the home folder if that one is gone)."""
    import shutil

    from client.ui.main_window import MainWindow
    from client.ui.window_state import save_window_state

    project = window.local_pane.current / "project"
    project.mkdir()
    field = window.local_pane.path_bar.lineEdit()
    field.selectAll()
    qtbot.keyClicks(field, str(project))
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.local_pane.current == project.resolve()
    save_window_state(window)  # as closing the window does

    again = MainWindow()  # started as the app starts it: no folder given
    qtbot.addWidget(again)
    assert again.local_pane.current == project.resolve()
    save_window_state(again)
    run(qtbot, again.shutdown())

    shutil.rmtree(project)
    third = MainWindow()
    qtbot.addWidget(third)
    assert third.local_pane.current != project.resolve()
    run(qtbot, third.shutdown())


def test_a_finished_transfer_offers_no_move_up_or_down(window, qtbot, demo) -> None:
    """Select a finished download in the Successful tab: Move up and Move down are
    greyed, on the bar and in the menu (they were enabled and shuffled the queue's order
    behind the scenes); the other buttons that do nothing to it are greyed too."""
    from client.ui.queue_view import QueueTab

    connect(window, qtbot, demo)
    run(qtbot, window.remote_actions.browse("/photos 2024"))
    download(window, qtbot, ["beach day.jpg", "mountain view.png"])
    queue = window.queue
    bar = queue.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(2).center())
    view = queue.views[QueueTab.SUCCESSFUL]
    first = view.model().index(0, 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(first).center())
    assert queue.selected_jobs()
    greyed = {key for key, button in queue.buttons.items() if not button.isEnabled()}
    assert {"up", "down", "pause", "resume", "cancel"} <= greyed
    menu = open_queue_menu(window, qtbot, view, view.visualRect(first).center())
    disabled = {a.text() for a in menu.actions() if not a.isEnabled() and a.text()}
    assert {"Move up", "Move down"} <= disabled
    menu.close()
    order = [job.job_id for job in window.transfers.queue.jobs()]
    window.transfer_commands.queue_action("down", queue.selected_jobs())
    assert [job.job_id for job in window.transfers.queue.jobs()] == order
