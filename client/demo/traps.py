"""Loopback ports that make a data connection fail in a chosen, realistic way.

The demo server advertises one of these in its 227/229 replies instead of a real
passive listener:

* :class:`BlackholePort` — a listening socket with ``listen(0)`` whose accept queue is
  filled by connections that are never accepted. Linux then drops further SYNs without
  answering (no SYN-ACK, no RST), so a client's connect hangs until the client's own
  timeout — exactly what a firewall that DROPs the passive port range looks like,
  without needing root or a packet filter.
* :class:`RefusingPort` — a socket bound to a port but not listening: the port stays
  reserved (nobody else can take it) and every SYN is answered with a RST, i.e.
  "connection refused".

Both live on 127.0.0.1 only and are opened once per server, closed at stop.
"""

from __future__ import annotations

import select
import socket

__all__ = ["BlackholePort", "RefusingPort", "TrapError"]

_FILL_ATTEMPTS = 8
_FIRST_FILL_WAIT = 1.0  # seconds; the first filler always fits in the empty queue
_FILL_WAIT = 0.05  # seconds to wait for a later filler's handshake before calling the queue full


class TrapError(RuntimeError):
    """The trap could not be set up the way the scenario needs (e.g. the kernel kept
    accepting connections into a listen(0) queue)."""


class RefusingPort:
    """A port on 127.0.0.1 where connects are refused (bound, never listening)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._socket.bind((host, 0))
        except OSError:
            self._socket.close()
            raise
        self.host = host
        self.port: int = self._socket.getsockname()[1]

    def close(self) -> None:
        self._socket.close()


class BlackholePort:
    """A port on 127.0.0.1 whose SYNs go unanswered (full accept queue).

    Filler connections are made one at a time until one of them does not complete its
    handshake: that proves the queue is full on this kernel, whatever it does with a
    backlog of 0. All fillers are kept (never accepted) until :meth:`close`.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._fillers: list[socket.socket] = []
        try:
            self._listener.bind((host, 0))
            self._listener.listen(0)
            self.port: int = self._listener.getsockname()[1]
            self._fill_accept_queue()
        except BaseException:
            self.close()
            raise

    def _fill_accept_queue(self) -> None:
        for attempt in range(_FILL_ATTEMPTS):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            self._fillers.append(filler)
            filler.connect_ex((self.host, self.port))
            # The first filler always fits (the queue is empty), so waiting longer for it
            # costs nothing normally and keeps a loaded machine from misjudging the queue.
            wait = _FIRST_FILL_WAIT if attempt == 0 else _FILL_WAIT
            _, writable, _ = select.select([], [filler], [], wait)
            if writable and filler.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                continue  # completed: it sits in the accept queue, never accepted
            # Its SYN went unanswered: the queue is full. The pending filler is kept open:
            # should its SYN-ACK merely have been late, it takes the last free slot.
            return
        raise TrapError(
            f"expected the accept queue of a listen(0) socket on {self.host}:{self.port} to "
            f"fill up after a few connections, but {_FILL_ATTEMPTS} connections all "
            "completed; this kernel does not drop SYNs on a full queue, so the "
            "passive-blocked scenario cannot be simulated here"
        )

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self._fillers.clear()
        self._listener.close()
