"""``cat`` over SFTP (client/engine/sftp/streaming.py): READ answers go to the writer in
order as they arrive, nothing is written to disk, a lagging reader holds the requests
back and a reader that goes away ends the transfer - against OpenSSH's sshd."""

from __future__ import annotations

import os
import threading

import pytest

from client.engine.sftp import streaming
from client.engine.sftp.events import SftpRequest

pytestmark = pytest.mark.asyncio

PAYLOAD = os.urandom(3 * 1024 * 1024 + 17)


@pytest.fixture
def big(sshd_server) -> str:
    (sshd_server.root / "stream.bin").write_bytes(PAYLOAD)
    sshd_server.own()
    return "stream.bin"


class _Pipe:
    """A pipe whose reader (a thread) keeps ``keep`` bytes, then closes its end."""

    def __init__(self, keep: int | None = None) -> None:
        read_fd, write_fd = os.pipe()
        self.writer = os.fdopen(write_fd, "wb")
        self.got = bytearray()
        self._keep = keep
        self._thread = threading.Thread(target=self._read, args=(read_fd,), daemon=True)
        self._thread.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as source:
            while self._keep is None or len(self.got) < self._keep:
                data = source.read1(65536)
                if not data:
                    return
                self.got += data

    def close(self) -> bytes:
        self.writer.close()
        self._thread.join(10)
        return bytes(self.got)


async def test_the_file_arrives_in_order_on_the_writer(make_session, big, recorder) -> None:
    pipe = _Pipe()
    async with make_session(max_requests=8, block_size=16384) as session:
        count = await session.download_stream(big, pipe.writer)
    assert pipe.close() == PAYLOAD and count == len(PAYLOAD)
    reads = [e for e in recorder.events if isinstance(e, SftpRequest) and e.request == "READ"]
    assert reads and reads[-1].bytes == len(PAYLOAD)


async def test_answers_out_of_order_are_put_back_in_order(make_session, big,
                                                          monkeypatch) -> None:
    class Shuffled(streaming.BlockReader):
        async def blocks(self):  # noqa: ANN201 - each pair of answers handed over swapped
            held = None
            async for block in super().blocks():
                if held is None:
                    held = block
                    continue
                yield block
                yield held
                held = None
            if held is not None:
                yield held

    monkeypatch.setattr(streaming, "BlockReader", Shuffled)
    pipe = _Pipe()
    async with make_session(max_requests=4, block_size=16384) as session:
        await session.download_stream(big, pipe.writer)
    assert pipe.close() == PAYLOAD


async def test_a_reader_that_goes_away_ends_the_transfer(make_session, big) -> None:
    pipe = _Pipe(keep=100_000)
    async with make_session(max_requests=8, block_size=16384) as session:
        with pytest.raises(BrokenPipeError):
            await session.download_stream(big, pipe.writer)
        assert (await session.list(".")).entries  # the session goes on
    got = bytes(pipe.got)
    assert len(got) >= 100_000 and PAYLOAD.startswith(got)
