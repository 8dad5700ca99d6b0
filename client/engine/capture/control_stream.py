"""One FTP control connection read back from a capture: command lines and replies with
their capture times, in the order they crossed the wire.

Commands are split on line endings; replies go through the client's own reply parser
(:class:`~client.protocol.replies.ReplyParser`), so a multi-line reply is one reply here
as in a live session. After ``AUTH TLS`` is accepted (234) the rest of the connection is
TLS: nothing more can be read, and the stream says from when.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from client.engine.capture.tcp_reassembly import Chunk, StreamReassembler
from client.engine.events import Endpoint
from client.protocol.errors import ProtocolError
from client.protocol.replies import Reply, ReplyParser
from client.protocol.text import decode_line

__all__ = ["ItemKind", "ControlItem", "ControlStream"]

_MAX_COMMAND = 64 * 1024


class ItemKind(enum.Enum):
    COMMAND = "command"
    REPLY = "reply"
    OPAQUE = "opaque"  # TLS from here on
    GARBLED = "garbled"  # a reply line that is not FTP


@dataclass(frozen=True, slots=True)
class ControlItem:
    t: float
    kind: ItemKind
    line: str = ""
    reply: Reply | None = None


class ControlStream:
    """Both directions of one control connection (``client`` dialled ``server``)."""

    def __init__(self, client: Endpoint, server: Endpoint, *, from_start: bool,
                 first_t: float) -> None:
        self.client = client
        self.server = server
        self.from_start = from_start
        self.first_t = first_t
        self.last_t = first_t  # the last packet of this connection seen so far
        self.items: list[ControlItem] = []
        self.to_server = StreamReassembler()
        self.to_client = StreamReassembler()
        self._command_buffer = bytearray()
        self._replies = ReplyParser()
        self._auth_sent = False
        #: client bytes after AUTH, held until its reply says whether TLS starts (a
        #: capture's two directions are fed separately: the ClientHello can come first)
        self._held: list[Chunk] = []
        self.opaque_since: float | None = None
        self.opaque_bytes = 0
        self.missed = 0

    def feed(self, from_client: bool, chunks: list[Chunk]) -> None:
        for chunk in chunks:
            if self.opaque_since is not None:
                self.opaque_bytes += len(chunk.data)
            elif from_client and self._auth_sent:
                self._held.append(chunk)
            elif from_client:
                self._commands(chunk)
            else:
                self._reply_bytes(chunk)

    def _commands(self, chunk: Chunk) -> None:
        buffer = self._command_buffer
        buffer += chunk.data
        while (newline := buffer.find(b"\n")) >= 0:
            line = decode_line(bytes(buffer[:newline]).rstrip(b"\r"))
            del buffer[:newline + 1]
            self.items.append(ControlItem(chunk.t, ItemKind.COMMAND, line))
            if line.split(" ", 1)[0].upper() == "AUTH":
                # what follows may be a TLS handshake: wait for the reply to know
                self._auth_sent = True
                if buffer:
                    self._held.append(Chunk(chunk.t, bytes(buffer)))
                    del buffer[:]
                return
        if len(buffer) > _MAX_COMMAND:
            del buffer[:]

    def _auth_answered(self, accepted: bool) -> None:
        """The reply to AUTH: TLS from here on, or the held bytes were commands."""
        held, self._held = self._held, []
        self._auth_sent = False
        if accepted:
            self.opaque_bytes += sum(len(chunk.data) for chunk in held)
            return
        for chunk in held:
            self._commands(chunk)

    def _reply_bytes(self, chunk: Chunk) -> None:
        self._replies.feed(chunk.data)
        while True:
            try:
                reply = self._replies.next_reply()
            except ProtocolError as exc:
                self.items.append(ControlItem(chunk.t, ItemKind.GARBLED, str(exc)))
                continue
            if reply is None:
                return
            self.items.append(ControlItem(chunk.t, ItemKind.REPLY, reply=reply))
            if self._auth_sent and not reply.is_preliminary:
                accepted = reply.code == 234
                if accepted:
                    self.opaque_since = chunk.t
                    self.items.append(ControlItem(chunk.t, ItemKind.OPAQUE))
                self._auth_answered(accepted)
                if accepted:
                    return

    def finish(self, t: float) -> None:
        """The capture ended: deliver what waited behind holes; a last command without
        its line ending still counts."""
        for from_client, stream in ((True, self.to_server), (False, self.to_client)):
            stream.flush(t)
            self.feed(from_client, stream.take())
            self.missed += stream.missed
        if self._command_buffer and self.opaque_since is None:
            line = decode_line(bytes(self._command_buffer).rstrip(b"\r"))
            self.items.append(ControlItem(t, ItemKind.COMMAND, line))
            self._command_buffer.clear()
        self.items.sort(key=lambda item: item.t)
