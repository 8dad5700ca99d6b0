"""The remote file list model: folders first in both orders, every sort column, the
filter, escaped hostile names, and a 100,000-entry folder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from client.protocol.listing import EntryKind, ListingEntry
from client.ui.history import NavigationHistory

pytestmark = pytest.mark.gui


def entry(name: str, kind: EntryKind = EntryKind.FILE, size: int | None = 1,
          day: int = 1, perms: str = "rw-r--r--", target: str | None = None) -> ListingEntry:
    return ListingEntry(name=name, kind=kind, size=size,
                        modified=datetime(2024, 1, day, tzinfo=UTC), modified_precision="second",
                        permissions=perms, owner="o", group="g", target=target, facts={}, raw=name)


def names(model) -> list[str]:
    return [model.entry(r).name for r in range(model.rowCount())]


def test_sorting_keeps_folders_first(qapp) -> None:
    from client.ui.remote.listing_model import RemoteListModel

    model = RemoteListModel()
    model.set_listing("/x", [entry("b.txt", size=5, day=3), entry("Zdir", EntryKind.DIR, day=1),
                             entry("a.bin", size=50, day=2), entry("adir", EntryKind.DIR, day=9),
                             entry(".", EntryKind.DIR), entry("..", EntryKind.DIR)])
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["adir", "Zdir", "a.bin", "b.txt"]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert names(model) == ["Zdir", "adir", "b.txt", "a.bin"]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert names(model)[2:] == ["a.bin", "b.txt"]
    model.sort(3, Qt.SortOrder.AscendingOrder)
    assert names(model)[2:] == ["a.bin", "b.txt"]
    model.set_filter("B")
    assert names(model) == ["a.bin", "b.txt"]


def test_hostile_names_are_escaped_and_links_marked(qapp) -> None:
    from client.ui.remote.listing_model import RemoteListModel

    model = RemoteListModel()
    model.set_listing("/", [entry("evil\x1b[31m\n.txt"),
                            entry("link", EntryKind.LINK, target="/etc/passwd")])
    shown = [model.data(model.index(r, 0)) for r in range(2)]
    assert all("\x1b" not in s and "\n" not in s for s in shown)
    assert "evil\\x1b[31m\\n.txt" in shown
    assert "link → /etc/passwd" in shown
    assert model.entry(shown.index("evil\\x1b[31m\\n.txt")).name == "evil\x1b[31m\n.txt"


def test_100k_entries_sort_and_filter(qapp) -> None:
    from PySide6.QtWidgets import QTableView

    from client.ui.remote.listing_model import RemoteListModel

    entries = [entry(f"file-{i:06d}.dat", size=i, day=1 + i % 28) for i in range(100_000)]
    entries += [entry(f"dir-{i}", EntryKind.DIR) for i in range(100)]
    model = RemoteListModel()
    view = QTableView()
    view.setModel(model)
    model.set_listing("/big", entries)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 100_100
    assert model.entry(0).name.startswith("dir-") and model.entry(100).size == 99_999
    view.scrollToBottom()
    model.set_filter("file-09999")
    assert model.rowCount() == 10
    view.close()


def test_navigation_history() -> None:
    history = NavigationHistory()
    for place in ("/", "/a", "/a/b"):
        history.visit(place)
    assert history.back() == "/a" and history.back() == "/"
    assert history.back() is None and history.forward() == "/a"
    history.visit("/c")
    assert not history.can_go_forward() and history.recent()[:2] == ["/c", "/a"]


def test_tree_lazy_fetch_keeps_subtrees_and_ignores_unknown_paths(qapp) -> None:
    from client.ui.remote.tree_model import PATH_ROLE, RemoteTreeModel

    model = RemoteTreeModel()
    asked: list[str] = []
    model.fetch_requested.connect(asked.append)
    assert model.rowCount() == 0  # no connection, no folders: not even "/"
    top = model.ensure_path("/")
    assert model.rowCount() == 1 and model.index(0, 0) == top
    assert model.canFetchMore(top)
    model.fetchMore(top)
    model.fetchMore(top)
    assert asked == ["/"]  # asked once while the listing is on its way
    model.set_children("/", ["b", "a"])
    assert not model.canFetchMore(top)
    assert [model.data(model.index(r, 0, top)) for r in range(2)] == ["a", "b"]
    model.set_children("/a", ["deep"])
    model.set_children("/", ["a", "c"])  # b vanished, a keeps its subtree
    a = model.index(0, 0, top)
    assert model.data(a, PATH_ROLE) == "/a" and model.rowCount(a) == 1
    model.mark_requested("/no/such/folder")
    model.fetch_failed("/no/such/folder")
    assert [model.data(model.index(r, 0, top)) for r in range(model.rowCount(top))] == ["a", "c"]
    c = model.index(1, 0, top)
    model.fetchMore(c)
    model.fetch_failed("/c")
    model.fetchMore(c)
    assert asked == ["/", "/c", "/c"]  # a failed fetch can be retried
