"""LadderView (pytest-qt, offscreen): layout, selection both ways, zoom, live states."""

from __future__ import annotations

import pytest
from ladder_scenarios import Script, healthy_passive_list, never_connected_back, syn_unanswered
from PySide6.QtCore import QPoint, Qt

from client.engine.ladder import ControlArrow, DataArrow, DataState, LadderModel
from client.ui.inspector.geometry import HEADER_HEIGHT
from client.ui.inspector.ladder_view import LadderView

pytestmark = pytest.mark.gui


def make_view(qtbot, events, **kw) -> LadderView:
    model = LadderModel(**kw)
    model.feed_all(events)
    view = LadderView(model)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def point_of(view: LadderView, index: int) -> QPoint:
    top = view.geometry_.top(index) * view.zoom - view.verticalScrollBar().value()
    return QPoint(300, int(top + 20 * view.zoom))


def test_clicking_an_arrow_emits_its_console_row(qtbot) -> None:
    view = make_view(qtbot, healthy_passive_list())
    view.set_follow_live(False)
    view.verticalScrollBar().setValue(0)
    arrow = view.model.data_arrows()[0]
    with qtbot.waitSignal(view.console_row_selected) as row, \
            qtbot.waitSignal(view.item_selected) as item:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, arrow.index))
    assert item.args == [arrow.index]
    assert row.args == [arrow.event_index]
    assert view.selected == arrow.index


def test_console_row_highlights_its_arrow(qtbot) -> None:
    events = healthy_passive_list()
    view = make_view(qtbot, events)
    pasv_row = next(i for i, e in enumerate(events) if getattr(e, "text", "") == "PASV")
    assert view.highlight_console_row(pasv_row)
    item = view.model.items[view.selected]
    assert isinstance(item, ControlArrow) and item.label == "PASV"
    # a data-channel phase row selects the data arrow
    arrow = view.model.data_arrows()[0]
    assert view.highlight_console_row(arrow.event_indices[-1])
    assert view.selected == arrow.index
    ready_row = next(i for i, e in enumerate(events) if getattr(e, "state", None)
                     and e.state.value == "ready")
    assert not view.highlight_console_row(ready_row)


def test_only_items_in_view_are_laid_out_for_painting(qtbot) -> None:
    script = Script().login()
    for n in range(10_000):
        script.send(1 + n * 0.01, "NOOP").reply(1.001 + n * 0.01, "200 NOOP ok.")
    view = make_view(qtbot, script.events)
    assert len(view.geometry_) == len(view.model.items) > 20_000
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0  # following the live end
    y0 = bar.value() / view.zoom
    visible = view.geometry_.visible(y0, y0 + view.viewport().height())
    assert 0 < len(visible) < 40
    assert visible[-1] == len(view.model.items) - 1
    view.grab()  # paints without touching the other 20,000 items


def test_zoom_to_fit_and_back(qtbot) -> None:
    view = make_view(qtbot, healthy_passive_list())
    big = Script().login()
    for n in range(100):
        big.send(1 + n, "NOOP").reply(1.5 + n, "200 ok")
    view.model.feed_all(big.events)
    qtbot.waitUntil(lambda: len(view.geometry_) == len(view.model.items))
    view.zoom_to_fit()
    assert view.zoom < 1.0
    assert view.geometry_.content_height * view.zoom + view.y_offset <= view.viewport().height() + 1
    assert view.verticalScrollBar().maximum() <= 1
    view.reset_zoom()
    assert view.zoom == 1.0
    view.zoom_in()
    assert view.zoom == pytest.approx(1.25)


def test_live_arrow_turns_waiting_on_the_views_clock(qtbot) -> None:
    now = [1.0]
    model = LadderModel(hung_after=2.0)
    model.feed_all(syn_unanswered()[:-1])
    view = LadderView(model, clock=lambda: now[0])
    qtbot.addWidget(view)
    view.show()
    arrow = model.data_arrows()[0]
    assert arrow.state is DataState.CONNECTING
    assert view._timer.isActive()  # animating while a connection is live
    now[0] = 3.0
    qtbot.waitUntil(lambda: model.data_arrows()[0].state is DataState.WAITING, timeout=15_000)
    assert "SYN" in view.tooltip_for(arrow.index)
    model.feed(syn_unanswered()[-1])
    qtbot.waitUntil(lambda: not view._timer.isActive(), timeout=15_000)
    assert model.data_arrows()[0].state is DataState.FAILED


def test_header_click_selects_nothing(qtbot) -> None:
    view = make_view(qtbot, never_connected_back())
    assert view.item_at(QPoint(300, HEADER_HEIGHT // 2)) is None


def test_keyboard_moves_the_selection(qtbot) -> None:
    view = make_view(qtbot, healthy_passive_list())
    view.setFocus()
    with qtbot.waitSignal(view.console_row_selected):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected == 0
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected == 1


def test_cleared_model_resets_the_view(qtbot) -> None:
    view = make_view(qtbot, healthy_passive_list())
    view.select_item(3)
    view.model.clear()
    qtbot.waitUntil(lambda: len(view.geometry_) == 0)
    assert view.selected is None
    view.model.feed_all(healthy_passive_list())
    qtbot.waitUntil(lambda: len(view.geometry_) == len(view.model.items))
    assert isinstance(view.model.items[view.model.data_arrows()[0].index], DataArrow)


def test_user_scrolling_leaves_the_live_end(qtbot) -> None:
    script = Script().login()
    for n in range(200):
        script.send(1 + n, "NOOP").reply(1.5 + n, "200 ok")
    view = make_view(qtbot, script.events)
    assert view.follow_live
    with qtbot.waitSignal(view.follow_live_changed) as changed:
        view.verticalScrollBar().triggerAction(view.verticalScrollBar().SliderAction.SliderPageStepSub)
    assert changed.args == [False] and not view.follow_live
    view.model.feed_all(Script().send(500, "NOOP").events)
    qtbot.waitUntil(lambda: len(view.geometry_) == len(view.model.items))
    bar = view.verticalScrollBar()
    assert bar.value() < bar.maximum()  # stayed where the user looked
    view.set_follow_live(True)
    assert bar.value() == bar.maximum()


def test_colours_follow_a_dark_palette(qtbot) -> None:
    from PySide6.QtGui import QColor, QPalette

    view = make_view(qtbot, healthy_passive_list())
    assert view.painter_.colours.background.lightness() > 200
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    view.setPalette(palette)
    assert view.painter_.colours.background.lightness() < 60
    image = view.viewport().grab().toImage()
    assert image.pixelColor(image.width() // 2, image.height() - 5).lightness() < 60


def test_home_end_and_the_accessible_description(qtbot) -> None:
    view = make_view(qtbot, healthy_passive_list())
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.selected == len(view.model.items) - 1
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.selected == 0
    arrow = view.model.data_arrows()[0]
    view.select_item(arrow.index)
    assert "127.0.0.1:41234 -> 127.0.0.1:50000" in view.accessibleDescription()


def test_a_closed_view_does_not_break_the_model(qtbot) -> None:
    """The model outlives its views (the dock can be closed while a session runs)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication
    from shiboken6 import isValid

    from client.ui.inspector.dock import InspectorPanel

    model = LadderModel()
    panel = InspectorPanel(model=model)
    panel.show()
    panel.close()
    panel.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not isValid(panel)
    model.feed_all(healthy_passive_list())  # listeners of deleted widgets stay quiet
    model.refresh(100.0)
    model.clear()
    QApplication.processEvents()


def test_overview_keeps_the_width_and_clicks_still_hit(qtbot) -> None:
    from client.ui.inspector.ladder_painter import TEXT_MIN_SCALE

    script = Script().login()
    for n in range(400):
        script.send(1 + n, "NOOP").reply(1.5 + n, "200 ok")
    events = script.events + syn_unanswered()[10:]
    view = make_view(qtbot, events)
    view.zoom_to_fit()
    assert view.zoom < TEXT_MIN_SCALE
    assert view.x_zoom == 1.0
    assert view.content_width() == max(view.viewport().width(), 320)
    assert view.horizontalScrollBar().maximum() == 0
    arrow = view.model.data_arrows()[0]
    y = view.geometry_.top(arrow.index) * view.zoom - view.verticalScrollBar().value()
    y += 26 * view.zoom + view.y_offset  # the arrow's line, below the full-size header
    with qtbot.waitSignal(view.item_selected) as chosen:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(300, int(y)))
    assert abs(chosen.args[0] - arrow.index) <= 1  # a pixel covers ~20 content rows here
    # nothing hides under the header: the first item starts below it
    first_top = view.geometry_.top(0) * view.zoom + view.y_offset - view.verticalScrollBar().value()
    assert first_top >= view.header_pixels - 1
    view.grab()


def test_running_timer_survives_the_turn_to_waiting(qtbot) -> None:
    """Without an engine clock the view extrapolates from the last event's arrival; its
    own refresh (which turns an arrow WAITING) must not restart that clock."""
    import time

    model = LadderModel(hung_after=3.0)
    model.feed_all(syn_unanswered()[:-1])
    view = LadderView(model)
    qtbot.addWidget(view)
    view._last_arrival = time.monotonic() - 5.0  # five seconds without a new event
    before = view.now()
    view._tick()
    assert model.data_arrows()[0].state is DataState.WAITING
    assert view.now() >= before  # not back to the last event's time
    assert "WAITING 5." in model.data_arrows()[0].status_text(view.now())


def test_an_open_connection_says_how_long_it_took_and_how_long_it_is_open(qtbot) -> None:
    """A person hovering a live green arrow: "established after 0.987 s" read as a slow
    connect, and the number grew while nothing happened. It says the connect time, which
    stays, and how long the connection has been open, which counts on."""
    from ladder_scenarios import silent_after_150

    now = [1.0]
    model = LadderModel(hung_after=3.0)
    model.feed_all(silent_after_150()[:-1])  # connected at 0.013 (dialled at 0.012), 150 sent
    view = LadderView(model, clock=lambda: now[0])
    qtbot.addWidget(view)
    view.show()
    arrow = model.data_arrows()[0]
    assert arrow.state is DataState.ESTABLISHED
    first = view.tooltip_for(arrow.index)
    assert "established in 0.002 s" in first and "open for 0.987 s" in first
    now[0] = 2.0
    later = view.tooltip_for(arrow.index)
    assert "established in 0.002 s" in later and "open for 1.987 s" in later
