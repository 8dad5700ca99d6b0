"""The main window against the real demo server (pyftpdlib on loopback): quickconnect in
both modes, browsing, transfers by the code paths drag and drop uses, file operations,
the annotated console lines and the mode toggle."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from client.demo import BINARY_SAMPLE, UPLOAD_FOLDER, DemoServer
from client.engine.events import DataChannelEvent, DataPhase
from client.engine.settings import TransferMode

from .helpers import run

pytestmark = pytest.mark.gui


def connect_quick(window, qtbot, demo: DemoServer, mode: TransferMode) -> None:
    quick = window.quick
    quick.host.setText(f"ftp://{demo.host}:{demo.port}")
    quick.user.setText(demo.user)
    quick.password.setText(demo.password)
    quick.set_mode(mode)
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        quick.connect_button.click()
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)


def data_events(window) -> list[DataChannelEvent]:
    window.bridge.flush()
    return [e for e in window.seen_events if isinstance(e, DataChannelEvent)]


@pytest.fixture
def recorded(window):
    window.seen_events = []
    window.bridge.events.connect(window.seen_events.extend)
    return window


def test_connect_asks_pwd_once(recorded, qtbot, demo) -> None:
    """The login already asks PWD; the first listing uses that answer instead of a
    second round trip (a refresh still goes by CWD + PWD)."""
    from client.engine.events import LineSent

    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    window.bridge.flush()
    sent = [e.text for e in window.seen_events if isinstance(e, LineSent)]
    assert sent.count("PWD") == 1, sent
    assert window.remote_pane.current_path == "/"


@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE])
def test_quickconnect_lists_the_root_in_both_modes(recorded, qtbot, demo, mode) -> None:
    window = recorded
    connect_quick(window, qtbot, demo, mode)
    names = {e.name for e in window.remote_pane.model.entries()}
    assert "data" in names and UPLOAD_FOLDER in names
    initiators = {e.initiator for e in data_events(window) if e.phase is DataPhase.CONNECTED}
    assert initiators == {"client" if mode is TransferMode.PASSIVE else "server"}
    text = window.console.export_text("text")
    assert demo.password not in text and "PASS ****" in text
    if mode is TransferMode.PASSIVE:
        assert "EPSV" in text or "PASV" in text
    else:
        assert "EPRT" in text or "PORT" in text
    assert window.status.state_label.text().lower().startswith("ready")


def test_console_shows_annotated_227_and_port(recorded, qtbot, demo) -> None:
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    settings = window.connection.settings.replace(use_epsv=False, use_eprt=False)
    run(qtbot, window.connect_to(settings))
    window.set_mode(TransferMode.ACTIVE)
    run(qtbot, window.remote_actions.refresh())
    window.bridge.flush()
    lines = window.console.model.lines()
    pasv = [x for x in lines if x.text.startswith("227")]
    port = [x for x in lines if x.text.startswith("PORT ")]
    assert pasv and "*256+" in pasv[-1].inline and pasv[-1].annotations
    assert port and "*256+" in port[-1].inline and port[-1].annotations
    # the inline arithmetic is right: p1*256+p2 = port, and the port is the one dialled
    arithmetic = pasv[-1].inline.split("(")[1].rstrip(")")
    left, right = arithmetic.split(" = ")
    p1, p2 = left.split("*256+")
    assert int(p1) * 256 + int(p2) == int(right)


def test_mode_toggle_changes_the_next_data_connection(recorded, qtbot, demo) -> None:
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    before = len(data_events(window))
    window.toggle_mode_action.trigger()
    assert window.quick.active_button.isChecked() and window.active_action.isChecked()
    run(qtbot, window.remote_actions.refresh())
    new = [e for e in data_events(window)[before:] if e.phase is DataPhase.CONNECTED]
    assert new and all(e.initiator == "server" for e in new)
    assert window.status.mode_label.text().startswith("Active")
    assert "→" in window.status.data_label.text()


def test_browse_download_upload_and_file_operations(recorded, qtbot, demo, tmp_path) -> None:
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    pane = window.remote_pane
    folder, name = BINARY_SAMPLE.rsplit("/", 1)
    run(qtbot, window.remote_actions.browse("/" + folder))
    assert pane.current_path == "/" + folder
    entry = next(e for e in pane.model.entries() if e.name == name)
    # the drag-and-drop path: remote paths dropped on the local pane
    local_dir = window.local_pane.current
    run(qtbot, window.transfers.download_paths([f"/{BINARY_SAMPLE}"], local_dir))
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    got = hashlib.sha256((local_dir / name).read_bytes()).hexdigest()
    assert got == demo.sample.sha256[BINARY_SAMPLE]
    assert entry.size == (local_dir / name).stat().st_size

    # upload: local files dropped on the remote pane (same signal a desktop drop emits)
    source = tmp_path / "hello upload.txt"
    source.write_text("hello from the window\n")
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    with qtbot.waitSignal(pane.upload_requested, timeout=15_000):
        pane.view.files_dropped.emit([source], "")
    qtbot.waitUntil(lambda: (demo.root / UPLOAD_FOLDER / source.name).exists(), timeout=15_000)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    assert (demo.root / UPLOAD_FOLDER / source.name).read_text() == source.read_text()

    # mkdir, rename, delete (confirmed)
    run(qtbot, window.remote_actions.mkdir("new folder"))
    assert (demo.root / UPLOAD_FOLDER / "new folder").is_dir()
    entry = next(e for e in pane.model.entries() if e.name == source.name)
    run(qtbot, window.remote_actions.rename(entry, "renamed.txt"))
    assert (demo.root / UPLOAD_FOLDER / "renamed.txt").exists()
    assert not (demo.root / UPLOAD_FOLDER / source.name).exists()
    doomed = [e for e in pane.model.entries() if e.name in ("renamed.txt", "new folder")]
    run(qtbot, window.remote_actions.delete(doomed, confirmed=True))
    assert not (demo.root / UPLOAD_FOLDER / "renamed.txt").exists()
    assert not (demo.root / UPLOAD_FOLDER / "new folder").exists()


def test_failure_shows_a_banner_with_why(recorded, qtbot, demo) -> None:
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    task = window.spawn(window.remote_actions.browse("/no/such/folder"), pane=window.remote_pane,
                        doing="Opening /no/such/folder")
    qtbot.waitUntil(task.done, timeout=10_000)
    banner = window.remote_pane.banner
    qtbot.waitUntil(banner.isVisible, timeout=15_000)
    assert "Opening /no/such/folder failed" in banner.text and "55" in banner.text
    assert banner.seq is not None
    banner.why_clicked.emit(banner.seq)
    current = window.console.view.currentIndex()
    assert current.isValid() and "55" in window.console.model.data(current)


def _why_line(window, banner) -> str:
    """Click the banner's "Why?" link; the text of the console line it selects."""
    banner.why.linkActivated.emit("#why")
    current = window.console.view.currentIndex()
    assert current.isValid()
    return window.console.model.data(current)


def test_why_never_points_at_an_older_unrelated_error(recorded, qtbot, demo) -> None:
    """A failure that logged no error line of its own (a rename refused before anything
    was sent) must not offer the previous failure's 550 as its reason."""
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    banner = window.remote_pane.banner
    task = window.spawn(window.remote_actions.browse("/no/such/folder"), pane=window.remote_pane,
                        doing="Opening /no/such/folder")
    qtbot.waitUntil(task.done, timeout=10_000)
    qtbot.waitUntil(banner.isVisible, timeout=15_000)
    first_seq = banner.seq
    assert first_seq is not None and "55" in _why_line(window, banner)

    entry = window.remote_pane.model.entries()[0]
    task = window.spawn(window.remote_actions.rename(entry, "bad\nname"), pane=window.remote_pane,
                        doing="Rename")
    qtbot.waitUntil(task.done, timeout=10_000)
    qtbot.waitUntil(lambda: banner.text.startswith("Rename"), timeout=15_000)
    assert banner.seq is None and not banner.why.isVisible()
    assert window.console.model.last_error_seq == first_seq  # the old 550 is still newest


def test_why_points_at_the_failing_reply_not_a_newer_error(recorded, qtbot, demo) -> None:
    """Another connection logs an error after this failure (a transfer worker, say):
    "Why?" still selects the 550 this operation got."""
    from client.engine.events import Notice
    from client.protocol.annotate import Severity

    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    started = window.bus.now()
    task = asyncio.ensure_future(window.remote_actions.browse("/no/such/folder"))
    qtbot.waitUntil(task.done, timeout=10_000)
    error = task.exception()
    assert error is not None and getattr(error, "reply_code", None) == 550
    window.bus.emit(Notice(t=window.bus.now(), connection="c9", severity=Severity.ERROR,
                           text="an unrelated failure on another connection"))
    window.report_error(error, pane=window.remote_pane, doing="Opening /no/such/folder",
                        since=started)
    banner = window.remote_pane.banner
    assert banner.isVisible() and banner.seq is not None
    assert banner.seq != window.console.model.last_error_seq  # the unrelated one is newer
    line = _why_line(window, banner)
    assert "550" in line and "unrelated" not in line


def test_url_credentials_never_stay_in_the_host_field(window, demo, config_dir) -> None:
    window.quick.host.setText(demo.url)
    window.quick.submit()
    assert demo.password not in window.quick.host.text()
    assert window.quick.password.text() == demo.password
    assert window.quick.user.text() == demo.user
    window.save_state()
    (item,) = [i for i in window.quick.history() if i.port == demo.port]
    assert item.user == demo.user
    window.quick.host.clear()
    window.quick.password.clear()
    window.quick.apply_history(item)
    assert window.quick.host.text() == demo.host and window.quick.port.value() == demo.port
    assert window.quick.password.text() == ""  # the history never fills a password
    for kept in (Path(window.settings.fileName()), config_dir / "quickconnect.json"):
        assert kept.exists() and demo.password not in kept.read_text()  # no password


def test_hung_listing_banner_and_retry_in_active_mode(window, qtbot) -> None:
    pytest.importorskip("client.ui.inspector.hung_banner")
    from client.engine.settings import ConnectionSettings

    server = DemoServer("passive-blocked", give_up_after=2.0).start()
    try:
        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=1.0,
                                      control_timeout=5.0)
        task = window.spawn(window.connect_to(settings), pane=window.remote_pane, doing="Listing /")
        qtbot.waitUntil(task.done, timeout=20_000)
        banner = window.hung_listing.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
        assert not window.remote_pane.banner.isVisible()
        assert banner.visible_actions()
        window.hung_listing._retry(TransferMode.ACTIVE)
        qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=20_000)
        assert window.quick.mode is TransferMode.ACTIVE and not banner.isVisible()
    finally:
        server.stop()


def test_queue_runs_three_concurrent_transfers(recorded, qtbot, demo, tmp_path) -> None:
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    window.queue.concurrency.setValue(3)
    files = []
    for i in range(6):
        path = tmp_path / f"q{i}.bin"
        path.write_bytes(bytes([i]) * (300_000 + i))
        files.append(path)
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    ids = run(qtbot, window.upload_paths(files))
    assert len(ids) == 6
    run(qtbot, window.transfers.wait_idle(), timeout=60_000)
    window.bridge.flush()
    for path in files:
        assert (demo.root / UPLOAD_FOLDER / path.name).read_bytes() == path.read_bytes()
    connections = {e.connection for e in window.seen_events
                   if getattr(e, "command", "").startswith("STOR")}
    assert len(connections) == 3  # three worker connections, one transfer each at a time
    assert window.queue.proxies["successful"].rowCount() == 6


def _drop(view, mime, pos=None):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDropEvent

    point = QPointF(pos) if pos is not None else QPointF(5, 5)
    event = QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    return event


def test_drag_and_drop_between_panes_and_from_the_desktop(recorded, qtbot, demo, tmp_path) -> None:
    """The real drop handlers: remote rows dragged onto the local list download, file URLs
    (our local pane or the desktop's file manager) dropped on the remote list upload."""
    from PySide6.QtCore import QMimeData, QUrl

    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    folder, name = BINARY_SAMPLE.rsplit("/", 1)
    run(qtbot, window.remote_actions.browse("/" + folder))
    model = window.remote_pane.model
    mime = model.mimeData([model.index(model.row_of_name(name), 0)])
    local_view = window.local_pane.view
    with qtbot.waitSignal(window.local_pane.download_dropped, timeout=15_000) as blocker:
        _drop(local_view, mime, local_view.viewport().rect().bottomRight())
    assert blocker.args[0] == [f"/{BINARY_SAMPLE}"]
    qtbot.waitUntil(lambda: (window.local_pane.current / name).exists(), timeout=15_000)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    assert (window.local_pane.current / name).stat().st_size == demo.root.joinpath(BINARY_SAMPLE).stat().st_size

    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    desktop_file = tmp_path / "from the desktop.txt"
    desktop_file.write_text("dropped\n")
    urls = QMimeData()
    urls.setUrls([QUrl.fromLocalFile(str(desktop_file))])
    with qtbot.waitSignal(window.remote_pane.upload_requested, timeout=15_000) as blocker:
        _drop(window.remote_pane.view, urls, window.remote_pane.view.viewport().rect().bottomRight())
    assert blocker.args == [[desktop_file], "/" + UPLOAD_FOLDER]
    qtbot.waitUntil(lambda: (demo.root / UPLOAD_FOLDER / desktop_file.name).exists(), timeout=15_000)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    assert (demo.root / UPLOAD_FOLDER / desktop_file.name).read_text() == "dropped\n"


def test_queue_folder_download_and_file_exists_dialog(recorded, qtbot, demo, tmp_path) -> None:
    from PySide6.QtWidgets import QDialog

    from client.engine.exists import ExistsPolicy
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    folder = BINARY_SAMPLE.split("/", 1)[0]
    entry = next(e for e in window.remote_pane.model.entries() if e.name == folder)
    local_dir = window.local_pane.current
    ids = run(qtbot, window.download_entries([entry], local_dir))
    run(qtbot, window.transfers.wait_idle(), timeout=60_000)
    expected = sorted(p.relative_to(demo.root / folder) for p in (demo.root / folder).rglob("*")
                      if p.is_file())
    got = sorted(p.relative_to(local_dir / folder) for p in (local_dir / folder).rglob("*")
                 if p.is_file())
    assert got == expected and len(ids) == len(expected)

    # the same file again: the queue asks; "overwrite" replaces the changed local copy
    target = local_dir / BINARY_SAMPLE
    target.write_bytes(b"stale")
    run(qtbot, window.remote_actions.browse("/" + folder))
    sample = next(e for e in window.remote_pane.model.entries()
                  if e.name == BINARY_SAMPLE.rsplit("/", 1)[1])
    task = asyncio.ensure_future(window.download_entries([sample], local_dir / folder))
    qtbot.waitUntil(lambda: window.exists_asker.current is not None, timeout=15_000)
    dialog = window.exists_asker.current
    dialog.choices[ExistsPolicy.OVERWRITE].setChecked(True)
    dialog.done(QDialog.DialogCode.Accepted)
    qtbot.waitUntil(task.done, timeout=15_000)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == demo.sample.sha256[BINARY_SAMPLE]


def test_queue_buttons_pause_cancel_resume_retry(recorded, qtbot, demo, tmp_path) -> None:
    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    run(qtbot, window.remote_actions.browse("/" + UPLOAD_FOLDER))
    window.queue.concurrency.setValue(1)
    # the queue holds the files while the person arranges them ("Process queue" off)
    qtbot.mouseClick(window.queue.process_button, Qt.MouseButton.LeftButton)
    assert not window.queue.process_action.isChecked()
    files = []
    for i in range(4):
        path = tmp_path / f"b{i}.txt"
        path.write_text(f"file {i}\n")
        files.append(path)
    ids = run(qtbot, window.upload_paths(files))
    queue = window.transfers.queue
    window.transfer_commands.queue_action("pause", [queue.job(ids[3])])
    window.transfer_commands.queue_action("cancel", [queue.job(ids[2])])
    # Move up passes the cancelled job (no longer in the Queued tab) and the queued one
    window.transfer_commands.queue_action("up", [queue.job(ids[3])])
    assert [j.job_id for j in queue.jobs()] == [ids[0], ids[3], ids[1], ids[2]]
    assert {queue.job(i).state.value for i in ids[:2]} == {"queued"}
    qtbot.mouseClick(window.queue.process_button, Qt.MouseButton.LeftButton)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    states = {j.job_id: j.state.value for j in queue.jobs()}
    assert states[ids[3]] == "paused" and states[ids[2]] == "cancelled"
    window.bridge.flush()
    assert window.queue.proxies["failed"].rowCount() == 1
    window.transfer_commands.queue_action("resume", [queue.job(ids[3])])
    window.transfer_commands.queue_action("retry", [queue.job(ids[2])])
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    window.bridge.flush()
    for path in files:
        assert (demo.root / UPLOAD_FOLDER / path.name).read_text() == path.read_text()
    assert window.queue.proxies["successful"].rowCount() == 4
    assert window.queue.proxies["failed"].rowCount() == 0


def test_hostile_names_are_skipped_and_reported(recorded, qtbot, demo, tmp_path) -> None:
    """A listing can name ``..``, ``a/b`` or escape sequences; those are never written,
    the safe files of the same selection still download, and the banner says why."""
    from client.protocol.listing import EntryKind, ListingEntry

    window = recorded
    connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
    folder, name = BINARY_SAMPLE.rsplit("/", 1)
    run(qtbot, window.remote_actions.browse("/" + folder))
    good = next(e for e in window.remote_pane.model.entries() if e.name == name)
    bad = [ListingEntry(name=n, kind=EntryKind.FILE, size=1, modified=None,
                        modified_precision=None, permissions=None, owner=None, group=None,
                        target=None, facts={}, raw=n) for n in ("..", "../escape", "x\x1b[2J")]
    local_dir = tmp_path / "dl"
    local_dir.mkdir()
    task = window.spawn(window.download_entries(bad + [good], local_dir),
                        pane=window.local_pane, doing="Download")
    qtbot.waitUntil(task.done, timeout=10_000)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    assert sorted(p.name for p in local_dir.iterdir()) == [name]
    assert not (tmp_path / "escape").exists()
    banner = window.local_pane.banner
    assert banner.isVisible() and "refusing" in banner.text and "\x1b" not in banner.text


def test_file_open_event_with_an_ftp_url_opens_it(window, qtbot, demo) -> None:
    """macOS hands a clicked ftp:// link to the running app as a QFileOpenEvent; the
    application opens it in the window (other schemes are left to Qt)."""
    from PySide6.QtCore import QCoreApplication, QUrl
    from PySide6.QtGui import QFileOpenEvent

    from client.ui.app import InspectorApplication, open_link

    app = QCoreApplication.instance()
    if not isinstance(app, InspectorApplication):
        pytest.skip("the QApplication was created outside tests/ui (qapp_cls)")
    opened: list[str] = []
    app.set_url_handler(lambda url: (opened.append(url), open_link(window, url)))
    try:
        # a web link is not ours: Qt's default handling, nothing opened
        QCoreApplication.sendEvent(app, QFileOpenEvent(QUrl("https://example.invalid/")))
        QCoreApplication.postEvent(app, QFileOpenEvent(QUrl(demo.url + "data")))
        qtbot.waitUntil(lambda: window.remote_pane.current_path == "/data", timeout=15_000)
    finally:
        app.set_url_handler(lambda url: None)
    assert len(opened) == 1 and opened[0].startswith("ftp://")
    assert window.connection.is_connected
    assert demo.password not in window.quick.host.text()
