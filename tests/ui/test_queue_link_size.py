"""Downloading a symbolic link from the remote pane: the queue's Size column never shows
the link's own listed size (``ls -l`` lists the length of its target's path) as the
size of the transfer; once the file arrived it shows the size of what was transferred."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from client.engine.settings import ConnectionSettings
from client.ui.remote.listing_model import human_size

from .helpers import run

pytestmark = pytest.mark.gui


def test_queue_never_shows_the_links_own_size(window, qtbot, make_ftp_server,
                                              tmp_path: Path) -> None:
    root = tmp_path / "served"
    (root / "data").mkdir(parents=True)
    (root / "data" / "sample.bin").write_bytes(os.urandom(300_000))
    os.symlink("data/sample.bin", root / "latest.bin")
    server = make_ftp_server(root=root, mlsd=False)  # a server that lists with ls -l
    settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                  password=server.password)
    run(qtbot, window.connect_to(settings))
    link = next(e for e in window.remote_pane.model.entries() if e.name == "latest.bin")
    assert link.kind.value == "link" and link.size == len("data/sample.bin")
    model = window.queue.model
    shown: list[str] = []

    def record(*_args: object) -> None:
        shown.extend(model.data(model.index(r, 3), Qt.ItemDataRole.DisplayRole)
                     for r in range(model.rowCount()))

    model.dataChanged.connect(record)
    model.rowsInserted.connect(record)
    model.modelReset.connect(record)
    run(qtbot, window.download_entries([link], window.local_pane.current))
    run(qtbot, window.transfers.wait_idle(), timeout=30_000)
    window.bridge.flush()
    record()
    assert (window.local_pane.current / "latest.bin").stat().st_size == 300_000
    assert human_size(link.size) not in shown, shown
    assert shown[-1] == human_size(300_000), shown
