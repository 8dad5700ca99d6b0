"""How a comparison mark looks: a background colour *and* words (a tag after the name,
a tooltip), so the marks do not rely on colour alone. Only the side a mark concerns
is marked: "newer" on the newer side, "only here" on the side that has it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from client.engine.sync import DiffKind, Side

__all__ = ["Mark", "mark_for"]


@dataclass(frozen=True)
class Mark:
    colour: QColor
    tag: str  # short words after the name
    tooltip: str


_ONLY = QColor(255, 236, 150)  # yellow: on one side only (FileZilla's choice too)
_SIZE = QColor(255, 190, 190)  # red: sizes or contents differ
_NEWER = QColor(190, 240, 190)  # green: the newer copy


def _tr(text: str) -> str:
    return QCoreApplication.translate("ComparisonMarks", text)


def mark_for(kind: DiffKind, side: Side, reason: str) -> Mark | None:
    """The mark of a row on ``side`` for a difference of ``kind`` (None: unmarked)."""
    if kind is DiffKind.ONLY_LOCAL and side is Side.LOCAL:
        return Mark(_ONLY, _tr("only here"), _tr("Only on this computer"))
    if kind is DiffKind.ONLY_REMOTE and side is Side.REMOTE:
        return Mark(_ONLY, _tr("only on the server"), _tr("Only on the server"))
    if kind in (DiffKind.SIZE_DIFFERS, DiffKind.CONTENT_DIFFERS, DiffKind.TYPE_DIFFERS):
        return Mark(_SIZE, _tr("differs"), reason[:1].upper() + reason[1:])
    if (kind is DiffKind.LOCAL_NEWER and side is Side.LOCAL) or (
            kind is DiffKind.REMOTE_NEWER and side is Side.REMOTE):
        return Mark(_NEWER, _tr("newer"), reason[:1].upper() + reason[1:])
    return None
