"""The hung-listing assistant: an inline banner the remote pane shows when a listing's
data connection fails or stops making progress.

It says, in one sentence made by :mod:`client.engine.explain_failure` (the CLI prints
the same), what did not arrive and why, and offers the useful next steps as buttons.
Each button emits its own signal (and :attr:`HungListingBanner.action_requested` with
the action's name); the pane decides what to do with it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.engine.errors import DataChannelError
from client.engine.events import DataChannelEvent
from client.engine.explain_failure import (
    ACTION_LABELS,
    FailureExplanation,
    RecoveryAction,
    explain_arrow,
    explain_error,
    explain_event,
    explain_waiting,
)
from client.engine.ladder import DataArrow
from client.ui.banner import keyboard_link, never_widens
from client.ui.fitting_scroll import FittingScrollArea
from client.ui.flow_layout import FlowLayout

__all__ = ["HungListingBanner"]

_STYLES = {
    "error": "QFrame#hungListingBanner { background:#fdecea; border:1px solid #e0413a;"
             " border-radius:4px; } QLabel { color:#8a1c14; }",
    "waiting": "QFrame#hungListingBanner { background:#fff4e0; border:1px solid #d08a00;"
               " border-radius:4px; } QLabel { color:#7a4d00; }",
}


class HungListingBanner(QFrame):
    """Inline banner with the explanation and recovery buttons (hidden until shown)."""

    retry_active_requested = Signal()
    retry_passive_requested = Signal()
    use_control_address_requested = Signal()
    stat_listing_requested = Signal()
    diagnose_requested = Signal()
    #: any of the above, by name (``RecoveryAction.value``)
    action_requested = Signal(str)
    #: the console row of the failing data connection (the "Why?" link)
    why_requested = Signal(int)
    #: the session log file of the connection (the "Session log" link), to send it on
    log_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hungListingBanner")
        self.setAccessibleName(self.tr("Listing problem"))
        self.explanation: FailureExplanation | None = None
        self.console_row: int | None = None
        self.message = QLabel(self)
        self.message.setObjectName("hungListingMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        never_widens(self.message)
        self.why = QLabel(self)
        self.why.setText(f"<a href='#why'>{self.tr('Why?')}</a>")
        self.why.setAccessibleName(self.tr("Show the data connection in the console"))
        self.why.linkActivated.connect(self._why)
        keyboard_link(self.why)
        self.log_file: str | None = None
        self.log_link = QLabel(self)
        self.log_link.setObjectName("hungListingLogLink")
        self.log_link.linkActivated.connect(self._log)
        keyboard_link(self.log_link)
        self.log_link.hide()
        close = QToolButton(self)
        close.setText("\u2715")
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        self.close_button = close
        top = QHBoxLayout()  # the message takes the banner's width: fewer lines
        top.addWidget(self.message, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons: dict[RecoveryAction, QPushButton] = {}
        row = FlowLayout(spacing=4)  # the buttons wrap in a narrow pane
        signals = {
            RecoveryAction.RETRY_ACTIVE: self.retry_active_requested,
            RecoveryAction.RETRY_PASSIVE: self.retry_passive_requested,
            RecoveryAction.USE_CONTROL_ADDRESS: self.use_control_address_requested,
            RecoveryAction.STAT_LISTING: self.stat_listing_requested,
            RecoveryAction.DIAGNOSE: self.diagnose_requested,
        }
        for action, signal in signals.items():
            button = QPushButton(self.tr(ACTION_LABELS[action]), self)
            button.setObjectName(f"banner-{action.value}")
            button.setAccessibleName(self.tr(ACTION_LABELS[action]))
            button.clicked.connect(lambda _checked=False, a=action, s=signal: self._act(a, s))
            button.hide()
            row.addWidget(button)
            self.buttons[action] = button
        row.addWidget(self.why)  # after the buttons (they are reordered in front of it)
        row.addWidget(self.log_link)
        self._button_row = row
        content = QWidget(self)
        inner = QVBoxLayout(content)  # compact: a 768-pixel screen has little height here
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(4)
        inner.addLayout(top)
        inner.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        # all of it shown when the pane has the room, else a scroll bar: never cut off
        self.scroll = FittingScrollArea(content, self)
        layout.addWidget(self.scroll)
        self.hide()

    # -- showing -------------------------------------------------------------------------

    def show_explanation(self, explanation: FailureExplanation, *, waiting: bool = False,
                         console_row: int | None = None) -> None:
        """Show ``explanation`` with a button per suggested action, best first."""
        self.explanation = explanation
        self.console_row = console_row
        self.message.setText(explanation.sentence)
        self.message.setToolTip(explanation.sentence)
        self.setStyleSheet(_STYLES["waiting" if waiting else "error"])
        for action, button in self.buttons.items():
            button.setVisible(action in explanation.actions)
        for position, action in enumerate(explanation.actions):  # best first
            self._button_row.insertWidget(position, self.buttons[action])
        first = explanation.actions[0] if explanation.actions else None
        for action, button in self.buttons.items():
            button.setDefault(action is first)
        self.why.setVisible(console_row is not None)
        # Tab as the banner reads: the buttons best first, then "Why?", the log, ✕
        chain = [self.buttons[action] for action in explanation.actions]
        chain += [self.why, self.log_link, self.close_button]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        self.show()

    def show_for_error(self, error: DataChannelError, *, command: str | None = None,
                       console_row: int | None = None, control_host: str | None = None) -> None:
        """The command named is the one the error served when it knows it, else
        ``command``, else its step, else ``LIST`` (this banner is for listings).
        ``control_host``: the control connection's address (see ``explain_data_failure``)."""
        step = error.step if error.step not in (None, "PASV", "EPSV", "PORT", "EPRT") else None
        explanation = explain_error(error, command=command or step or "LIST",
                                    control_host=control_host)
        self.show_explanation(explanation, console_row=console_row)

    def show_for_event(self, event: DataChannelEvent, *, console_row: int | None = None,
                       control_host: str | None = None) -> None:
        self.show_explanation(explain_event(event, control_host=control_host),
                              console_row=console_row)

    def show_for_arrow(self, arrow: DataArrow, now: float, *, console_row: int | None = None,
                       control_host: str | None = None) -> bool:
        """Show the banner for a failed or waiting ladder arrow; False (and nothing
        shown) for a healthy one."""
        explanation = explain_arrow(arrow, control_host=control_host)
        waiting = False
        if explanation is None:
            explanation = explain_waiting(arrow, now, control_host=control_host)
            waiting = True
        if explanation is None:
            return False
        row = console_row if console_row is not None else arrow.event_index
        self.show_explanation(explanation, waiting=waiting, console_row=row)
        return True

    def mark_stopped(self, note: str) -> None:
        """The listing the banner waits for was stopped: ``note`` says so in front of
        the explanation, which still says what did not arrive (the pane stays empty)."""
        if self.explanation is None:
            return
        text = f"{note} {self.explanation.sentence}"
        self.message.setText(text)
        self.message.setToolTip(text)

    def set_log_file(self, path: str | None) -> None:
        """Offer the connection's session log (``path``), already written, so that it
        can be sent to whoever runs the server even when nobody exported anything."""
        self.log_file = path
        if path is None:
            self.log_link.hide()
            return
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        self.log_link.setText(f"<a href='#log'>{self.tr('Session log')}</a>")
        self.log_link.setToolTip(self.tr("Show {} in its folder (its path is copied to the "
                                          "clipboard)").format(name))
        self.log_link.setAccessibleName(self.tr("Show the session log file"))
        self.log_link.show()

    def visible_actions(self) -> list[RecoveryAction]:
        """The actions offered, in the order the buttons are shown."""
        shown = [(self._button_row.indexOf(b), a) for a, b in self.buttons.items()
                 if not b.isHidden()]
        return [action for _, action in sorted(shown)]

    # -- signals -------------------------------------------------------------------------

    def _act(self, action: RecoveryAction, signal: SignalInstance) -> None:
        signal.emit()
        self.action_requested.emit(action.value)

    def _log(self, _link: str) -> None:
        if self.log_file is not None:
            self.log_requested.emit(self.log_file)

    def _why(self, _link: str) -> None:
        if self.console_row is not None:
            self.why_requested.emit(self.console_row)
