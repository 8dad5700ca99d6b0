"""Directory comparison (as FileZilla's): while on, both panes mark the rows of the
folders they show that exist on one side only, differ in size, or are newer on one
side — by size, by time, or both — and can hide identical files. The status bar sums
the marks up in words.

It reads the panes' public parts only (their views, the remote list model, the local
folder) and paints through a delegate and hidden rows, so neither model changes.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QTableView, QTreeView
from shiboken6 import isValid

from client.engine.sync import CompareRule, Difference, DiffKind, EntryType, Side, compare_trees
from client.engine.sync.compare import DEFAULT_TOLERANCE
from client.engine.sync.entries import TreeEntry
from client.engine.sync.walk import local_entry, remote_entry
from client.ui.compare.delegate import ComparisonDelegate
from client.ui.compare.marks import Mark, mark_for
from client.ui.local_pane import LocalPane
from client.ui.remote.pane import RemotePane

__all__ = ["DirectoryComparison", "local_folder_entries"]

Index = QModelIndex | QPersistentModelIndex


def local_folder_entries(folder: str) -> dict[str, TreeEntry]:
    """One local folder's entries by name (links are links, never followed)."""
    found: dict[str, TreeEntry] = {}
    try:
        with os.scandir(folder) as items:
            for item in items:
                try:
                    found[item.name] = local_entry(item.name, item.stat(follow_symlinks=False))
                except OSError:
                    continue
    except OSError:
        pass
    return found


class DirectoryComparison(QObject):
    """Marks both panes while :attr:`enabled`. ``summary_changed`` carries the status
    text ("" when off)."""

    summary_changed = Signal(str)

    def __init__(self, local: LocalPane, remote: RemotePane, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.local = local
        self.remote = remote
        self.enabled = False
        self.rule = CompareRule.BOTH
        self.tolerance = DEFAULT_TOLERANCE
        self.hide_identical = False
        self.differences: dict[str, Difference] = {}
        self._generation = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._plain: dict[QAbstractItemView, QStyledItemDelegate | None] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.recompare)
        for signal in (remote.model.modelReset, remote.model.layoutChanged,
                       local.proxy.layoutChanged, local.proxy.rowsInserted,
                       local.proxy.rowsRemoved, local.proxy.modelReset,
                       local.files.directoryLoaded, local.folder_changed):
            signal.connect(self._schedule)

    # -- settings -------------------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        for view in (self.local.view, self.remote.view):
            if on:
                side = Side.LOCAL if view is self.local.view else Side.REMOTE
                self._plain.setdefault(view, view.itemDelegate())
                view.setItemDelegate(ComparisonDelegate(
                    lambda index, s=side: self.mark_of(index, s), view))
            elif view in self._plain:
                view.setItemDelegate(self._plain.pop(view))
        self.recompare()

    def set_rule(self, rule: CompareRule) -> None:
        self.rule = rule
        self.recompare()

    def set_hide_identical(self, hide: bool) -> None:
        self.hide_identical = hide
        self.recompare()

    # -- comparing ------------------------------------------------------------------------
    def _schedule(self, *_args: object) -> None:
        if self.enabled:
            self._timer.start()

    def recompare(self) -> None:
        """Compare again: the local folder is read and both compared in a worker
        thread (a large folder must not stall the window); a result that a newer
        request overtook is dropped."""
        self._generation += 1
        if not self.enabled or not self.remote.current_path:
            self._show({}, self.tr("Comparison: connect to a server to compare")
                       if self.enabled else "")
            return
        remote_entries = self.remote.model.entries()
        folder = str(self.local.current)
        rule, tolerance, generation = self.rule, self.tolerance, self._generation

        def compute() -> dict[str, Difference]:
            remote = {e.name: remote_entry(e.name, e) for e in remote_entries}
            local = local_folder_entries(folder)
            return {d.relpath: d for d in compare_trees(local, remote, rule, tolerance)}

        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop (a bare widget test): compare here
            self._show(compute(), None)
            return

        async def in_thread() -> None:
            found = await asyncio.to_thread(compute)
            # (the window may have closed while the thread ran)
            if (generation == self._generation and self.enabled
                    and isValid(self.local.view) and isValid(self.remote.view)):
                self._show(found, None)

        task = asyncio.ensure_future(in_thread())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _show(self, differences: dict[str, Difference], summary: str | None) -> None:
        self.differences = differences
        self._apply_hiding()
        self._repaint()
        self.summary_changed.emit(self.summary() if summary is None else summary)

    def summary(self) -> str:
        counts = Counter(d.kind for d in self.differences.values())
        parts = [(DiffKind.ONLY_LOCAL, self.tr("{} only here")),
                 (DiffKind.ONLY_REMOTE, self.tr("{} only on the server")),
                 (DiffKind.SIZE_DIFFERS, self.tr("{} differ in size")),
                 (DiffKind.TYPE_DIFFERS, self.tr("{} file/folder clashes")),
                 (DiffKind.LOCAL_NEWER, self.tr("{} newer here")),
                 (DiffKind.REMOTE_NEWER, self.tr("{} newer on the server"))]
        said = [text.format(counts[kind]) for kind, text in parts if counts[kind]]
        rule = {CompareRule.SIZE: self.tr("by size"), CompareRule.TIME: self.tr("by time"),
                CompareRule.BOTH: self.tr("by size and time")}.get(self.rule, "")
        if not said:
            return self.tr("Comparison ({}): the two folders are identical").format(rule)
        return self.tr("Comparison ({}): {}").format(rule, ", ".join(said))

    # -- showing --------------------------------------------------------------------------
    def _name_at(self, index: Index, side: Side) -> str | None:
        if side is Side.REMOTE:
            row = index.row()
            if 0 <= row < self.remote.model.rowCount():
                return self.remote.model.entry(row).name
            return None
        return str(index.siblingAtColumn(0).data()) if index.isValid() else None

    def mark_of(self, index: Index, side: Side) -> Mark | None:
        if not self.enabled:
            return None
        name = self._name_at(index, side)
        diff = self.differences.get(name) if name is not None else None
        if diff is None:
            return None
        return mark_for(diff.kind, side, diff.reason)

    def _hidden(self, name: str) -> bool:
        diff = self.differences.get(name)
        if not self.hide_identical or diff is None or diff.kind is not DiffKind.IDENTICAL:
            return False
        entry = diff.local or diff.remote
        return entry is not None and entry.type is EntryType.FILE  # folders stay, to be opened

    def _apply_hiding(self) -> None:
        remote_view: QTableView = self.remote.view
        for row in range(self.remote.model.rowCount()):
            name = self.remote.model.entry(row).name
            remote_view.setRowHidden(row, self.enabled and self._hidden(name))
        local_view: QTreeView = self.local.view
        root = local_view.rootIndex()
        model = local_view.model()
        for row in range(model.rowCount(root)):
            name = str(model.index(row, 0, root).data())
            local_view.setRowHidden(row, root, self.enabled and self._hidden(name))

    def _repaint(self) -> None:
        self.local.view.viewport().update()
        self.remote.view.viewport().update()

    def row_mark(self, side: Side, name: str) -> Mark | None:
        """The mark the row of ``name`` on ``side`` carries (for tests and the status)."""
        diff = self.differences.get(name)
        return None if diff is None or not self.enabled else mark_for(diff.kind, side,
                                                                        diff.reason)
