"""The inspector's "which control connection" chooser as a menu: the toolbar shows it as
a button labelled with the choice, and when the dock is too narrow the toolbar's »
overflow lists it as a submenu (a toolbar's overflow lists plain actions only, never
an embedded combo box)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

__all__ = ["ConnectionMenu"]


class ConnectionMenu(QMenu):
    """"All connections" and one entry per control connection seen, one of them
    checked; ``chosen`` carries the connection's name (None: all)."""

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorConnection")
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._current: str | None = None
        tip = self.tr("Show every control connection, or only one (the transfer queue "
                      "opens its own)")
        self.menuAction().setToolTip(tip)
        self.setToolTipsVisible(True)
        self.set_connections([])

    @property
    def current(self) -> str | None:
        return self._current

    def names(self) -> list[str | None]:
        """The entries' connection names in menu order (None first: all)."""
        return [action.data() for action in self.actions()]

    def set_connections(self, connections: list[str]) -> None:
        """Offer ``connections``; the choice stays when still offered, else "All"."""
        for action in self.actions():
            self._group.removeAction(action)
            self.removeAction(action)
            action.deleteLater()
        if self._current not in connections:
            self._current = None
        self._add(self.tr("All connections"), None)
        for name in connections:
            self._add(self.tr("Connection {}").format(name), name)
        self._show_choice()

    def choose(self, name: str | None) -> None:
        """Show only connection ``name`` (None: all), as a click on its entry does."""
        action = next((a for a in self.actions() if a.data() == name), None)
        if action is not None:
            action.trigger()

    def _add(self, label: str, name: str | None) -> None:
        action = QAction(label, self)
        action.setData(name)
        action.setCheckable(True)
        action.setChecked(name == self._current)
        action.triggered.connect(lambda _checked=False, n=name: self._picked(n))
        self._group.addAction(action)
        self.addAction(action)

    def _picked(self, name: str | None) -> None:
        changed = name != self._current
        self._current = name
        self._show_choice()
        if changed:
            self.chosen.emit(name)

    def _show_choice(self) -> None:
        action = next((a for a in self.actions() if a.data() == self._current), None)
        label = action.text() if action is not None else self.tr("All connections")
        self.setTitle(label)
        self.menuAction().setText(label)
