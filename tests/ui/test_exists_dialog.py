"""The file-exists dialog and its asker: choices, resume only when it can work, Cancel
skips, "apply to all" answers the questions that were waiting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from client.engine.exists import ExistsInfo, ExistsPolicy

pytestmark = pytest.mark.gui


def info(local_size: int | None = 10, remote_size: int | None = 100) -> ExistsInfo:
    return ExistsInfo(direction="download", local_path=Path("/tmp/x\x1b.bin"),
                      remote_path="/r/x.bin", local_size=local_size,
                      local_mtime=datetime(2024, 1, 1, tzinfo=UTC), remote_size=remote_size,
                      remote_mtime=None)


def test_dialog_defaults_and_choices(qapp) -> None:
    from client.ui.exists_dialog import FileExistsDialog

    partial = FileExistsDialog(info(10, 100))
    assert partial.decision().policy is ExistsPolicy.RESUME
    complete = FileExistsDialog(info(100, 100))
    assert not complete.choices[ExistsPolicy.RESUME].isEnabled()
    assert complete.decision().policy is ExistsPolicy.OVERWRITE
    complete.choices[ExistsPolicy.OVERWRITE_IF_NEWER].setChecked(True)
    complete.apply_to_all.setChecked(True)
    decision = complete.decision()
    assert decision.policy is ExistsPolicy.OVERWRITE_IF_NEWER and decision.apply_to_all
    from PySide6.QtWidgets import QLabel

    title = next(w.text() for w in partial.findChildren(QLabel) if "already exists" in w.text())
    assert "\x1b" not in title and "\\x1b" in title  # the hostile name is shown escaped


def test_asker_one_dialog_at_a_time_and_apply_to_all(qloop, qtbot) -> None:
    from PySide6.QtWidgets import QDialog

    from client.ui.exists_dialog import ExistsAsker

    asker = ExistsAsker(None)
    first = asyncio.ensure_future(asker(None, info()))
    second = asyncio.ensure_future(asker(None, info()))
    qtbot.waitUntil(lambda: asker.current is not None, timeout=15_000)
    dialog = asker.current
    dialog.choices[ExistsPolicy.SKIP].setChecked(True)
    dialog.apply_to_all.setChecked(True)
    dialog.done(QDialog.DialogCode.Accepted)
    qtbot.waitUntil(lambda: first.done() and second.done(), timeout=15_000)
    assert first.result().policy is ExistsPolicy.SKIP
    assert second.result() == first.result()  # answered without a second dialog
    asker.reset()
    third = asyncio.ensure_future(asker(None, info()))
    qtbot.waitUntil(lambda: asker.current is not None, timeout=15_000)
    asker.current.done(QDialog.DialogCode.Rejected)
    qtbot.waitUntil(third.done, timeout=15_000)
    assert third.result().policy is ExistsPolicy.SKIP and not third.result().apply_to_all
