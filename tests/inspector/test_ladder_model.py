"""The ladder model built from synthetic engine-event sequences (fixed timestamps)."""

from __future__ import annotations

import pytest
from ladder_scenarios import (
    ACTIVE_LISTENER,
    DATA_LOCAL,
    NAT_ADVERTISED,
    PASV_ENDPOINT,
    SERVER_DATA,
    Script,
    healthy_active_list,
    healthy_passive_list,
    nat_substitution,
    never_connected_back,
    passive_refused,
    silent_after_150,
    stalled_download,
    syn_unanswered,
)

from client.engine.events import DataFailure, DataPhase, Endpoint, SessionState
from client.engine.ladder import (
    ControlArrow,
    DataArrow,
    DataState,
    LadderModel,
    NoteMark,
    Side,
    redact_command,
)
from client.protocol.annotate import Severity


def build(events, **kw) -> LadderModel:
    model = LadderModel(**kw)
    model.feed_all(events)
    return model


def only_data_arrow(model: LadderModel) -> DataArrow:
    arrows = model.data_arrows()
    assert len(arrows) == 1
    return arrows[0]


def test_healthy_passive_list_arrows_and_lifelines() -> None:
    model = build(healthy_passive_list())
    lifelines = model.primary_lifelines()
    assert lifelines.client == Endpoint("127.0.0.1", 41230)
    assert lifelines.server == Endpoint("127.0.0.1", 2121)

    commands = [i.label for i in model.items if isinstance(i, ControlArrow) and i.is_command]
    assert commands == ["USER alice", "PASS ****", "TYPE I", "PASV", "LIST", "QUIT"]
    replies = [i.code for i in model.items if isinstance(i, ControlArrow) and not i.is_command]
    assert replies == [220, 331, 230, 200, 227, 150, 226, 221]

    pasv_reply = next(i for i in model.items if isinstance(i, ControlArrow) and i.code == 227)
    assert pasv_reply.source is Side.SERVER and pasv_reply.target is Side.CLIENT
    assert pasv_reply.decoded == ("127.0.0.1 port 195*256+80 = 50000",)

    arrow = only_data_arrow(model)
    assert arrow.source is Side.CLIENT and arrow.initiator == "client"
    assert arrow.method == "PASV" and arrow.command == "LIST"
    assert arrow.client_end == DATA_LOCAL and arrow.server_end == PASV_ENDPOINT
    assert arrow.endpoints_label == "127.0.0.1:41234 -> 127.0.0.1:50000"
    assert arrow.setup == "195*256+80 = 50000"
    assert arrow.setup_event_index == model.event_for_item(pasv_reply.index)
    assert arrow.state is DataState.CLOSED and arrow.failure is None
    assert arrow.bytes == 1234
    assert [p for p, _ in arrow.phase_times] == [
        DataPhase.ADVERTISED, DataPhase.CONNECTING, DataPhase.CONNECTED,
        DataPhase.FIRST_BYTE, DataPhase.CLOSED]
    assert arrow.time_of(DataPhase.CONNECTED) == pytest.approx(0.013)
    assert arrow.elapsed_at(99.0) == pytest.approx(0.005)  # closed: the timer stopped
    assert arrow.rate == pytest.approx(1234 / 0.003)
    assert arrow.status_text().startswith("closed: 1.2 KiB in 0.005 s")


def test_data_arrow_sits_where_the_connection_began() -> None:
    model = build(healthy_passive_list())
    arrow = only_data_arrow(model)
    before = model.items[arrow.index - 1]
    assert isinstance(before, ControlArrow) and before.code == 227
    after = model.items[arrow.index + 1]
    assert isinstance(after, ControlArrow) and after.label == "LIST"


def test_healthy_active_list_is_drawn_from_the_server() -> None:
    model = build(healthy_active_list())
    arrow = only_data_arrow(model)
    assert arrow.source is Side.SERVER and arrow.target is Side.CLIENT
    assert arrow.initiator == "server"
    assert arrow.method == "PORT"
    assert arrow.client_end == ACTIVE_LISTENER and arrow.server_end == SERVER_DATA
    # initiator first: the server dialled our listener
    assert arrow.endpoints_label == "127.0.0.1:2020 -> 127.0.0.1:40000"
    # the PORT command came after LISTENING (listen first) and still set it up
    port_cmd = next(i for i in model.items if isinstance(i, ControlArrow) and i.label.startswith("PORT"))
    assert port_cmd.decoded == ("127.0.0.1 port 156*256+64 = 40000",)
    assert arrow.setup == "156*256+64 = 40000"
    assert arrow.setup_event_index == port_cmd.event_index
    assert arrow.state is DataState.CLOSED and arrow.bytes == 2048


def test_passive_refused() -> None:
    model = build(passive_refused())
    arrow = only_data_arrow(model)
    assert arrow.state is DataState.FAILED
    assert arrow.failure is DataFailure.REFUSED
    assert arrow.failure_label == "refused"
    assert arrow.source is Side.CLIENT
    assert arrow.server_end == PASV_ENDPOINT
    assert arrow.elapsed_at(0.0) == pytest.approx(0.002)
    assert arrow.status_text() == "FAILED after 0.002 s: refused"
    assert arrow.reason == "[Errno 111] Connection refused"


def test_syn_unanswered_turns_waiting_then_fails() -> None:
    model = LadderModel(hung_after=1.0)
    events = syn_unanswered(hung_probe_at=1.5)
    states = []
    for event in events:
        model.feed(event)
        arrow = model.data_arrow(1)
        if arrow is not None:
            states.append(arrow.state)
    assert DataState.CONNECTING in states
    assert DataState.WAITING in states
    waiting_index = states.index(DataState.WAITING)
    assert states[waiting_index - 1] is DataState.CONNECTING
    arrow = only_data_arrow(model)
    assert arrow.state is DataState.FAILED
    assert arrow.failure is DataFailure.CONNECT_TIMEOUT
    assert arrow.failure_label == "SYN unanswered"
    assert arrow.waiting_for is None
    assert arrow.elapsed_at(0.0) == pytest.approx(2.001)


def test_waiting_names_what_is_awaited_for_a_live_view() -> None:
    events = syn_unanswered()[:-1]  # still connecting
    model = build(events, hung_after=3.0)
    arrow = only_data_arrow(model)
    assert arrow.state is DataState.CONNECTING
    assert arrow.status_text(now=1.012) == "connecting... 1.000 s"
    changed = model.refresh(now=4.0)
    assert changed == [arrow.index]
    arrow = only_data_arrow(model)
    assert arrow.state is DataState.WAITING
    assert arrow.waiting_for == "an answer to our SYN from 127.0.0.1:50000 (SYN-ACK)"
    assert arrow.status_text(now=4.012).startswith("WAITING 4.000 s: an answer to our SYN")
    assert model.refresh(now=5.0) == []  # already waiting: no churn


def test_nat_substitution_keeps_advertised_and_used_address() -> None:
    model = build(nat_substitution())
    arrow = only_data_arrow(model)
    assert arrow.advertised == NAT_ADVERTISED
    assert arrow.server_end == PASV_ENDPOINT  # what was actually dialled
    assert arrow.address_note and "10.0.0.5" in arrow.address_note
    assert arrow.state is DataState.CLOSED
    reply = next(i for i in model.items if isinstance(i, ControlArrow) and i.code == 227)
    assert reply.decoded == (
        "10.0.0.5 port 195*256+80 = 50000",
        "advertised 10.0.0.5 replaced by 127.0.0.1 (the control connection's peer)",
    )
    assert reply.severity is Severity.WARNING
    notes = [i for i in model.items if isinstance(i, NoteMark) and i.kind == "substitution"]
    assert len(notes) == 1 and notes[0].severity is Severity.WARNING


def test_silent_after_150() -> None:
    model = build(silent_after_150(), hung_after=1.0)
    arrow = only_data_arrow(model)
    assert arrow.failure is DataFailure.SILENT
    assert arrow.failure_label == "silent after 150"
    assert arrow.time_of(DataPhase.CONNECTED) is not None
    assert arrow.time_of(DataPhase.FIRST_BYTE) is None


def test_silent_connection_waits_for_the_first_byte() -> None:
    model = build(silent_after_150()[:-1])
    model.refresh(now=5.0)
    arrow = only_data_arrow(model)
    assert arrow.state is DataState.WAITING
    assert arrow.waiting_for.startswith("the first byte")


def test_stalled_download_tracks_progress_then_waits() -> None:
    events = stalled_download()
    model = build(events[:-1], hung_after=1.0)
    arrow = only_data_arrow(model)
    assert arrow.bytes == 131072
    assert arrow.last_progress_t == pytest.approx(0.200)  # 1.500 brought no new byte
    assert arrow.state is DataState.WAITING
    assert arrow.waiting_for == "more bytes (stalled mid-transfer)"
    model.feed(events[-1])
    arrow = only_data_arrow(model)
    assert arrow.failure is DataFailure.STALLED and arrow.bytes == 131072


def test_progress_brings_a_waiting_arrow_back() -> None:
    events = stalled_download()
    model = build(events[:-4], hung_after=1.0)  # up to FIRST_BYTE
    model.refresh(now=3.0)
    assert only_data_arrow(model).state is DataState.WAITING
    model.feed(Script().progress(3.1, 4096).events[0])
    arrow = only_data_arrow(model)
    assert arrow.state is DataState.TRANSFERRING and arrow.waiting_for is None
    assert arrow.bytes == 4096


def test_never_connected_back() -> None:
    model = build(never_connected_back())
    arrow = only_data_arrow(model)
    assert arrow.source is Side.SERVER
    assert arrow.failure is DataFailure.NEVER_CONNECTED_BACK
    assert arrow.failure_label == "never connected back"
    assert arrow.server_end is None
    assert arrow.endpoints_label == "server -> 127.0.0.1:40000"
    replies = [i.code for i in model.items if isinstance(i, ControlArrow) and i.code]
    assert replies[-1] == 425
    last = model.items[-1]
    assert isinstance(last, ControlArrow) and last.severity is Severity.ERROR  # annotator's


def test_reply_category_sets_a_severity_floor() -> None:
    script = (Script().reply(0.1, "425 Can't open data connection.", annotations=())
              .reply(0.2, "550 No such file.", annotations=())
              .reply(0.3, "226 Done.", annotations=()))
    model = build(script.events)
    assert [i.severity for i in model.items] == [
        Severity.WARNING, Severity.ERROR, Severity.INFO]


def test_active_listener_waits_for_the_server() -> None:
    model = build(never_connected_back()[:-2])
    model.refresh(now=10.0)
    arrow = only_data_arrow(model)
    assert arrow.waiting_for == (
        "the server to connect back to our listener on 127.0.0.1:40000")


def test_every_event_maps_to_its_item_and_back() -> None:
    events = healthy_passive_list()
    model = build(events)
    arrow = only_data_arrow(model)
    for event_index in arrow.event_indices:
        assert model.item_for_event(event_index) == arrow.index
    assert len(arrow.event_indices) == 5
    for item in model.items:
        assert model.item_for_event(item.event_index) == item.index
        assert model.event_for_item(item.index) == item.event_index
    assert model.events_seen == len(events)
    # READY is not drawn: its row maps to nothing
    ready = next(i for i, e in enumerate(events)
                 if getattr(e, "state", None) is SessionState.READY)
    assert model.item_for_event(ready) is None


def test_explicit_event_indices_are_kept() -> None:
    model = LadderModel()
    for offset, event in enumerate(healthy_passive_list()):
        model.feed(event, index=1000 + 2 * offset)
    first = model.items[0]
    assert first.event_index == 1000
    assert model.item_for_event(1000) == 0
    assert model.item_for_event(1001) is None


def test_password_never_reaches_the_diagram() -> None:
    model = LadderModel()
    script = Script().send(0.1, "PASS hunter2").send(0.2, "pass  s3cret").send(0.3, "ACCT acc0unt")
    model.feed_all(script.events)
    labels = [item.label for item in model.items]
    # one rendering rule everywhere (client.protocol.annotate.render_line): a fixed form
    assert labels == ["PASS ****", "PASS ****", "ACCT ****"]
    assert not any("hunter2" in label or "s3cret" in label for label in labels)


def test_control_characters_from_the_server_are_escaped() -> None:
    model = LadderModel()
    script = (Script().reply(0.1, "220 evil \x1b[31mred\x07 banner")
              .data(0.2, 9, DataPhase.FAILED, failure=DataFailure.RESET,
                    reason="reset by \x1b]0;title\x07", command="LIST \x1b[2J",
                    address_note="note \x1b[5m"))
    model.feed_all(script.events)
    reply, arrow = model.items
    assert "\x1b" not in reply.label and "\\x1b[31m" in reply.label
    assert "\x1b" not in arrow.reason and "\x07" not in arrow.reason
    assert arrow.command == "LIST \\x1b[2J"
    assert arrow.address_note == "note \\x1b[5m"


def test_redact_command_leaves_other_commands_alone() -> None:
    assert redact_command("PASSIVE") == "PASSIVE"
    assert redact_command("PASS") == "PASS ****"
    assert redact_command("PASS\x00hunter2") == "PASS ****"
    assert redact_command("USER bob") == "USER bob"
    assert redact_command("PASS a b c") == "PASS ****"


def test_connection_filter_and_lifelines_per_connection() -> None:
    first = healthy_passive_list()
    second = Script("c2").state(0.5, SessionState.CONNECTING, server=Endpoint("::1", 21),
                                local=Endpoint("::1", 5000)).send(0.6, "NOOP").events
    model = build(first + second, connection="c2")
    assert [type(i) for i in model.items] == [NoteMark, ControlArrow]
    assert model.primary_lifelines().server_label == "Server [::1]:21"
    assert model.events_seen == len(first) + len(second)
    every = build(first + second)
    assert set(every.lifelines) == {"c1", "c2"}
    assert every.primary_lifelines().connection == "c1"


def test_listeners_hear_additions_and_changes() -> None:
    model = LadderModel()
    heard: list[tuple[str, int]] = []
    remove = model.add_listener(lambda kind, index: heard.append((kind, index)))
    model.feed_all(passive_refused())
    arrow = only_data_arrow(model)
    assert ("added", arrow.index) in heard
    assert heard.count(("changed", arrow.index)) == 2  # CONNECTING, FAILED
    remove()
    model.clear()
    assert model.items == [] and heard[-1] != ("cleared", -1)


def test_ten_thousand_exchanges_build_linearly() -> None:
    """Not a timing test: counts work. Each event touches O(1) items, so the number of
    listener notifications is linear in the number of events."""
    script = Script().login()
    for n in range(10_000):
        t = 1.0 + n * 0.01
        script.send(t, "NOOP").reply(t + 0.001, "200 NOOP ok.")
    model = LadderModel()
    calls = 0

    def count(kind: str, index: int) -> None:
        nonlocal calls
        calls += 1

    model.add_listener(count)
    model.feed_all(script.events)
    assert len(model.items) > 20_000
    assert calls == len(model.items)
    assert model.item_for_event(len(script.events) - 1) == len(model.items) - 1


def test_tls_data_connection_keeps_its_phases_and_session_reuse() -> None:
    from ladder_scenarios import tls_epsv_download

    model = build(tls_epsv_download())
    arrow = only_data_arrow(model)
    assert arrow.tls and arrow.tls_detail == "TLSv1.3 TLS_AES_256_GCM_SHA384 (session reused)"
    assert [p for p, _ in arrow.phase_times] == [
        DataPhase.ADVERTISED, DataPhase.CONNECTING, DataPhase.CONNECTED,
        DataPhase.TLS_HANDSHAKE, DataPhase.TLS_ESTABLISHED, DataPhase.FIRST_BYTE,
        DataPhase.CLOSED]
    assert arrow.setup == "50000" and arrow.method == "EPSV"
    notes = [i.text for i in model.items if isinstance(i, NoteMark)]
    assert notes[2] == "TLS on the control connection: TLSv1.3 TLS_AES_256_GCM_SHA384 (new session)"
    # the data TLS event maps to the data arrow (its console row selects it)
    assert len(arrow.event_indices) == 8
