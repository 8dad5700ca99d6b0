"""Where each ladder item sits vertically, kept incrementally.

Every item has a fixed height decided when it is added (a data arrow always reserves
room for its labels, a control arrow for its decoded lines), so growing the model only
appends to the list of tops and finding the items in view is a binary search: painting
costs the same for 10 items and for 10,000.
"""

from __future__ import annotations

import bisect

from client.engine.ladder import ControlArrow, DataArrow, LadderModel, ProxyMark

__all__ = ["LadderGeometry", "HEADER_HEIGHT", "CONTROL_HEIGHT", "DECODED_HEIGHT",
           "DATA_HEIGHT", "NOTE_HEIGHT", "PROXY_HEIGHT", "FOOTER_HEIGHT"]

HEADER_HEIGHT = 48
CONTROL_HEIGHT = 26
DECODED_HEIGHT = 15
DATA_HEIGHT = 64
NOTE_HEIGHT = 22
PROXY_HEIGHT = 44
FOOTER_HEIGHT = 16


class LadderGeometry:
    """Tops (in unscaled content pixels, below the header) of the model's items."""

    def __init__(self, model: LadderModel) -> None:
        self.model = model
        self._tops: list[int] = []
        self._bottom = 0

    def reset(self) -> None:
        self._tops.clear()
        self._bottom = 0

    @staticmethod
    def height_of(item: object) -> int:
        if isinstance(item, DataArrow):
            return DATA_HEIGHT
        if isinstance(item, ControlArrow):
            return CONTROL_HEIGHT + DECODED_HEIGHT * len(item.decoded)
        if isinstance(item, ProxyMark):
            return PROXY_HEIGHT
        return NOTE_HEIGHT

    def sync(self) -> None:
        """Take in items appended to the model since the last call."""
        items = self.model.items
        if len(items) < len(self._tops):
            self.reset()
        for index in range(len(self._tops), len(items)):
            self._tops.append(self._bottom)
            self._bottom += self.height_of(items[index])

    def __len__(self) -> int:
        return len(self._tops)

    @property
    def content_height(self) -> int:
        """Height of the whole diagram, header and footer included."""
        return HEADER_HEIGHT + self._bottom + FOOTER_HEIGHT

    def top(self, index: int) -> int:
        return HEADER_HEIGHT + self._tops[index]

    def bottom(self, index: int) -> int:
        return self.top(index) + self.height_of(self.model.items[index])

    def item_at(self, y: float) -> int | None:
        """The item whose band contains content y, or None."""
        if not self._tops or y < HEADER_HEIGHT:
            return None
        pos = bisect.bisect_right(self._tops, y - HEADER_HEIGHT) - 1
        if pos < 0 or y >= self.bottom(pos):
            return None
        return pos

    def visible(self, y0: float, y1: float) -> range:
        """Indices of items overlapping content rows [y0, y1)."""
        if not self._tops:
            return range(0)
        first = max(0, bisect.bisect_right(self._tops, y0 - HEADER_HEIGHT) - 1)
        last = bisect.bisect_left(self._tops, y1 - HEADER_HEIGHT)
        return range(first, min(last, len(self._tops)))
