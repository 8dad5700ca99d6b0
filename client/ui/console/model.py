"""The protocol console's model: a flat list of rows (lines and, under each, its
annotations) for a QListView with uniform row heights.

Appends arrive in batches from the bridge and cost microseconds per row. The model keeps
at most ``max_lines`` lines: beyond that the oldest fifth is dropped in one step (the
export still covers what is shown). Rows are sorted ints (see ``rows.py``): a kind filter
or the Annotations switch rebuilds them from per-kind lists with slices and one sort,
and collapsing a line inserts or removes only its own rows. Search reads the lines' raw
text through ``search.py``; copies and exports take a :class:`RowSnapshot` and turn it
into text a slice at a time.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from client.ui.console.lines import ConsoleKind, ConsoleLine
from client.ui.console.rows import (
    MASK,
    SHIFT,
    RowIndex,
    RowSnapshot,
    annotation_count,
    display_text,
    line_key,
)
from client.ui.console.search import SearchIndex, row_matches

__all__ = ["ConsoleModel", "SEQ_ROLE", "KIND_ROLE", "IS_ANNOTATION_ROLE"]

SEQ_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
IS_ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 3

# Mid-tone colours readable on both light and dark palettes.
_COLOURS = {
    ConsoleKind.COMMAND: QColor("#2f7fd8"),
    ConsoleKind.REPLY: QColor("#2e9e57"),
    ConsoleKind.NOTE: QColor("#8a8f98"),
    ConsoleKind.WARNING: QColor("#d08a00"),
    ConsoleKind.ERROR: QColor("#e0413a"),
    ConsoleKind.DATA: QColor("#a45bd6"),
}
_ANNOTATION_COLOURS = {"info": QColor("#5e9ca0"), "warning": QColor("#d08a00"),
                       "error": QColor("#e0413a")}


class ConsoleModel(QAbstractListModel):
    def __init__(self, parent: object | None = None, *, max_lines: int = 200_000) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self._lines: list[ConsoleLine] = []
        self._first_seq = 0  # seq of self._lines[0]
        self._rows: list[int] = []  # row keys (rows.py), sorted
        self._index = RowIndex()
        self._search = SearchIndex()
        self._kinds: set[ConsoleKind] = set(ConsoleKind)
        self._show_annotations = True
        self._collapsed: set[int] = set()
        self.last_error_seq: int | None = None

    # -- reading ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def line(self, seq: int) -> ConsoleLine:
        return self._lines[seq - self._first_seq]

    def lines(self) -> list[ConsoleLine]:
        """Every kept line (unfiltered), oldest first."""
        return list(self._lines)

    def visible_lines(self) -> list[ConsoleLine]:
        return list(self.snapshot().visible_lines())

    def with_annotations(self, row_ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """``row_ranges`` each stretched over the annotation rows shown under its last
        line: a copied 227 line keeps the address and port arithmetic the console shows
        under it (rows in a range's middle are already in it)."""
        out = []
        rows = self._rows
        for first, last in row_ranges:
            if 0 <= last < len(rows):
                seq = rows[last] >> SHIFT
                while last + 1 < len(rows) and rows[last + 1] >> SHIFT == seq:
                    last += 1
            out.append((first, last))
        return out

    def snapshot(self, row_ranges: Iterable[tuple[int, int]] | None = None) -> RowSnapshot:
        """The rows in ``row_ranges`` (inclusive ``(first, last)`` pairs; every visible
        row when None) with the lines behind them, to be read later while the model goes
        on changing. Costs a few list slices, not a pass over the rows."""
        if row_ranges is None:
            keys = list(self._rows)
        else:
            keys = []
            end = -1
            for first, last in sorted(row_ranges):
                first, last = max(first, end + 1, 0), min(last, len(self._rows) - 1)
                if first <= last:
                    keys += self._rows[first:last + 1]
                    end = last
        if not keys:
            return RowSnapshot([], [], self._first_seq, frozenset(), self._show_annotations)
        low, high = keys[0] >> SHIFT, keys[-1] >> SHIFT
        lines = self._lines[low - self._first_seq:high - self._first_seq + 1]
        collapsed = frozenset(s for s in self._collapsed if low <= s <= high)
        return RowSnapshot(keys, lines, low, collapsed, self._show_annotations)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        key = self._rows[index.row()]
        seq, ann = key >> SHIFT, (key & MASK) - 1
        line = self._lines[seq - self._first_seq]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(line, ann, seq in self._collapsed or not self._show_annotations)
        if role == Qt.ItemDataRole.ForegroundRole:
            if ann >= 0:
                return _ANNOTATION_COLOURS.get(line.annotations[ann][0], _COLOURS[ConsoleKind.NOTE])
            return _COLOURS[line.kind]
        if role == Qt.ItemDataRole.ToolTipRole:
            if line.annotations:
                return "\n".join(text for _, text in line.annotations)
            return None
        if role == SEQ_ROLE:
            return seq
        if role == KIND_ROLE:
            return line.kind.value
        if role == IS_ANNOTATION_ROLE:
            return ann >= 0
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None

    def row_of_seq(self, seq: int) -> int | None:
        """The visible row showing line ``seq`` (None when filtered out or dropped)."""
        pos = bisect.bisect_left(self._rows, line_key(seq))
        if pos < len(self._rows) and self._rows[pos] >> SHIFT == seq:
            return pos
        return None

    def seq_of_row(self, row: int) -> int:
        return self._rows[row] >> SHIFT

    def line_for_failure(self, since: float, code: int | None = None) -> int | None:
        """The line (seq) that explains an operation which started at ``since`` (the
        bus clock, ``ConsoleLine.t``) and failed, for a banner's "Why?".

        Only lines logged since the operation began count, so an older, unrelated
        error is never offered: among them the newest error line whose text starts with
        the failing reply's ``code`` when one is known, else the newest error line, else
        the newest line (the command left unanswered). None when the operation logged
        nothing (it failed before anything was sent)."""
        newest: int | None = None
        error: int | None = None
        prefix = str(code) if code is not None else None
        for offset in range(len(self._lines) - 1, -1, -1):
            line = self._lines[offset]
            if line.t < since:
                break
            seq = self._first_seq + offset
            if newest is None:
                newest = seq
            if line.kind is ConsoleKind.ERROR:
                if prefix is None or line.text.startswith(prefix):
                    return seq
                if error is None:
                    error = seq
        return error if error is not None else newest

    def find(self, needle: str, start_row: int, *, backwards: bool = False) -> int | None:
        """The next visible row (after ``start_row``, wrapping round to it) whose text
        contains ``needle``, case-insensitively: a line's text or decoded address, or an
        annotation (the time and connection columns are not searched)."""
        if not needle or not self._rows:
            return None
        needle = needle.casefold()
        count = len(self._rows)
        start = start_row % count
        if backwards:
            spans = ((0, start), (start, count))
        else:
            spans = ((start + 1, count), (0, start + 1))
        for low, high in spans:
            row = self._find_in(needle, low, high, backwards)
            if row is not None:
                return row
        return None

    def _find_in(self, needle: str, low: int, high: int, backwards: bool) -> int | None:
        """The first (last, ``backwards``) row in ``low <= row < high`` that matches."""
        if low >= high:
            return None
        rows, first = self._rows, self._first_seq
        for seq in self._search.candidates(needle, self._lines, first, rows[low] >> SHIFT,
                                           rows[high - 1] >> SHIFT, backwards=backwards):
            begin = bisect.bisect_left(rows, seq << SHIFT, low, high)
            end = bisect.bisect_left(rows, (seq + 1) << SHIFT, begin, high)
            line = self._lines[seq - first]
            for row in range(end - 1, begin - 1, -1) if backwards else range(begin, end):
                if row_matches(line, (rows[row] & MASK) - 1, needle):
                    return row
        return None

    # -- writing ---------------------------------------------------------------------
    def append_lines(self, lines: Sequence[ConsoleLine]) -> None:
        if not lines:
            return
        seq = self._first_seq + len(self._lines)
        new_rows = self._index.append(seq, lines, self._kinds, self._show_annotations)
        for line in lines:
            if line.kind is ConsoleKind.ERROR:
                self.last_error_seq = seq
            seq += 1
        self._lines.extend(lines)
        self._search.extend(self._lines, self._first_seq)
        if new_rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new_rows) - 1)
            self._rows.extend(new_rows)
            self.endInsertRows()
        if len(self._lines) > self.max_lines:
            self._drop_oldest(len(self._lines) - self.max_lines + self.max_lines // 5)

    def _drop_oldest(self, count: int) -> None:
        cut_seq = self._first_seq + count
        cut_row = bisect.bisect_left(self._rows, line_key(cut_seq))
        if cut_row:
            self.beginRemoveRows(QModelIndex(), 0, cut_row - 1)
            del self._rows[:cut_row]
            self.endRemoveRows()
        del self._lines[:count]
        self._first_seq = cut_seq
        self._index.drop_before(cut_seq)
        self._search.drop_before(cut_seq)
        self._collapsed = {s for s in self._collapsed if s >= cut_seq}
        if self.last_error_seq is not None and self.last_error_seq < cut_seq:
            self.last_error_seq = None

    def clear(self) -> None:
        self.beginResetModel()
        self._first_seq += len(self._lines)
        self._lines.clear()
        self._rows.clear()
        self._index.clear()
        self._search.clear(self._first_seq)
        self._collapsed.clear()
        self.last_error_seq = None
        self.endResetModel()

    def set_kinds(self, kinds: Iterable[ConsoleKind]) -> None:
        self._kinds = set(kinds)
        self._rebuild()

    def kinds(self) -> set[ConsoleKind]:
        return set(self._kinds)

    def set_show_annotations(self, show: bool) -> None:
        self._show_annotations = show
        self._rebuild()

    def toggle_expanded(self, row: int) -> None:
        """Collapse or expand the annotations under the line shown at ``row``."""
        if not 0 <= row < len(self._rows):
            return
        seq = self._rows[row] >> SHIFT
        count = annotation_count(self.line(seq))
        if not count:
            return
        at = bisect.bisect_left(self._rows, line_key(seq))  # the line's own row
        if seq in self._collapsed:
            self._collapsed.discard(seq)
            if self._show_annotations:
                self.beginInsertRows(QModelIndex(), at + 1, at + count)
                key = line_key(seq)
                self._rows[at + 1:at + 1] = range(key + 1, key + 1 + count)
                self.endInsertRows()
        else:
            self._collapsed.add(seq)
            if self._show_annotations:
                self.beginRemoveRows(QModelIndex(), at + 1, at + count)
                del self._rows[at + 1:at + 1 + count]
                self.endRemoveRows()
        self.dataChanged.emit(self.index(at), self.index(at))  # its [+N] marker

    def _rebuild(self) -> None:
        self.beginResetModel()
        self._rows = self._index.build(self._kinds, self._show_annotations, self._collapsed)
        self.endResetModel()
