"""The worker-thread side of a batch of small plain-FTP transfers (see :mod:`.batch`).

On the event loop a small file costs ~1 ms of CPU, nearly all of it Python spread
thinly over the control replies, the data connection's transport and tracker, the
queue and the local checks (bench/HISTORY.md): a flat profile. Here one thread per
connection does per file only what the wire needs — ``PASV``, connect, ``RETR``, read
to the end, write ``NAME.part``, ``226``, rename — on blocking sockets with timeouts,
and records what happened as plain tuples with their times. The loop turns them into
the usual events and job changes a few milliseconds later (:mod:`.batch`), so the
inspector still sees every line and every data connection.

The thread decides nothing unusual itself. Before a file it checks the target is new
(no ``NAME``; ``NAME.part`` opened without following a link, in a folder reached from
the root one component at a time, see :func:`.prepare.open_folder_below`); a reply it
does not expect ends the batch with the control connection in step (the file goes back
to the normal path, which decides and reports); a refusal of ``RETR`` is recorded for
the loop to raise as the normal path's error; a timeout or a broken connection ends
the batch with the connection in doubt. A ``.part`` is renamed only when every byte
the listing announced arrived and the server said ``226``/``250``.
"""

from __future__ import annotations

import collections
import os
import socket
import stat
import threading
import time
from collections.abc import Callable

from client.engine.data.opening import pasv_decision
from client.engine.localpaths import SAFE_OPEN_FLAGS
from client.engine.queue.batch_records import Back, BatchFile, Broken, Channel, Kind
from client.engine.queue.batch_upload import UploadSteps
from client.engine.queue.prepare import open_folder_below
from client.protocol.addresses import parse_227
from client.protocol.errors import ProtocolError
from client.protocol.pasv_policy import PasvPolicy
from client.protocol.replies import Reply, ReplyParser

__all__ = ["BatchFile", "BatchWire", "Channel", "Kind"]

_PART_FLAGS = os.O_WRONLY | os.O_CREAT | SAFE_OPEN_FLAGS | getattr(os, "O_CLOEXEC", 0)
_READ = 256 * 1024
#: seconds between two hand-overs of records to the loop (each is a wake-up of it)
POST_EVERY = 0.01


class BatchWire(UploadSteps):
    """Runs ``files`` on ``sock`` (a duplicate of the session's control socket) in
    :meth:`run`; ``post`` is called (from the thread) to have the loop read
    :attr:`records`. :meth:`stop` may be called from the loop at any time."""

    def __init__(self, sock: socket.socket, parser: ReplyParser, files: list[BatchFile], *,
                 root: str, peer: str, policy: PasvPolicy, data_timeout: float,
                 post: Callable[[], None], encoding: str = "utf-8",
                 stamp_times: bool = False) -> None:
        self.sock = sock
        self.parser = parser
        self.files = files
        self.root = root
        self.peer = peer
        self.policy = policy
        self.data_timeout = data_timeout
        self.post = post
        self.encoding = encoding
        self.stamp_times = stamp_times  # uploads: MFMT after each (the server offers it)
        self.lock = threading.Lock()
        self.stopping = False
        self.records: collections.deque[tuple] = collections.deque()
        self._data: socket.socket | None = None
        self._folders: dict[str, int | None] = {}
        self._posted_at = 0.0
        self.post_pending = False

    # ------------------------------------------------------------------ loop side
    def stop(self) -> None:
        """End the batch now (cancel, pause, queue closed): the sockets are shut, so a
        blocked read returns at once; the connection is in doubt afterwards."""
        with self.lock:
            self.stopping = True
            data = self._data
        for sock in (data, self.sock):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    # ------------------------------------------------------------------ the thread
    def run(self) -> None:
        current: BatchFile | None = None
        try:
            for item in self.files:
                with self.lock:
                    if self.stopping:
                        return
                    if item.withdrawn:
                        continue
                    item.started = True
                current = item
                self.records.append((Kind.STARTED, time.monotonic(), item.job_id))
                if not self._one(item):
                    return
                current = None
                if time.monotonic() - self._posted_at >= POST_EVERY:
                    self._post()
        except Broken as exc:
            self.records.append((Kind.BROKEN, time.monotonic(),
                                 current.job_id if current else None, exc.kind, str(exc)))
        except Exception as exc:  # noqa: BLE001 - anything else: in doubt, and said so
            self.records.append((Kind.BROKEN, time.monotonic(),
                                 current.job_id if current else None, "error",
                                 f"{type(exc).__name__}: {exc}"))
        finally:
            for fd in self._folders.values():
                if fd is not None:
                    os.close(fd)

    def _post(self) -> None:
        self._posted_at = time.monotonic()
        if not self.post_pending:
            self.post_pending = True
            self.post()

    def _one(self, item: BatchFile) -> bool:
        """One file; False when the batch ends here (the file went back)."""
        try:
            if item.source is not None:
                return self._store(item, self._read_source(item))
            folder = self._folder(item.folder)
            self._check_new(folder, item.name)
            return self._retrieve(item, folder, self._passive())
        except Back as back:
            self.records.append((Kind.BACK, time.monotonic(), item.job_id, str(back)))
            return back.local

    def _passive(self) -> Channel:
        reply = self._execute(b"PASV\r\n", "PASV")
        if reply.code != 227:
            raise Back(f"PASV answered {reply.code}")
        return self._address(reply)

    def _folder(self, folder: str) -> int:
        fd = self._folders.get(folder, -1)
        if fd == -1:
            fd = self._folders[folder] = open_folder_below(self.root, folder)
        if fd is None:
            raise Back("the folder is missing, a link or outside the destination", local=True)
        return fd

    @staticmethod
    def _check_new(folder: int, name: str) -> None:
        try:
            os.stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            return
        raise Back("the target exists", local=True)  # the exists policy decides, on the normal path

    def _address(self, reply: Reply) -> Channel:
        try:
            address = parse_227(reply.lines[0])
        except ProtocolError as exc:
            raise Back(f"unreadable 227: {exc}") from None
        assert address.host is not None
        decision = pasv_decision(address.host, self.peer, self.policy)
        if decision.refused or decision.replaced:  # said and decided by the normal path
            raise Back("the 227 address needs the policy's word")
        now = time.monotonic()
        return Channel((address.host, address.port), (decision.host, address.port),
                       advertised_at=now, connecting_at=now)

    def _dial(self, item: BatchFile, channel: Channel) -> socket.socket:
        """The data connection, registered for :meth:`stop` (the caller closes it)."""
        data = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with self.lock:
            self._data = data
            stopping = self.stopping
        if stopping:
            raise Broken("stopped", "stopped")
        data.settimeout(self.data_timeout)
        try:
            data.connect(channel.dialled)
        except OSError as exc:
            channel.connect_error = exc.strerror or str(exc) or type(exc).__name__
            self.records.append((Kind.CHANNEL, time.monotonic(), item.job_id, channel))
            raise Back("the data connection did not open") from None
        channel.connected_at = time.monotonic()
        channel.local = data.getsockname()[:2]
        self.records.append((Kind.CHANNEL, channel.connected_at, item.job_id, channel))
        return data

    def _release_data(self, data: socket.socket) -> None:
        with self.lock:
            self._data = None
        data.close()

    def _retrieve(self, item: BatchFile, folder: int, channel: Channel) -> bool:
        data = self._dial(item, channel)
        try:
            fd = self._open_part(folder, item.name)
            if fd is None:
                channel.closed_at = time.monotonic()
                raise Back("the .part could not be opened safely", local=True)
            try:
                return self._move(item, folder, channel, data, fd)
            finally:
                os.close(fd)
        finally:
            self._release_data(data)

    @staticmethod
    def _open_part(folder: int, name: str) -> int | None:
        try:
            fd = os.open(name + ".part", _PART_FLAGS, 0o644, dir_fd=folder)
        except OSError:
            return None  # a link, a FIFO, no permission: the normal path says which
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        return fd

    def _move(self, item: BatchFile, folder: int, channel: Channel, data: socket.socket,
              fd: int) -> bool:
        first = self._execute(item.command, item.display, final=False)
        if first.is_error:  # 550 and the like: the loop raises what the normal path does
            channel.closed_at = time.monotonic()
            self.records.append((Kind.REFUSED, time.monotonic(), item.job_id, first))
            if os.fstat(fd).st_size == 0:
                os.unlink(item.name + ".part", dir_fd=folder)
            return True
        if not first.is_preliminary:
            raise Broken("unexpected", f"{item.display} answered {first.code} before any data")
        received = self._receive(data, fd, channel)
        data.close()  # at once: vsftpd sends its 226 only when our end is closed too
        if received:
            self.records.append((Kind.FIRST_BYTE, channel.first_byte_at, item.job_id))
        os.ftruncate(fd, received)
        final = self._final()
        if final.code not in (226, 250) or received != item.size:
            raise Back(f"{final.code} after {received} of {item.size} bytes")
        os.rename(item.name + ".part", item.name, src_dir_fd=folder, dst_dir_fd=folder)
        if item.mtime is not None:
            try:
                os.utime(item.name, (item.mtime, item.mtime), dir_fd=folder,
                         follow_symlinks=False)
            except OSError:
                pass  # as the normal path: the time is a courtesy
        self.records.append((Kind.DONE, time.monotonic(), item.job_id, received))
        return True

    def _receive(self, data: socket.socket, fd: int, channel: Channel) -> int:
        received = 0
        try:
            while True:
                chunk = data.recv(_READ)
                if not chunk:
                    break
                if not received:
                    channel.first_byte_at = time.monotonic()
                received += len(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        except TimeoutError:
            channel.bytes = received
            channel.closed_at = time.monotonic()
            raise Broken("stalled" if received else "silent", str(received)) from None
        except OSError as exc:
            channel.bytes = received
            channel.closed_at = time.monotonic()
            if self.stopping:
                raise Broken("stopped", "stopped") from None
            if isinstance(exc, ConnectionError):
                raise Broken("reset", str(exc) or type(exc).__name__) from None
            raise Broken("local", exc.strerror or str(exc)) from None
        channel.bytes = received
        channel.closed_at = time.monotonic()
        return received

    # ------------------------------------------------------------------ control
    def _execute(self, line: bytes, display: str, *, final: bool = True) -> Reply:
        try:
            self.sock.sendall(line)
        except OSError as exc:
            raise Broken("stopped" if self.stopping else "lost",
                          exc.strerror or str(exc)) from None
        self.records.append((Kind.SENT, time.monotonic(), display))
        return self._final() if final else self._reply()

    def _final(self) -> Reply:
        while True:
            reply = self._reply()
            if not reply.is_preliminary:
                return reply

    def _reply(self) -> Reply:
        parser = self.parser
        while True:
            reply = parser.next_reply()  # a ProtocolError: not FTP, in doubt
            if reply is not None:
                self.records.append((Kind.RECEIVED, time.monotonic(), reply))
                if reply.code == 421:
                    raise Broken("421", reply.text)
                return reply
            try:
                chunk = self.sock.recv(16384)
            except TimeoutError:
                raise Broken("control-timeout", "") from None
            except OSError as exc:
                raise Broken("stopped" if self.stopping else "lost",
                              exc.strerror or str(exc)) from None
            if not chunk:
                raise Broken("stopped" if self.stopping else "lost",
                              "the server closed the control connection")
            parser.feed(chunk)
