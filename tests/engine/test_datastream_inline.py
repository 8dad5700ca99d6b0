"""Small downloads are written from the event loop when the data connection ends, with
no writer thread; anything larger than the inline limit still goes through the thread.
Content (binary and ASCII, a CR held back at the end) must be identical either way."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from client.engine.data import stream as datastream
from client.engine.data.stream import FileSink


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ftp-download-writer"]


def _feed(sink: FileSink, data: bytes, piece: int = 1000) -> None:
    for start in range(0, len(data), piece):
        chunk = data[start:start + piece]
        view = sink.get_buffer()
        view[: len(chunk)] = chunk
        sink.commit(len(chunk))


@pytest.mark.asyncio
async def test_a_small_file_is_written_without_a_writer_thread(tmp_path: Path):
    path = tmp_path / "small.bin"
    data = os.urandom(4096)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        sink = FileSink(fd, size_hint=len(data))
        _feed(sink, data)
        assert _writer_threads() == []
        await sink.finish()
        assert _writer_threads() == []
    finally:
        os.close(fd)
    assert path.read_bytes() == data


@pytest.mark.asyncio
async def test_a_small_ascii_file_converts_line_ends_and_keeps_a_final_cr(tmp_path: Path):
    path = tmp_path / "small.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        sink = FileSink(fd, ascii_mode=True, size_hint=20)
        _feed(sink, b"one\r\ntwo\r\r\nend\r", piece=3)
        await sink.finish()
    finally:
        os.close(fd)
    assert path.read_bytes() == b"one\ntwo\r\nend\r"


@pytest.mark.asyncio
async def test_a_file_of_unknown_size_above_the_inline_limit_goes_through_the_thread(
        tmp_path: Path):
    path = tmp_path / "medium.bin"
    data = os.urandom(datastream._INLINE_WRITE_LIMIT + 5000)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    started: list[str] = []
    real_start = threading.Thread.start

    def spy(self: threading.Thread) -> None:
        started.append(self.name)
        real_start(self)

    try:
        threading.Thread.start = spy  # type: ignore[method-assign]
        sink = FileSink(fd)  # no size: one 4 MiB buffer holds it all until finish()
        _feed(sink, data, piece=65536)
        assert started == []
        await sink.finish()
    finally:
        threading.Thread.start = real_start  # type: ignore[method-assign]
        os.close(fd)
    assert started == ["ftp-download-writer"]
    assert path.read_bytes() == data


@pytest.mark.asyncio
async def test_a_disk_error_on_the_inline_write_is_raised_from_finish(tmp_path: Path,
                                                                     monkeypatch):
    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    path = tmp_path / "full.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    errors: list[BaseException] = []
    try:
        sink = FileSink(fd, size_hint=100, on_error=errors.append)
        _feed(sink, b"x" * 100)
        monkeypatch.setattr(datastream.os, "write", full)
        with pytest.raises(OSError, match="No space"):
            await sink.finish()
    finally:
        os.close(fd)
    assert len(errors) == 1
