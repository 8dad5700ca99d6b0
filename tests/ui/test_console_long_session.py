"""The console on a long session: search reads the lines' raw text, kind filters and
collapsing keep exactly the rows they should (compared with a plain reference over
thousands of lines, across search blocks and after old lines are dropped), and copy and
export build their text a slice at a time while the window keeps running."""

from __future__ import annotations

import asyncio
import random

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication

from client.ui.console import export
from client.ui.console.lines import ConsoleKind, ConsoleLine
from client.ui.console.model import IS_ANNOTATION_ROLE, SEQ_ROLE, ConsoleModel

KINDS = list(ConsoleKind)


def make_lines(count: int, start: int = 0) -> list[ConsoleLine]:
    out = []
    for seq in range(start, start + count):
        kind = KINDS[seq % len(KINDS)]
        annotations = tuple(("info", f"Note {seq}.{i} explains") for i in range(seq % 3))
        inline = f"→ 10.0.{seq % 256}.5:50000" if seq % 5 == 0 else ""
        out.append(ConsoleLine(kind, f"NOOP {seq} {kind.value}", t=seq / 10,
                               wall=1_700_000_000 + seq / 10, connection="c1",
                               inline=inline, annotations=annotations))
    return out


def reference_rows(lines: list[ConsoleLine], first_seq: int, kinds: set[ConsoleKind],
                   show: bool, collapsed: set[int]) -> list[tuple[int, int]]:
    """The rows as the console showed them before it was optimised: one plain pass."""
    rows = []
    for offset, line in enumerate(lines):
        seq = first_seq + offset
        if line.kind not in kinds:
            continue
        rows.append((seq, -1))
        if show and line.annotations and seq not in collapsed:
            rows.extend((seq, i) for i in range(len(line.annotations)))
    return rows


def reference_find(rows: list[tuple[int, int]], lines: list[ConsoleLine], first_seq: int,
                   needle: str, start: int, backwards: bool) -> int | None:
    needle = needle.casefold()
    count = len(rows)
    for offset in range(1, count + 1):
        row = (start + (-offset if backwards else offset)) % count
        seq, ann = rows[row]
        line = lines[seq - first_seq]
        texts = [line.annotations[ann][1]] if ann >= 0 else [line.text, line.inline]
        if any(needle in text.casefold() for text in texts):
            return row
    return None


def shown_rows(model: ConsoleModel) -> list[tuple[int, str, bool]]:
    return [(model.data(model.index(r), SEQ_ROLE), model.data(model.index(r)),
             model.data(model.index(r), IS_ANNOTATION_ROLE)) for r in range(model.rowCount())]


def check_same(model: ConsoleModel, rows: list[tuple[int, int]], lines: list[ConsoleLine],
               first_seq: int) -> None:
    shown = shown_rows(model)
    assert len(shown) == len(rows)
    for (seq, ann), (shown_seq, text, is_annotation) in zip(rows, shown, strict=True):
        line = lines[seq - first_seq]
        assert shown_seq == seq and is_annotation == (ann >= 0)
        if ann >= 0:
            assert text.endswith(f"↳ {line.annotations[ann][1]}")
        else:
            assert line.text in text
            assert ("[+" in text) == bool(line.annotations and (seq in model._collapsed
                                                                 or not model._show_annotations))


NEEDLES = ["note 1", "NOTE 2999.1", "noop 30", "10.0.7.", "explains", "warning", "nothing here",
           "1.1 exp", "noop 4"]


def test_filters_collapse_and_search_match_a_plain_reference(qapp) -> None:
    rng = random.Random(7)
    model = ConsoleModel(max_lines=2_500)
    appended = 0
    kinds, show, collapsed = set(ConsoleKind), True, set()
    for step in range(40):
        action = rng.choice(["append", "kinds", "toggle", "annotations", "find", "find"])
        if action == "append" or step == 0:
            batch = rng.randint(1, 900)
            model.append_lines(make_lines(batch, appended))
            appended += batch
        elif action == "kinds":
            kinds = set(rng.sample(KINDS, rng.randint(1, len(KINDS))))
            model.set_kinds(kinds)
        elif action == "toggle" and model.rowCount():
            row = rng.randrange(model.rowCount())
            seq = model.seq_of_row(row)
            model.toggle_expanded(row)
            if model.line(seq).annotations:
                collapsed ^= {seq}
        elif action == "annotations":
            show = not show
            model.set_show_annotations(show)
        lines = model.lines()
        first = appended - len(lines)
        collapsed = {s for s in collapsed if s >= first}
        rows = reference_rows(lines, first, kinds, show, collapsed)
        check_same(model, rows, lines, first)
        if action == "find" and rows:
            for needle in NEEDLES:
                for backwards in (False, True):
                    start = rng.randrange(-1, len(rows))
                    assert model.find(needle, start, backwards=backwards) == \
                        reference_find(rows, lines, first, needle, start, backwards), \
                        (needle, start, backwards)
    assert appended > 2_500  # old lines were dropped along the way
    model.clear()
    assert model.rowCount() == 0 and model.find("noop", 0) is None
    model.append_lines(make_lines(1_500, appended))
    assert model.find("noop", -1) == 0


def test_search_looks_at_raw_text_not_the_formatted_row(qapp) -> None:
    model = ConsoleModel()
    model.append_lines(make_lines(3_000))
    # the text, the decoded address and each annotation are searched, case-insensitively
    assert model.seq_of_row(model.find("noop 2998 ", 0)) == 2998
    row = model.find("note 2999.1 EXPLAINS", 0)
    assert model.data(model.index(row)).endswith("Note 2999.1 explains")
    assert model.seq_of_row(model.find("10.0.5.5", 0)) == 5
    # a match beyond the 2,000 characters shown is still found
    model.append_lines([ConsoleLine(ConsoleKind.REPLY, "550 " + "A" * 5_000 + "tail",
                                    t=0.0, wall=0.0, connection="c1")])
    assert model.find("atail", 0) == model.rowCount() - 1
    assert model.find("(+", 0) is None  # the "[+N]"/"(+N characters" decorations are not text


def test_typing_a_search_and_enter_selects_the_next_match(qapp, qtbot) -> None:
    from client.ui.console.widget import ConsoleWidget

    console = ConsoleWidget()
    console.resize(700, 300)
    console.show()
    qtbot.waitExposed(console)
    console.append(make_lines(5_000))
    qtbot.keyClicks(console.search, "note 4")
    qtbot.keyClick(console.search, Qt.Key.Key_Return)
    first = console.view.currentIndex()
    assert first.isValid() and "Note 4" in first.data()
    qtbot.keyClick(console.search, Qt.Key.Key_Return)
    second = console.view.currentIndex()
    assert second.row() > first.row() and "Note 4" in second.data()
    console.close()


def test_double_click_collapses_one_line_and_keeps_the_others(qapp, qtbot) -> None:
    from client.ui.console.widget import ConsoleWidget

    console = ConsoleWidget()
    console.resize(700, 300)
    console.show()
    qtbot.waitExposed(console)
    console.autoscroll_button.setChecked(False)
    console.append(make_lines(3_000))
    model = console.model
    before = model.rowCount()
    row = model.row_of_seq(2)  # line 2 has two annotations, rows 3 and 4 (line 1 has one)
    centre = console.view.visualRect(model.index(row)).center()
    # the list lays its rows out in batches, a few turns of the event loop
    qtbot.waitUntil(lambda: console.view.indexAt(centre).row() == row)
    # a real double click: press and release, then the double-click event
    qtbot.mouseClick(console.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(console.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert model.rowCount() == before - 2
    assert model.data(model.index(row)).endswith("[+2]")
    assert model.seq_of_row(row + 1) == 3
    qtbot.mouseClick(console.kind_buttons[ConsoleKind.COMMAND], Qt.MouseButton.LeftButton)
    assert all(model.line(model.seq_of_row(r)).kind is not ConsoleKind.COMMAND
               for r in range(model.rowCount()))
    qtbot.mouseClick(console.kind_buttons[ConsoleKind.COMMAND], Qt.MouseButton.LeftButton)
    assert model.rowCount() == before - 2  # line 2 is still collapsed
    console.close()


def _heartbeat(task_done) -> tuple[QTimer, list[bool]]:
    """A zero-interval Qt timer: it fires on every turn of the Qt event loop, so it
    only fires while the operation is pending if the operation lets the loop turn."""
    beats: list[bool] = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: beats.append(task_done()))
    timer.start()
    return timer, beats


def test_ctrl_c_on_a_large_selection_copies_in_slices(qloop, qtbot) -> None:
    from client.ui.console.widget import COPY_IN_PLACE, SLICE_ROWS, ConsoleWidget

    console = ConsoleWidget()
    console.resize(700, 300)
    with qtbot.waitActive(console):
        console.show()
        console.activateWindow()
    console.append(make_lines(6_000))
    model = console.model
    assert model.rowCount() > max(COPY_IN_PLACE, 8 * SLICE_ROWS)
    QGuiApplication.clipboard().setText("before")
    console.view.setFocus()
    qtbot.keyClick(console.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    copies = []
    console.copied.connect(copies.append)
    qtbot.keyClick(console.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "before"  # not built in the key press
    assert len(console._tasks) == 1
    (task,) = console._tasks
    timer, beats = _heartbeat(task.done)
    qtbot.waitUntil(task.done, timeout=20_000)
    timer.stop()
    assert copies == [model.rowCount()]
    expected = "\n".join(model.data(model.index(r)) for r in range(model.rowCount()))
    assert QGuiApplication.clipboard().text() == expected == task.result()
    assert beats.count(False) >= 2  # the window's loop ran while the copy was built
    console.close()


def test_a_newer_copy_wins_over_one_still_being_built(qloop, qtbot) -> None:
    from client.ui.console.widget import ConsoleWidget

    console = ConsoleWidget()
    console.append(make_lines(6_000))
    console.view.selectAll()
    large = console.copy_selection()
    console.view.clearSelection()
    console.view.selectionModel().select(console.model.index(0),
                                         console.view.selectionModel().SelectionFlag.Select)
    assert console.copy_selection() is None  # one row: at once
    qtbot.waitUntil(large.done, timeout=20_000)
    assert QGuiApplication.clipboard().text() == console.model.data(console.model.index(0))
    console.close()


@pytest.mark.parametrize("fmt", ["text", "md", "jsonl"])
def test_export_of_a_long_session_is_whole_and_built_in_slices(qloop, qtbot, tmp_path,
                                                              fmt) -> None:
    from client.ui.console.widget import ConsoleWidget

    console = ConsoleWidget()
    lines = make_lines(6_000)
    lines[4_321] = ConsoleLine(ConsoleKind.REPLY, "226 ```injected fence", t=0.0, wall=0.0,
                               connection="c1")
    console.append(lines)
    console.kind_buttons[ConsoleKind.NOTE].setChecked(False)
    path = tmp_path / f"t.{fmt}"
    task = asyncio.ensure_future(console.export_to(path, fmt))
    timer, beats = _heartbeat(task.done)
    qtbot.waitUntil(task.done, timeout=20_000)
    timer.stop()
    task.result()
    shown = [line for line in lines if line.kind is not ConsoleKind.NOTE]
    written = path.read_text(encoding="utf-8")
    if fmt == "md":
        head, fence, body = written.partition("```text\n")
        assert fence and written.count("```") == 2  # across many pieces, still one fence
        assert body == export.to_text(shown).replace("```", "`\u200b``") + "```\n"
    else:
        assert written == {"text": export.to_text, "jsonl": export.to_jsonl}[fmt](shown)
    assert beats.count(False) >= 2
    console.close()


def test_export_to_an_unwritable_place_says_so(qloop, qtbot, tmp_path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from client.ui.console.widget import ConsoleWidget

    console = ConsoleWidget()
    console.append(make_lines(10))
    task = console._spawn(console._export_reporting(tmp_path / "missing" / "t.txt", "text"))
    qtbot.waitUntil(task.done, timeout=15_000)
    boxes = [w for w in console.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "Could not write" in boxes[0].text()
    boxes[0].close()
    console.close()


