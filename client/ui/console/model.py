"""The protocol console's model: a flat list of rows (lines and, under each, its
annotations) for a QListView with uniform row heights.

Appends arrive in batches from the bridge and cost microseconds per row. The model keeps
at most ``max_lines`` lines: beyond that the oldest fifth is dropped in one step (the
export still covers what is shown). Filtering by kind and collapsing annotations rebuild
the visible-row index in one pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from client.ui.console.export import timestamp
from client.ui.console.lines import ConsoleKind, ConsoleLine

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
_MARK = {ConsoleKind.COMMAND: "→", ConsoleKind.REPLY: "←", ConsoleKind.NOTE: "·",
         ConsoleKind.WARNING: "!", ConsoleKind.ERROR: "✖", ConsoleKind.DATA: "⇄"}

_MAX_SHOWN = 2000  # characters of one line shown in the list (exports keep everything)
_Row = tuple[int, int]  # (line seq, annotation index or -1 for the line itself)


class ConsoleModel(QAbstractListModel):
    def __init__(self, parent: object | None = None, *, max_lines: int = 200_000) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self._lines: list[ConsoleLine] = []
        self._first_seq = 0  # seq of self._lines[0]
        self._rows: list[_Row] = []
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
        return [self.line(seq) for seq, ann in self._rows if ann < 0]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        seq, ann = self._rows[index.row()]
        line = self._lines[seq - self._first_seq]
        if role == Qt.ItemDataRole.DisplayRole:
            if ann >= 0:
                return f"{'':>22}↳ {line.annotations[ann][1]}"
            body = line.text
            if len(body) > _MAX_SHOWN:  # a hostile 64 KiB line must not slow every repaint
                body = f"{body[:_MAX_SHOWN]}… (+{len(body) - _MAX_SHOWN} characters; export for all)"
            text = f"{timestamp(line.wall)} {line.connection:>3} {_MARK[line.kind]} {body}"
            if line.inline:
                text += f"    {line.inline}"
            if line.annotations and (seq in self._collapsed or not self._show_annotations):
                text += f"    [+{len(line.annotations)}]"
            return text
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
        pos = bisect.bisect_left(self._rows, (seq, -1))
        if pos < len(self._rows) and self._rows[pos][0] == seq:
            return pos
        return None

    def seq_of_row(self, row: int) -> int:
        return self._rows[row][0]

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
        """The next visible row (after ``start_row``, wrapping) whose text contains
        ``needle``, case-insensitively."""
        if not needle or not self._rows:
            return None
        needle = needle.casefold()
        count = len(self._rows)
        step = -1 if backwards else 1
        for offset in range(1, count + 1):
            row = (start_row + step * offset) % count
            text = self.data(self.index(row), Qt.ItemDataRole.DisplayRole)
            if isinstance(text, str) and needle in text.casefold():
                return row
        return None

    # -- writing ---------------------------------------------------------------------
    def append_lines(self, lines: Sequence[ConsoleLine]) -> None:
        if not lines:
            return
        seq = self._first_seq + len(self._lines)
        new_rows: list[_Row] = []
        for line in lines:
            if line.kind is ConsoleKind.ERROR:
                self.last_error_seq = seq
            new_rows.extend(self._rows_for(seq, line))
            seq += 1
        self._lines.extend(lines)
        if new_rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new_rows) - 1)
            self._rows.extend(new_rows)
            self.endInsertRows()
        if len(self._lines) > self.max_lines:
            self._drop_oldest(len(self._lines) - self.max_lines + self.max_lines // 5)

    def _rows_for(self, seq: int, line: ConsoleLine) -> Iterable[_Row]:
        if line.kind not in self._kinds:
            return ()
        rows = [(seq, -1)]
        if self._show_annotations and line.annotations and seq not in self._collapsed:
            rows.extend((seq, i) for i in range(len(line.annotations)))
        return rows

    def _drop_oldest(self, count: int) -> None:
        cut_seq = self._first_seq + count
        cut_row = bisect.bisect_left(self._rows, (cut_seq, -1))
        if cut_row:
            self.beginRemoveRows(QModelIndex(), 0, cut_row - 1)
            del self._rows[:cut_row]
            self.endRemoveRows()
        del self._lines[:count]
        self._first_seq = cut_seq
        self._collapsed = {s for s in self._collapsed if s >= cut_seq}
        if self.last_error_seq is not None and self.last_error_seq < cut_seq:
            self.last_error_seq = None

    def clear(self) -> None:
        self.beginResetModel()
        self._first_seq += len(self._lines)
        self._lines.clear()
        self._rows.clear()
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
        seq, _ = self._rows[row]
        if not self.line(seq).annotations:
            return
        self._collapsed.symmetric_difference_update({seq})
        self._rebuild()

    def _rebuild(self) -> None:
        self.beginResetModel()
        rows: list[_Row] = []
        for offset, line in enumerate(self._lines):
            rows.extend(self._rows_for(self._first_seq + offset, line))
        self._rows = rows
        self.endResetModel()
