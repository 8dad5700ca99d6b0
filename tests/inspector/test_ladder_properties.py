"""Properties of the ladder model under arbitrary event sequences (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from ladder_scenarios import Script

from client.engine.events import DataChannelEvent, DataFailure, DataPhase, Endpoint
from client.engine.ladder import DataArrow, DataState, LadderModel
from client.engine.ladder_ascii import render_ladder

endpoints = st.none() | st.builds(Endpoint, st.sampled_from(["127.0.0.1", "::1", "10.0.0.5"]),
                                  st.integers(1, 65535))
data_events = st.builds(
    lambda t, channel, phase, initiator, method, local, remote, failure, nbytes: DataChannelEvent(
        t=t, connection="c1", channel=channel, phase=phase, initiator=initiator,
        method=method, command="LIST", local=local, remote=remote,
        failure=failure if phase is DataPhase.FAILED else None, bytes=nbytes),
    st.floats(0, 100, allow_nan=False), st.integers(1, 4), st.sampled_from(list(DataPhase)),
    st.sampled_from(["client", "server"]), st.sampled_from(["PASV", "EPSV", "PORT", "EPRT", None]),
    endpoints, endpoints, st.sampled_from(list(DataFailure)), st.integers(0, 10**9))
control_events = st.builds(
    lambda t, text: Script().send(t, text).events[0],
    st.floats(0, 100, allow_nan=False),
    st.sampled_from(["PASV", "EPSV", "LIST", "PORT 127,0,0,1,195,80", "PASS x"]))
any_events = st.lists(data_events | control_events, max_size=40)


@settings(max_examples=150, deadline=None)
@given(any_events, st.floats(0, 200, allow_nan=False))
def test_model_invariants(events, now) -> None:
    model = LadderModel(hung_after=1.0)
    model.feed_all(events)
    model.refresh(now)
    channels = {e.channel for e in events if isinstance(e, DataChannelEvent)}
    arrows = model.data_arrows()
    assert sorted(a.channel for a in arrows) == sorted(channels)
    for index, item in enumerate(model.items):
        assert item.index == index
        assert model.item_for_event(item.event_index) == index
    for arrow in arrows:
        assert isinstance(model.items[arrow.index], DataArrow)
        own = [e for e in events if isinstance(e, DataChannelEvent) and e.channel == arrow.channel]
        if any(e.phase is DataPhase.FAILED for e in own):
            assert arrow.state is DataState.FAILED  # a failure is never hidden
        if arrow.state.is_open:
            assert model.has_open_channels
            assert arrow.end_t is None
        else:
            assert arrow.end_t is not None
        for index in arrow.event_indices:
            assert model.item_for_event(index) == arrow.index
    assert all("PASS x" not in getattr(i, "label", "") for i in model.items)
    text = render_ladder(model, width=72, now=now)
    assert all(len(line) <= 72 for line in text.splitlines())


def test_failure_after_close_stays_a_failure() -> None:
    script = (Script().data(0.1, 1, DataPhase.CONNECTING).data(0.2, 1, DataPhase.CLOSED, bytes=5)
              .data(0.3, 1, DataPhase.FAILED, failure=DataFailure.SERVER_REFUSED,
                    reason="426 aborted")
              .data(0.4, 1, DataPhase.CLOSED))
    model = LadderModel()
    model.feed_all(script.events)
    arrow = model.data_arrows()[0]
    assert arrow.state is DataState.FAILED and arrow.failure is DataFailure.SERVER_REFUSED
    assert arrow.end_t == 0.3 and not model.has_open_channels
