"""The protocol console: event -> line conversion, redaction, escaping, exports, and the
model under 100,000 events delivered by the bridge in bounded batches."""

from __future__ import annotations

import json

from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    EventBus,
    LineSent,
    Notice,
    ReplyReceived,
)
from client.protocol.annotate import Annotation, Severity
from client.protocol.replies import Reply
from client.ui.console import export
from client.ui.console.lines import ConsoleKind, lines_from_event, redact_command


def _reply(code: int, *lines: str) -> Reply:
    return Reply(code=code, lines=lines)


def test_pass_is_redacted_even_if_the_engine_forgot() -> None:
    event = LineSent(t=0.0, connection="c1", text="PASS hunter2")
    (line,) = lines_from_event(event, 0.0)
    assert "hunter2" not in line.text and line.text == "PASS ****"
    assert redact_command("acct  secret account") == "ACCT ****"
    # a separator other than a space must not let the secret through (it used to)
    assert redact_command("PASS\x00hunter2") == "PASS ****"
    assert redact_command("PASS\thunter2") == "PASS ****"
    assert redact_command("LIST") == "LIST"


def test_control_characters_from_the_server_are_escaped() -> None:
    event = ReplyReceived(t=0.0, connection="c1", reply=_reply(220, "220 hi\x1b[31mred\x07"))
    (line,) = lines_from_event(event, 0.0)
    assert "\x1b" not in line.text and "\\x1b[31m" in line.text and "\\x07" in line.text


def test_227_shows_decoded_address_and_arithmetic_inline() -> None:
    annotation = Annotation(Severity.INFO, "Passive: the client will connect to 10.0.0.5:50000",
                            {"kind": "pasv", "host": "10.0.0.5", "port": 50000,
                             "arithmetic": "195*256+80 = 50000"})
    event = ReplyReceived(t=1.0, connection="c1",
                          reply=_reply(227, "227 Entering Passive Mode (10,0,0,5,195,80)"),
                          annotations=(annotation,))
    (line,) = lines_from_event(event, 0.0)
    assert line.inline == "→ 10.0.0.5:50000  (195*256+80 = 50000)"
    assert line.annotations == (("info", annotation.text),)


def test_229_shows_the_control_peer_it_dials_when_known() -> None:
    from client.protocol.annotate import AnnotationContext, Annotator
    from client.protocol.replies import Reply as WireReply

    reply = _reply(229, "229 Entering Extended Passive Mode (|||47981|)")
    for peer, inline in (("127.0.0.1", "→ 127.0.0.1:47981  (the control connection's host)"),
                         ("::1", "→ [::1]:47981  (the control connection's host)"),
                         (None, "→ port 47981 on the control connection's host")):
        annotator = Annotator(AnnotationContext(control_peer=peer))
        annotator.sent("EPSV")
        notes = tuple(annotator.received(WireReply(code=229, lines=reply.lines)))
        (line,) = lines_from_event(ReplyReceived(t=0.0, connection="c1", reply=reply,
                                                 annotations=notes), 0.0)
        assert line.inline == inline
    # no annotation at all: decoded by the protocol layer, no placeholder address
    (line,) = lines_from_event(ReplyReceived(t=0.0, connection="c1", reply=reply), 0.0)
    assert line.inline == "→ port 47981 on the control connection's host"


def test_port_line_decoded_by_the_protocol_layer_without_annotations() -> None:
    (line,) = lines_from_event(LineSent(t=0.0, connection="c1", text="PORT 127,0,0,1,195,80"), 0.0)
    assert "127.0.0.1:50000" in line.inline and "195*256+80" in line.inline


def test_multiline_reply_gives_one_row_per_wire_line() -> None:
    event = ReplyReceived(t=0.0, connection="c1",
                          reply=_reply(211, "211-Features:", " MLSD", " EPSV", "211 End"))
    lines = lines_from_event(event, 0.0)
    assert [x.text for x in lines] == ["211-Features:", " MLSD", " EPSV", "211 End"]


def test_data_failure_is_an_error_line() -> None:
    event = DataChannelEvent(t=2.0, connection="c1", channel=3, phase=DataPhase.FAILED,
                             initiator="client", method="PASV", command="LIST",
                             local=Endpoint("127.0.0.1", 40000),
                             remote=Endpoint("127.0.0.1", 50000),
                             failure=DataFailure.CONNECT_TIMEOUT, elapsed=2.0)
    (line,) = lines_from_event(event, 0.0)
    assert line.kind is ConsoleKind.ERROR and "syn-unanswered" in line.text
    assert "127.0.0.1:40000 → 127.0.0.1:50000" in line.text


def test_exports_redact_and_keep_annotations() -> None:
    ann = Annotation(Severity.WARNING, "private address", {})
    events = [
        LineSent(t=0.0, connection="c1", text="USER alice"),
        LineSent(t=0.1, connection="c1", text="PASS topsecret"),
        ReplyReceived(t=0.2, connection="c1", reply=_reply(230, "230 ok"), annotations=(ann,)),
        Notice(t=0.3, connection="c1", severity=Severity.WARNING, text="```injected"),
    ]
    lines = [x for e in events for x in lines_from_event(e, 1_700_000_000.0)]
    text, md, jsonl = export.to_text(lines), export.to_markdown(lines), export.to_jsonl(lines)
    for out in (text, md, jsonl):
        assert "topsecret" not in out and "PASS ****" in out and "private address" in out
    records = [json.loads(r) for r in jsonl.splitlines()]
    assert records[2]["annotations"] == [{"severity": "warning", "text": "private address"}]
    assert md.count("```") == 2  # server text cannot close the fence


def test_model_filters_collapses_and_finds(qapp) -> None:
    from client.ui.console.model import ConsoleModel

    model = ConsoleModel()
    ann = Annotation(Severity.INFO, "explains", {})
    events = [LineSent(t=0.0, connection="c1", text="PASV"),
              ReplyReceived(t=0.1, connection="c1", reply=_reply(227, "227 (127,0,0,1,4,1)"),
                            annotations=(ann, ann)),
              Notice(t=0.2, connection="c1", severity=Severity.ERROR, text="boom")]
    model.append_lines([x for e in events for x in lines_from_event(e, 0.0)])
    assert model.rowCount() == 5  # PASV, 227, two annotations, boom
    assert "↳ explains" in model.data(model.index(2))
    model.toggle_expanded(1)
    assert model.rowCount() == 3 and "[+2]" in model.data(model.index(1))
    model.set_kinds({ConsoleKind.COMMAND})
    assert model.rowCount() == 1
    model.set_kinds(set(ConsoleKind))
    assert model.find("boom", 0) == 2
    assert model.last_error_seq == 2 and model.row_of_seq(2) == 2


def test_model_caps_old_lines(qapp) -> None:
    from client.ui.console.model import ConsoleModel

    model = ConsoleModel(max_lines=1000)
    for i in range(30):
        model.append_lines([x for j in range(100) for x in lines_from_event(
            LineSent(t=float(i), connection="c1", text=f"NOOP {i}-{j}"), 0.0)])
    assert len(model.lines()) <= 1000 and model.rowCount() == len(model.lines())
    assert model.data(model.index(model.rowCount() - 1)).endswith("NOOP 29-99")


def test_bridge_delivers_100k_events_in_bounded_batches(qapp, qtbot) -> None:
    """100,000 events arrive at once: every flush delivers at most its batch limit (which
    adapts to the time budget but never exceeds _LARGEST_BATCH), so the window keeps
    painting between flushes, and the console ends up with every line. (Wall time is not
    asserted: it depends on the machine.)"""
    from client.ui import bridge as bridge_module
    from client.ui.bridge import EngineBridge
    from client.ui.console.widget import ConsoleWidget

    bus = EventBus()
    bridge = EngineBridge(budget=0.020)
    console = ConsoleWidget(max_lines=200_000)
    bridge.console_lines.connect(console.append)
    bridge.observe(bus)
    for i in range(100_000):
        bus.emit(LineSent(t=i / 1000, connection="c1", text=f"NOOP {i}"))
    flushes: list[tuple[int, int]] = []  # (the flush's batch limit, events it delivered)
    delivered: list[int] = []
    bridge.events.connect(lambda batch: delivered.append(len(batch)))
    original = bridge.flush

    def counted_flush() -> None:
        limit, before = bridge._batch_limit, len(delivered)
        original()
        assert len(delivered) - before <= 1  # one batch per flush
        flushes.append((limit, sum(delivered[before:])))

    bridge._timer.timeout.disconnect()
    bridge._timer.timeout.connect(counted_flush)
    qtbot.waitUntil(lambda: bridge.backlog == 0 and not bridge._timer.isActive(), timeout=30_000)
    assert console.model.rowCount() == 100_000
    assert sum(count for _, count in flushes) == 100_000
    # every flush delivers at most its batch limit, and the limit itself stays bounded:
    # 100,000 events can never arrive in one turn of the event loop
    assert all(0 < count <= limit <= bridge_module._LARGEST_BATCH for limit, count in flushes)
    assert flushes[0][0] == bridge_module._FIRST_BATCH
    assert len(flushes) >= 100_000 // bridge_module._LARGEST_BATCH + 1
    bridge.close()


def test_bridge_accepts_events_from_another_thread(qapp, qtbot) -> None:
    import threading

    from client.ui.bridge import EngineBridge

    bus = EventBus()
    bridge = EngineBridge()
    got: list = []
    bridge.console_lines.connect(got.extend)
    bridge.observe(bus)
    worker = threading.Thread(target=lambda: [bus.emit(LineSent(t=0.0, connection="c9",
                                                                text=f"NOOP {i}"))
                                              for i in range(500)])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(got) == 500, timeout=15_000)
    assert got[-1].text == "NOOP 499"
    bridge.close()


def test_widget_follow_pause_copy_and_select(qapp, qtbot) -> None:
    from PySide6.QtGui import QGuiApplication

    from client.ui.console.widget import ConsoleWidget

    console = ConsoleWidget()
    console.resize(600, 300)
    console.show()
    qtbot.waitExposed(console)

    def add(count: int, start: int = 0) -> None:
        console.append([x for i in range(start, start + count) for x in lines_from_event(
            LineSent(t=float(i), connection="c1", text=f"NOOP {i}"), 0.0)])
        qapp.processEvents()

    add(500)
    bar = console.view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0
    console.autoscroll_button.setChecked(False)
    bar.setValue(0)
    add(500, 500)
    assert bar.value() == 0  # paused: the view stays where the user is reading
    console.append(lines_from_event(LineSent(t=0.0, connection="c1", text="PASS secret"), 0.0))
    last = console.model.rowCount() - 1
    assert console.select_line(console.model.seq_of_row(last))
    with qtbot.waitSignal(console.copied, timeout=15_000) as copied:
        assert console.copy_selection() is None  # one row: copied at once
    assert copied.args == [1]
    text = QGuiApplication.clipboard().text()
    assert text.endswith("PASS ****") and "secret" not in text
    console.close()


def test_huge_line_is_shortened_on_screen_but_exported_whole(qapp) -> None:
    from client.ui.console.model import ConsoleModel

    model = ConsoleModel()
    huge = "550 " + "A" * 60_000
    model.append_lines(lines_from_event(ReplyReceived(t=0.0, connection="c1",
                                                      reply=_reply(550, huge)), 0.0))
    shown = model.data(model.index(0))
    assert len(shown) < 2200 and "+58004 characters" in shown
    assert huge in export.to_text(model.lines())
