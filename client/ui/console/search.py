"""Console search without Qt: the raw text of each line (its text, decoded address and
annotations), case-folded a block of lines at a time.

Searching formats nothing: each block of ``BLOCK`` lines is folded once into one string
when the block is complete, so a search that finds nothing is a few hundred substring
tests in C (about 200 blocks for 200,000 lines), and only the lines of a block that
contains the needle are looked at one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from client.ui.console.lines import ConsoleLine

__all__ = ["BLOCK", "SearchIndex", "row_matches", "searched_text"]

BLOCK = 1024
_PART = "\x1f"  # never in a line: control characters are escaped


def searched_text(line: ConsoleLine) -> str:
    """Everything of ``line`` a search looks at, unfolded."""
    if line.annotations:
        return _PART.join((line.text, line.inline, *(text for _, text in line.annotations)))
    if line.inline:
        return line.text + _PART + line.inline
    return line.text


def row_matches(line: ConsoleLine, ann: int, needle: str) -> bool:
    """Whether the row (the line, ``ann`` = -1, or its annotation) holds ``needle``
    (already case-folded)."""
    if ann >= 0:
        return needle in line.annotations[ann][1].casefold()
    return needle in line.text.casefold() or needle in line.inline.casefold()


def _blob(lines: Sequence[ConsoleLine], first_seq: int, block: int) -> str:
    low = max(block * BLOCK, first_seq) - first_seq
    high = min((block + 1) * BLOCK - first_seq, len(lines))
    return "\n".join([searched_text(line) for line in lines[low:high]]).casefold()


class SearchIndex:
    """The folded text of each complete block of lines (block ``b`` holds the lines
    ``b * BLOCK`` to ``b * BLOCK + BLOCK - 1``)."""

    def __init__(self) -> None:
        self._blobs: dict[int, str] = {}
        self._next_block = 0

    def extend(self, lines: Sequence[ConsoleLine], first_seq: int) -> None:
        """Fold the blocks that ``lines`` (every kept line) now complete."""
        end = first_seq + len(lines)
        while (self._next_block + 1) * BLOCK <= end:
            self._blobs[self._next_block] = _blob(lines, first_seq, self._next_block)
            self._next_block += 1

    def drop_before(self, first_seq: int) -> None:
        for block in [b for b in self._blobs if (b + 1) * BLOCK <= first_seq]:
            del self._blobs[block]

    def clear(self, next_seq: int) -> None:
        self._blobs.clear()
        self._next_block = next_seq // BLOCK

    def candidates(self, needle: str, lines: Sequence[ConsoleLine], first_seq: int,
                   seq_low: int, seq_high: int, *, backwards: bool = False) -> Iterator[int]:
        """The seqs from ``seq_low`` to ``seq_high`` (both kept) whose line holds
        ``needle`` (case-folded) in its text, address or an annotation, in search order."""
        blocks = range(seq_low // BLOCK, seq_high // BLOCK + 1)
        for block in reversed(blocks) if backwards else blocks:
            blob = self._blobs.get(block)
            if blob is None:
                blob = _blob(lines, first_seq, block)
            if needle not in blob:
                continue
            low = max(seq_low, block * BLOCK)
            high = min(seq_high, block * BLOCK + BLOCK - 1)
            for seq in range(high, low - 1, -1) if backwards else range(low, high + 1):
                if needle in searched_text(lines[seq - first_seq]).casefold():
                    yield seq
