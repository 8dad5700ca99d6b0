"""Splitter positions saved in one window size, restored in another.

``QSplitter.restoreState`` puts back pixel sizes. Saved at 1366x768 and restored in a
1024x600 window, the splitter then took the whole shrink from whichever part it could
(the remote pane was left a strip beside a local pane of its saved width). Here the saved
sizes are kept as proportions and applied once the window has its real size, each part
given at least its minimum when the room allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter
from shiboken6 import isValid

__all__ = ["scaled_sizes", "SavedSplit"]


def scaled_sizes(saved: Sequence[int], total: int, minimums: Sequence[int]) -> list[int]:
    """``saved`` scaled to add up to ``total``; a collapsed part (0) stays collapsed,
    and the others get at least their ``minimums`` (taken from the largest parts) when
    ``total`` has room for all of them."""
    open_parts = [i for i, size in enumerate(saved) if size > 0]
    whole = sum(saved[i] for i in open_parts)
    if not open_parts or total <= 0 or whole <= 0:
        return list(saved)
    sizes = [0] * len(saved)
    for i in open_parts:
        sizes[i] = saved[i] * total // whole
    sizes[open_parts[-1]] += total - sum(sizes)  # rounding
    if sum(minimums[i] for i in open_parts) > total:
        return sizes
    for i in open_parts:
        lack = minimums[i] - sizes[i]
        while lack > 0:  # from the part with the most room above its minimum
            donor = max(open_parts, key=lambda j: sizes[j] - minimums[j])
            spare = sizes[donor] - minimums[donor]
            if donor == i or spare <= 0:
                break
            moved = min(lack, spare)
            sizes[donor] -= moved
            sizes[i] += moved
            lack -= moved
    return sizes


@dataclass(frozen=True)
class SavedSplit:
    """A splitter and the sizes restored into it (read right after ``restoreState``)."""

    splitter: QSplitter
    sizes: tuple[int, ...]

    def fit(self) -> None:
        """Apply the saved proportions to the splitter's size now."""
        splitter = self.splitter
        if not isValid(splitter) or len(self.sizes) != splitter.count():
            return
        horizontal = splitter.orientation() is Qt.Orientation.Horizontal
        total = sum(splitter.sizes())
        minimums = []
        for index in range(splitter.count()):
            hint = splitter.widget(index).minimumSizeHint()
            minimums.append(hint.width() if horizontal else hint.height())
        splitter.setSizes(scaled_sizes(self.sizes, total, minimums))
