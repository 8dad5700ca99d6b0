"""The quickconnect bar with SFTP: an sftp:// URL or the SFTP choice gives SFTP
settings (host keys asked about), greys out the Passive/Active switch with the reason,
and the history keeps the choice (never a password)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from client.config.history import QuickconnectHistory, RecentServer
from client.engine.schemes import Protocol
from client.engine.settings import ConnectionSettings
from client.engine.sftp.settings import HostKeyPolicy, SftpSettings

pytestmark = pytest.mark.gui


@pytest.fixture
def bar(qtbot, tmp_path):
    from client.ui.quickconnect import QuickConnectBar

    widget = QuickConnectBar(QuickconnectHistory(tmp_path / "history.json"))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_sftp_url_and_enter(qtbot, bar) -> None:
    requested = []
    bar.connect_requested.connect(lambda s, p: requested.append((s, p)))
    qtbot.keyClicks(bar.host, "sftp://carol@127.0.0.1:2222/srv")
    qtbot.keyClicks(bar.password, "pw")
    qtbot.keyClick(bar.host, Qt.Key.Key_Return)
    settings, path = requested[-1]
    assert isinstance(settings, SftpSettings)
    assert (settings.host, settings.port, settings.user, settings.password) == (
        "127.0.0.1", 2222, "carol", "pw")
    assert settings.host_key_policy is HostKeyPolicy.ASK
    assert path == "srv"
    assert bar.tls.currentText() == "SFTP (SSH)"
    assert not bar.passive_button.isEnabled() and not bar.active_button.isEnabled()
    assert "no data connections" in bar.passive_button.toolTip()
    (server,) = bar.history()
    assert (server.host, server.port, server.user, server.protocol) == (
        "127.0.0.1", 2222, "carol", Protocol.SFTP)
    text = (bar._history.path).read_text()  # noqa: SLF001 - the file written
    assert json.loads(text)["servers"][0]["protocol"] == "sftp" and "pw" not in text


def test_sftp_choice_with_a_bare_host_uses_port_22(qtbot, bar) -> None:
    requested = []
    bar.connect_requested.connect(lambda s, p: requested.append(s))
    bar.tls.setFocus()
    qtbot.keyClick(bar.tls, Qt.Key.Key_End)
    assert bar.sftp_chosen and not bar.passive_button.isEnabled()
    qtbot.keyClicks(bar.host, "example.test")
    qtbot.keyClicks(bar.user, "dave")
    qtbot.keyClick(bar.user, Qt.Key.Key_Return)
    assert isinstance(requested[-1], SftpSettings)
    assert requested[-1].port == 22 and requested[-1].user == "dave"


def test_an_ftp_url_after_sftp_goes_back_to_ftp(qtbot, bar) -> None:
    requested = []
    bar.connect_requested.connect(lambda s, p: requested.append(s))
    bar.host.setText("sftp://h")
    bar.submit()
    bar.host.setText("ftp://h")
    bar.submit()
    assert isinstance(requested[-1], ConnectionSettings)
    assert bar.passive_button.isEnabled()
    assert "PASV" in bar.passive_button.toolTip()


def test_history_brings_back_the_sftp_choice(qtbot, bar) -> None:
    bar.apply_history(RecentServer("h", 2222, "u", protocol=Protocol.SFTP))
    assert bar.sftp_chosen and bar.port.value() == 2222
    assert not bar.active_button.isEnabled()
    bar.fill_from_url("sftp://u:secret@h:2222/x")
    assert bar.host.text() == "sftp://h:2222/x" and bar.password.text() == "secret"
