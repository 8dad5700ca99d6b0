"""The quickconnect password belongs to the server it was used for (Connect) or filled
with: editing the host, port, user or protocol to another server afterwards empties it
(a password is never sent to a server it was not given for); editing what does not
change the server keeps it, and so does filling in the form in any order before
Connect."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.config.history import QuickconnectHistory, RecentServer
from client.engine.schemes import Protocol
from client.engine.sftp.settings import SftpSettings

pytestmark = pytest.mark.gui


@pytest.fixture
def bar(qtbot, tmp_path):
    from client.ui.quickconnect import QuickConnectBar

    widget = QuickConnectBar(QuickconnectHistory(tmp_path / "history.json"))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _sent(bar):
    requested = []
    bar.connect_requested.connect(lambda s, p: requested.append(s))
    return requested


def test_a_filled_url_password_is_emptied_when_another_host_is_typed(qtbot, bar) -> None:
    sent = _sent(bar)
    bar.fill_from_url("ftp://demo:demo-secret@127.0.0.1:2121/")
    assert bar.password.text() == "demo-secret"
    bar.host.selectAll()
    qtbot.keyClicks(bar.host, "sftp://alice@other.test")
    assert bar.password.text() == ""
    qtbot.keyClick(bar.host, Qt.Key.Key_Return)
    assert isinstance(sent[-1], SftpSettings) and sent[-1].password is None


def _connect_once(qtbot, bar, host: str = "files.test") -> list:
    """Host, User, Password, Enter: the password is now that server's."""
    sent = _sent(bar)
    qtbot.keyClicks(bar.host, host)
    qtbot.keyClicks(bar.user, "bob")
    qtbot.keyClicks(bar.password, "bobs-password")
    qtbot.keyClick(bar.password, Qt.Key.Key_Return)
    assert sent[-1].password == "bobs-password"
    return sent


@pytest.mark.parametrize("change", ["user", "port", "protocol"])
def test_another_user_port_or_protocol_empties_the_password(qtbot, bar, change) -> None:
    _connect_once(qtbot, bar)
    if change == "user":
        qtbot.keyClicks(bar.user, "by")
    elif change == "port":
        bar.port.setFocus()
        qtbot.keyClick(bar.port, Qt.Key.Key_Up)
    else:
        bar.tls.setFocus()
        qtbot.keyClick(bar.tls, Qt.Key.Key_End)  # SFTP (SSH)
    assert bar.password.text() == ""


def test_editing_the_path_keeps_the_password(qtbot, bar) -> None:
    sent = _connect_once(qtbot, bar, "ftp://files.test/pub")
    bar.host.setFocus()
    bar.host.end(False)
    qtbot.keyClicks(bar.host, "/incoming")
    assert bar.password.text() == "bobs-password"
    qtbot.keyClick(bar.host, Qt.Key.Key_Return)
    assert sent[-1].password == "bobs-password" and sent[-1].host == "files.test"


def test_a_history_entry_brings_no_password(qtbot, bar) -> None:
    qtbot.keyClicks(bar.host, "files.test")
    qtbot.keyClicks(bar.user, "bob")
    qtbot.keyClicks(bar.password, "bobs-password")
    bar.apply_history(RecentServer("files.test", 22, "bob", protocol=Protocol.SFTP))
    assert bar.password.text() == ""


def test_a_link_brings_its_own_port_not_the_one_shown(qtbot, bar) -> None:
    """A clicked sftp:// link while the bar shows another server on port 2121: the
    link's server is dialled on its own port, without the password shown."""
    sent = _sent(bar)
    bar.fill_fields("127.0.0.1", "demo", "demo-secret", 2121)
    bar.fill_from_url("sftp://alice@files.test/")
    bar.submit()
    assert (sent[-1].host, sent[-1].port, sent[-1].user, sent[-1].password) == (
        "files.test", 22, "alice", None)


def test_the_form_may_be_filled_in_any_order_before_connect(qtbot, bar) -> None:
    """Host, Tab, User, Tab, Password, Tab, Port (the fields' order): the password typed
    before the port still goes with the form."""
    sent = _sent(bar)
    qtbot.keyClicks(bar.host, "files.test")
    qtbot.keyClicks(bar.user, "bob")
    qtbot.keyClicks(bar.password, "bobs-password")
    bar.port.setFocus()
    bar.port.selectAll()
    qtbot.keyClicks(bar.port, "2121")
    qtbot.keyClick(bar.port, Qt.Key.Key_Return)
    assert (sent[-1].port, sent[-1].password) == (2121, "bobs-password")
