"""The inspector toolbar in a narrow dock: what does not fit is behind the » button,
and clicking it offers every hidden command — the connection chooser and Export too."""

from __future__ import annotations

from pathlib import Path

import pytest
from ladder_scenarios import Script, healthy_passive_list
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QToolButton

pytestmark = pytest.mark.gui


def _overflow_entries(qtbot, toolbar) -> dict[str, QMenu | None]:
    """Click the toolbar's » button; the entries of the menu it opens (text -> submenu)."""
    button = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert button is not None and button.isVisible()
    seen: dict[str, QMenu | None] = {}

    def read_popup() -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            seen.update({a.text(): a.menu() for a in popup.actions() if a.text()})
            popup.close()

    QTimer.singleShot(0, read_popup)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return seen


def test_hidden_commands_are_reachable_through_the_overflow(qtbot, tmp_path: Path) -> None:
    from client.ui.inspector.dock import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.feed_events(healthy_passive_list() + Script("c2").send(1.0, "RETR /a").events)
    panel.flush()
    panel.resize(300, 500)  # the dock made narrow
    panel.show()
    qtbot.waitExposed(panel)
    entries = _overflow_entries(qtbot, panel.toolbar)
    assert "Export" in entries and "All connections" in entries, entries
    assert entries["Export"] is not None and entries["All connections"] is not None
    connections = [a.text() for a in entries["All connections"].actions()]
    assert connections == ["All connections", "Connection c1", "Connection c2"]
    # the person picks an entry of the overflow's Export submenu
    csv = next(a for a in entries["Export"].actions() if a.text().startswith("Data connections"))
    csv.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QFileDialog) and w.isVisible())
    target = tmp_path / "channels.csv"
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(target.exists)
    # and one of its connections
    next(a for a in entries["All connections"].actions() if a.text() == "Connection c2").trigger()
    qtbot.waitUntil(lambda: panel.backlog == 0)
    assert [i.label for i in panel.model.items] == ["RETR /a"]
