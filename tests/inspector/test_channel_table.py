"""The data-channel table rows and their CSV export (Qt-free)."""

from __future__ import annotations

import csv
import io

from ladder_scenarios import (
    Script,
    healthy_active_list,
    healthy_passive_list,
    nat_substitution,
    passive_refused,
)

from client.engine.events import DataFailure, DataPhase
from client.engine.ladder import COLUMNS, LadderModel, channel_rows, rows_to_csv


def rows_of(events):
    model = LadderModel()
    model.feed_all(events)
    return channel_rows(model)


def test_passive_row() -> None:
    (row,) = rows_of(healthy_passive_list())
    assert row.channel == 1 and row.command == "LIST"
    assert row.mode == "passive / PASV"
    assert row.advertised == "127.0.0.1:50000"
    assert row.used == "127.0.0.1:50000"
    assert row.why == "as advertised"
    assert row.initiator == "client"
    assert row.connect_time == "0.002"
    assert row.first_byte_time == "0.004"
    assert row.duration == "0.005"
    assert row.bytes == 1234
    assert row.outcome.startswith("closed: 1.2 KiB")
    assert row.phases == ("advertised 0.000, connecting 0.001, connected 0.002, "
                          "first-byte 0.004, closed 0.005")


def test_active_row_uses_our_listener() -> None:
    (row,) = rows_of(healthy_active_list())
    assert row.mode == "active / PORT"
    assert row.initiator == "server"
    assert row.used == "127.0.0.1:40000"
    assert "server dials our listener" in row.why


def test_nat_row_says_why_the_address_differs() -> None:
    (row,) = rows_of(nat_substitution())
    assert row.advertised == "10.0.0.5:50000" and row.used == "127.0.0.1:50000"
    assert "10.0.0.5" in row.why and "127.0.0.1" in row.why


def test_failed_row_outcome_and_reason() -> None:
    (row,) = rows_of(passive_refused())
    assert row.outcome == "FAILED after 0.002 s: refused ([Errno 111] Connection refused)"
    assert row.first_byte_time == "" and row.connect_time == ""


def test_csv_has_the_columns_and_one_row_per_connection() -> None:
    events = healthy_passive_list() + passive_refused()[-4:]
    text = rows_to_csv(rows_of(events))
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [header for _, header in COLUMNS]
    assert table[0] == ["#", "Command", "Mode / method", "Advertised", "Address used", "Why",
                        "Initiator", "Connect (s)", "First byte (s)", "Duration (s)",
                        "Bytes", "Speed limit", "Outcome", "Phase times (s)"]
    assert len(table) == 2  # the refused tail re-used channel 1: still one connection
    assert table[1][1] == "LIST" and table[1][10] == "1234"


def test_csv_defuses_spreadsheet_formulas() -> None:
    events = Script().data(0.1, 7, DataPhase.FAILED, failure=DataFailure.RESET,
                           command="=HYPERLINK(\"http://x\")", reason="x").events
    text = rows_to_csv(rows_of(events))
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[1].startswith("'=")


def test_the_speed_limit_in_effect_is_shown_and_follows_a_change() -> None:
    script = (Script()
              .data(0.1, 3, DataPhase.CONNECTED, command="RETR big.iso", rate_limit=500 * 1024)
              .data(0.2, 3, DataPhase.FIRST_BYTE, command="RETR big.iso",
                    rate_limit=500 * 1024))
    assert rows_of(script.events)[0].limit == "500K/s"
    script.data(0.3, 3, DataPhase.CLOSED, command="RETR big.iso", rate_limit=None)
    assert rows_of(script.events)[0].limit == ""  # lifted while it ran
    listing = rows_of(Script().data(0.1, 1, DataPhase.CONNECTED).events)[0]
    assert listing.limit == ""
