"""Cancel in the "file exists" question stops that download: the queue lists it as
cancelled under Failed, not under Successful, and the local file stays as it was."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from client.demo import BINARY_SAMPLE, DemoServer
from client.engine.settings import TransferMode

from .test_main_window import connect_quick, run

pytestmark = pytest.mark.gui


def test_cancel_in_the_exists_question_is_not_a_success(window, qtbot) -> None:
    with DemoServer("healthy", give_up_after=2.0) as demo:
        connect_quick(window, qtbot, demo, TransferMode.PASSIVE)
        folder, name = BINARY_SAMPLE.rsplit("/", 1)
        run(qtbot, window.remote_actions.browse("/" + folder))
        local = window.local_pane.current / name
        local.write_bytes(b"mine")
        entry = next(e for e in window.remote_pane.model.entries() if e.name == name)
        task = asyncio.ensure_future(window.download_entries([entry], window.local_pane.current))
        qtbot.waitUntil(lambda: window.exists_asker.current is not None, timeout=15_000)
        dialog = window.exists_asker.current
        buttons = dialog.findChild(QDialogButtonBox)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(task.done, timeout=15_000)
        run(qtbot, window.transfers.wait_idle(), timeout=30_000)
        window.bridge.flush()
        queue = window.queue
        assert queue.proxies["successful"].rowCount() == 0
        assert queue.proxies["failed"].rowCount() == 1
        assert queue.tabs.tabText(2).endswith("(0)")
        assert local.read_bytes() == b"mine"
