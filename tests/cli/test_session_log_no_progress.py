"""The command line's session log takes every event but progress: with the log on and no
progress bar, a ``get`` builds no progress event for the bus (``EventBus.wants`` is
false for it), and the log still holds every line the conversation had."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.sample_tree import BIG_FILE

from client.cli import run_subcommand
from client.engine.events import (
    UNLOGGED_KINDS,
    EngineEvent,
    EventBus,
    LineSent,
    QueueJobChanged,
    ReplyReceived,
    TransferProgress,
)


def test_exclude_keeps_kinds_from_an_observer_and_from_wants() -> None:
    bus = EventBus()
    seen: list[EngineEvent] = []
    unsubscribe = bus.subscribe(seen.append, exclude=UNLOGGED_KINDS)
    assert bus.wants(LineSent) and bus.wants(ReplyReceived)
    assert not bus.wants(TransferProgress) and not bus.wants(QueueJobChanged)
    progress = TransferProgress(t=0.0, connection="c1", transfer_id=1, direction="download",
                                remote_path="/f", bytes_done=1, total=2, rate=1.0, done=False)
    sent = LineSent(t=0.0, connection="c1", text="NOOP", annotations=())
    bus.emit(progress)
    bus.emit(sent)
    assert seen == [sent]
    bus.subscribe(lambda event: None, kinds=(TransferProgress,))
    assert bus.wants(TransferProgress)  # another observer still asks for it
    unsubscribe()
    assert not bus.wants(LineSent)


def test_get_with_the_log_builds_no_progress_and_logs_every_line(
        ftp_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("FTP_INSPECTOR_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FTP_PASSWORD", ftp_server.password)
    emitted: list[EngineEvent] = []
    progress_wanted: list[bool] = []
    original = EventBus.emit

    def recording_emit(bus: EventBus, event: EngineEvent) -> None:
        emitted.append(event)
        progress_wanted.append(bus.wants(TransferProgress))
        original(bus, event)

    monkeypatch.setattr(EventBus, "emit", recording_emit)
    code = run_subcommand(["get", f"{ftp_server.url}/{BIG_FILE}", "-o", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "out").stat().st_size > 0
    assert emitted and not any(progress_wanted)
    assert not [e for e in emitted if isinstance(e, TransferProgress)]

    [log] = (tmp_path / "config" / "data" / "logs").glob("*.log")
    text = log.read_text()
    sent = [e for e in emitted if isinstance(e, LineSent)]
    replies = [e for e in emitted if isinstance(e, ReplyReceived)]
    assert text.count(" c1 > ") == len(sent) and " c1 > RETR " in text
    assert text.count(" c1 < ") == sum(len(r.reply.lines) or 1 for r in replies)
    assert " c1 < 226" in text and ftp_server.password not in text


def test_get_without_a_progress_bar_builds_no_progress_event(
        ftp_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    # No bar (output is not a terminal): not even the command's own callback gets an
    # event, so none is made (the callback used to be passed and each update built one).
    monkeypatch.setenv("FTP_INSPECTOR_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FTP_PASSWORD", ftp_server.password)
    built: list[TransferProgress] = []
    original_init = TransferProgress.__init__

    def counting_init(self: TransferProgress, *args: object, **kwargs: object) -> None:
        built.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(TransferProgress, "__init__", counting_init)
    code = run_subcommand(["get", f"{ftp_server.url}/{BIG_FILE}", "-o", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "out").stat().st_size > 0
    assert built == []
