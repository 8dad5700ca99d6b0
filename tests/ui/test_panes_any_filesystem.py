"""The panes, the queue and the remote actions work on any RemoteFileSystem: a second
implementation (in memory, with no FTP controls, as an SFTP session has none) browses,
creates, renames, changes modes, deletes, downloads and uploads through the same window,
and the FTP-only actions (modes, EPSV/PASV, raw commands, Diagnose) are greyed out while
it is open — and back for an FTP session."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.engine.remotefs import FtpControls, RemoteFileSystem
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings
from client.ui.connection import NotOfferedError

from .helpers import run, shown_window
from .memfs import MemoryTree

pytestmark = pytest.mark.gui


def test_the_memory_filesystem_is_a_remote_filesystem_without_ftp_controls() -> None:
    from client.engine.events import EventBus

    settings = ConnectionSettings(host="127.0.0.1", port=2121)
    memory = MemoryTree().factory(settings, EventBus(), None)
    ftp = FtpSession(settings)
    assert isinstance(memory, RemoteFileSystem) and not isinstance(memory, FtpControls)
    assert isinstance(ftp, RemoteFileSystem) and isinstance(ftp, FtpControls)


def _ftp_only_enabled(window) -> list[bool]:
    return [window.passive_action.isEnabled(), window.active_action.isEnabled(),
            window.extended_action.isEnabled(), window.toggle_mode_action.isEnabled(),
            window.menu_actions.raw_command.isEnabled(), window.diagnose_action.isEnabled(),
            window.console.command.isEnabled(), window.quick.passive_button.isEnabled()]


def _names(window) -> list[str]:
    model = window.remote_pane.model
    return sorted(model.data(model.index(row, 0)) for row in range(model.rowCount()))


def _click_row(qtbot, pane, name: str) -> None:
    index = pane.model.index(pane.model.row_of_name(name), 0)
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=pane.view.visualRect(index).center())


@pytest.fixture
def tree() -> MemoryTree:
    return MemoryTree(files={"/readme.txt": b"hello\n", "/docs/guide.txt": b"guide " * 100},
                      folders={"/", "/docs", "/docs/old"})


@pytest.fixture
def memory_window(qloop, qtbot, config_dir, tmp_path, tree):
    with shown_window(qtbot, tmp_path, session_factory=tree.factory) as win:
        yield win


def test_the_window_browses_and_changes_a_filesystem_that_is_not_ftp(
        memory_window, qtbot, tree, tmp_path) -> None:
    window, pane = memory_window, memory_window.remote_pane
    assert all(_ftp_only_enabled(window))
    run(qtbot, window.connect_to(ConnectionSettings(host="127.0.0.1", port=2222)))
    assert pane.current_path == "/"
    assert _names(window) == ["docs", "readme.txt"]
    assert not any(_ftp_only_enabled(window))
    with pytest.raises(NotOfferedError):
        run(qtbot, window.connection.quote("NOOP"))

    # into docs with the keyboard, as a person does
    _click_row(qtbot, pane, "docs")
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.current_path == "/docs" and not window.connection.busy)
    assert _names(window) == ["guide.txt", "old"]

    actions = window.remote_actions
    run(qtbot, actions.mkdir("new"))
    assert "/docs/new" in tree.folders and "new" in _names(window)
    guide = next(e for e in pane.model.entries() if e.name == "guide.txt")
    run(qtbot, actions.rename(guide, "manual.txt"))
    assert "/docs/manual.txt" in tree.files and "manual.txt" in _names(window)
    manual = next(e for e in pane.model.entries() if e.name == "manual.txt")
    run(qtbot, actions.chmod([manual], 0o600))
    assert tree.modes["/docs/manual.txt"] == 0o600
    old = next(e for e in pane.model.entries() if e.name == "old")
    run(qtbot, actions.delete([old], confirmed=True))
    assert "/docs/old" not in tree.folders and "old" not in _names(window)

    # the queue's own sessions come from the same factory
    _click_row(qtbot, pane, "manual.txt")
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    local = tmp_path / "local" / "manual.txt"
    qtbot.waitUntil(local.exists, timeout=10_000)
    assert local.read_bytes() == b"guide " * 100
    mine = tmp_path / "mine.txt"
    mine.write_bytes(b"mine")
    run(qtbot, window.upload_paths([mine]))
    qtbot.waitUntil(lambda: tree.files.get("/docs/mine.txt") == b"mine", timeout=10_000)
    assert len(tree.opened) >= 2

    run(qtbot, window.connect_flow.close_session())
    assert all(_ftp_only_enabled(window))


def test_an_ftp_session_keeps_the_ftp_actions(window, qtbot, demo) -> None:
    run(qtbot, window.connect_to(ConnectionSettings(host=demo.host, port=demo.port,
                                                    user=demo.user, password=demo.password)))
    assert window.connection.ftp is not None
    assert all(_ftp_only_enabled(window))


def test_the_window_keeps_qwidget_actions(window) -> None:
    """``QWidget.actions()`` is the window's own list of QActions (the remote pane's
    gestures live in ``remote_actions``, not in an attribute that hid it)."""
    from PySide6.QtGui import QAction

    actions = window.actions()
    assert isinstance(actions, list)
    assert all(isinstance(action, QAction) for action in actions)
    assert hasattr(window.remote_actions, "browse")
