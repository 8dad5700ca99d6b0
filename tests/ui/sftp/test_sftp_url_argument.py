"""``ftp-inspector sftp://user@host:port/`` opens the window connected over SFTP, as an
``ftp://`` address given on the command line does (the window's own argument check
refused ``sftp://`` although the window speaks it); against Debian's sshd."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from PySide6.QtCore import Qt

from client.ui.app import open_target
from client.ui.launch import window_parser

pytestmark = pytest.mark.gui


def test_the_window_accepts_an_sftp_address_and_connects(sftp_window, qtbot,
                                                         sshd_server) -> None:
    (sshd_server.root / "from-argv.txt").write_text("opened from the command line\n")
    sshd_server.own()
    url = (f"sftp://{sshd_server.user}:{quote(sshd_server.password, safe='')}@"
           f"{sshd_server.host}:{sshd_server.port}/")
    args = window_parser().parse_args([url])  # what main() checks before the window opens
    from client.ui import launch

    assert args.url.lower().startswith(launch._OPENABLE_PREFIXES)
    window = sftp_window
    window.spawn(open_target(window, args.url), pane=window.remote_pane, doing="connecting")
    asker = window.sessions.asker
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=15_000)
    qtbot.mouseClick(asker.last_dialog.once_button, Qt.MouseButton.LeftButton)
    model = window.remote_pane.model
    qtbot.waitUntil(lambda: "from-argv.txt" in [model.data(model.index(r, 0))
                                                for r in range(model.rowCount())],
                    timeout=15_000)
    assert window.quick.host.text().startswith("sftp://")
    assert sshd_server.password not in window.quick.host.text()
    (sshd_server.root / "from-argv.txt").unlink()


def test_other_schemes_are_still_refused(capsys) -> None:
    from client.ui.launch import main

    with pytest.raises(SystemExit) as stop:
        main(["http://127.0.0.1/"])
    assert stop.value.code == 1
    assert "sftp://" in capsys.readouterr().err
