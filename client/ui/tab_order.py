"""The window's keyboard order: quickconnect, the Passive/Active switch, console, local
pane, remote pane, transfer queue, inspector — top to bottom, left to right, as a person
reads the window — and Tab always leaves a table or list.

Qt orders the focus chain by creation, so the dock (created last, but attached to the
window before the central widgets got their focus proxies) ended up right after the
quickconnect bar, and item views kept Tab for moving from cell to cell
(``tabKeyNavigation``), which traps a keyboard user inside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QWidget

__all__ = ["tab_stops", "chain_regions", "release_tab_from_views", "quiet_focus_arrival",
           "order_window"]


def tab_stops(region: QWidget, within: QWidget) -> list[QWidget]:
    """The widgets of ``region`` that take Tab, in ``within``'s current focus chain
    order (visible or not: a hidden or disabled stop is skipped by Qt, not lost)."""
    stops: list[QWidget] = []
    if _takes_tab(region):
        stops.append(region)
    start = within
    widget = start.nextInFocusChain()
    while widget is not None and widget is not start:
        if widget is not region and region.isAncestorOf(widget) and _takes_tab(widget) \
                and widget not in stops:
            stops.append(widget)
        widget = widget.nextInFocusChain()
    return stops


def _takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None


def chain_regions(window: QWidget, regions: Sequence[QWidget | Sequence[QWidget]]) -> list[QWidget]:
    """Put the regions' tab stops one after the other, the last back to the first;
    a region is a container widget or an explicit list of widgets. Returns the chain."""
    chain: list[QWidget] = []
    for region in regions:
        found: Iterable[QWidget] = tab_stops(region, window) if isinstance(region, QWidget) \
            else region
        chain.extend(w for w in found if w not in chain)
    for first, second in zip(chain, chain[1:], strict=False):
        QWidget.setTabOrder(first, second)
    _proxies_stand_in(window)
    return chain


def _proxies_stand_in(window: QWidget) -> None:
    """A container whose focus goes to a child (a tab widget to its tab bar) stays where
    Qt created it in the chain; as a tab stop of its own it would send Tab back to that
    child from the wrong place. The child is the stop; the container only takes clicks."""
    for holder in window.findChildren(QWidget):
        proxy = holder.focusProxy()
        if proxy is not None and holder.isAncestorOf(proxy) \
                and holder.focusPolicy() & Qt.FocusPolicy.TabFocus:
            holder.setFocusPolicy(Qt.FocusPolicy.ClickFocus)


def release_tab_from_views(root: QWidget) -> None:
    """Tab and Shift+Tab leave every item view (arrow keys still move inside it)."""
    for view in root.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)


class _QuietFocusArrival(QObject):
    """When focus reaches an item view without a current row, Qt makes the first row
    current; where the current row means "the user picked this line" (the console, the
    data-channel table: both turn Follow off), arriving by keyboard must not pick it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.FocusIn or not isinstance(watched, QAbstractItemView):
            return False
        selection = watched.selectionModel()
        if selection is None or watched.currentIndex().isValid():
            return False
        blocked = selection.blockSignals(True)
        try:
            watched.event(event)  # Qt's own focus-in, its "current row" unannounced
        finally:
            selection.blockSignals(blocked)
        return True


def quiet_focus_arrival(view: QAbstractItemView) -> None:
    """Focus reaching ``view`` by keyboard picks no row (see :class:`_QuietFocusArrival`).
    Once per view (the window orders its tab stops again for each connection tab shown)."""
    if view.findChild(_QuietFocusArrival) is not None:
        return
    guard = _QuietFocusArrival(view)
    view.installEventFilter(guard)


def order_window(window: QWidget, regions: Sequence[QWidget | Sequence[QWidget] | None],
                 quiet: Iterable[QAbstractItemView | None]) -> None:
    """Chain ``window``'s ``regions`` (None: a part not made yet) after releasing Tab
    from its views; the ``quiet`` views take focus without selecting a row."""
    release_tab_from_views(window)
    chain_regions(window, [region for region in regions if region is not None])
    for view in quiet:
        if view is not None:
            quiet_focus_arrival(view)
