"""The shared ASCII ladder renderer (GUI text export and CLI ``--ladder``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ladder_scenarios import ALL, Script, healthy_active_list, healthy_passive_list, syn_unanswered

from client.engine.events import DataFailure, DataPhase, Endpoint, SessionState
from client.engine.ladder import LadderModel
from client.engine.ladder_ascii import MIN_WIDTH, render_events, render_ladder

GOLDEN = Path(__file__).parent / "golden"


def _columns(text: str) -> int:
    """Terminal columns (wide characters 2, combining marks and format characters 0)."""
    import unicodedata

    return sum(0 if unicodedata.combining(c) or unicodedata.category(c) == "Cf" else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def test_healthy_passive_list_matches_the_golden_file() -> None:
    expected = (GOLDEN / "healthy_passive_list.txt").read_text()
    assert render_events(healthy_passive_list()) == expected


@pytest.mark.parametrize("name, scenario, width", [
    ("healthy_active_list", "healthy-active", 80),
    ("syn_unanswered", "syn-unanswered", 80),
    ("nat_substitution", "nat-substitution", 100),
    ("tls_epsv_download", "tls-epsv-download", 80),
])
def test_more_golden_files(name: str, scenario: str, width: int) -> None:
    expected = (GOLDEN / f"{name}.txt").read_text()
    assert render_events(ALL[scenario](), width=width) == expected


def test_golden_file_shows_the_things_people_look_for() -> None:
    text = (GOLDEN / "healthy_passive_list.txt").read_text()
    assert "Client 127.0.0.1:41230" in text and "Server 127.0.0.1:2121" in text
    assert "227 Entering Passive Mode (127,0,0,1,195,80)" in text
    assert "195*256+80 = 50000" in text
    assert "127.0.0.1:41234 -> 127.0.0.1:50000" in text
    assert "PASS ****" in text


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("width", [MIN_WIDTH, 80, 132])
def test_every_row_is_width_bounded_and_lifelines_align(name: str, width: int) -> None:
    text = render_events(ALL[name](), width=width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    diagram = [line for line in lines if line.endswith("|") and len(line) == width]
    assert len(diagram) > 10
    for line in diagram:
        assert line[10] in "|", line  # the left lifeline sits in one column


def test_widths_below_the_minimum_are_raised() -> None:
    text = render_events(healthy_passive_list(), width=20)
    assert max(len(line) for line in text.splitlines()) == MIN_WIDTH


def test_rendering_is_deterministic() -> None:
    assert render_events(healthy_active_list()) == render_events(healthy_active_list())


def test_passive_arrow_points_to_the_server_and_active_to_the_client() -> None:
    passive = next(line for line in render_events(healthy_passive_list()).splitlines()
                   if "data #1" in line)
    assert passive.rstrip("|").endswith(">>")
    active = next(line for line in render_events(healthy_active_list()).splitlines()
                  if "data #1" in line)
    assert active.split("|")[1].startswith("<<")
    assert "127.0.0.1:2020 -> 127.0.0.1:40000" in active


@pytest.mark.parametrize("name, label", [
    ("passive-refused", "refused"),
    ("syn-unanswered", "SYN unanswered"),
    ("silent-after-150", "silent after 150"),
    ("stalled", "stalled"),
    ("never-connected-back", "never connected back"),
])
def test_failures_are_marked_and_named(name: str, label: str) -> None:
    text = render_events(ALL[name]())
    arrow = next(line for line in text.splitlines() if "data #1" in line)
    assert "X" in arrow.split("|")[1].replace("data #1", "")
    assert f": {label}" in text
    assert "!! FAILED after" in text
    assert "1 failed" in text


def test_nat_substitution_shows_advertised_and_dialled() -> None:
    text = render_events(ALL["nat-substitution"](), width=100)
    assert "advertised 10.0.0.5:50000, dialled 127.0.0.1:50000" in text
    assert "=> advertised 10.0.0.5 replaced by 127.0.0.1" in text


def test_live_render_shows_the_running_timer_and_waiting() -> None:
    events = syn_unanswered()[:-1]
    early = render_events(events, now=1.012)
    assert "connecting... 1.000 s" in early
    late = render_events(events, now=5.012)
    assert "!! WAITING 5.000 s: an answer to our SYN from 127.0.0.1:50000" in late
    assert "1 still open" in late


def test_hostile_text_is_escaped_and_passwords_redacted() -> None:
    events = (Script()
              .state(0.0, SessionState.CONNECTING, server=Endpoint("127.0.0.1", 21))
              .reply(0.1, "220 \x1b[2J\x1b]0;pwned\x07 hi\u202e")
              .send(0.2, "PASS hunter2")
              .notice(0.3, "note \x1b[31m")
              .data(0.4, 1, DataPhase.FAILED, failure=DataFailure.RESET,
                    reason="reset \x1b[K", command="RETR evil\x1b[1m.txt").events)
    text = render_events(events)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text
    assert "hunter2" not in text and "PASS ****" in text
    assert "RETR evil\\x1b[1m.txt" in text


def test_multi_line_reply_counts_its_extra_lines() -> None:
    events = Script().reply(0.1, "211-Features:", " MLSD", " EPSV", "211 End").events
    assert "211-Features: (+3 lines)" in render_events(events)


def test_several_connections_are_tagged() -> None:
    events = healthy_passive_list() + Script("c2").send(1.0, "NOOP").events
    text = render_events(events)
    assert "[c2] NOOP" in text and "[c1] USER alice" in text
    only_c2 = render_events(events, connection="c2")
    assert "USER alice" not in only_c2 and "-- NOOP" in only_c2


def test_an_empty_model_renders_a_frame() -> None:
    text = render_ladder(LadderModel())
    assert "Client" in text and "Server" in text and "data connections: none" in text


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=300), st.integers(min_value=0, max_value=200))
def test_any_server_text_stays_in_bounds_and_escaped(text: str, width: int) -> None:
    events = (Script().reply(0.1, "500 " + text, annotations=())
              .notice(0.2, text)
              .data(0.3, 1, DataPhase.FAILED, failure=DataFailure.RESET, reason=text,
                    command="LIST " + text).events)
    out = render_events(events, width=width)
    bound = max(width, MIN_WIDTH)
    for line in out.splitlines():
        assert _columns(line) <= bound
        assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in line)


@pytest.mark.parametrize("t, shown", [(0.0123, "0.012s"), (999.9994, "999.999s"),
                                      (12345.678, "12345.7s"), (1234567.8, "1234568s")])
def test_time_axis_never_cuts_a_number(t: float, shown: str) -> None:
    text = render_events(Script().notice(0.0, "session begins").send(t, "NOOP").events)
    row = next(line for line in text.splitlines() if "NOOP" in line)
    assert row.split("|")[0].strip() == shown


def test_an_event_dated_before_the_first_one_fed_counts_from_itself() -> None:
    """An early login's replayed lines are dated when they were exchanged, which can be
    before an event already fed: the axis starts at the earliest, so no time is negative
    and no row is wider than asked (a -100.000s stamp pushed the lifeline out)."""
    events = Script().notice(100.0, "shown first").send(0.0, "PASV").events
    model = LadderModel()
    model.feed_all(events)
    assert model.time_origin == 0.0 and model.axis_time(100.0) == 100.0
    text = render_ladder(model, width=72, now=0.0)
    assert all(len(line) <= 72 for line in text.splitlines())
    row = next(line for line in text.splitlines() if "PASV" in line)
    assert row.split("|")[0].strip() == "0.000s"


def test_wide_characters_keep_the_lifelines_aligned() -> None:
    """A name in Japanese takes two terminal columns per character: the right lifeline
    must stay in its column (measured in display columns, not code points)."""
    import unicodedata

    def columns(text: str) -> int:
        return sum(0 if unicodedata.combining(c) else
                   2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)

    events = (Script().send(0.1, "CWD /写真 2024")
              .reply(0.2, "250 \"/写真 2024\" は現在のディレクトリです。" * 3)
              .notice(0.3, "e\u0301te\u0301 " * 30).events)
    for width in (60, 80):
        text = render_events(events, width=width)
        rows = [line for line in text.splitlines() if line.endswith("|")]
        assert rows and all(columns(line) == width for line in rows), width
        assert "写真" in text


def test_unicode_line_separators_do_not_tear_rows() -> None:
    text = render_events(Script().reply(0.1, "220 a\u2028b\u2029c", annotations=()).events)
    assert "\u2028" not in text and "\u2029" not in text
    assert "220 a\\u2028b\\u2029c" in text
