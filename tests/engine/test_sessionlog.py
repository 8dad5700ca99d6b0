"""The always-on session log: a real login's conversation lands in a file, annotated,
without the password; files rotate at their size cap and the oldest go."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.engine.events import EventBus, Notice, NoticeKind
from client.engine.session import FtpSession
from client.engine.sessionlog import SessionLog
from client.protocol.annotate import Severity


@pytest.mark.asyncio
async def test_a_real_session_is_logged_without_its_password(ftp_server, bus, tmp_path):
    log = SessionLog(tmp_path / "logs")
    bus.subscribe(log)
    try:
        async with FtpSession(ftp_server.settings(), bus=bus) as session:
            await session.list("/")
            connection = session.connection_id
        log.flush()
        path = log.file_for(connection)
    finally:
        log.close()
    assert path is not None and path.parent == tmp_path / "logs"
    text = path.read_text(encoding="utf-8")
    assert ftp_server.password not in text
    assert "> PASS ****" in text
    assert "< 230" in text
    # the annotations the console shows, and the data channel
    assert "  = " in text and "* data #" in text
    assert any(line.startswith("20") and f" {connection} > USER alice" in line
               for line in text.splitlines())
    for other in (tmp_path / "logs").iterdir():
        assert ftp_server.password not in other.read_text(encoding="utf-8")


def test_files_rotate_at_the_size_cap_and_the_oldest_are_deleted(tmp_path: Path):
    bus = EventBus()
    log = SessionLog(tmp_path, max_file_bytes=2000, max_files=3)
    bus.subscribe(log)
    line = "x" * 90
    for number in range(200):
        bus.emit(Notice(t=bus.now(), connection="c1", text=f"{number} {line}",
                        kind=NoticeKind.INFO, severity=Severity.INFO))
    log.close()
    files = sorted(tmp_path.glob("*.log"))
    assert len(files) == 3
    assert all(f.stat().st_size < 2000 + 400 for f in files)
    newest = log.file_for("c1")
    assert newest in files and "199 " in newest.read_text()


def test_each_connection_has_its_own_file(tmp_path: Path):
    bus = EventBus()
    log = SessionLog(tmp_path)
    bus.subscribe(log)
    for connection in ("c1", "c2"):
        bus.emit(Notice(t=bus.now(), connection=connection, text=f"hello from {connection}",
                        kind=NoticeKind.INFO, severity=Severity.INFO))
    log.flush()
    one, two = log.file_for("c1"), log.file_for("c2")
    log.close()
    assert one != two
    assert "hello from c1" in one.read_text() and "c2" not in one.read_text().split("\n", 1)[1]


def test_the_folder_stays_under_its_total_size_and_many_small_files_stay(tmp_path: Path):
    """Many small files (one per ls of a script) are kept; the bytes together are what
    is capped, oldest first."""
    import os

    for number in range(30):
        old = tmp_path / f"old-{number:02d}.log"
        old.write_text("y" * 100)
        os.utime(old, (1_000_000 + number, 1_000_000 + number))
    bus = EventBus()
    log = SessionLog(tmp_path, max_file_bytes=10_000, max_files=200, max_total_bytes=2_500)
    bus.subscribe(log)
    bus.emit(Notice(t=bus.now(), connection="c1", text="z" * 500,
                    kind=NoticeKind.INFO, severity=Severity.INFO))
    log.flush()
    log.close()
    left = sorted(p.name for p in tmp_path.glob("old-*.log"))
    assert left == [f"old-{n:02d}.log" for n in range(30 - len(left), 30)]  # the newest
    assert sum(p.stat().st_size for p in tmp_path.glob("*.log")) <= 2_500 + 700
    assert 10 <= len(left) < 30
    assert log.file_for("c1").exists()


@pytest.mark.asyncio
async def test_the_quick_lines_are_the_transcript_records_text(ftp_server, bus, tmp_path):
    """The log formats commands, replies and data phases without the transcript's
    records; every line must still be exactly what those records say."""
    from client.engine.sessionlog import _line, event_text
    from client.engine.transcript import event_records

    events = []
    bus.subscribe(events.append)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.list("/")
        await session.download("hello.txt", tmp_path / "hello.txt")
        await session.upload(tmp_path / "hello.txt", "upload/again.txt")
    kinds = {type(event).__name__ for event in events}
    assert {"LineSent", "ReplyReceived", "DataChannelEvent"} <= kinds
    for event in events:
        assert event_text(event, "S") == "".join(_line(r, "S") for r in event_records(event))
