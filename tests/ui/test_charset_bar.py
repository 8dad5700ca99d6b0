"""The charset offer as a person meets it: a server sending windows-1251 names, the
window in "auto" shows them escaped and offers windows-1251 in a bar; "Use it" shows the
names and the site remembers the charset; "Not now" keeps the offer away."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.config.sites import Site, SiteStore
from client.engine.settings import TlsMode

from .helpers import run

pytestmark = pytest.mark.gui

NAMES = ["Документы", "Новая папка", "привет мир.txt"]


@pytest.fixture
def cp1251_server(make_ftp_server, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    for name in NAMES:
        (root / name).write_bytes(b"x")
    return make_ftp_server(root=root, encoding="cp1251", mlsd=False)


def test_use_it_shows_the_names_and_saves_the_charset(window, qtbot, cp1251_server,
                                                      config_dir) -> None:
    store = SiteStore()
    site = Site(name="ru", host=cp1251_server.host, port=cp1251_server.port)
    store.upsert(site)
    window.remember_site(store, site)
    run(qtbot, window.connect_to(cp1251_server.settings(tls=TlsMode.OFF)))
    window.remember_site(store, site)
    pane = window.remote_pane
    bar = pane.charset_bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    assert "windows-1251" in bar.message.text()
    assert not set(NAMES) & {e.name for e in pane.model.entries()}
    # a download before the change: the queue has a connection in the old charset
    escaped = next(e for e in pane.model.entries() if e.name.endswith(".txt"))
    run(qtbot, window.download_entries([escaped]))
    run(qtbot, window.transfers.wait_idle())
    qtbot.mouseClick(bar.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sorted(e.name for e in pane.model.entries()) == sorted(NAMES),
                    timeout=10_000)
    assert not bar.isVisible()
    assert store.find("ru").charset == "windows-1251"
    assert window.connection.settings.encoding == "windows-1251"
    # the next download goes by its windows-1251 name, on a connection that reads it so
    entry = pane.model.entry(pane.model.row_of_name("привет мир.txt"))
    run(qtbot, window.download_entries([entry]))
    run(qtbot, window.transfers.wait_idle())
    assert (window.local_pane.current / "привет мир.txt").read_bytes() == b"x"


def test_not_now_keeps_the_offer_away(window, qtbot, cp1251_server) -> None:
    run(qtbot, window.connect_to(cp1251_server.settings(tls=TlsMode.OFF)))
    bar = window.remote_pane.charset_bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    qtbot.mouseClick(bar.dismiss_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not window.connection.busy, timeout=10_000)
    qtbot.wait(50)
    assert not bar.isVisible()


def test_an_undecodable_name_can_be_dragged(qapp, qtbot) -> None:
    """Dragging a name with a byte the charset could not decode used to fail while
    building the drag data (a lone surrogate is not UTF-8); it now travels as its bytes."""
    from datetime import UTC, datetime

    from client.protocol.listing import EntryKind, ListingEntry
    from client.ui.remote.listing_model import REMOTE_MIME
    from client.ui.remote.pane import RemotePane

    pane = RemotePane()
    qtbot.addWidget(pane)
    pane.set_connected(True)
    name = "bad\udc98.txt"
    pane.show_listing("/in", [ListingEntry(name=name, kind=EntryKind.FILE, size=1,
                                           modified=datetime(2024, 1, 1, tzinfo=UTC))])
    mime = pane.model.mimeData([pane.model.index(0, 0)])
    assert bytes(mime.data(REMOTE_MIME)) == b"/in/bad\x98.txt"
    assert pane.model.data(pane.model.index(0, 0)).startswith("bad\\x98.txt")


def test_copy_url_writes_an_undecodable_byte_as_itself() -> None:
    from client.config.urls import parse_url
    from client.ui.remote.pane import remote_url

    url = remote_url("127.0.0.1", 2121, "/in/bad\udc98 x.txt")
    assert url == "ftp://127.0.0.1:2121/in/bad%98%20x.txt"
    assert parse_url(url).path == "in/bad\udc98 x.txt"  # relative to the login folder
    assert remote_url("h", 21, "/Документы") == "ftp://h/" + "".join(
        f"%{b:02X}" for b in "Документы".encode())


def test_a_charset_chosen_while_the_queue_works_reaches_its_open_connection(
        window, qtbot, make_ftp_server, tmp_path) -> None:
    """One transfer at a time; a big download runs in "auto" and a small one waits,
    paused. The person clicks "Use it" (windows-1251) and downloads a file by its real
    name: after the big one, it runs on the queue's connection opened in "auto" — and
    arrives. Resume: the paused one (queued under its escaped name) arrives too."""
    from client.engine.queue.jobs import JobState
    from client.ui.queue_view import JOB_ROLE

    root = tmp_path / "root"
    root.mkdir()
    for name in NAMES:
        (root / name).write_bytes(b"x")
    (root / "большой.bin").write_bytes(bytes(range(256)) * 2048)  # 512 KiB, ~4 s
    server = make_ftp_server(root=root, encoding="cp1251", mlsd=False,
                             throttle_bytes_per_second=128 * 1024)
    run(qtbot, window.connect_to(server.settings(tls=TlsMode.OFF)))
    pane = window.remote_pane
    bar = pane.charset_bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    window.queue.concurrency.setValue(1)
    big = next(e for e in pane.model.entries() if e.name.endswith(".bin"))
    small = next(e for e in pane.model.entries() if e.name not in NAMES and "." not in e.name)
    run(qtbot, window.download_entries([big, small]))
    queue = window.transfers.queue
    qtbot.waitUntil(lambda: queue.jobs()[0].state is JobState.RUNNING, timeout=10_000)
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 2)
    view = window.queue.tabs.currentWidget()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(1, 1)).center())
    assert view.model().data(view.model().index(1, 0), JOB_ROLE).job_id == queue.jobs()[1].job_id
    qtbot.mouseClick(window.queue.buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: queue.jobs()[1].state is JobState.PAUSED, timeout=10_000)

    qtbot.mouseClick(bar.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "привет мир.txt" in {e.name for e in pane.model.entries()},
                    timeout=10_000)
    assert queue.jobs()[0].state is JobState.RUNNING  # the big one is still going
    entry = pane.model.entry(pane.model.row_of_name("привет мир.txt"))
    run(qtbot, window.download_entries([entry]))
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    states = {j.local_path.name: (j.state, j.error) for j in queue.jobs()}
    assert states["привет мир.txt"][0] is JobState.DONE, states
    assert (window.local_pane.current / "привет мир.txt").read_bytes() == b"x"

    paused = queue.jobs()[1]
    qtbot.waitUntil(lambda: view.model().rowCount() == 1)  # done ones left the Queued tab
    assert view.model().data(view.model().index(0, 0), JOB_ROLE).job_id == paused.job_id
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(0, 1)).center())
    qtbot.mouseClick(window.queue.buttons["resume"], Qt.MouseButton.LeftButton)
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    done = next(j for j in queue.jobs() if j.job_id == paused.job_id)
    assert done.state is JobState.DONE, done.error
    assert done.local_path.read_bytes() == b"x"


def test_a_download_with_an_undecodable_name_is_saved_for_the_next_start(
        qloop, qtbot, config_dir, make_ftp_server, tmp_path) -> None:
    """A windows-1251 name shown escaped (Auto) is downloading when the window closes:
    it is saved (writing it failed on the lone surrogates) and offered at the next
    start, under the same name."""
    from client.engine.queue.jobs import JobState
    from client.engine.queue.saved import load_saved

    from .helpers import shown_window

    root = tmp_path / "root"
    root.mkdir()
    (root / "большой.bin").write_bytes(bytes(range(256)) * 2048)  # 512 KiB, ~4 s
    server = make_ftp_server(root=root, encoding="cp1251", mlsd=False,
                             throttle_bytes_per_second=128 * 1024)
    saved = config_dir / "data" / "queue.json"
    with shown_window(qtbot, tmp_path) as window:
        run(qtbot, window.connect_to(server.settings(tls=TlsMode.OFF)))
        [big] = window.remote_pane.model.entries()
        run(qtbot, window.download_entries([big]))
        queue = window.transfers.queue
        qtbot.waitUntil(lambda: queue.jobs()[0].state is JobState.RUNNING, timeout=10_000)
        qtbot.waitUntil(saved.exists, timeout=15_000)
    jobs = load_saved(saved)
    assert [j.remote_path for j in jobs] == ["/" + big.name]
    (tmp_path / "local").rename(tmp_path / "first")
    with shown_window(qtbot, tmp_path) as again:
        qtbot.waitUntil(lambda: again.queue_restore.box is not None, timeout=15_000)
        assert again.queue_restore.box.text() == "Restore 1 queued transfer?"
        again.queue_restore.box.reject()
