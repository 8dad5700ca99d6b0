"""The site manager's Charset field: the common charsets to pick from, and any other
charset name Python knows typed in (checked when the site is saved)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from client.protocol.charsets import AUTO, CHOICES, CharsetError, normalize_charset

__all__ = ["CharsetField"]


class CharsetField(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for choice in CHOICES:
            self.addItem(choice.label, choice.name)
        self.setToolTip(self.tr(
            "The charset of names on this server, for commands, replies and listings. Auto: "
            "UTF-8, and a bar offers another charset when the names look like one."))

    def set_charset(self, name: str) -> None:
        index = self.findData(name)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(name)

    def charset(self) -> str:
        """The chosen charset as stored; raises ValueError for an unknown one."""
        text = self.currentText().strip()
        index = self.findText(text)
        if index >= 0:
            return str(self.itemData(index))
        try:
            return normalize_charset(text or AUTO)
        except CharsetError as exc:
            raise ValueError(str(exc)) from None
