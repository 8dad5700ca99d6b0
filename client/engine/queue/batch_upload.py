"""The upload steps of a batch's thread (see :mod:`.batch_wire`): the file read whole
(it is small), ``PASV``, ``STOR``, the bytes, ``226``, then ``SIZE`` and ``MFMT`` in one
write, as :mod:`client.engine.upload` sends them."""

from __future__ import annotations

import os
import socket
import stat
import time
from typing import TYPE_CHECKING

from client.engine.queue.batch_records import Back, BatchFile, Broken, Channel, Kind
from client.protocol.commands import Command

if TYPE_CHECKING:
    import collections

    from client.protocol.replies import Reply

__all__ = ["UploadSteps"]


class UploadSteps:
    """Mixed into :class:`.batch_wire.BatchWire`, which provides the wire."""

    if TYPE_CHECKING:
        sock: socket.socket
        encoding: str
        stamp_times: bool
        stopping: bool
        records: collections.deque[tuple]

        def _passive(self) -> Channel: ...
        def _dial(self, item: BatchFile, channel: Channel) -> socket.socket: ...
        def _release_data(self, data: socket.socket) -> None: ...
        def _execute(self, line: bytes, display: str, *, final: bool = True) -> Reply: ...
        def _final(self) -> Reply: ...

    @staticmethod
    def _read_source(item: BatchFile) -> tuple[bytes, float]:
        """The upload's bytes (a small file, read whole) and its time."""
        assert item.source is not None
        try:
            fd = os.open(item.source, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
                         | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            raise Back("the local file could not be opened", local=True) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size != item.size:
                raise Back("the local file is not the regular file of that size it was", local=True)
            payload = os.read(fd, item.size + 1)
        finally:
            os.close(fd)
        if len(payload) != item.size:
            raise Back("the local file changed while it was read", local=True)
        return payload, info.st_mtime

    def _store(self, item: BatchFile, source: tuple[bytes, float]) -> bool:
        payload, mtime = source
        channel = self._passive()
        data = self._dial(item, channel)
        try:
            first = self._execute(item.command, item.display, final=False)
            if first.is_error:  # 553 and the like: the loop raises the normal path's error
                channel.closed_at = time.monotonic()
                self.records.append((Kind.REFUSED, time.monotonic(), item.job_id, first))
                return True
            if not first.is_preliminary:
                raise Broken("unexpected", f"{item.display} answered {first.code} first")
            channel.first_byte_at = time.monotonic()
            try:
                data.sendall(payload)
                data.shutdown(socket.SHUT_WR)
            except TimeoutError:
                raise Broken("stalled", "0") from None
            except OSError as exc:
                raise Broken("stopped" if self.stopping else "reset",
                              exc.strerror or str(exc)) from None
            channel.bytes = len(payload)
            self.records.append((Kind.FIRST_BYTE, channel.first_byte_at, item.job_id))
        finally:
            channel.closed_at = time.monotonic()
            self._release_data(data)
        final = self._final()
        if final.code not in (226, 250):
            raise Back(f"{final.code} after the upload")
        self._check_and_stamp(item, len(payload), mtime)
        self.records.append((Kind.DONE, time.monotonic(), item.job_id, len(payload)))
        return True

    def _check_and_stamp(self, item: BatchFile, size: int, mtime: float) -> None:
        """``SIZE`` and ``MFMT`` in one write, as the normal path sends them."""
        lines = []
        if item.check_size:
            lines.append(Command.with_path("SIZE", item.remote))
        if self.stamp_times:
            when = time.strftime("%Y%m%d%H%M%S", time.gmtime(mtime))
            lines.append(Command.with_path("MFMT", f"{when} {item.remote}"))
        if not lines:
            return
        try:
            self.sock.sendall(b"".join(line.to_bytes(self.encoding) for line in lines))
        except OSError as exc:
            raise Broken("stopped" if self.stopping else "lost",
                          exc.strerror or str(exc)) from None
        at = time.monotonic()
        for line in lines:
            self.records.append((Kind.SENT, at, line.display))
        replies = [self._final() for _ in lines]
        if item.check_size:
            reply = replies[0]
            if reply.code == 213:
                try:
                    remote = int(reply.first_line_text.strip().split()[0])
                except (ValueError, IndexError):
                    remote = None
                if remote is not None and remote != size:
                    raise Back(f"the server has {remote} bytes, not {size}")
        if self.stamp_times and not replies[-1].is_success:
            self.records.append((Kind.NOTE, time.monotonic(), item.job_id,
                                 f"could not preserve the modification time "
                                 f"({replies[-1].code})"))
