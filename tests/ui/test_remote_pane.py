"""The remote pane as a person uses it: select-all in a huge folder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from client.protocol.listing import EntryKind, ListingEntry

pytestmark = pytest.mark.gui


def file_entry(name: str, size: int = 1) -> ListingEntry:
    return ListingEntry(name=name, kind=EntryKind.FILE, size=size,
                        modified=datetime(2024, 1, 1, tzinfo=UTC), modified_precision="second",
                        permissions="rw-r--r--", owner="o", group="g", target=None, facts={},
                        raw=name)


def test_select_all_in_a_100000_entry_folder(qapp, qtbot, monkeypatch) -> None:
    """Ctrl+A selects every entry, and the selection comes back whole and in order.

    The cost is checked by counting, not timing: Qt's header repaint and
    ``selectedRows()`` used to ask the model's ``flags()`` for every cell (600,000 Python
    calls each, seconds of frozen window); now only the painted cells are asked."""
    import client.ui.remote.pane as pane_module
    from client.ui.remote.listing_model import RemoteListModel

    flag_calls = [0]

    class CountingModel(RemoteListModel):
        def flags(self, index):  # type: ignore[override]
            flag_calls[0] += 1
            return super().flags(index)

    monkeypatch.setattr(pane_module, "RemoteListModel", CountingModel)
    pane = pane_module.RemotePane()
    qtbot.addWidget(pane)
    pane.set_connected(True)
    pane.resize(800, 600)
    pane.show()
    entries = [file_entry(f"file-{i:06d}.dat", size=i) for i in range(100_000)]
    pane.show_listing("/big", entries)
    pane.view.setFocus()
    qtbot.wait(10)
    flag_calls[0] = 0
    qtbot.keyClick(pane.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(10)  # let the view and its header repaint with everything selected
    pane.view.repaint()
    pane.view.horizontalHeader().repaint()

    selected = pane.selected_entries()
    assert len(selected) == 100_000
    assert flag_calls[0] < 10_000, f"flags() asked {flag_calls[0]} times"
    assert [e.name for e in selected[:2]] == ["file-000000.dat", "file-000001.dat"]
    assert selected[-1].name == "file-099999.dat"

    # Ctrl+click one row away: the selection splits into two ranges, one row fewer
    model = pane.model
    pane.view.selectionModel().select(
        model.index(500, 0),
        QItemSelectionModel.SelectionFlag.Deselect | QItemSelectionModel.SelectionFlag.Rows)
    selected = pane.selected_entries()
    assert len(selected) == 99_999
    assert "file-000500.dat" not in {e.name for e in selected[499:501]}
    assert [e.name for e in selected[498:501]] == [
        "file-000498.dat", "file-000499.dat", "file-000501.dat"]

    # a drag asks for one index per row, not one per cell
    dragged = pane.view.selectedIndexes()
    assert len(dragged) == 99_999 and {i.column() for i in dragged} == {0}
