"""A password given for one server never reaches another: after a Quick Connect to the
demo FTP server the bar shows that server (password masked); the person types an
sftp:// address of another server over it and presses Enter — the SSH server must not
receive the FTP password. Observed on the scripted SSH server, which records every
password logon it receives."""

from __future__ import annotations

import pytest
from fixtures.sftp_scripted import USER, ScriptedSftp
from PySide6.QtCore import Qt

from client.demo import DemoServer

pytestmark = pytest.mark.gui


@pytest.fixture
def ssh_server(serve_scripted_sftp) -> ScriptedSftp:
    """The scripted SSH server, served on the window's own loop."""
    return serve_scripted_sftp(ScriptedSftp(files={b"other.txt": b"another server\n"}))


def _retype(qtbot, line, text: str) -> None:
    """Click into a field, select all it holds and type over it, as a person does."""
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(line, text)


def _connect_quick_to_demo(qtbot, window, server: DemoServer) -> None:
    quick = window.quick
    _retype(qtbot, quick.host, f"ftp://{server.host}:{server.port}")
    _retype(qtbot, quick.user, server.user)
    _retype(qtbot, quick.password, server.password)
    qtbot.keyClick(quick.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.connection.ftp is not None and not window.connection.busy
                    and bool(window.remote_pane.current_path), timeout=15_000)


def _answer_where_in_this_tab(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.tabs.where_box is not None
                    and window.tabs.where_box.isVisible(), timeout=15_000)
    box = window.tabs.where_box
    here = next(b for b in box.buttons() if "this tab" in b.text().replace("&", ""))
    qtbot.mouseClick(here, Qt.MouseButton.LeftButton)


def test_an_sftp_address_typed_over_a_connected_ftp_server_gets_no_ftp_password(
        sftp_window, qtbot, ssh_server) -> None:
    window = sftp_window
    quick = window.quick
    with DemoServer("healthy", password="demo-Only-Secret-7") as server:
        _connect_quick_to_demo(qtbot, window, server)
        assert quick.password.text() == server.password  # the bar shows the tab's server
        _retype(qtbot, quick.host, f"sftp://{USER}@127.0.0.1:{ssh_server.port}")
        assert quick.password.text() == ""  # emptied at the first key typed
        qtbot.keyClick(quick.host, Qt.Key.Key_Return)
        _answer_where_in_this_tab(qtbot, window)
        asker = window.sessions.asker
        qtbot.waitUntil(lambda: asker.last_dialog is not None
                        and asker.last_dialog.isVisible(), timeout=15_000)
        qtbot.mouseClick(asker.last_dialog.once_button, Qt.MouseButton.LeftButton)
        # no password was given for this server: it is asked for, not taken from FTP
        secrets = window.sessions.secret_asker
        qtbot.waitUntil(lambda: secrets.last_dialog is not None
                        and secrets.last_dialog.isVisible(), timeout=15_000)
        assert ssh_server.passwords_received == []
        qtbot.keyClick(secrets.last_dialog.field, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.remote_pane.banner.isVisible(), timeout=15_000)
    assert all(password != server.password for _user, password in
               ssh_server.passwords_received), "the FTP password reached the SSH server"


def test_the_password_field_follows_the_tab_shown(sftp_window, qtbot) -> None:
    """A tab connected to the demo server and a new tab: the new tab's fields never
    carry the first tab's password, and typing another host in the first tab empties it."""
    window = sftp_window
    quick = window.quick
    with DemoServer("healthy", password="demo-Only-Secret-7") as server:
        _connect_quick_to_demo(qtbot, window, server)
        window.tabs.new_tab()
        assert quick.password.text() == ""
        bar = window.tabs.widget.bar
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
        qtbot.waitUntil(lambda: quick.password.text() == server.password, timeout=15_000)
        quick.port.setFocus()
        qtbot.keyClick(quick.port, Qt.Key.Key_Up)  # another port: another server
        assert quick.password.text() == ""
