"""The connection tab bar above the remote side, as FileZilla's: one tab per server
(title: its host, or "Not connected"; tooltip: user@host:port and state), a "+" button
for a new tab, the close button or a middle click to close one. Below the bar, the
shown tab's remote pane. The window decides what opening and closing mean."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QStackedWidget,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.ui.tabs.tab import ConnectionTab

__all__ = ["ConnectionTabs"]

#: Letters of its title a tab keeps when the bar is short of room (Qt's own minimum kept
#: the first and last one: three tabs on one host read "1…7", "1…1", "1…7").
KEPT_LETTERS = 12


class _TitleKeepingBar(QTabBar):
    """A tab bar whose tabs shrink no further than :data:`KEPT_LETTERS` of their title;
    past that, the scroll buttons take over."""

    def minimumTabSizeHint(self, index: int) -> QSize:  # noqa: N802 - Qt API
        least = super().minimumTabSizeHint(index)
        full = self.tabSizeHint(index)
        wanted = least.width() + self.fontMetrics().averageCharWidth() * (KEPT_LETTERS - 3)
        return QSize(max(least.width(), min(full.width(), wanted)), least.height())


class ConnectionTabs(QWidget):
    #: the tab shown changed (a ConnectionTab)
    current_changed = Signal(object)
    #: the "+" button was pressed
    new_tab_requested = Signal()
    #: the person asked to close a tab (close button, middle click): a ConnectionTab
    close_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionTabs")
        self._tabs: list[ConnectionTab] = []
        self.bar = _TitleKeepingBar(self)
        self.bar.setObjectName("connectionTabBar")
        self.bar.setAccessibleName(self.tr("Connection tabs"))
        self.bar.setTabsClosable(True)
        self.bar.setDocumentMode(True)
        self.bar.setExpanding(False)
        # shortened in the middle: tabs on one host differ at the end of their titles
        # (the port, the folder), which eliding the right end made look the same
        self.bar.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.bar.setUsesScrollButtons(True)
        # Ctrl+Tab and the mouse switch tabs; Tab walks the panes, not the bar
        self.bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_button = QToolButton(self)
        self.new_button.setObjectName("newTabButton")
        self.new_button.setText("+")
        self.new_button.setAutoRaise(True)
        self.new_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_button.setToolTip(self.tr("New tab (Ctrl+T)"))
        self.new_button.setAccessibleName(self.tr("New tab"))
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("remotePaneStack")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        self.bar.currentChanged.connect(self._shown)
        self.bar.tabCloseRequested.connect(lambda index: self.close_requested.emit(self._tabs[index]))
        self.new_button.clicked.connect(self.new_tab_requested)
        self.bar.installEventFilter(self)

    # -- the tabs ---------------------------------------------------------------------------
    def tabs(self) -> list[ConnectionTab]:
        return list(self._tabs)

    @property
    def current(self) -> ConnectionTab:
        return self._tabs[max(0, self.bar.currentIndex())]

    def add(self, tab: ConnectionTab) -> None:
        """Append ``tab`` (its remote pane goes into the stack) and show it."""
        self._tabs.append(tab)
        tab.peers = self.tabs
        self.stack.addWidget(tab.remote_pane)
        index = self.bar.addTab(tab.title)
        self._describe(index, tab)
        tab.changed.connect(lambda: self._refresh(tab))
        self.set_current(tab)
        for arrow, name in zip(self.bar.findChildren(QToolButton),
                               (self.tr("Scroll the tabs left"), self.tr("Scroll the tabs right")),
                               strict=False):
            if not arrow.accessibleName():
                arrow.setAccessibleName(name)

    def _describe(self, index: int, tab: ConnectionTab) -> None:
        """Title, tooltip, and the close button's name for screen readers."""
        self.bar.setTabText(index, tab.title)
        self.bar.setTabToolTip(index, tab.tooltip)
        close = self.bar.tabButton(index, QTabBar.ButtonPosition.RightSide) \
            or self.bar.tabButton(index, QTabBar.ButtonPosition.LeftSide)
        if close is not None:
            close.setAccessibleName(self.tr("Close the tab {}").format(tab.title))
            close.setToolTip(self.tr("Close tab (Ctrl+W)"))

    def remove(self, tab: ConnectionTab) -> None:
        """Take ``tab`` away (the window keeps at least one)."""
        index = self._tabs.index(tab)
        self._tabs.pop(index)
        self.stack.removeWidget(tab.remote_pane)
        self.bar.removeTab(index)  # shows a neighbour: currentChanged follows
        self._refresh(None)

    def set_current(self, tab: ConnectionTab) -> None:
        index = self._tabs.index(tab)
        if self.bar.currentIndex() == index:
            self._shown(index)
        else:
            self.bar.setCurrentIndex(index)

    def step(self, delta: int) -> None:
        """The next (1) or previous (-1) tab, round the end (Ctrl+Tab, Ctrl+Shift+Tab)."""
        if self._tabs:
            self.bar.setCurrentIndex((self.bar.currentIndex() + delta) % len(self._tabs))

    def _refresh(self, tab: ConnectionTab | None) -> None:
        """Every tab's title again: one tab's host decides whether another shows its port."""
        if tab is None or tab in self._tabs:
            for index, each in enumerate(self._tabs):
                self._describe(index, each)

    def _shown(self, index: int) -> None:
        if 0 <= index < len(self._tabs):
            tab = self._tabs[index]
            self.stack.setCurrentWidget(tab.remote_pane)
            self.current_changed.emit(tab)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """A middle click on a tab closes it, as in browsers and FileZilla."""
        if watched is self.bar and event.type() == QEvent.Type.MouseButtonRelease \
                and isinstance(event, QMouseEvent) \
                and event.button() == Qt.MouseButton.MiddleButton:
            index = self.bar.tabAt(event.position().toPoint())
            if 0 <= index < len(self._tabs):
                self.close_requested.emit(self._tabs[index])
                return True
        return False
