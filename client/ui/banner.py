"""An inline banner shown in the pane that failed: a short cause, a "Why?" link that
selects the failing line in the console, and a close button. Errors belong where the
user is looking, not in a modal box."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

__all__ = ["InlineBanner", "keyboard_link", "never_widens"]


class _FollowWithKeys(QObject):
    """Enter or Space on a focused one-link label follows its link."""

    KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in self.KEYS and isinstance(watched, QLabel)):
            found = re.search(r"href=['\"]([^'\"]*)", watched.text())
            if found:
                watched.linkActivated.emit(found.group(1))
                return True
        return False


def keyboard_link(label: QLabel) -> None:
    """A label holding one link ("Why?"): a Tab stop followed with Enter or Space, as a
    button is; by default a link answers only to the mouse (and Qt's keyboard links
    take two Tabs to reach, the label and then its link)."""
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    label.installEventFilter(_FollowWithKeys(label))


def never_widens(label: QLabel) -> None:
    """Let a word-wrapped banner text take the width its pane has instead of asking for
    its longest word: a fingerprint or a long address is one unbreakable word, and a
    banner's minimum width becomes the pane's, then the window's (the panes and the dock
    were pushed aside). A word longer than the banner is cut at its edge; the tooltip
    holds the whole text."""
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)

_STYLES = {
    "error": "background:#fdecea; color:#8a1c14; border:1px solid #e0413a; border-radius:4px;",
    "warning": "background:#fff4e0; color:#7a4d00; border:1px solid #d08a00; border-radius:4px;",
    "info": "background:#e8f1fb; color:#1d4d80; border:1px solid #2f7fd8; border-radius:4px;",
}


class InlineBanner(QFrame):
    #: the console line (seq) that explains the failure
    why_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineBanner")
        self.setAccessibleName(self.tr("Error banner"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(self.message.textFormat().PlainText)
        never_widens(self.message)
        self.why = QLabel(self)
        self.why.setText(f"<a href='#why'>{self.tr('Why?')}</a>")
        self.why.setAccessibleName(self.tr("Show the failing line in the console"))
        self.why.linkActivated.connect(self._why)
        keyboard_link(self.why)
        self.action_button = QPushButton(self)
        self.action_button.hide()
        self.action_button.clicked.connect(self._run_action)
        self._action: Callable[[], None] | None = None
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.why)
        layout.addWidget(close)
        self._seq: int | None = None
        self.hide()

    def show_message(self, text: str, *, severity: str = "error", seq: int | None = None,
                     action: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show ``text``; ``seq`` enables "Why?", ``action`` adds a button (label, callback)."""
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setAccessibleName(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.setStyleSheet(f"#inlineBanner {{{_STYLES.get(severity, _STYLES['error'])}}}")
        self.message.setText(text)
        self.message.setToolTip(text)
        self._seq = seq
        self.why.setVisible(seq is not None)
        self.show()

    @property
    def text(self) -> str:
        return self.message.text()

    @property
    def seq(self) -> int | None:
        return self._seq

    def _run_action(self) -> None:
        action, self._action = self._action, None
        self.hide()
        if action is not None:
            action()

    def _why(self, _link: str) -> None:
        if self._seq is not None:
            self.why_clicked.emit(self._seq)
