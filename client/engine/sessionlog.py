"""The always-on session log: every connection's annotated conversation in a file.

An event observer that turns each event into the lines the console shows (the same
records as the JSON transcript, so PASS/ACCT are already ``****`` and control characters
escaped) and hands them to a writer thread: the loop only formats and queues, the
thread writes and flushes when it runs out of lines (no fsync per line). One file per
connection, named by the time the connection started; a file that reaches
``max_file_bytes`` continues in a new one, and the oldest files are deleted while there
are more than ``max_files`` or they hold more than ``max_total_bytes`` together. The
count is generous because most files are small (one ``ls`` from a script is one file,
``diagnose`` writes one per probe) and the window and the command line share the folder:
a cap of a few files would let one ``diagnose`` delete the window's history.

The log exists so that a failure can be sent afterwards even when nobody pressed
Export: :meth:`SessionLog.file_for` names the file of a connection.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from pathlib import Path
from typing import IO

from client.engine.events import (
    UNLOGGED_KINDS,
    DataChannelEvent,
    EngineEvent,
    LineSent,
    ReplyReceived,
)
from client.engine.transcript import data_text, event_records
from client.protocol.annotate import render_line
from client.protocol.text import escape_control

__all__ = ["SessionLog", "event_text", "MAX_FILE_BYTES", "MAX_FILES", "MAX_TOTAL_BYTES"]

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 200
MAX_TOTAL_BYTES = 20 * 1024 * 1024

_KIND_MARK = {"send": ">", "recv": "<", "annotation": "  =", "data": "*", "notice": "!"}


_second: list[object] = [None, ""]  # the last whole second and its text


def _stamp(wall: float) -> str:
    """The time column, made once per event (an event is often several lines); the
    date and time of day are formatted once per second (strftime was a third of the
    log's cost per event)."""
    second = int(wall)
    if _second[0] != second:
        _second[:] = [second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))]
    return f"{_second[1]}.{int((wall - second) * 1000):03d}"


def _line(record: dict[str, object], stamp: str) -> str:
    mark = _KIND_MARK.get(str(record.get("kind")), "?")
    return f"{stamp} {record.get('connection')} {mark} {record.get('text', '')}\n"


def event_text(event: EngineEvent, stamp: str) -> str:
    """The log lines of one event: the ``text`` of each transcript record
    (:func:`event_records`), marked. The three events of every command and every file
    (a line sent, a reply, a data-channel phase) are formatted here without building
    the transcript's records, whose structured fields the log does not keep: the same
    lines at half the cost per file."""
    head = f"{stamp} {event.connection} "
    if isinstance(event, LineSent):
        text = f"{head}> {render_line(event.text)}\n"
    elif isinstance(event, ReplyReceived):
        text = "".join(f"{head}< {render_line(line)}\n"
                       for line in event.reply.lines or (str(event.reply.code),))
    elif isinstance(event, DataChannelEvent):
        return f"{head}* {data_text(event)}\n"
    else:
        return "".join(_line(record, stamp) for record in event_records(event))
    for annotation in event.annotations:
        text += f"{head}  = {escape_control(annotation.text)}\n"
    return text


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


class _Item:
    __slots__ = ("connection", "text", "done")

    def __init__(self, connection: str | None, text: str,
                 done: threading.Event | None = None) -> None:
        self.connection = connection
        self.text = text
        self.done = done


class SessionLog:
    """Observer (``bus.subscribe(log, exclude=UNLOGGED_KINDS)``) writing one log file per connection into
    ``folder``. :meth:`close` flushes and stops the writer."""

    def __init__(self, folder: Path, *, max_file_bytes: int = MAX_FILE_BYTES,
                 max_files: int = MAX_FILES,
                 max_total_bytes: int = MAX_TOTAL_BYTES,
                 wall_origin: float | None = None) -> None:
        self.folder = Path(folder)
        #: the bus's wall-clock origin: lines are stamped with their event's time (a
        #: line exchanged before it was shown — the command line's early login — keeps
        #: the time it happened); None stamps each line when it is logged
        self.wall_origin = wall_origin
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.max_total_bytes = max_total_bytes
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._paths: dict[str, Path] = {}
        self._paths_lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="session-log", daemon=True)
        self._thread.start()

    # --- loop side
    def __call__(self, event: EngineEvent) -> None:
        if self._closed or isinstance(event, UNLOGGED_KINDS):
            # subscribed with exclude=UNLOGGED_KINDS these never arrive; fed by hand, too
            return
        wall = time.time() if self.wall_origin is None else self.wall_origin + event.t
        text = event_text(event, _stamp(wall))
        if text:
            self._queue.put(_Item(event.connection, text))

    def file_for(self, connection: str) -> Path | None:
        """The file the lines of ``connection`` go to now (None before its first line)."""
        with self._paths_lock:
            return self._paths.get(connection)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every line queued so far is in the file (for "send this log")."""
        if self._closed:
            return
        done = threading.Event()
        self._queue.put(_Item(None, "", done))
        done.wait(timeout)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(10)

    # --- writer thread
    def _run(self) -> None:
        files: dict[str, tuple[IO[str], int, int]] = {}  # connection -> (file, size, part)
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    break
                if item.connection is not None:
                    self._write(files, item.connection, item.text)
                if item.done is not None or self._queue.empty():
                    for handle, _, _ in files.values():
                        self._quietly(handle.flush)
                if item.done is not None:
                    item.done.set()
        finally:
            for handle, _, _ in files.values():
                self._quietly(handle.close)

    def _write(self, files: dict[str, tuple[IO[str], int, int]], connection: str,
               text: str) -> None:
        entry = files.get(connection)
        if entry is None or entry[1] >= self.max_file_bytes:
            part = 1 if entry is None else entry[2] + 1
            if entry is not None:
                self._quietly(entry[0].close)
            opened = self._open(connection, part)
            if opened is None:
                return  # the disk refused: the log is best effort, the session goes on
            entry = (opened, 0, part)
            files[connection] = entry
            self._prune({Path(h.name) for h, _, _ in files.values()})
        handle, size, part = entry
        try:
            handle.write(text)
        except OSError:
            return
        files[connection] = (handle, size + len(text.encode("utf-8", "replace")), part)

    def _open(self, connection: str, part: int) -> IO[str] | None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        suffix = "" if part == 1 else f"-{part}"
        path = self.folder / f"{stamp}-{os.getpid()}-{connection}{suffix}.log"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # readable by the user only: hosts, user names and paths are nobody else's
            handle = open(path, "a", encoding="utf-8", errors="replace",  # noqa: SIM115
                          opener=_private)
        except OSError:
            return None
        handle.write(f"# FTP Inspector session log: connection {connection}, part {part}, "
                     f"started {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n")
        with self._paths_lock:
            self._paths[connection] = path
        return handle

    def _prune(self, keep: set[Path]) -> None:
        """Delete the oldest files (never one being written) until at most ``max_files``
        remain and they hold at most ``max_total_bytes``."""
        logs: list[tuple[float, int, Path]] = []
        try:
            for path in self.folder.glob("*.log"):
                try:
                    info = path.stat()
                except OSError:
                    continue  # deleted meanwhile (another process pruning)
                logs.append((info.st_mtime, info.st_size, path))
        except OSError:
            return
        logs.sort()
        count, total = len(logs), sum(size for _, size, _ in logs)
        for _, size, path in logs:
            if count <= self.max_files and total <= self.max_total_bytes:
                break
            if path in keep:
                continue
            try:
                path.unlink()
            except OSError:
                continue
            count -= 1
            total -= size

    @staticmethod
    def _quietly(action: object) -> None:
        try:
            action()  # type: ignore[operator]
        except OSError:
            pass
