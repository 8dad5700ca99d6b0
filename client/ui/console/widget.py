"""The protocol console widget: the list view over :class:`ConsoleModel`, its toolbar
(search, kind filters, annotations, autoscroll, copy, clear, export) and the raw command
line. It shows what the model holds; it decides nothing about FTP.

Copying many rows and exporting build their text from a snapshot of the model a slice at
a time, between turns of the event loop, so a long session never freezes the window; an
export's file is written on a worker thread (``asyncio.to_thread``). (A worker thread
building the text held the interpreter lock against the window: it stalled painting for
up to 150 ms at a time.)"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from client.ui.chosen_index import on_index_chosen
from client.ui.console import export
from client.ui.console.lines import ConsoleKind, ConsoleLine
from client.ui.console.model import SEQ_ROLE, ConsoleModel
from client.ui.console.rows import RowSnapshot
from client.ui.dialogs import fit_title
from client.ui.overflow_row import OverflowRow

__all__ = ["ConsoleWidget", "COPY_IN_PLACE", "SLICE_ROWS"]

_KIND_LABELS = {
    ConsoleKind.COMMAND: QT_TRANSLATE_NOOP("ConsoleWidget", "Commands"),
    ConsoleKind.REPLY: QT_TRANSLATE_NOOP("ConsoleWidget", "Replies"),
    ConsoleKind.DATA: QT_TRANSLATE_NOOP("ConsoleWidget", "Data"),
    ConsoleKind.NOTE: QT_TRANSLATE_NOOP("ConsoleWidget", "Notes"),
    ConsoleKind.WARNING: QT_TRANSLATE_NOOP("ConsoleWidget", "Warnings"),
    ConsoleKind.ERROR: QT_TRANSLATE_NOOP("ConsoleWidget", "Errors"),
}

#: rows turned into text between two turns of the event loop (a few milliseconds)
SLICE_ROWS = 1_000
#: selections up to this many rows are copied at once; larger ones a slice at a time
COPY_IN_PLACE = 2 * SLICE_ROWS


def _render(fmt: str, lines: list[ConsoleLine]) -> str:
    if fmt == "md":
        return export.to_markdown(lines)
    if fmt == "jsonl":
        return export.to_jsonl(lines)
    return export.to_text(lines)


async def _in_slices(pieces: Iterable[str]) -> list[str]:
    """Draw ``pieces`` (each a slice of work), letting the event loop run after each."""
    out = []
    for piece in pieces:
        out.append(piece)
        await asyncio.sleep(0)  # the window paints and takes input between slices
    return out


def _write_pieces(path: Path, pieces: list[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for piece in pieces:
            out.write(piece)


class ConsoleWidget(QWidget):
    #: a raw command line the user typed (the window sends it with FtpSession.quote)
    command_entered = Signal(str)
    #: the console line (seq) the user selected; the inspector may follow it
    line_selected = Signal(int)
    #: a copy reached the clipboard: how many rows (a large selection a moment later)
    copied = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, max_lines: int = 200_000) -> None:
        super().__init__(parent)
        self.model = ConsoleModel(self, max_lines=max_lines)
        self.autoscroll = True
        self._tasks: set[asyncio.Task[Any]] = set()
        self._copy_generation = 0

        self.view = QListView(self)
        self.view.setObjectName("consoleView")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(500)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setAccessibleName(self.tr("Protocol console"))
        # three lines at least, under its horizontal scroll bar: on a 600-pixel screen the
        # window's other parts give way before the console shrinks to a line or two
        self.view.setMinimumHeight(3 * self.view.fontMetrics().lineSpacing()
                                   + self.view.horizontalScrollBar().sizeHint().height()
                                   + 2 * self.view.frameWidth() + 4)
        self.view.doubleClicked.connect(lambda index: self.model.toggle_expanded(index.row()))
        on_index_chosen(self.view, self._line_chosen)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        scroll = self.view.verticalScrollBar()
        scroll.rangeChanged.connect(self._range_changed)
        scroll.actionTriggered.connect(self._user_scrolled)

        copy = QAction(self.tr("Copy"), self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.view.addAction(copy)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search the console (Enter: next)"))
        self.search.setAccessibleName(self.tr("Search the console"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.find_next)

        # one row, whatever the width: what does not fit goes behind the bar's "»"
        # button (a second row of buttons left a 600-pixel screen one console line);
        # the search field keeps room for its words and is never pushed out
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance(
            self.tr("Search the console")) + 40)
        bar = OverflowRow(self.search, self, more_name=self.tr("More console buttons"))
        bar.setObjectName("consoleBar")
        self.filter_bar = bar
        self.kind_buttons: dict[ConsoleKind, QToolButton] = {}
        for kind, source in _KIND_LABELS.items():
            label = QCoreApplication.translate("ConsoleWidget", source)
            button = QToolButton(self)
            button.setText(label)
            button.setCheckable(True)
            button.setChecked(True)
            button.setAccessibleName(self.tr("Show {}").format(label))
            button.toggled.connect(self._kinds_changed)
            self.kind_buttons[kind] = button
            bar.add(button)
        self.annotations_button = self._tool(self.tr("Annotations"), checkable=True, checked=True)
        self.annotations_button.toggled.connect(self.model.set_show_annotations)
        self.autoscroll_button = self._tool(self.tr("Follow"), checkable=True, checked=True)
        self.autoscroll_button.setToolTip(self.tr("Scroll to new lines (uncheck to pause)"))
        self.autoscroll_button.toggled.connect(self._set_autoscroll)
        clear = self._tool(self.tr("Clear"))
        clear.clicked.connect(self.model.clear)
        export_button = self._tool(self.tr("Export"))
        menu = QMenu(export_button)
        menu.addAction(self.tr("As text…"), lambda: self._export_dialog("text"))
        menu.addAction(self.tr("As Markdown (support ticket)…"), lambda: self._export_dialog("md"))
        menu.addAction(self.tr("As JSON Lines…"), lambda: self._export_dialog("jsonl"))
        export_button.setMenu(menu)
        export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for button in (self.annotations_button, self.autoscroll_button, clear, export_button):
            bar.add(button)

        self.command = QLineEdit(self)
        self.command.setPlaceholderText(self.tr("Raw command, e.g. SYST or STAT (Enter to send)"))
        self.command.setAccessibleName(self.tr("Raw FTP command"))
        self.command.returnPressed.connect(self.send_command)
        send = QPushButton(self.tr("Send"), self)
        send.setAccessibleName(self.tr("Send raw command"))
        send.clicked.connect(self.send_command)
        command_row = QHBoxLayout()
        command_row.setContentsMargins(0, 0, 0, 0)
        command_row.addWidget(self.command, 1)
        command_row.addWidget(send)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(command_row)

    def _tool(self, text: str, *, checkable: bool = False, checked: bool = False) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setAccessibleName(text)
        button.setCheckable(checkable)
        button.setChecked(checked)
        return button

    # -- feeding ---------------------------------------------------------------------
    def append(self, lines: list[ConsoleLine]) -> None:
        self.model.append_lines(lines)
        if self.autoscroll:
            self.view.scrollToBottom()

    def _range_changed(self, _low: int, high: int) -> None:
        """Follow to the real end: the view lays out a long list in batches after the
        rows arrive, so the range grows later than ``append`` scrolled; each growth
        brings the view to the bottom again while following."""
        if self.autoscroll:
            self.view.verticalScrollBar().setValue(high)

    # -- gestures --------------------------------------------------------------------
    def _user_scrolled(self, _action: int) -> None:
        """The person scrolled (wheel, scroll bar, drag): up pauses following, back to
        the very end resumes it — the Follow button shows which."""
        scroll = self.view.verticalScrollBar()
        self.autoscroll_button.setChecked(scroll.sliderPosition() >= scroll.maximum())

    def _set_autoscroll(self, on: bool) -> None:
        self.autoscroll = on
        if on:
            self.view.scrollToBottom()

    def _kinds_changed(self) -> None:
        self.model.set_kinds(k for k, b in self.kind_buttons.items() if b.isChecked())

    def _line_chosen(self, current: QModelIndex) -> None:
        self.line_selected.emit(int(self.model.data(current, SEQ_ROLE)))

    def find_next(self) -> int | None:
        start = self.view.currentIndex().row() if self.view.currentIndex().isValid() else -1
        row = self.model.find(self.search.text(), start)
        if row is not None:
            self._select_row(row)
        return row

    def select_line(self, seq: int) -> bool:
        """Select and show the row of line ``seq`` (the "Why?" link of a banner),
        re-enabling the filters that hide it."""
        row = self.model.row_of_seq(seq)
        if row is None:
            for button in self.kind_buttons.values():
                button.setChecked(True)
            row = self.model.row_of_seq(seq)
        if row is None:
            return False
        self.autoscroll_button.setChecked(False)
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        index = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def copy_selection(self) -> asyncio.Task[str] | None:
        """Put the selected rows, as shown, on the clipboard and emit ``copied``. Up to
        ``COPY_IN_PLACE`` rows at once; a larger selection is turned into text
        ``SLICE_ROWS`` rows at a time by the returned task and reaches the clipboard
        when ready, unless a newer copy came first."""
        ranges = [(r.top(), r.bottom()) for r in self.view.selectionModel().selection()]
        ranges = self.model.with_annotations(ranges)
        snapshot = self.model.snapshot(ranges)
        self._copy_generation += 1
        if len(snapshot.keys) <= COPY_IN_PLACE:
            self._set_clipboard("\n".join(snapshot.texts()), len(snapshot.keys),
                                self._copy_generation)
            return None
        return self._spawn(self._copy_later(snapshot, self._copy_generation))

    async def _copy_later(self, snapshot: RowSnapshot, generation: int) -> str:
        text = "\n".join(await _in_slices(snapshot.text_pieces(SLICE_ROWS)))
        self._set_clipboard(text, len(snapshot.keys), generation)
        return text

    def _set_clipboard(self, text: str, rows: int, generation: int) -> None:
        if generation != self._copy_generation or not isValid(self):
            return  # a newer copy wins; a closed console copies nothing
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(rows)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def send_command(self) -> None:
        text = self.command.text().strip()
        if text:
            self.command.clear()
            self.command_entered.emit(text)

    # -- export ----------------------------------------------------------------------
    def export_text(self, fmt: str) -> str:
        """The shown lines as ``fmt`` (``text``, ``md`` or ``jsonl``), built here."""
        return _render(fmt, self.model.visible_lines())

    async def export_to(self, path: Path, fmt: str) -> None:
        """Write the shown lines to ``path`` as ``fmt``: the lines shown now (later ones
        are not included), turned into text a slice at a time and written on a worker
        thread."""
        lines = self.model.snapshot().visible_lines()
        pieces = await _in_slices(export.chunks(fmt, lines))
        await asyncio.to_thread(_write_pieces, path, pieces)

    async def _export_reporting(self, path: Path, fmt: str) -> None:
        try:
            await self.export_to(path, fmt)
        except OSError as error:
            if isValid(self):
                box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Export the console"),
                                  self.tr("Could not write {}: {}").format(
                                      path, error.strerror or error),
                                  QMessageBox.StandardButton.Ok, self)
                fit_title(box)  # the whole title, not cut by the title bar
                box.open()

    def _export_dialog(self, fmt: str) -> None:
        suffix = {"text": "txt", "md": "md", "jsonl": "jsonl"}[fmt]
        dialog = QFileDialog(self, self.tr("Export the console"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix)
        dialog.selectFile(f"ftp-inspector-transcript.{suffix}")
        dialog.fileSelected.connect(lambda name: self._spawn(self._export_reporting(Path(name), fmt)))
        dialog.open()
