"""-v lines, transcript records, listings and error texts, in-process."""

from __future__ import annotations

import datetime as dt
import io
import json

from client.cli.listing_output import entries_to_json, format_long_listing
from client.cli.output import VerbosePrinter, exit_code_of, format_error, progress_line
from client.engine.errors import DataChannelError
from client.engine.events import (
    DataChannelEvent,
    DataFailure,
    DataPhase,
    Endpoint,
    LineSent,
    Notice,
    ReplyReceived,
)
from client.engine.transcript import TranscriptWriter
from client.protocol.annotate import Annotation, Severity
from client.protocol.listing import EntryKind, ListingEntry
from client.protocol.replies import Reply

PASV_NOTE = Annotation(Severity.INFO, "10.0.0.5 port 195*256+80 = 50000",
                       {"kind": "pasv", "host": "10.0.0.5", "port": 50000, "p1": 195, "p2": 80})


def events():
    return [
        LineSent(t=0.01, connection="c1", text="PASS ****"),
        ReplyReceived(t=0.02, connection="c1",
                      reply=Reply(227, ("227 Entering Passive Mode (10,0,0,5,195,80)\x1b[2J",)),
                      annotations=(PASV_NOTE,)),
        DataChannelEvent(t=0.03, connection="c1", channel=1, phase=DataPhase.FAILED,
                         initiator="client", method="PASV", command="LIST",
                         local=Endpoint("10.0.0.9", 40000), remote=Endpoint("10.0.0.5", 50000),
                         failure=DataFailure.CONNECT_TIMEOUT, reason="SYN unanswered",
                         elapsed=1.0),
        Notice(t=0.04, connection="c1", severity=Severity.WARNING, text="falling back"),
    ]


def test_verbose_marks_lines_and_escapes_control_characters() -> None:
    out = io.StringIO()
    printer = VerbosePrinter(out, colour=False)
    for event in events():
        printer(event)
    lines = out.getvalue().splitlines()
    assert lines[0] == ">    0.010 PASS ****"
    assert lines[1].startswith("<    0.020 227 Entering Passive Mode")
    assert "\x1b" not in out.getvalue() and "\\x1b" in lines[1]
    assert lines[2] == " " * 12 + "10.0.0.5 port 195*256+80 = 50000"
    assert lines[3].startswith("!    0.030 data #1 PASV failed 10.0.0.9:40000 -> 10.0.0.5:50000")
    assert "[syn-unanswered]" in lines[3]
    assert lines[4] == "!    0.040 falling back"


def test_colour_only_when_asked() -> None:
    out = io.StringIO()
    VerbosePrinter(out, colour=True)(events()[0])
    assert out.getvalue().startswith("\x1b[36m>")


def test_transcript_records() -> None:
    out = io.StringIO()
    writer = TranscriptWriter(out)
    for event in events():
        writer(event)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["kind"] for r in records] == ["send", "recv", "annotation", "data", "notice"]
    assert records[0]["text"] == "PASS ****"
    assert "\\x1b" in records[1]["text"] and records[1]["code"] == 227
    assert records[2]["decoded"] == {"host": "10.0.0.5", "port": 50000, "p1": 195, "p2": 80}
    data = records[3]
    assert (data["phase"], data["initiator"], data["local"], data["remote"], data["reason"]) == (
        "failed", "client", "10.0.0.9:40000", "10.0.0.5:50000", "SYN unanswered")
    assert records[4]["severity"] == "warning"


def test_long_listing_and_json() -> None:
    now = dt.datetime(2024, 6, 1, 12, 0)
    entries = [
        ListingEntry("zeta\x1b[31m", EntryKind.FILE, size=5, permissions="rw-r--r--",
                     modified=dt.datetime(2024, 5, 30, 8, 15), owner="alice", group="ftp"),
        ListingEntry("alpha", EntryKind.DIR, size=4096, permissions="drwxr-xr-x",
                     modified=dt.datetime(2020, 1, 2), owner="alice", group="ftp"),
        ListingEntry("link", EntryKind.LINK, target="alpha", permissions="radfw"),
    ]
    lines = format_long_listing(entries, now=now).splitlines()
    assert lines[0].startswith("drwxr-xr-x alice ftp 4096 Jan  2  2020 alpha")
    assert lines[1].startswith("l????????? -     -   ") and lines[1].endswith("link -> alpha")
    assert lines[2].endswith("May 30 08:15 zeta\\x1b[31m")
    data = entries_to_json(entries)
    assert data[1]["modified"] == "2020-01-02T00:00:00" and data[1]["type"] == "dir"
    assert data[2] == {"name": "link", "type": "link", "size": None, "modified": None,
                       "permissions": "radfw", "target": "alpha"}


def test_progress_line_has_rate_and_eta() -> None:
    line = progress_line("file.bin", 512 * 1024, 1024 * 1024, 256 * 1024, 100)
    assert "50.0%" in line and "ETA 00:02" in line and "/s" in line
    assert len(line) <= 100


def test_error_names_step_endpoints_and_cause() -> None:
    error = DataChannelError("no answer from 10.0.0.5:50000 within 1 s",
                             failure=DataFailure.CONNECT_TIMEOUT, phase=DataPhase.CONNECTING,
                             method="PASV", local=Endpoint("10.0.0.9", 40000),
                             remote=Endpoint("10.0.0.5", 50000), step="LIST", elapsed=1.0)
    text = format_error(error, command="ls")
    assert text.startswith("ftp-inspector ls: data connection failed at step LIST")
    assert "10.0.0.9:40000 -> 10.0.0.5:50000" in text and "likely cause" in text
    assert exit_code_of(error) == 3
    refused = DataChannelError("550 No such file", failure=DataFailure.SERVER_REFUSED,
                               phase=DataPhase.CONNECTED, step="RETR", reply_code=550)
    assert exit_code_of(refused) == 4
    assert "refused a command" in format_error(refused, command="get")


def test_verbose_tags_connections_once_there_are_several() -> None:
    out = io.StringIO()
    printer = VerbosePrinter(out, colour=False)
    printer(LineSent(t=0.0, connection="c1", text="NOOP"))
    printer(LineSent(t=0.1, connection="c2", text="NOOP"))
    assert out.getvalue().splitlines() == [">    0.000 NOOP", ">    0.100 [c2] NOOP"]
