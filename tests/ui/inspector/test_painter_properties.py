"""The painter copes with whatever the model holds (Hypothesis): any mix of arrows,
hostile text, open and failed connections, at any zoom and width."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ladder_scenarios import Script
from PySide6.QtGui import QImage, QPainter

from client.engine.events import DataFailure, DataPhase, Endpoint
from client.engine.ladder import LadderModel
from client.ui.inspector.geometry import LadderGeometry
from client.ui.inspector.ladder_painter import LadderPainter

pytestmark = pytest.mark.gui

texts = st.text(max_size=200)
steps = st.lists(st.one_of(
    st.tuples(st.just("send"), texts),
    st.tuples(st.just("reply"), texts),
    st.tuples(st.just("note"), texts),
    st.tuples(st.just("data"), st.integers(1, 3), st.sampled_from(list(DataPhase)),
              st.sampled_from(["client", "server"]), texts),
), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps, st.floats(0.05, 3.0), st.integers(100, 1400), st.floats(0, 50))
def test_painting_never_fails(qapp, plan, zoom, width, now) -> None:
    script = Script()
    for n, step in enumerate(plan):
        t = n * 0.1
        if step[0] == "send":
            script.send(t, step[1])
        elif step[0] == "reply":
            script.reply(t, "500 " + step[1], annotations=())
        elif step[0] == "note":
            script.notice(t, step[1])
        else:
            _, channel, phase, initiator, reason = step
            script.data(t, channel, phase, initiator=initiator, command="LIST " + reason,
                        remote=Endpoint("::1", 50000), reason=reason,
                        failure=DataFailure.RESET if phase is DataPhase.FAILED else None)
    model = LadderModel(hung_after=1.0)
    model.feed_all(script.events)
    model.refresh(now)
    geometry = LadderGeometry(model)
    geometry.sync()
    image = QImage(max(1, width), 400, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        painter.scale(zoom, zoom)
        y0 = 0.0
        LadderPainter(model, geometry).paint(painter, width / zoom, y0, y0 + 400 / zoom,
                                             selected=0 if model.items else None, now=now,
                                             animation=now)
    finally:
        painter.end()
