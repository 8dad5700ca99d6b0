"""The console's rows without Qt: which rows a line gives, how a row reads, and the
per-kind index that rebuilds the visible rows quickly.

A row is one int, ``seq << SHIFT | (annotation + 1)``: the line itself is annotation
-1 (low bits 0), its annotations follow it. Rows of a session are therefore sorted
ints, so ``bisect`` finds a line's rows and ``list.sort`` merges the rows of several
kinds (each already sorted) in C — changing a kind filter on 300,000 rows costs a few
milliseconds instead of a Python pass over every line.

Snapshots (:class:`RowSnapshot`) hold what a copy or an export needs, so the text can be
built a slice at a time while the model keeps changing: the lines are frozen values.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from client.ui.console.export import timestamp
from client.ui.console.lines import ConsoleKind, ConsoleLine

__all__ = ["SHIFT", "MASK", "MAX_SHOWN", "MARK", "line_key", "split_key", "display_text",
           "RowIndex", "RowSnapshot"]

SHIFT = 20
MASK = (1 << SHIFT) - 1
#: at most this many annotation rows under one line (the annotator gives a handful)
MAX_ANNOTATION_ROWS = MASK - 1
MAX_SHOWN = 2000  # characters of one line shown in the list (exports keep everything)
MARK = {ConsoleKind.COMMAND: "→", ConsoleKind.REPLY: "←", ConsoleKind.NOTE: "·",
        ConsoleKind.WARNING: "!", ConsoleKind.ERROR: "✖", ConsoleKind.DATA: "⇄"}


def line_key(seq: int) -> int:
    return seq << SHIFT


def split_key(key: int) -> tuple[int, int]:
    """``(seq, annotation index)``; the index is -1 for the line's own row."""
    return key >> SHIFT, (key & MASK) - 1


def annotation_count(line: ConsoleLine) -> int:
    return min(len(line.annotations), MAX_ANNOTATION_ROWS)


def display_text(line: ConsoleLine, ann: int, folded: bool) -> str:
    """What the list shows for a row: the line (``folded``: its annotations are hidden,
    so it says how many) or its annotation ``ann``."""
    if ann >= 0:
        return f"{'':>22}↳ {line.annotations[ann][1]}"
    body = line.text
    if len(body) > MAX_SHOWN:  # a hostile 64 KiB line must not slow every repaint
        body = f"{body[:MAX_SHOWN]}… (+{len(body) - MAX_SHOWN} characters; export for all)"
    text = f"{timestamp(line.wall)} {line.connection:>3} {MARK[line.kind]} {body}"
    if line.inline:
        text += f"    {line.inline}"
    if folded and line.annotations:
        text += f"    [+{len(line.annotations)}]"
    return text


class RowIndex:
    """Every kept line's row keys, by kind: line rows and annotation rows apart.

    Keyed by the kind's value: a string hashes in C, an Enum member in Python (appending
    200,000 lines spent a third of its time hashing kinds)."""

    def __init__(self) -> None:
        self._lines: dict[str, list[int]] = {kind.value: [] for kind in ConsoleKind}
        self._annotations: dict[str, list[int]] = {kind.value: [] for kind in ConsoleKind}

    def append(self, seq: int, lines: Iterable[ConsoleLine], kinds: Iterable[ConsoleKind],
               show_annotations: bool) -> list[int]:
        """Index ``lines`` (seqs ``seq``, ``seq + 1``, …) and return the rows they add to
        the visible ones (a new line is never collapsed)."""
        wanted = {kind.value for kind in kinds}
        line_keys, annotation_keys = self._lines, self._annotations
        rows: list[int] = []
        for line in lines:
            kind = line.kind._value_
            key = seq << SHIFT
            line_keys[kind].append(key)
            if line.annotations:
                count = min(len(line.annotations), MAX_ANNOTATION_ROWS)
                annotation_keys[kind].extend(range(key + 1, key + 1 + count))
                if kind in wanted:
                    rows.append(key)
                    if show_annotations:
                        rows.extend(range(key + 1, key + 1 + count))
            elif kind in wanted:
                rows.append(key)
            seq += 1
        return rows

    def drop_before(self, seq: int) -> None:
        cut = seq << SHIFT
        for table in (self._lines, self._annotations):
            for keys in table.values():
                del keys[:bisect.bisect_left(keys, cut)]

    def clear(self) -> None:
        for table in (self._lines, self._annotations):
            for keys in table.values():
                keys.clear()

    def build(self, kinds: Iterable[ConsoleKind], show_annotations: bool,
              collapsed: set[int]) -> list[int]:
        """The visible rows, sorted."""
        wanted = set(kinds)
        values = [kind.value for kind in ConsoleKind if kind in wanted]
        rows: list[int] = []
        for value in values:
            rows += self._lines[value]
        if show_annotations:
            for value in values:
                rows += _without(self._annotations[value], collapsed)
        if len(values) > 1 or show_annotations:
            rows.sort()  # sorted runs: timsort merges them
        return rows


def _without(keys: list[int], collapsed: set[int]) -> list[int]:
    """``keys`` minus the annotation rows of the collapsed lines (slices, not a pass)."""
    if not collapsed:
        return keys
    out: list[int] = []
    start = 0
    for seq in sorted(collapsed):
        low = bisect.bisect_left(keys, seq << SHIFT, start)
        if low >= len(keys):
            break
        high = bisect.bisect_left(keys, (seq + 1) << SHIFT, low)
        out += keys[start:low]
        start = high
    out += keys[start:]
    return out


@dataclass(frozen=True, slots=True)
class RowSnapshot:
    """Rows and the lines behind them, taken at one moment and read later."""

    keys: list[int]
    lines: list[ConsoleLine]  # lines[i] is line seq first_seq + i
    first_seq: int
    collapsed: frozenset[int]
    show_annotations: bool

    def texts(self, start: int = 0, stop: int | None = None) -> list[str]:
        """Rows ``start`` to ``stop`` (all by default) as the list shows them."""
        lines, first = self.lines, self.first_seq
        collapsed, hidden = self.collapsed, not self.show_annotations
        out = []
        for key in self.keys[start:stop]:
            seq = key >> SHIFT
            out.append(display_text(lines[seq - first], (key & MASK) - 1,
                                    hidden or seq in collapsed))
        return out

    def text_pieces(self, rows: int) -> Iterator[str]:
        """The rows as the list shows them, ``rows`` at a time, each piece joined with
        newlines: ``"\\n".join(pieces)`` is the whole text."""
        for start in range(0, len(self.keys), rows):
            yield "\n".join(self.texts(start, start + rows))

    def visible_lines(self) -> Iterator[ConsoleLine]:
        """The lines with a row (annotation rows left out), oldest first, as read."""
        lines, first = self.lines, self.first_seq
        return (lines[(key >> SHIFT) - first] for key in self.keys if not key & MASK)
