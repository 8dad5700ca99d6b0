"""Terminal and console injection: escape sequences and control characters from a
server are shown escaped in the CLI (normal and -v output, errors, transcript), the
GUI console model, the remote pane's model and every console export."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import subprocess
import sys

import pytest

from client.engine.errors import FtpError
from client.engine.events import EventBus, Notice
from client.engine.session import FtpSession

from .hostile import hostile_banner, hostile_handlers, raw_controls


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args], capture_output=True,
                          text=True, errors="surrogateescape", env=env, timeout=60)


@pytest.mark.parametrize("command", [
    ["ls", "-v"],
    ["ls", "-v", "--ladder"],
    ["ls", "--json", "-v"],
    ["get", "-v"],
])
def test_cli_output_shows_server_controls_escaped(scripted_server, child_env, tmp_path,
                                                  command):
    server = scripted_server(hostile_handlers(), banner=hostile_banner())
    transcript = tmp_path / "transcript.jsonl"
    path = "/missing.bin" if command[0] == "get" else "/"
    env = {**child_env, "FTP_PASSWORD": server.password}
    args = [*command, "--transcript", str(transcript), "--timeout", "5",
            f"ftp://alice@127.0.0.1:{server.port}{path}"]
    if command[0] == "get":
        args[1:1] = ["-o", str(tmp_path / "out.bin")]
    result = run_cli(args, env)
    assert result.returncode in (0, 4), result.stderr[-2000:]
    combined = result.stdout + result.stderr
    assert "\\x1b" in combined  # the sequences are shown, escaped
    assert raw_controls(result.stdout) == []
    assert raw_controls(result.stderr) == []
    text = transcript.read_text(encoding="utf-8")
    assert raw_controls(text) == []
    for line in text.splitlines():  # and every record still parses as JSON
        json.loads(line)


@pytest.mark.asyncio
async def test_engine_errors_and_notices_escape_server_text(scripted_server, tmp_path):
    server = scripted_server(hostile_handlers(), banner=hostile_banner())
    bus = EventBus()
    notices: list[str] = []
    bus.subscribe(lambda event: notices.append(event.text) if isinstance(event, Notice)
                  else None)
    async with FtpSession(server.settings(), bus=bus) as session:
        listing = await session.list("/")
        for operation in (session.cwd("/x"), session.download("/f", tmp_path / "f")):
            with pytest.raises(FtpError) as caught:
                await asyncio.wait_for(operation, 10)
            assert raw_controls(str(caught.value)) == []
            assert "\\x1b" in str(caught.value)
        reply = await session.quote("SITE HELP")
        assert reply.code == 200
    assert any("\x1b" in entry.name for entry in listing.entries)  # data stays data
    assert notices and all(raw_controls(text) == [] for text in notices)


@pytest.mark.gui
def test_console_model_and_exports_escape_everything(qapp, scripted_server, tmp_path):
    """Every row of the console (text, tooltip, accessible text) and every export."""
    from PySide6.QtCore import Qt

    from client.ui.console import export
    from client.ui.console.lines import lines_from_event
    from client.ui.console.model import ConsoleModel

    server = scripted_server(hostile_handlers(), banner=hostile_banner())
    bus = EventBus()
    events: list = []
    bus.subscribe(events.append)

    async def session_work() -> None:
        async with FtpSession(server.settings(), bus=bus) as session:
            await session.list("/")
            await session.quote("SITE HELP")
            for operation in (session.cwd("/x"), session.download("/f", tmp_path / "f")):
                try:
                    await operation
                except FtpError:
                    pass

    # A thread of its own: the GUI tests' shared qasync loop may be marked running here.
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, session_work()).result(timeout=60)
    lines = [line for event in events for line in lines_from_event(event, 0.0)]
    assert any("\\x1b" in line.text for line in lines)
    model = ConsoleModel()
    model.append_lines(lines)
    for show in (False, True):
        model.set_show_annotations(show)
        for row in range(model.rowCount()):
            model.toggle_expanded(row)
        for row in range(model.rowCount()):
            index = model.index(row, 0)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.AccessibleTextRole):
                value = model.data(index, role)
                if isinstance(value, str):
                    assert raw_controls(value) == [], (row, role)
    for exported in (export.to_text(lines), export.to_markdown(lines), export.to_jsonl(lines)):
        assert raw_controls(exported) == []
        assert "\\x1b" in exported


@pytest.mark.gui
def test_remote_pane_model_escapes_hostile_names(qapp):
    from fixtures.scripted_faults import hostile_mlsd_listing, hostile_unix_listing
    from PySide6.QtCore import Qt

    from client.protocol.listing import parse_listing
    from client.ui.remote.listing_model import RemoteListModel

    for data, fmt in ((hostile_unix_listing(), "auto"), (hostile_mlsd_listing(), "mlsd")):
        listing = parse_listing(data, fmt=fmt)
        assert any("\x1b" in entry.name for entry in listing.entries)
        model = RemoteListModel()
        model.set_listing("/\x1b[2Jdir", listing.entries)
        checked = 0
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                             Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.EditRole):
                    value = model.data(index, role)
                    if isinstance(value, str):
                        checked += 1
                        assert raw_controls(value) == [], (row, column, role, value)
        assert checked > 0


@pytest.mark.gui
def test_queue_model_escapes_hostile_paths_and_errors(qapp, tmp_path):
    """Transfer jobs carry server-chosen paths and error texts (a single-file download
    of a hostile name is the user's choice, and so is shown): the queue view escapes
    them."""
    from PySide6.QtCore import Qt

    from client.engine.queue import JobState, TransferJob
    from client.ui.queue_view import QueueModel

    from .hostile import HOSTILE

    jobs = [TransferJob(job_id=i, direction=direction, remote_path="/pub/" + HOSTILE,
                        local_path=tmp_path / ("local" + HOSTILE.replace("/", "_")),
                        size=10, state=state, bytes_done=5, rate=1.0,
                        error="550 " + HOSTILE if state is JobState.FAILED else None,
                        attempts=1)
            for i, (direction, state) in enumerate([("download", JobState.FAILED),
                                                    ("upload", JobState.RUNNING)], 1)]
    model = QueueModel()
    model.update_jobs(jobs)
    checked = 0
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.AccessibleTextRole):
                value = model.data(model.index(row, column), role)
                if isinstance(value, str):
                    checked += 1
                    assert raw_controls(value) == [], (row, column, role, value)
    assert checked > 0


@pytest.mark.gui
def test_remote_folder_tree_escapes_hostile_folder_names(qapp):
    from PySide6.QtCore import QModelIndex, Qt

    from client.ui.remote.tree_model import RemoteTreeModel

    from .hostile import HOSTILE

    model = RemoteTreeModel()
    model.set_children("/", ["pub", "evil" + HOSTILE])
    model.set_children("/evil" + HOSTILE, ["inner" + HOSTILE])
    checked = 0
    pending = [QModelIndex()]
    while pending:
        parent = pending.pop()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            pending.append(index)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.AccessibleTextRole):
                value = model.data(index, role)
                if isinstance(value, str):
                    checked += 1
                    assert raw_controls(value) == [], (row, role, value)
    assert checked >= 6


@pytest.mark.parametrize("json_output", [False, True])
def test_explain_of_a_pasted_log_with_escapes_stays_escaped(child_env, json_output):
    """A log pasted from somewhere else may carry a server's escape sequences."""
    from .hostile import HOSTILE

    log = "\n".join([
        f"< 220 {HOSTILE}",
        f"< 227 Entering Passive Mode (10,0,0,5,195,80). {HOSTILE}",
        f"> RETR {HOSTILE}",
        f"< 425 Can't open data connection {HOSTILE}",
        f"< 229 Entering Extended Passive Mode (|||{HOSTILE}|)",
    ]) + "\n"
    args = [sys.executable, "-m", "client", "explain", "--peer", "203.0.113.9"]
    if json_output:
        args.append("--json")
    result = subprocess.run(args, input=log, capture_output=True, text=True,
                            errors="surrogateescape", env=child_env, timeout=60)
    # Exit 1: the last line cannot be decoded (its port is garbage), which is reported.
    assert result.returncode == 1, result.stderr[-2000:]
    assert "50000" in result.stdout  # the 227 was still decoded
    assert raw_controls(result.stdout) == [] and raw_controls(result.stderr) == []
