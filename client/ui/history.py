"""Back/forward navigation history for a pane (no Qt): the browser-style rules —
visiting a new place drops the forward list."""

from __future__ import annotations

__all__ = ["NavigationHistory"]


class NavigationHistory:
    def __init__(self, limit: int = 200) -> None:
        self._back: list[str] = []
        self._forward: list[str] = []
        self.current: str | None = None
        self._limit = limit

    def visit(self, place: str) -> None:
        if place == self.current:
            return
        if self.current is not None:
            self._back.append(self.current)
            del self._back[:-self._limit]
        self._forward.clear()
        self.current = place

    def can_go_back(self) -> bool:
        return bool(self._back)

    def can_go_forward(self) -> bool:
        return bool(self._forward)

    def back(self) -> str | None:
        if not self._back:
            return None
        if self.current is not None:
            self._forward.append(self.current)
        self.current = self._back.pop()
        return self.current

    def forward(self) -> str | None:
        if not self._forward:
            return None
        if self.current is not None:
            self._back.append(self.current)
        self.current = self._forward.pop()
        return self.current

    def recent(self, count: int = 20) -> list[str]:
        """Distinct places, most recent first (the path bar's drop-down)."""
        seen: list[str] = []
        for place in ([self.current] if self.current else []) + self._back[::-1]:
            if place not in seen:
                seen.append(place)
        return seen[:count]
