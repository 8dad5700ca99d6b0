"""The bar that offers a charset when a listing's names are not UTF-8 ("Names look like
windows-1251 — use it for this site?"). Non-modal: the names stay visible (escaped)
and usable until the user answers, and "Not now" keeps the offer away for the session."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from client.protocol.charset_guess import CharsetGuess
from client.protocol.text import escape_control
from client.ui.banner import never_widens

__all__ = ["CharsetBar"]


class CharsetBar(QFrame):
    #: the charset the user chose to use for this site
    accepted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("charsetBar")
        self.setAccessibleName(self.tr("Charset suggestion"))
        self.setStyleSheet("#charsetBar { background:#e8f1fb; color:#1d4d80; "
                           "border:1px solid #2f7fd8; border-radius:4px; }")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        never_widens(self.message)
        self.use_button = QPushButton(self.tr("Use it"), self)
        self.dismiss_button = QPushButton(self.tr("Not now"), self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.use_button)
        layout.addWidget(self.dismiss_button)
        self.use_button.clicked.connect(self._use)
        self.dismiss_button.clicked.connect(self._dismiss)
        self.charset: str | None = None
        self._dismissed: set[str] = set()
        self.hide()

    def offer(self, guess: CharsetGuess | None) -> None:
        """Show the offer for ``guess`` (None, or one dismissed before: hide)."""
        if guess is None or guess.charset in self._dismissed:
            self.hide()
            return
        self.charset = guess.charset
        sample = escape_control(guess.sample)[:60]
        self.message.setText(self.tr(
            "Names look like {charset} (\u201c{sample}\u201d reads so in it); they are shown "
            "escaped in UTF-8. Use {charset} for this site?").format(
                charset=guess.charset, sample=sample))
        self.message.setToolTip(self.message.text())
        self.show()

    def reset(self) -> None:
        """A new connection: offers dismissed for the last one may be made again."""
        self._dismissed.clear()
        self.hide()

    def _use(self) -> None:
        charset = self.charset
        self.hide()
        if charset:
            self.accepted.emit(charset)

    def _dismiss(self) -> None:
        if self.charset:
            self._dismissed.add(self.charset)
        self.hide()
