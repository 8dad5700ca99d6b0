"""What a batch's thread records and the values it works on (see :mod:`.batch_wire`):
plain values, since one is made per line and per file."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Back", "BatchFile", "Broken", "Channel", "Kind"]


class Kind:
    """What a record says (its first item); plain ints, since one is made per line."""

    SENT = 0  # (SENT, at, display)
    RECEIVED = 1  # (RECEIVED, at, reply)
    STARTED = 2  # (STARTED, at, job_id)
    CHANNEL = 3  # (CHANNEL, at, job_id, Channel): connected, or the connect failed
    FIRST_BYTE = 8  # (FIRST_BYTE, at, job_id): the data arrived (the outcome closes it)
    DONE = 4  # (DONE, at, job_id, bytes)
    REFUSED = 5  # (REFUSED, at, job_id, reply): the server refused RETR
    BACK = 6  # (BACK, at, job_id, why): the file goes to the normal path; the batch ends
    BROKEN = 7  # (BROKEN, at, job_id, kind, text): the connection is in doubt; batch ends
    NOTE = 9  # (NOTE, at, job_id, text): a notice the normal path would give


@dataclass(slots=True)
class Channel:
    """One data connection as the thread saw it (times: ``time.monotonic()``)."""

    advertised: tuple[str, int]
    dialled: tuple[str, int]
    local: tuple[str, int] | None = None
    advertised_at: float = 0.0
    connecting_at: float = 0.0
    connected_at: float | None = None
    first_byte_at: float | None = None
    closed_at: float | None = None
    bytes: int = 0
    connect_error: str | None = None


@dataclass(slots=True)
class BatchFile:
    """One claimed job: its ``RETR`` line, where it goes and what the listing said."""

    job_id: int
    command: bytes
    display: str
    folder: str
    name: str
    size: int
    mtime: float | None
    #: an upload: the local file to send (``folder``/``name`` unused), and the
    #: ``SIZE`` check and ``MFMT`` stamp the normal path sends after it, pipelined
    source: str | None = None
    check_size: bool = False
    remote: str = ""
    started: bool = False  # the thread took it (under BatchWire.lock)
    withdrawn: bool = False  # cancelled or paused before the thread took it


class Back(Exception):
    """The file goes back to the normal path; the control connection is in step.
    ``local``: about this file alone (its target, its source): the batch goes on;
    otherwise the server said something unusual and the batch ends."""

    def __init__(self, text: str, *, local: bool = False) -> None:
        super().__init__(text)
        self.local = local


class Broken(Exception):
    """The connection is in doubt (timeout, reset, closed, 421)."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(text)
        self.kind = kind
