"""The protocol console widget: the list view over :class:`ConsoleModel`, its toolbar
(search, kind filters, annotations, autoscroll, copy, clear, export) and the raw command
line. It shows what the model holds; it decides nothing about FTP."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.ui.console import export
from client.ui.console.lines import ConsoleKind, ConsoleLine
from client.ui.console.model import SEQ_ROLE, ConsoleModel

__all__ = ["ConsoleWidget"]

_KIND_LABELS = {
    ConsoleKind.COMMAND: "Commands",
    ConsoleKind.REPLY: "Replies",
    ConsoleKind.DATA: "Data",
    ConsoleKind.NOTE: "Notes",
    ConsoleKind.WARNING: "Warnings",
    ConsoleKind.ERROR: "Errors",
}


class ConsoleWidget(QWidget):
    #: a raw command line the user typed (the window sends it with FtpSession.quote)
    command_entered = Signal(str)
    #: the console line (seq) the user selected; the inspector may follow it
    line_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, max_lines: int = 200_000) -> None:
        super().__init__(parent)
        self.model = ConsoleModel(self, max_lines=max_lines)
        self.autoscroll = True

        self.view = QListView(self)
        self.view.setObjectName("consoleView")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(500)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setAccessibleName(self.tr("Protocol console"))
        self.view.doubleClicked.connect(lambda index: self.model.toggle_expanded(index.row()))
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

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

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.search, 2)
        self.kind_buttons: dict[ConsoleKind, QToolButton] = {}
        for kind, label in _KIND_LABELS.items():
            button = QToolButton(self)
            button.setText(self.tr(label))
            button.setCheckable(True)
            button.setChecked(True)
            button.setAccessibleName(self.tr("Show {}").format(self.tr(label)))
            button.toggled.connect(self._kinds_changed)
            self.kind_buttons[kind] = button
            bar.addWidget(button)
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
            bar.addWidget(button)

        self.command = QLineEdit(self)
        self.command.setPlaceholderText(self.tr("Raw command, e.g. SYST or STAT (Enter to send)"))
        self.command.setAccessibleName(self.tr("Raw FTP command"))
        self.command.returnPressed.connect(self._send_command)
        send = QPushButton(self.tr("Send"), self)
        send.setAccessibleName(self.tr("Send raw command"))
        send.clicked.connect(self._send_command)
        command_row = QHBoxLayout()
        command_row.setContentsMargins(0, 0, 0, 0)
        command_row.addWidget(self.command, 1)
        command_row.addWidget(send)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(bar)
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

    # -- gestures --------------------------------------------------------------------
    def _set_autoscroll(self, on: bool) -> None:
        self.autoscroll = on
        if on:
            self.view.scrollToBottom()

    def _kinds_changed(self) -> None:
        self.model.set_kinds(k for k, b in self.kind_buttons.items() if b.isChecked())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
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

    def copy_selection(self) -> str:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedIndexes())
        text = "\n".join(str(self.model.data(self.model.index(r))) for r in rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def _send_command(self) -> None:
        text = self.command.text().strip()
        if text:
            self.command.clear()
            self.command_entered.emit(text)

    # -- export ----------------------------------------------------------------------
    def export_text(self, fmt: str) -> str:
        lines = self.model.visible_lines()
        if fmt == "md":
            return export.to_markdown(lines)
        if fmt == "jsonl":
            return export.to_jsonl(lines)
        return export.to_text(lines)

    def export_to(self, path: Path, fmt: str) -> None:
        path.write_text(self.export_text(fmt), encoding="utf-8")

    def _export_dialog(self, fmt: str) -> None:
        suffix = {"text": "txt", "md": "md", "jsonl": "jsonl"}[fmt]
        dialog = QFileDialog(self, self.tr("Export the console"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix)
        dialog.selectFile(f"ftp-inspector-transcript.{suffix}")
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name), fmt))
        dialog.open()
