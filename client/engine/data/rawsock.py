"""A plain receiving data connection (a download, a listing) driven straight from the
event loop, without asyncio's selector transport.

Why: a tree of small files opens one data connection per file, and asyncio's own
transport costs more than the file's bytes there — ``create_connection`` is a coroutine
of its own, the transport asks the socket for both addresses and sets ``TCP_NODELAY``,
schedules ``connection_made``, the reader registration and the waiter as three loop
callbacks, reads one buffer per wake-up (a small file's bytes and its FIN take two
turns of the loop) and schedules ``connection_lost`` as one more. :class:`RawTransport`
is the subset of :class:`asyncio.Transport` a :class:`~client.engine.data.stream.DataStream`
uses. Made with ``read_now=False`` it reads nothing until the command is accepted
(:meth:`RawTransport.begin_reading`); by then a small file and its FIN have usually
arrived, are read at once, and the socket is never registered with the loop. Writes
go to the socket at once and are buffered only when it is full, with asyncio's
pause/resume contract (uploads keep asyncio's transport: see
client/engine/data/opening.py).

Only plain connections use it: TLS needs asyncio's transport for ``start_tls``, and a
proxy tunnel keeps the path it has. The phases the inspector shows are unchanged: the
caller still emits connecting/connected/first byte/closed, and connect failures keep
their classification (see :func:`client.engine.tcpstack.connect_observed_peer`).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

__all__ = ["RawTransport"]

#: reads per wake-up: one more after a short read usually returns the FIN (a small
#: file ends in the same turn of the loop) and costs one EAGAIN otherwise
_READS_PER_WAKEUP = 2
_HIGH_WATER = 64 * 1024
_LOW_WATER = 16 * 1024


class RawTransport(asyncio.Transport):
    """One connected, non-blocking TCP socket and its buffered protocol (see the
    module doc). ``peer`` is the address just connected to (no ``getpeername``)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket,
                 protocol: asyncio.BufferedProtocol, peer: Any = None, *,
                 read_now: bool = True) -> None:
        super().__init__({"socket": sock, "peername": peer})
        self._loop = loop
        self._sock: socket.socket | None = sock
        self._fd = sock.fileno()
        self._protocol = protocol
        self._buffer = bytearray()
        self._started = False  # reading begun (see begin_reading)
        self._wanted = True  # not paused
        self._reading = False  # reads may happen now
        self._registered = False  # the reader is registered with the loop
        self._writer = False
        self._closing = False  # close() or abort() asked, or the connection ended
        self._lost = False  # connection_lost delivered
        self._eof_asked = False
        self._nodelay = False  # TCP_NODELAY set (with the first write: downloads never need it)
        self._write_paused = False
        self._high_water = _HIGH_WATER
        self._low_water = _LOW_WATER
        protocol.connection_made(self)
        if read_now:
            self.begin_reading()

    # --- information
    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "sockname":
            sock = self._sock
            if sock is None:
                return default
            try:
                return sock.getsockname()
            except OSError:
                return default
        if name == "peername" and self._extra.get("peername") is None and self._sock is not None:
            try:
                self._extra["peername"] = self._sock.getpeername()
            except OSError:
                return default
        return self._extra.get(name, default)

    def is_closing(self) -> bool:
        return self._closing

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol  # type: ignore[assignment]

    # --- reading
    def begin_reading(self) -> None:
        """Start reading: what is there already is read now, and the loop watches the
        socket only when more is to come. A data connection made with ``read_now``
        False starts when its command was accepted: by then a small file and its FIN
        have usually arrived, and the socket is never registered with the loop."""
        if self._started or self._closing:
            return
        self._started = True
        if not self._wanted:
            return
        self._reading = True
        self._read_ready()
        if self._reading and not self._closing:
            self._register()

    def is_reading(self) -> bool:
        return self._started and self._wanted and not self._closing

    def pause_reading(self) -> None:
        self._wanted = False
        self._stop_reading()

    def resume_reading(self) -> None:
        if self._wanted:
            return
        self._wanted = True
        if self._started and not self._reading and not self._closing:
            self._reading = True
            self._register()

    def _register(self) -> None:
        if not self._registered:
            self._registered = True
            self._loop.add_reader(self._fd, self._read_ready)

    def _read_ready(self) -> None:
        protocol = self._protocol
        sock = self._sock
        for _ in range(_READS_PER_WAKEUP):
            if sock is None or not self._reading:
                return
            try:
                buffer = protocol.get_buffer(-1)
                if not len(buffer):
                    raise RuntimeError("get_buffer() returned an empty buffer")
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:  # noqa: BLE001 - the protocol's own failure
                self._end(exc)
                return
            try:
                count = sock.recv_into(buffer)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._end(exc)
                return
            if not count:
                self._eof()
                return
            try:
                protocol.buffer_updated(count)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:  # noqa: BLE001
                self._end(exc)
                return
            if count == len(buffer):
                return  # more may wait: the next wake-up reads it (others get their turn)

    def _eof(self) -> None:
        self._stop_reading()
        try:
            keep_open = self._protocol.eof_received()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # noqa: BLE001
            self._end(exc)
            return
        if keep_open and not self._closing:
            return  # half-closed: writing goes on, close() ends it
        if self._buffer and not self._closing:
            self._closing = True  # what is buffered still goes out, then the end
            return
        self._end(None)

    # --- writing
    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing or self._sock is None:
            return  # as asyncio's transport: writes after the end are dropped
        if not data:
            return
        if not self._nodelay:
            # as asyncio's transport: no Nagle delay for the last segment of a write
            self._nodelay = True
            try:
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass  # not TCP (a test's socket pair)
        if not self._buffer:
            try:
                sent = self._sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self._end(exc)
                return
            if sent == len(data):
                return
            data = memoryview(data)[sent:]
            self._writer = True
            self._loop.add_writer(self._fd, self._write_ready)
        self._buffer.extend(data)
        if not self._write_paused and len(self._buffer) > self._high_water:
            self._write_paused = True
            self._protocol.pause_writing()

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def _write_ready(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            sent = sock.send(self._buffer)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._end(exc)
            return
        del self._buffer[:sent]
        if self._write_paused and len(self._buffer) <= self._low_water:
            self._write_paused = False
            self._protocol.resume_writing()
        if self._buffer:
            return
        self._stop_writing()
        if self._closing:
            self._end(None)
        elif self._eof_asked:
            self._shutdown_write()

    def get_write_buffer_size(self) -> int:
        return len(self._buffer)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._low_water, self._high_water

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._high_water = _HIGH_WATER if high is None else high
        self._low_water = (self._high_water // 4) if low is None else low

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        if self._closing or self._eof_asked:
            return
        self._eof_asked = True
        if not self._buffer:
            self._shutdown_write()

    def _shutdown_write(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    # --- the end
    def close(self) -> None:
        """End after what is buffered has gone out (the server sees the upload end)."""
        if self._closing:
            return
        self._closing = True
        self._stop_reading()
        if not self._buffer:
            self._loop.call_soon(self._end, None)

    def abort(self) -> None:
        if self._lost:
            return
        self._closing = True
        self._buffer.clear()
        self._stop_reading()
        self._stop_writing()
        self._loop.call_soon(self._end, None)

    def _stop_reading(self) -> None:
        self._reading = False
        if self._registered:
            self._registered = False
            self._loop.remove_reader(self._fd)

    def _stop_writing(self) -> None:
        if self._writer:
            self._writer = False
            self._loop.remove_writer(self._fd)

    def _end(self, exc: BaseException | None) -> None:
        """Stop watching the socket, close it and tell the protocol, once."""
        if self._lost:
            return
        self._lost = True
        self._closing = True
        self._buffer.clear()
        self._stop_reading()
        self._stop_writing()
        sock, self._sock = self._sock, None
        try:
            if self._write_paused:
                self._write_paused = False
                self._protocol.resume_writing()
            self._protocol.connection_lost(exc if isinstance(exc, Exception) else None)
        finally:
            if sock is not None:
                sock.close()
            # as asyncio's transport: the stream and its sink's buffers are not kept
            # alive by this object (each points at the other) until a collection
            self._protocol = None  # type: ignore[assignment]
