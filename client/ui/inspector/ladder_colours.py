"""The diagram's palette: light and dark colours, and the colour of a data connection's
state or a note's severity. Shared by the live view, the PNG/SVG export and the
painter, which only draws with them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import SimpleNamespace

from PySide6.QtGui import QColor

from client.engine.ladder import DataState
from client.protocol.annotate import Severity

__all__ = ["LadderColours", "severity_colour", "state_colour", "tint"]


@dataclass(frozen=True)
class LadderColours:
    """Mid-tone colours readable on light and dark backgrounds (``#rrggbb`` or
    ``#aarrggbb``)."""

    background: str = "#ffffff"
    text: str = "#1f2328"
    muted: str = "#6e7781"
    lifeline: str = "#8c959f"
    command: str = "#2f7fd8"
    reply: str = "#2e9e57"
    warning: str = "#d08a00"
    error: str = "#e0413a"
    connecting: str = "#2f7fd8"
    established: str = "#2e9e57"
    closed: str = "#4d7c5f"
    selection: str = "#302f7fd8"
    header: str = "#eef2f6"

    @classmethod
    def dark(cls) -> LadderColours:
        return cls(background="#1e2126", text="#e6edf3", muted="#9da7b3",
                   lifeline="#6e7781", closed="#6fae85", header="#2a2f36",
                   selection="#4058a6ff")

    def qt(self) -> SimpleNamespace:
        """The same colours as QColor objects, by the same names."""
        return SimpleNamespace(**{f.name: QColor(getattr(self, f.name)) for f in fields(self)})


def state_colour(state: DataState, colours: SimpleNamespace) -> QColor:
    """A data connection's colour by its state (the arrow, its legend and the table)."""
    return {
        DataState.SETUP: colours.connecting,
        DataState.CONNECTING: colours.connecting,
        DataState.ESTABLISHED: colours.established,
        DataState.TRANSFERRING: colours.established,
        DataState.WAITING: colours.warning,
        DataState.CLOSED: colours.closed,
        DataState.FAILED: colours.error,
    }[state]


def severity_colour(severity: Severity, normal: QColor, colours: SimpleNamespace) -> QColor:
    """Errors red and warnings amber; anything else keeps ``normal``."""
    if severity is Severity.ERROR:
        return colours.error
    if severity is Severity.WARNING:
        return colours.warning
    return normal


def tint(colour: QColor, background: QColor, amount: float) -> QColor:
    """``colour`` mixed into ``background``, opaque: translucent fills are not drawn
    alike by every SVG renderer, so exports use solid tints."""
    mix = QColor()
    mix.setRgbF(background.redF() + (colour.redF() - background.redF()) * amount,
                background.greenF() + (colour.greenF() - background.greenF()) * amount,
                background.blueF() + (colour.blueF() - background.blueF()) * amount)
    return mix
