"""Which data stream serves a data command.

Big FTPS transfers take a worker thread (:mod:`client.engine.data.threaded_tls` for
downloads, :mod:`client.engine.data.threaded_upload` for uploads, each with its own
rule); everything else takes the loop's :class:`~client.engine.data.stream.DataStream`,
wired to its sink's disk errors and back-pressure. The data command asks the stream it
gets what it does (``runs_in_thread``), never its class: a new kind of stream is a rule
here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from client.engine.data.stream import DataStream, FileSink, ReadHold, Sink
from client.engine.data.threaded_tls import ThreadedTlsStream, wants_threaded_tls
from client.engine.data.threaded_upload import ThreadedTlsUpload, wants_threaded_upload

if TYPE_CHECKING:
    from client.engine.data.tracking import ChannelSetup
    from client.engine.ratelimit import Throttle

__all__ = ["UploadSource", "choose_stream"]

#: What pushes an upload's bytes into its data stream.
UploadSource = Callable[[DataStream], Awaitable[None]]


def choose_stream(setup: ChannelSetup, *, sink: Sink | None, source: UploadSource | None,
                  on_bytes: Callable[[int], None] | None, throttle: Throttle | None,
                  on_connected: Callable[[DataStream], bool] | None = None) -> DataStream:
    """A new stream for one data connection. A connection accepted in active mode
    (``on_connected`` judges its peer) always takes the loop's stream."""
    if on_connected is None and wants_threaded_tls(setup, sink, throttle):
        assert isinstance(sink, FileSink)
        return ThreadedTlsStream(sink, on_bytes, throttle=throttle)
    if on_connected is None and wants_threaded_upload(setup, source, throttle):
        return ThreadedTlsUpload(source, on_bytes, throttle=throttle)  # type: ignore[arg-type]
    stream = DataStream(sink, on_bytes, on_connected, throttle=throttle)
    if sink is not None and hasattr(sink, "on_error"):
        sink.on_error = stream.fail  # type: ignore[attr-defined]  # disk errors end the transfer
    if sink is not None and hasattr(sink, "pause_reading"):
        sink.pause_reading = lambda: stream.hold(ReadHold.DISK)  # type: ignore[attr-defined]
        sink.resume_reading = lambda: stream.release(ReadHold.DISK)  # type: ignore[attr-defined]
    return stream
