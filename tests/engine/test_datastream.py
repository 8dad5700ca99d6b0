"""The download sink: ASCII conversion across buffer borders, back-pressure when the disk
is slower than the network, and disk errors (disk full) ending the transfer as a typed
local error with the .part left alone."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from client.engine.data import stream as datastream
from client.engine.data.stream import FileSink
from client.engine.session import FtpSession


@pytest.mark.asyncio
async def test_ascii_conversion_across_buffer_borders(tmp_path: Path):
    path = tmp_path / "out.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        sink = FileSink(fd, ascii_mode=True, size_hint=10)
        for piece in (b"ab\r", b"\ncd\r", b"\r\n", b"e\r"):
            view = sink.get_buffer()
            view[: len(piece)] = piece
            sink.commit(len(piece))
            sink._hand_over()  # force each piece into its own write
        await sink.finish()
    finally:
        os.close(fd)
    assert path.read_bytes() == b"ab\ncd\r\ne\r"


@pytest.mark.asyncio
async def test_reading_pauses_while_every_buffer_waits_for_the_disk(tmp_path: Path,
                                                                   monkeypatch):
    gate = threading.Event()
    real_write = os.write

    def slow_write(fd, data):
        gate.wait(5)
        return real_write(fd, data)

    monkeypatch.setattr(datastream.os, "write", slow_write)
    paused, resumed = [], []
    path = tmp_path / "out.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        sink = FileSink(fd, pause=lambda: paused.append(1), resume=lambda: resumed.append(1))
        size = sink._buffer_size
        for _ in range(datastream._BUFFER_COUNT):
            view = sink.get_buffer()
            view[:] = b"z" * len(view)
            sink.commit(len(view))
        assert paused == [1] and not resumed
        gate.set()
        await sink.finish()
        assert resumed
    finally:
        os.close(fd)
    assert path.stat().st_size == size * datastream._BUFFER_COUNT


@pytest.mark.asyncio
async def test_full_buffers_go_to_the_file_in_small_writes(tmp_path: Path, monkeypatch):
    """A 4 MiB buffer is written 32 KiB at a time: one big write makes the kernel
    allocate big page-cache folios, whose copy cost varied up to fivefold between runs."""
    real_write = os.write
    sizes: list[int] = []
    path = tmp_path / "out.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)

    def recording_write(target, data):
        if target == fd:
            sizes.append(len(data))
        return real_write(target, data)

    monkeypatch.setattr(datastream.os, "write", recording_write)
    data = os.urandom(2 * datastream._BUFFER_SIZE + 4321)
    try:
        sink = FileSink(fd)
        done = 0
        while done < len(data):
            view = sink.get_buffer()
            count = min(len(view), len(data) - done)
            view[:count] = data[done:done + count]
            sink.commit(count)
            done += count
        await sink.finish()
    finally:
        os.close(fd)
    assert path.read_bytes() == data
    assert sum(sizes) == len(data) and max(sizes) <= 32 * 1024


# A full disk: tests/reliability/test_local_faults.py (a real 1 MiB tmpfs). The .part is
# never a link, so /dev/full cannot stand in for it any more.


@pytest.mark.asyncio
async def test_many_small_downloads_reuse_nothing_big(ftp_server, tmp_path: Path):
    async with FtpSession(ftp_server.settings()) as session:
        for index in range(20):
            await session.download("hello.txt", tmp_path / f"h{index}.txt")
    assert len(list(tmp_path.glob("h*.txt"))) == 20
    assert not list(tmp_path.glob("*.part"))
    await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_close_never_pulls_the_descriptor_from_under_the_writer(tmp_path: Path):
    """A cancelled download closes its .part while the writer thread may still have
    buffers: the descriptor must stay open until the thread is done, or its number —
    soon reused by a socket or Qt's own wake-up descriptor — would get the bytes."""
    import threading

    fd = os.open(tmp_path / "f.part", os.O_WRONLY | os.O_CREAT, 0o644)
    sink = FileSink(fd)
    gate = threading.Event()
    write = sink._write_all

    def slow_write(view) -> None:
        gate.wait(10)
        write(view)

    sink._write_all = slow_write  # type: ignore[method-assign]
    view = sink.get_buffer()
    view[:] = b"x" * len(view)
    sink.commit(len(view))  # a full buffer: handed to the writer thread, which waits
    assert sink._thread is not None and sink._thread.is_alive()
    sink.close()
    os.fstat(fd)  # still open: the writer holds it
    gate.set()
    await asyncio.to_thread(sink._thread.join, 10)
    with pytest.raises(OSError):
        os.fstat(fd)
    assert (tmp_path / "f.part").stat().st_size == len(view)
