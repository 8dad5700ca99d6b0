"""Window features that need no failure scenario: persistence of geometry, splitters and
columns; the standard shortcuts; chmod through the dialog's value; open with the default
application and upload of the changed file; console search and export from the window."""

from __future__ import annotations

import asyncio
import json

import pytest
from PySide6.QtCore import Qt

from client.demo import UPLOAD_FOLDER, DemoServer
from client.engine.settings import ConnectionSettings, TransferMode
from client.ui.console.lines import ConsoleKind
from client.ui.console.model import KIND_ROLE

from .helpers import run, settle_layout

pytestmark = pytest.mark.gui


def make_window(tmp_path):
    from client.ui.main_window import MainWindow

    win = MainWindow(local_start=tmp_path)
    win.show()
    return win


def close_window(win, qtbot) -> None:
    task = asyncio.ensure_future(win.shutdown())
    qtbot.waitUntil(task.done, timeout=10_000)
    win.close()
    win.deleteLater()


def connected_window(qtbot, demo, tmp_path):
    win = make_window(tmp_path)
    settings = ConnectionSettings(host=demo.host, port=demo.port, user=demo.user,
                                  password=demo.password, data_timeout=5.0)
    run(qtbot, win.connect_to(settings))
    return win


def test_geometry_splitters_and_columns_persist(qloop, qtbot, config_dir, tmp_path) -> None:
    win = make_window(tmp_path)
    win.resize(1000, 700)
    win.main_splitter.setSizes([100, 400, 200])
    win.remote_pane.view.horizontalHeader().resizeSection(1, 177)
    settle_layout()
    sizes = win.main_splitter.sizes()
    win.close()  # closeEvent saves
    win.deleteLater()
    again = make_window(tmp_path)
    assert again.main_splitter.sizes() == sizes
    assert again.remote_pane.view.horizontalHeader().sectionSize(1) == 177
    assert (config_dir / "window.ini").exists()
    close_window(again, qtbot)


def test_queue_columns_and_concurrent_transfers_persist(qloop, qtbot, config_dir,
                                                         tmp_path) -> None:
    win = make_window(tmp_path)
    assert win.queue.concurrency.value() == 2  # the default on first start
    win.queue.concurrency.setFocus()
    win.queue.concurrency.selectAll()
    qtbot.keyClicks(win.queue.concurrency, "5")
    qtbot.keyClick(win.queue.concurrency, Qt.Key.Key_Return)
    assert win.queue.concurrency.value() == 5
    widths = {"queued": 301, "failed": 155, "successful": 97}
    for tab, width in widths.items():
        win.queue.views[tab].header().resizeSection(2, width)
    win.close()  # closeEvent saves
    win.deleteLater()

    again = make_window(tmp_path)
    assert again.queue.concurrency.value() == 5
    assert again.transfers._concurrency == 5  # the queue it starts runs five at a time
    for tab, width in widths.items():
        assert again.queue.views[tab].header().sectionSize(2) == width, tab
    close_window(again, qtbot)


def test_a_hand_edited_concurrency_is_ignored_or_clamped(qloop, qtbot, config_dir,
                                                         tmp_path) -> None:
    from client.ui.main_window import app_settings

    for saved, shown in (("lots", 2), ("50", 10)):
        settings = app_settings()
        settings.setValue("queue/concurrency", saved)
        settings.sync()
        win = make_window(tmp_path)
        assert win.queue.concurrency.value() == shown, saved
        close_window(win, qtbot)


def test_standard_shortcuts(qloop, qtbot, config_dir, tmp_path) -> None:
    win = make_window(tmp_path)
    shortcuts = {a.shortcut().toString() for a in win.findChildren(type(win.refresh_action))}
    for key in ("Ctrl+S", "Ctrl+Q", "F5", "Ctrl+D", "Ctrl+F", "Ctrl+M"):
        assert key in shortcuts, key
    win.toggle_mode_action.trigger()
    assert win.quick.mode is TransferMode.ACTIVE and "Active" in win.status.mode_label.text()
    win.toggle_mode_action.trigger()
    assert win.quick.mode is TransferMode.PASSIVE
    close_window(win, qtbot)


def test_chmod_dialog_and_remote_chmod(qloop, qtbot, config_dir, tmp_path, demo) -> None:
    from client.ui.dialogs import ChmodDialog, mode_from_permissions

    dialog = ChmodDialog(None, ["a"], 0o640)
    assert dialog.octal.text() == "640" and dialog.boxes[0].isChecked()
    dialog.boxes[8].setChecked(True)
    assert dialog.mode == 0o641 and dialog.octal.text() == "641"
    dialog._octal_changed("755")
    assert dialog.mode == 0o755
    assert mode_from_permissions("drwxr-x---") == 0o750
    assert mode_from_permissions("eldfmMTcp") == 0o644  # MLSD perm facts are not bits
    assert mode_from_permissions("eldfmMTcp", {"unix.mode": "0750"}) == 0o750
    assert mode_from_permissions("rwsr-xr-T") == 0o754

    target = demo.root / UPLOAD_FOLDER / "chmod-me.txt"
    target.write_text("x")
    win = connected_window(qtbot, demo, tmp_path)
    run(qtbot, win.remote_actions.browse("/" + UPLOAD_FOLDER))
    entry = next(e for e in win.remote_pane.model.entries() if e.name == target.name)
    run(qtbot, win.remote_actions.chmod([entry], 0o600))
    assert target.stat().st_mode & 0o777 == 0o600
    close_window(win, qtbot)


def test_open_with_default_app_then_upload_changes(qloop, qtbot, config_dir, tmp_path, demo) -> None:
    remote = demo.root / UPLOAD_FOLDER / "edit-me.txt"
    remote.write_text("before\n")
    win = connected_window(qtbot, demo, tmp_path)
    run(qtbot, win.remote_actions.browse("/" + UPLOAD_FOLDER))
    entry = next(e for e in win.remote_pane.model.entries() if e.name == remote.name)
    local = run(qtbot, win.remote_actions.open_with_default_app(entry, launch=False))
    assert local.read_text() == "before\n"
    local.write_text("after\n")
    banner = win.remote_pane.banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "changed locally" in banner.text and banner.action_button.isVisible()
    banner.action_button.click()
    qtbot.waitUntil(lambda: remote.read_text() == "after\n", timeout=10_000)
    close_window(win, qtbot)


def test_console_search_filter_and_export_from_the_window(qloop, qtbot, config_dir, tmp_path,
                                                           demo) -> None:
    win = connected_window(qtbot, demo, tmp_path)
    win.bridge.flush()
    console = win.console
    console.search.setText("PASS ****")
    row = console.find_next()
    assert row is not None and "PASS ****" in console.model.data(console.model.index(row))
    console.kind_buttons[ConsoleKind.REPLY].setChecked(False)
    kinds = {console.model.data(console.model.index(r), KIND_ROLE)
             for r in range(console.model.rowCount())}
    assert "reply" not in kinds and "command" in kinds
    jsonl = tmp_path / "t.jsonl"
    run(qtbot, console.export_to(jsonl, "jsonl"))
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert records and all(r["kind"] != "reply" for r in records)
    assert demo.password not in jsonl.read_text()
    win.send_raw("SYST")

    def syst_answered() -> bool:
        win.bridge.flush()
        texts = [x.text for x in console.model.lines()]
        after = texts[texts.index("SYST") + 1:] if "SYST" in texts else []
        return any(text.startswith("215") for text in after)

    qtbot.waitUntil(syst_answered, timeout=15_000)
    close_window(win, qtbot)


def test_console_names_the_host_a_229_reply_makes_the_client_dial(qloop, qtbot, config_dir,
                                                                   tmp_path, demo) -> None:
    """229 carries only a port: the console shows the control connection's peer (the
    address actually dialled), not a placeholder."""
    import re

    win = make_window(tmp_path)
    settings = ConnectionSettings(host=demo.host, port=demo.port, user=demo.user,
                                  password=demo.password, data_timeout=5.0, use_epsv=True)
    run(qtbot, win.connect_to(settings))
    win.bridge.flush()
    model = win.console.model
    rows = [model.data(model.index(r)) for r in range(model.rowCount())]
    epsv = [row for row in rows if " 229 " in row]
    assert epsv, rows
    port = re.search(r"\(\|\|\|(\d+)\|\)", epsv[-1]).group(1)
    assert epsv[-1].endswith(f"→ {demo.host}:{port}  (the control connection's host)")
    assert not any("control peer" in row for row in rows)
    close_window(win, qtbot)


def test_lost_connection_offers_reconnect(qloop, qtbot, config_dir, tmp_path) -> None:
    """The server goes away: the next listing fails with a banner whose Reconnect
    button opens the site again (here: a new server on the same port)."""
    server = DemoServer("healthy").start()
    port = server.port
    win = make_window(tmp_path)
    try:
        settings = ConnectionSettings(host=server.host, port=port, user=server.user,
                                      password=server.password, data_timeout=2.0,
                                      control_timeout=2.0, connect_timeout=2.0)
        run(qtbot, win.connect_to(settings))
        server.stop()
        task = win.spawn(win.remote_actions.refresh(), pane=win.remote_pane, doing="Refresh")
        qtbot.waitUntil(task.done, timeout=15_000)
        banner = win.remote_pane.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
        assert banner.action_button.isVisible() and banner.action_button.text() == "Reconnect"
        server = DemoServer("healthy", port=port)
        server.password = settings.password  # the same account as before
        server.start()
        banner.action_button.click()
        qtbot.waitUntil(lambda: win.remote_pane.model.rowCount() > 0 and
                        not win.remote_pane.banner.isVisible(), timeout=15_000)
    finally:
        server.stop()
        close_window(win, qtbot)


def test_local_file_operations(qloop, qtbot, config_dir, tmp_path) -> None:
    win = make_window(tmp_path)
    actions = win.local_actions
    folder = run(qtbot, actions.mkdir("made here"))
    assert folder.is_dir()
    (folder / "inner.txt").write_text("x")
    renamed = run(qtbot, actions.rename(folder, "renamed"))
    assert renamed == tmp_path / "renamed" and not folder.exists()
    with pytest.raises(ValueError):
        run(qtbot, actions.rename(renamed, "../escape"))
    run(qtbot, actions.delete([renamed], confirmed=True))
    assert not renamed.exists()
    task = win.spawn(actions.mkdir(".."), pane=win.local_pane, doing="Create folder")
    # the banner comes from the task's done callback, one loop turn after the task ends
    qtbot.waitUntil(lambda: task.done() and win.local_pane.banner.isVisible(), timeout=15_000)
    assert "not a valid file name" in win.local_pane.banner.text
    close_window(win, qtbot)


def test_first_start_geometry_fits_the_screen() -> None:
    """A 1366x768 laptop: the whole window, status bar included, inside the available
    area; a 1920x1080 monitor: a balanced, centred window, not the whole screen."""
    from PySide6.QtCore import QRect

    from client.ui.window_state import FRAME_ALLOWANCE, first_start_geometry

    for available in (QRect(0, 0, 1366, 768), QRect(0, 0, 1366, 740), QRect(0, 27, 1280, 773),
                      QRect(1920, 0, 1024, 600)):
        g = first_start_geometry(available)
        assert available.contains(g), (available, g)
        assert g.height() + FRAME_ALLOWANCE[1] <= available.height() + 1, (available, g)
        assert g.width() + FRAME_ALLOWANCE[0] <= available.width(), (available, g)
    big = first_start_geometry(QRect(0, 0, 1920, 1080))
    assert 1280 <= big.width() <= 1680 and 800 <= big.height() <= 1000
    assert abs((big.left() + big.width() / 2) - 960) <= 1


def test_restored_geometry_is_clamped_to_the_screen(qloop, qtbot, config_dir, tmp_path) -> None:
    """A geometry saved on a bigger monitor (or at a position that is gone) comes back
    inside the available area of the screen the window opens on."""
    from PySide6.QtCore import QRect

    from client.ui.window_state import clamp_to_available

    assert clamp_to_available(QRect(-50, 900, 3000, 1400), QRect(0, 0, 1366, 768)) \
        == QRect(0, 0, 1366, 768)
    assert clamp_to_available(QRect(100, 50, 800, 600), QRect(0, 0, 1366, 768)) \
        == QRect(100, 50, 800, 600)
    win = make_window(tmp_path)
    available = win.screen().availableGeometry()
    win.setGeometry(available.x() + 200, available.y() + 150,
                    available.width() + 900, available.height() + 700)
    win.close()  # closeEvent saves the oversized geometry
    win.deleteLater()
    again = make_window(tmp_path)
    g = again.geometry()
    # the offscreen test screen may be narrower than the window's minimum width
    narrowest = max(available.width(), again.minimumSizeHint().width())
    assert g.height() <= available.height() and g.width() <= narrowest, (available, g)
    assert available.contains(g.topLeft()), (available, g)
    if narrowest == available.width():
        assert available.contains(g), (available, g)
    close_window(again, qtbot)


def test_inspector_dock_is_wide_enough_for_both_lifelines(qloop, qtbot, config_dir,
                                                          tmp_path) -> None:
    """At the width a 1366 px screen gives, the dock shows both lifeline labels and a
    227 line's text; the file panes keep a usable width."""
    from client.ui.window_state import inspector_dock_width

    assert inspector_dock_width(1350) >= 460
    assert 1350 - inspector_dock_width(1350) >= 800
    from client.ui.main_window import MainWindow

    win = MainWindow(local_start=tmp_path)
    win.resize(1350, 728)  # what first_start_geometry gives on a 1366x768 screen
    win.show()
    # the layout settles over a few turns of the event loop
    qtbot.waitUntil(lambda: abs(win.inspector_dock.width() - inspector_dock_width(1350)) <= 8,
                    timeout=15_000)
    assert win.panes_splitter.width() >= 800
    close_window(win, qtbot)
