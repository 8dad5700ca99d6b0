"""Reply framing (RFC 959 §4.2): bytes from the control connection in, replies out.

The parser is fed arbitrary chunks (one byte at a time works) and hands out complete
replies in order. It accepts CRLF and bare LF line endings, keeps non-UTF-8 bytes
losslessly (see :func:`client.protocol.text.decode_line`), and bounds line length and
reply size so that a hostile server cannot grow the client's memory without limit.
"""

from __future__ import annotations

from client.protocol.charsets import decode_name
from client.protocol.errors import ReplyFramingError, ReplyTooLongError, WrongServiceError
from client.protocol.text import decode_line, escape_control
from client.protocol.values import value

__all__ = ["Reply", "ReplyParser", "parse_replies"]

DEFAULT_MAX_LINE = 64 * 1024
DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024


@value(slots=True)
class Reply:
    """One complete server reply.

    ``lines`` holds every line exactly as received (decoded, without its line ending),
    including the code prefixes; ``raw`` holds the bytes as they came off the wire.
    """

    code: int
    lines: tuple[str, ...]
    raw: bytes = b""

    def decoded(self, encoding: str) -> Reply:
        """This reply with its lines decoded from :attr:`raw` in ``encoding`` (see
        :func:`client.protocol.charsets.decode_name`): a 257 path read this way names
        the directory by the bytes the server sent."""
        if not self.raw:
            return self
        lines = tuple(decode_name(line[:-1] if line.endswith(b"\r") else line, encoding)
                      for line in self.raw.split(b"\n") if line)
        return Reply(self.code, lines or self.lines, self.raw)

    @property
    def text(self) -> str:
        """The message without the code prefixes, lines joined with ``\\n``.

        Inner lines that repeat the reply's own ``NNN-`` prefix (as many servers send
        them) lose it too; other inner lines are kept exactly, leading spaces included.
        """
        out = []
        last = len(self.lines) - 1
        prefix = f"{self.code:03d}-"
        for index, line in enumerate(self.lines):
            if index == 0 or index == last or line.startswith(prefix):
                out.append(line[4:] if len(line) > 3 else "")
            else:
                out.append(line)
        return "\n".join(out)

    @property
    def first_line_text(self) -> str:
        """The text of the first line, without its code: where 227/229 put their address."""
        first = self.lines[0] if self.lines else ""
        return first[4:] if len(first) > 3 else ""

    @property
    def is_multiline(self) -> bool:
        return len(self.lines) > 1

    @property
    def category(self) -> int:
        """The first digit: 1 preliminary, 2 completion, 3 intermediate, 4 transient, 5 permanent."""
        return self.code // 100

    @property
    def is_preliminary(self) -> bool:
        return self.category == 1

    @property
    def is_success(self) -> bool:
        return self.category == 2

    @property
    def is_intermediate(self) -> bool:
        return self.category == 3

    @property
    def is_error(self) -> bool:
        return self.category in (4, 5)


def _reply_code(line: bytes) -> int | None:
    """The code of a line that can open or close a reply: three digits, then space, '-' or end."""
    if len(line) < 3:
        return None
    d0, d1, d2 = line[0], line[1], line[2]
    if not (0x31 <= d0 <= 0x36 and 0x30 <= d1 <= 0x39 and 0x30 <= d2 <= 0x39):
        return None
    if len(line) > 3 and line[3] not in (0x20, 0x2D):  # ' ' or '-'
        return None
    return (d0 - 0x30) * 100 + (d1 - 0x30) * 10 + (d2 - 0x30)


class ReplyParser:
    """Incremental reply parser.

    Usage::

        parser.feed(chunk)
        while (reply := parser.next_reply()) is not None:
            handle(reply)

    :meth:`next_reply` raises :class:`ReplyFramingError` for a line that is not a reply
    (the line is consumed, so parsing can go on) and :class:`ReplyTooLongError` when a
    bound is exceeded. Errors surface in stream order: replies before a bad line are
    returned first.

    The result never depends on how the bytes were chunked: a line is too long when its
    content (without CRLF or LF) exceeds ``max_line_length``, decided as soon as that is
    certain; the rest of such a line is then discarded up to its line ending, so one
    over-long line gives exactly one error however it arrives.
    """

    def __init__(
        self,
        *,
        max_line_length: int = DEFAULT_MAX_LINE,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        encoding: str | None = None,
    ) -> None:
        #: the session's charset for names in replies (257 paths); None: UTF-8 with a
        #: Latin-1 fallback, which shows any text but cannot name a file.
        self.encoding = encoding
        self._buffer = bytearray()
        self._pos = 0  # start of the first unconsumed byte in _buffer
        self._scan_from = 0  # where the search for the next LF resumes
        self._max_line = max_line_length
        self._max_reply_bytes = max_reply_bytes
        self._discarding = False  # dropping the rest of an over-long line
        # State of a multi-line reply in progress.
        self._open_code: int | None = None
        self._open_lines: list[str] = []
        self._open_raw = bytearray()

    @property
    def has_partial(self) -> bool:
        """True while bytes of an unfinished line or multi-line reply are buffered."""
        return len(self._buffer) > self._pos or self._open_code is not None or self._discarding

    def feed(self, data: bytes) -> None:
        """Append bytes received from the server."""
        if self._pos and self._pos >= len(self._buffer) // 2:
            # Compact: consumed bytes are dropped in bulk, never line by line (which
            # would make a large STAT listing quadratic).
            del self._buffer[: self._pos]
            self._scan_from -= self._pos
            self._pos = 0
        self._buffer += data

    def next_reply(self) -> Reply | None:
        """Return the next complete reply, or None when more bytes are needed."""
        buffer = self._buffer
        while True:
            newline = buffer.find(b"\n", max(self._scan_from, self._pos))
            if newline < 0:
                self._scan_from = len(buffer)
                pending = len(buffer) - self._pos
                if self._discarding:
                    self._pos = len(buffer)
                    return None
                if pending and buffer.endswith(b"\r"):
                    pending -= 1  # the CR may still turn out to be half of a CRLF
                if pending > self._max_line:
                    self._pos = len(buffer)
                    self._discarding = True
                    self._reset_open()
                    raise ReplyTooLongError(
                        f"expected a reply line of at most {self._max_line} bytes, but the "
                        "server sent more without a line ending (a broken or hostile server, "
                        "or a service that is not FTP); the rest of that line is ignored"
                    )
                return None
            start = self._pos
            self._pos = self._scan_from = newline + 1
            if self._discarding:
                self._discarding = False
                continue
            content_end = newline
            if content_end > start and buffer[content_end - 1] == 0x0D:
                content_end -= 1
            if content_end - start > self._max_line:
                self._reset_open()
                raise ReplyTooLongError(
                    f"expected a reply line of at most {self._max_line} bytes, but the server "
                    f"sent one of {content_end - start} bytes; the line is ignored"
                )
            reply = self._take_line(bytes(buffer[start:content_end]), bytes(buffer[start : newline + 1]))
            if reply is not None:
                return reply

    def _take_line(self, body: bytes, raw_line: bytes) -> Reply | None:
        text = decode_line(body) if self.encoding is None else decode_name(body, self.encoding)
        code = _reply_code(body)
        if self._open_code is None:
            if code is None and text.startswith("SSH-"):
                greeting = escape_control(text[:200])
                raise WrongServiceError(
                    f"this port is an SSH server ({greeting!r}), not an FTP server: you "
                    "probably want SFTP, the file transfer of SSH, which needs an SFTP "
                    "client; for FTP, use the server's FTP port (usually 21)",
                    service="SSH", greeting=greeting)
            if code is None:
                raise ReplyFramingError(
                    "expected a reply line starting with a three-digit code, got "
                    f"{escape_control(text[:200])!r}: the server is not speaking FTP on this "
                    "port, or a previous reply was framed wrongly"
                )
            if len(body) > 3 and body[3] == 0x2D:  # 'NNN-' opens a multi-line reply
                self._open_code = code
                self._open_lines = [text]
                self._open_raw = bytearray(raw_line)
                if len(self._open_raw) > self._max_reply_bytes:
                    raise self._reply_too_long()
                return None
            return Reply(code, (text,), raw_line)
        # Inside a multi-line reply: only "NNN " (or a bare "NNN") with the opening code closes it.
        self._open_lines.append(text)
        self._open_raw += raw_line
        if len(self._open_raw) > self._max_reply_bytes:
            raise self._reply_too_long()
        if code == self._open_code and (len(body) == 3 or body[3] == 0x20):
            reply = Reply(code, tuple(self._open_lines), bytes(self._open_raw))
            self._reset_open()
            return reply
        return None

    def _reply_too_long(self) -> ReplyTooLongError:
        error = ReplyTooLongError(
            f"a multi-line reply grew past {self._max_reply_bytes} bytes without its closing "
            f"'{self._open_code} ' line; the server is not ending the reply, so it is dropped"
        )
        self._reset_open()
        return error

    def _reset_open(self) -> None:
        self._open_code = None
        self._open_lines = []
        self._open_raw = bytearray()


def parse_replies(data: bytes) -> list[Reply]:
    """Parse a complete byte string into replies (convenience for tests and `explain`)."""
    parser = ReplyParser()
    parser.feed(data)
    replies = []
    while (reply := parser.next_reply()) is not None:
        replies.append(reply)
    return replies
