"""Speed limits, the session log and the saved queue in the window, as a person uses
them: the status-bar button, File → Preferences, Help → Open log folder, and the
"Restore queued transfers?" question at start."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from client.engine.queue.saved import SavedJob, SavedState, load_saved, write_saved
from client.engine.ratelimit import RateLimits, shared_limiter


@pytest.fixture(autouse=True)
def _limits_back_to_none():
    yield
    shared_limiter().limits = RateLimits()


def _new_window(qtbot, tmp_path: Path):
    from client.ui.main_window import MainWindow

    local = tmp_path / "local"
    local.mkdir(exist_ok=True)
    window = MainWindow(local_start=local)
    window.show()
    return window


def _close(window, qtbot) -> None:
    task = asyncio.ensure_future(window.shutdown())
    qtbot.waitUntil(task.done, timeout=10_000)
    window.close()
    window.deleteLater()


def test_limits_set_in_preferences_toggle_from_the_status_bar_and_persist(
        qloop, qtbot, config_dir, tmp_path) -> None:
    window = _new_window(qtbot, tmp_path)
    button = window.speed_limit_button
    assert button.text() == "No speed limit"
    window.preferences_action.trigger()
    dialog = window.preferences_dialog
    qtbot.waitExposed(dialog)
    field = dialog.fields["download_total"]
    qtbot.keyClicks(field, "fast")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible() and "expected a rate" in dialog.problem.text()
    field.clear()
    qtbot.keyClicks(field, "500K")
    qtbot.keyClicks(dialog.fields["upload_each"], "1M")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert shared_limiter().limits == RateLimits(download_total=500 * 1024,
                                                 upload_each=1024 * 1024)
    assert button.isChecked() and button.text() == "Limit \u2193 500K \u2191 1M"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # off: full speed, numbers kept
    assert not shared_limiter().limits.any and button.text() == "Limit off"
    _close(window, qtbot)
    again = _new_window(qtbot, tmp_path)  # the next start remembers both
    assert again.speed_limit_button.text() == "Limit off"
    qtbot.mouseClick(again.speed_limit_button, Qt.MouseButton.LeftButton)
    assert shared_limiter().limits == RateLimits(download_total=500 * 1024,
                                                 upload_each=1024 * 1024)
    _close(again, qtbot)


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_log_folder_and_the_log_of_a_session(qloop, qtbot, config_dir, demo,
                                                  tmp_path) -> None:
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        window = _new_window(qtbot, tmp_path)
        window.quick.host.setText(demo.url)
        with qtbot.waitSignal(window.connection.connected, timeout=15_000):
            window.quick.connect_button.click()
        qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
        window.open_log_folder_action.trigger()
        folder = config_dir / "data" / "logs"
        assert [Path(u.toLocalFile()) for u in catcher.urls] == [folder]
        log = window.session_log.file_for(window.connection.connection_id)
        assert log is not None and log.parent == folder
        text = log.read_text(encoding="utf-8")
        assert "> USER" in text and "< 230" in text and "* data #" in text
        if demo.password:
            assert demo.password not in text
        # turned off in the preferences: nothing more is written
        window.preferences_action.trigger()
        dialog = window.preferences_dialog
        dialog.session_log.setChecked(False)
        dialog.accept()
        assert window.session_log.log is None
        _close(window, qtbot)
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_a_saved_queue_is_offered_at_start_and_resumes(qloop, qtbot, config_dir,
                                                       ftp_server, tmp_path) -> None:
    contents = (ftp_server.root / "random-1MiB.bin").read_bytes()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "random-1MiB.bin.part").write_bytes(contents[:300_000])
    site = f"ftp://alice@127.0.0.1:{ftp_server.port}"
    saved = config_dir / "data" / "queue.json"
    write_saved(saved, [
        SavedJob(site=site, direction="download", remote_path="/random-1MiB.bin",
                 local_path=str(downloads / "random-1MiB.bin"), root=str(downloads),
                 state=SavedState.INTERRUPTED, size=len(contents), bytes_done=300_000),
        SavedJob(site=site, direction="download", remote_path="/hello.txt",
                 local_path=str(downloads / "hello.txt"), root=str(downloads),
                 state=SavedState.PENDING),
    ])
    window = _new_window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.queue_restore.box is not None
                    and window.queue_restore.box.isVisible())
    box = window.queue_restore.box
    assert box.text() == "Restore 2 queued transfers?"
    assert site in box.informativeText()
    restore = next(b for b in box.buttons()
                   if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole)
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    # the address is filled in; the person types the password and connects
    assert window.quick.user.text() == "alice"
    assert len(load_saved(saved)) == 2  # still saved until they are in the queue
    qtbot.mouseClick(window.quick.password, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.quick.password, ftp_server.password)
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (downloads / "random-1MiB.bin").exists()
                    and (downloads / "hello.txt").exists(), timeout=20_000)
    assert (downloads / "random-1MiB.bin").read_bytes() == contents
    window.bridge.flush()
    lines = [window.console.model.data(window.console.model.index(r, 0))
             for r in range(window.console.model.rowCount())]
    assert any("REST 300000" in str(line) for line in lines)  # resumed, not started over
    qtbot.waitUntil(lambda: load_saved(saved) == [], timeout=15_000)
    _close(window, qtbot)
    assert not saved.exists()  # nothing left to offer at the next start


def test_hung_listing_banner_offers_the_session_log(qloop, qtbot, config_dir,
                                                   tmp_path) -> None:
    from client.demo import DemoServer
    from client.engine.settings import ConnectionSettings

    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    server = DemoServer("passive-blocked", give_up_after=2.0).start()
    window = _new_window(qtbot, tmp_path)
    try:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=1.0,
                                      control_timeout=5.0)
        task = window.spawn(window.connect_to(settings), pane=window.remote_pane,
                            doing="Listing /")
        qtbot.waitUntil(task.done, timeout=20_000)
        banner = window.hung_listing.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
        link = banner.log_link
        assert link.isVisible() and "Session log" in link.text()
        link.linkActivated.emit("#log")  # what a click on the link does
        path = Path(QApplication.clipboard().text())
        assert path == window.session_log.file_for(window.connection.connection_id)
        assert [Path(u.toLocalFile()) for u in catcher.urls] == [path.parent]
        text = path.read_text(encoding="utf-8")
        assert "PASV" in text and "227" in text  # the failed listing is in it already
        assert server.password not in text
    finally:
        _close(window, qtbot)
        server.stop()
        QDesktopServices.unsetUrlHandler("file")


def test_closing_the_window_mid_transfer_keeps_the_job_for_the_next_start(
        qloop, qtbot, config_dir, ftp_server, tmp_path) -> None:
    """A slow download (a speed limit) is running when the window closes: it is saved
    as interrupted, with its site and no password, and offered at the next start."""
    window = _new_window(qtbot, tmp_path)
    window.speed_limit_button.apply(RateLimits(download_each=100 * 1024))
    window.quick.host.setText(f"ftp://127.0.0.1:{ftp_server.port}")
    window.quick.user.setText("alice")
    window.quick.password.setText(ftp_server.password)
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        window.quick.connect_button.click()
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
    entry = next(e for e in window.remote_pane.model.entries() if e.name == "random-1MiB.bin")
    task = window.spawn(window.download_entries([entry]))
    qtbot.waitUntil(task.done, timeout=10_000)
    part = tmp_path / "local" / "random-1MiB.bin.part"
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size > 0, timeout=10_000)
    _close(window, qtbot)
    saved = load_saved(config_dir / "data" / "queue.json")
    assert [(j.remote_path, j.state) for j in saved] == [("/random-1MiB.bin",
                                                         SavedState.INTERRUPTED)]
    assert saved[0].site == f"ftp://alice@127.0.0.1:{ftp_server.port}"
    assert ftp_server.password not in (config_dir / "data" / "queue.json").read_text()
    again = _new_window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: again.queue_restore.box is not None, timeout=15_000)
    assert again.queue_restore.box.text() == "Restore 1 queued transfer?"
    again.queue_restore.box.reject()
    _close(again, qtbot)


def test_a_demo_servers_unfinished_download_is_not_offered_at_the_next_start(
        qloop, qtbot, config_dir, demo, tmp_path) -> None:
    """The demo server gets a new port on every run: a download from it still running
    when the window closed was offered at the next start, for a server that was gone."""
    from client.ui.app import open_demo

    window = _new_window(qtbot, tmp_path)
    window.speed_limit_button.apply(RateLimits(download_each=64 * 1024))
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        open_demo(window, demo)
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
    entry = max((e for e in window.remote_pane.model.entries() if e.kind.value == "file"),
                key=lambda e: e.size or 0)
    task = window.spawn(window.download_entries([entry]))
    qtbot.waitUntil(task.done, timeout=10_000)
    part = tmp_path / "local" / f"{entry.name}.part"
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size > 0, timeout=10_000)
    _close(window, qtbot)
    saved = config_dir / "data" / "queue.json"
    assert not saved.exists() or load_saved(saved) == []
    again = _new_window(qtbot, tmp_path)
    qtbot.wait(300)
    assert again.queue_restore.box is None
    _close(again, qtbot)
