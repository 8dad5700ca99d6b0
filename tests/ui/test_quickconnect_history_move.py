"""The quickconnect history moved from the window's settings file to
``quickconnect.json`` in the config folder: a history kept there before shows in the
window's Recent servers once, and the old key is gone."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings

from client.config.history import RecentServer

from .helpers import shown_window

pytestmark = pytest.mark.gui


def test_the_window_takes_over_the_old_history_once(qloop, qtbot, config_dir, tmp_path) -> None:
    old = QSettings(str(config_dir / "window.ini"), QSettings.Format.IniFormat)
    old.setValue("quickconnect/history", json.dumps(
        [{"host": "127.0.0.1", "port": 2121, "user": "alice", "tls": "off",
          "mode": "passive", "commands": "extended"}]))
    old.sync()
    del old
    with shown_window(qtbot, tmp_path) as window:
        [server] = window.quick.history()
        assert server == RecentServer.from_json({"host": "127.0.0.1", "port": 2121,
                                                 "user": "alice", "tls": "off",
                                                 "commands": "extended"})
        window.quick.history_menu.aboutToShow.emit()
        labels = [a.text() for a in window.quick.history_menu.actions()]
        assert labels == ["alice@127.0.0.1:2121 (off)"]
        window.quick.history_menu.actions()[0].trigger()
        assert window.quick.host.text() == "127.0.0.1" and window.quick.user.text() == "alice"
        assert not window.settings.contains("quickconnect/history")
    assert json.loads((config_dir / "quickconnect.json").read_text())["servers"][0]["host"] \
        == "127.0.0.1"
