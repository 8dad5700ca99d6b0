"""Dialogs awaited from coroutines without a nested event loop, and the small dialogs the
window asks with: a name, a yes or no, a password or key passphrase, permission bits.

A modal ``exec()`` inside a coroutine would re-enter the qasync loop; instead each
dialog is shown with ``open()`` (window-modal) and awaited through a future that its
``finished`` signal resolves.
"""

from __future__ import annotations

import asyncio
import posixpath

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from client.protocol.text import escape_control

__all__ = ["await_dialog", "ask_text", "confirm", "ask_password", "answer_of", "fit_title",
           "ChmodDialog", "PasswordDialog"]

#: what a window manager's title bar takes besides the text: icon, buttons, margins
TITLE_BAR_ROOM = 140


def fit_title(dialog: QWidget) -> None:
    """Make a small dialog wide enough for its whole title as the title bar shows it
    (with the application's name appended): a one-line input dialog is otherwise as
    narrow as its label, and the title bar cut "Create folder — FTP Inspector" to
    "Create f… nspector"."""
    title = dialog.windowTitle()
    app_name = QGuiApplication.applicationDisplayName()
    if app_name and app_name not in title:
        title = f"{title} \u2014 {app_name}"
    font = QFont(QApplication.font())
    font.setBold(True)  # title bars commonly use a bold face: measure the wider one
    width = QFontMetrics(font).horizontalAdvance(title) + TITLE_BAR_ROOM
    field = dialog.findChild(QLineEdit)
    grid = dialog.layout()
    if isinstance(dialog, QMessageBox) and isinstance(grid, QGridLayout):
        # a message box sizes itself from its text and ignores a minimum width; a
        # spacer row as wide as the title is what it does take into account
        grid.addItem(QSpacerItem(width, 0, QSizePolicy.Policy.Minimum,
                                 QSizePolicy.Policy.Minimum),
                     grid.rowCount(), 0, 1, grid.columnCount())
    elif isinstance(dialog, QInputDialog) and field is not None:
        # an input dialog's layout (made when shown) fixes it to its contents: widen
        # the field by what the dialog needs, less the layout's side margins
        style = dialog.style()
        margins = style.pixelMetric(QStyle.PixelMetric.PM_LayoutLeftMargin) + \
            style.pixelMetric(QStyle.PixelMetric.PM_LayoutRightMargin)
        field.setMinimumWidth(max(field.minimumWidth(), width - margins))
    else:
        dialog.setMinimumWidth(max(dialog.minimumWidth(), width))


async def await_dialog(dialog: QDialog) -> int:
    """Open ``dialog`` window-modally and wait for its result code."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(done)
    dialog.open()
    try:
        return await future
    finally:
        dialog.finished.disconnect(done)


def name_stem_length(name: str, is_dir: bool = False) -> int:
    """How much of a file name a rename selects at first: the name without its last
    extension (``notes`` of ``notes.txt``; a folder or ``.htaccess`` whole), so typing
    replaces the name and keeps the type, as file managers do."""
    if is_dir:
        return len(name)
    stem, _ext = posixpath.splitext(name)
    return len(stem) or len(name)


class _TextDialog(QInputDialog):
    """A text question whose field selects only the first ``selected`` characters as it
    shows (showing selects all): keys typed at once, before any event is processed,
    replace the name and keep the extension."""

    def __init__(self, parent: QWidget, selected: int | None) -> None:
        super().__init__(parent)
        self._selected = selected

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's name
        super().setVisible(visible)
        if visible and self._selected is not None:
            field = self.findChild(QLineEdit)
            if field is not None:
                field.setSelection(0, self._selected)


async def ask_text(parent: QWidget, title: str, label: str, text: str = "", *,
                   selected: int | None = None) -> str | None:
    """``selected``: how many characters of ``text`` are selected at first (all)."""
    dialog = _TextDialog(parent, selected)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    dialog.setObjectName("askTextDialog")
    fit_title(dialog)
    result = await await_dialog(dialog)
    value = dialog.textValue().strip()
    dialog.deleteLater()
    return value if result == QDialog.DialogCode.Accepted and value else None


def add_ok_cancel(dialog: QDialog, layout: QVBoxLayout) -> QPushButton:
    """OK and Cancel at the bottom of ``layout``, accepting or rejecting ``dialog``;
    returns the OK button (a dialog greys it while its input is incomplete)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return buttons.button(QDialogButtonBox.StandardButton.Ok)


class PasswordDialog(QDialog):
    """One masked field under ``text``; ``refused`` (when given) is said first, in bold.

    Both texts are shown as plain text: they quote host names and paths."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None, *,
                 refused: str | None = None, object_name: str = "askPasswordDialog") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.refused_label: QLabel | None = None
        if refused:
            self.refused_label = QLabel(refused, self)
            self.refused_label.setTextFormat(Qt.TextFormat.PlainText)
            font = self.refused_label.font()
            font.setBold(True)
            self.refused_label.setFont(font)
            layout.addWidget(self.refused_label)
        self.message = QLabel(text, self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(title)
        layout.addWidget(self.field)
        self.ok_button = add_ok_cancel(self, layout)
        self.setMinimumWidth(420)
        fit_title(self)
        self.field.setFocus()

    def answer(self) -> str | None:
        """The text typed when OK (or Enter) closed the dialog; None when cancelled."""
        return self.field.text() if self.result() == QDialog.DialogCode.Accepted else None


async def answer_of(dialog: PasswordDialog) -> str | None:
    """Show ``dialog`` window-modally and return its answer (None: cancelled); the field
    is emptied before the dialog goes, so the secret does not outlive the question."""
    try:
        await await_dialog(dialog)
        return dialog.answer()
    finally:
        dialog.field.clear()
        dialog.deleteLater()


async def ask_password(parent: QWidget | None, title: str, text: str, *,
                       refused: str | None = None) -> str | None:
    """Ask for a password or passphrase in a :class:`PasswordDialog`."""
    return await answer_of(PasswordDialog(title, text, parent, refused=refused))


async def confirm(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("confirmDialog")
    box.setTextFormat(Qt.TextFormat.PlainText)  # questions quote remote names: never markup
    box.setDefaultButton(QMessageBox.StandardButton.No)
    fit_title(box)
    await await_dialog(box)
    answer = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
    box.deleteLater()
    return answer


class ChmodDialog(QDialog):
    """Permission bits as nine check boxes plus the octal value, kept in sync."""

    def __init__(self, parent: QWidget | None, names: list[str], mode: int = 0o644,
                 mixed: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("chmodDialog")
        self.setWindowTitle(self.tr("Change permissions"))
        layout = QVBoxLayout(self)
        shown = ", ".join(escape_control(name) for name in names[:3]) + (
            f" (+{len(names) - 3})" if len(names) > 3 else "")
        title = QLabel(self.tr("Permissions of {}").format(shown), self)
        title.setTextFormat(Qt.TextFormat.PlainText)  # remote names are never markup
        layout.addWidget(title)
        #: said when the items' permissions differ: the boxes show the first one's, and OK
        #: gives them to all (without it a 644 file silently got its neighbour's 744)
        self.mixed_label: QLabel | None = None
        if mixed and names:
            self.mixed_label = QLabel(self.tr(
                "Their permissions differ: shown are those of {}; OK gives these to all.")
                .format(escape_control(names[0])), self)
            self.mixed_label.setTextFormat(Qt.TextFormat.PlainText)
            self.mixed_label.setWordWrap(True)
            layout.addWidget(self.mixed_label)
        grid = QGridLayout()
        self.boxes: list[QCheckBox] = []
        for row, who in enumerate((self.tr("Owner"), self.tr("Group"), self.tr("Others"))):
            grid.addWidget(QLabel(who, self), row, 0)
            for col, what in enumerate((self.tr("read"), self.tr("write"), self.tr("execute"))):
                box = QCheckBox(what, self)
                box.setAccessibleName(f"{who} {what}")
                box.toggled.connect(self._boxes_changed)
                grid.addWidget(box, row, col + 1)
                self.boxes.append(box)
        layout.addLayout(grid)
        self.octal = QLineEdit(self)
        self.octal.setAccessibleName(self.tr("Numeric value"))
        # octal digits only (an input mask took 999 and OK then applied the old mode)
        self.octal.setValidator(QRegularExpressionValidator(QRegularExpression("[0-7]{0,3}"),
                                                            self.octal))
        self.octal.setMaxLength(3)
        self.octal.setToolTip(self.tr("Three octal digits, e.g. 644 or 755"))
        self.octal.textEdited.connect(self._octal_changed)
        layout.addWidget(self.octal)
        self.ok_button = add_ok_cancel(self, layout)
        self.set_mode(mode)
        fit_title(self)

    @property
    def mode(self) -> int:
        value = 0
        for box in self.boxes:
            value = (value << 1) | int(box.isChecked())
        return value

    def set_mode(self, mode: int) -> None:
        for i, box in enumerate(self.boxes):
            box.blockSignals(True)
            box.setChecked(bool(mode & (1 << (8 - i))))
            box.blockSignals(False)
        self.octal.setText(f"{mode & 0o777:03o}")

    def _boxes_changed(self) -> None:
        self.octal.setText(f"{self.mode:03o}")
        self.ok_button.setEnabled(True)

    def _octal_changed(self, text: str) -> None:
        """Three digits set the boxes; fewer leave OK greyed (the field and the boxes
        would say two different things)."""
        digits = text.strip()
        complete = len(digits) == 3 and all(c in "01234567" for c in digits)
        if complete:
            self.set_mode(int(digits, 8))
        self.ok_button.setEnabled(complete)


def mode_from_permissions(text: str | None, facts: object = None) -> int:
    """The current mode for the chmod dialog: the MLSD ``unix.mode`` fact when present,
    else ``rwxr-xr-x``-style text (``drwxr-xr-x`` too); anything else -> 0o644 (MLSD's
    ``perm`` fact, e.g. ``adfrw``, says what *we* may do, not the mode bits)."""
    unix_mode = facts.get("unix.mode") if hasattr(facts, "get") else None  # type: ignore[union-attr]
    if isinstance(unix_mode, str) and unix_mode.strip():
        try:
            return int(unix_mode.strip(), 8) & 0o7777 & 0o777
        except ValueError:
            pass
    if not text or len(text) < 9:
        return 0o644
    bits = text[-9:]
    allowed = ("r-", "w-", "xsS-", "r-", "w-", "xsS-", "r-", "w-", "xtT-")
    if not all(ch in ok for ch, ok in zip(bits, allowed, strict=True)):
        return 0o644
    value = 0
    for ch in bits:
        value = (value << 1) | int(ch not in "-ST")
    return value
