"""The raw transport of plain data connections, over a real socket pair: bytes and the
end arrive as with asyncio's transport (data, EOF, connection_lost once), a peer that
stops reading pauses the writer and a drained buffer resumes it, close() delivers what
is buffered before the end, abort() drops it, and a connection made with
``read_now=False`` reads nothing until ``begin_reading`` — then reads what has arrived
(and the end) at once, without the loop watching the socket."""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

from client.engine.data.rawsock import RawTransport
from client.engine.data.stream import DataStream, MemorySink


def _pair() -> tuple[socket.socket, socket.socket]:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    return ours, theirs


def _watched(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> bool:
    try:
        loop._selector.get_key(sock.fileno())  # type: ignore[attr-defined]
    except (KeyError, ValueError):
        return False
    return True


@pytest.mark.asyncio
async def test_bytes_then_the_end_reach_the_stream():
    loop = asyncio.get_running_loop()
    ours, theirs = _pair()
    sink = MemorySink()
    stream = DataStream(sink)
    RawTransport(loop, ours, stream, ("peer", 1))
    data = os.urandom(300_000)

    def send_all() -> None:
        theirs.sendall(data)
        theirs.close()

    sender = loop.run_in_executor(None, send_all)  # more than the socket buffers hold
    outcome = await asyncio.wait_for(stream.closed, 5)
    await sender
    assert outcome is None
    assert sink.data() == data and stream.bytes == len(data)
    assert stream.eof and stream.first_byte.done()
    assert ours.fileno() == -1  # closed by the transport


@pytest.mark.asyncio
async def test_a_reset_ends_the_stream_with_the_error():
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ours.setblocking(False)
    stream = DataStream(MemorySink())
    transport = RawTransport(loop, ours, stream)
    transport.write(b"x" * 10)  # written, never read by the peer
    theirs.close()
    outcome = await asyncio.wait_for(stream.closed, 5)
    # a socket pair reports the end as EOF; either way the stream ends exactly once
    assert outcome is None or isinstance(outcome, OSError)
    assert transport.is_closing()


@pytest.mark.asyncio
async def test_read_now_false_reads_nothing_until_begin_and_then_without_the_loop():
    loop = asyncio.get_running_loop()
    ours, theirs = _pair()
    sink = MemorySink()
    stream = DataStream(sink)
    transport = RawTransport(loop, ours, stream, read_now=False)
    assert not _watched(loop, ours)
    theirs.sendall(b"small file")
    theirs.close()
    await asyncio.sleep(0.05)
    assert stream.bytes == 0 and not stream.closed.done()
    transport.begin_reading()
    # read at once, the end included: the stream is closed before any loop turn
    assert stream.closed.done() and stream.closed.result() is None
    assert sink.data() == b"small file"
    assert not _watched(loop, ours)


@pytest.mark.asyncio
async def test_begin_reading_watches_the_socket_when_more_is_to_come():
    loop = asyncio.get_running_loop()
    ours, theirs = _pair()
    sink = MemorySink()
    stream = DataStream(sink)
    transport = RawTransport(loop, ours, stream, read_now=False)
    theirs.sendall(b"first")
    transport.begin_reading()
    assert sink.data() == b"first" and _watched(loop, ours)
    theirs.sendall(b" second")
    theirs.close()
    await asyncio.wait_for(stream.closed, 5)
    assert sink.data() == b"first second"
    assert not _watched(loop, ours)


@pytest.mark.asyncio
async def test_a_full_peer_pauses_writing_and_draining_resumes_it():
    loop = asyncio.get_running_loop()
    ours, theirs = _pair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stream = DataStream()
    transport = RawTransport(loop, ours, stream)
    data = os.urandom(1024 * 1024)
    transport.write(data)
    assert transport.get_write_buffer_size() > 0
    assert stream._write_paused  # the protocol was told to stop writing

    received = bytearray()

    def drain_peer() -> None:
        theirs.setblocking(True)
        while len(received) < len(data):
            chunk = theirs.recv(65536)
            if not chunk:
                break
            received.extend(chunk)

    reader = loop.run_in_executor(None, drain_peer)
    await asyncio.wait_for(stream.drain(), 5)  # resumed once the buffer went out
    transport.close()
    await asyncio.wait_for(reader, 5)
    assert bytes(received) == data  # close() delivered everything buffered first
    await asyncio.wait_for(stream.closed, 5)
    theirs.close()


@pytest.mark.asyncio
async def test_abort_drops_what_is_buffered_and_ends_once():
    loop = asyncio.get_running_loop()
    ours, theirs = _pair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    lost: list[object] = []

    class Counting(DataStream):
        def connection_lost(self, exc: Exception | None) -> None:
            lost.append(exc)
            super().connection_lost(exc)

    stream = Counting()
    transport = RawTransport(loop, ours, stream)
    transport.write(os.urandom(512 * 1024))
    transport.abort()
    transport.abort()
    transport.close()
    await asyncio.wait_for(stream.closed, 5)
    await asyncio.sleep(0)
    assert lost == [None]
    assert transport.get_write_buffer_size() == 0
    theirs.close()


@pytest.mark.asyncio
async def test_writes_after_the_end_are_dropped():
    loop = asyncio.get_running_loop()
    ours, theirs = _pair()
    stream = DataStream()
    transport = RawTransport(loop, ours, stream)
    transport.close()
    transport.write(b"late")  # asyncio's transport drops these too
    await asyncio.wait_for(stream.closed, 5)
    assert theirs.recv(10) == b""  # the end, and nothing before it
    theirs.close()


@pytest.mark.asyncio
async def test_the_ended_transport_lets_go_of_its_stream():
    """asyncio's transport drops its protocol at the end; so does this one, or every
    finished download's buffers would wait for the cycle collector."""
    import gc
    import weakref

    loop = asyncio.get_running_loop()
    ours, theirs = _pair()
    stream = DataStream(MemorySink())
    transport = RawTransport(loop, ours, stream)
    theirs.close()
    await asyncio.wait_for(stream.closed, 5)
    gone = weakref.ref(stream)
    del stream
    gc.disable()
    try:
        assert gone() is None  # freed by reference counting alone
    finally:
        gc.enable()
    assert transport.get_protocol() is None
