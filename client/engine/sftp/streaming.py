"""An SFTP download whose bytes go to a writer (standard output, for ``cat``) in order,
as they arrive, instead of to a file.

READ answers come back out of order (many requests are in flight, see
:mod:`.transfers`); a block that arrives before the ones in front of it waits here —
at most the requests in flight, a few MiB — and each contiguous run goes to a
:class:`client.engine.download_stream.WriterSink`, whose thread writes it, so a slow
reader (``| less``) never blocks the event loop. While the reader lags behind, no more
READs are asked for; a reader that goes away (``| head``) ends the transfer, and its
``BrokenPipeError`` is what :func:`stream_download` raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, BinaryIO

from client.engine.download_stream import WriterSink
from client.engine.errors import ConnectionLostError
from client.engine.progress import ProgressReporter, next_transfer_id
from client.engine.ratelimit import Direction
from client.engine.sftp.transfers import (
    BlockReader,
    as_engine_error,
    block_size,
    close_handle,
    open_handle,
    paced,
    report_reads,
    stat_file,
)
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.sftp.session import SftpSession

__all__ = ["stream_download"]


async def stream_download(session: SftpSession, remote: str, out: BinaryIO, *,
                          transfer_id: int | None = None) -> int:
    """Write ``remote``'s bytes to ``out`` in order; returns how many. A transfer that
    ends short of the size STAT announced raises after writing what arrived (as the
    FTP stream does); a reader that went away raises its ``BrokenPipeError``."""
    total = (await stat_file(session, remote)).size
    sink = WriterSink(out)
    pump = asyncio.ensure_future(_pump(session, remote, total, sink, transfer_id))
    sink.on_error = lambda _exc: pump.cancel()
    try:
        done = await pump
    except asyncio.CancelledError:
        if sink.error is None:
            sink.discard()
            raise
        raise sink.error from None
    finally:
        sink.discard()
    await sink.finish()
    if total is not None and done != total:
        raise ConnectionLostError(
            f"{escape_control(remote)}: the server sent {done} of {total} bytes and then "
            "reported the end of the file (did it change during the transfer?)",
            step="download")
    return done


async def _pump(session: SftpSession, remote: str, total: int | None, sink: WriterSink,
                transfer_id: int | None) -> int:
    """READ ``remote`` and hand each contiguous run of it to ``sink``."""
    handle = await open_handle(session, remote, "rb", "download")
    reporter = ProgressReporter(
        session.bus, session.connection,
        transfer_id=transfer_id if transfer_id is not None else next_transfer_id(),
        direction="download", remote_path=remote, total=total, offset=0, on_progress=None)
    throttle = session.limiter.throttle(Direction.DOWNLOAD)
    block, in_flight = paced(throttle, block_size(session), session.settings.max_requests)
    reader = BlockReader(handle, 0, total, block, in_flight)
    may_read = asyncio.Event()
    may_read.set()
    sink.pause_reading, sink.resume_reading = may_read.clear, may_read.set
    done, early, count = 0, {}, 0
    started = time.monotonic()
    failure: BaseException | None = None
    patience = session.settings.request_timeout
    loop = asyncio.get_running_loop()
    try:
        blocks = reader.blocks()
        async with contextlib.aclosing(blocks), asyncio.timeout(patience) as deadline:
            async for offset, data in blocks:
                count += 1
                early[offset] = data
                while done in early:
                    piece = early.pop(done)
                    _hand_over(sink, piece)
                    done += len(piece)
                reporter.update(done)
                delay = throttle.moved(len(data))
                if delay > 0:
                    await asyncio.sleep(delay)
                if not may_read.is_set():  # the reader lags: ask for nothing more yet
                    deadline.reschedule(None)
                    await may_read.wait()
                deadline.reschedule(loop.time() + patience)
    except BaseException as exc:
        failure = exc
        if isinstance(exc, asyncio.CancelledError):
            raise
        raise as_engine_error(exc, f"READ {remote}", "download", patience) from None
    finally:
        await reader.stop()
        report_reads(session, remote, failure, count=count, nbytes=done, started=started)
        await close_handle(session, handle, remote)
    reporter.finish()
    return done


def _hand_over(sink: WriterSink, data: bytes) -> None:
    """``data`` through the sink's buffer, in pieces of its size."""
    buffer = sink.get_buffer()
    size = len(buffer)
    for start in range(0, len(data), size):
        piece = data[start:start + size]
        buffer[:len(piece)] = piece
        sink.commit(len(piece))
