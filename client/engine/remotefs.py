"""The remote-filesystem interface the panes, the queue and the site manager use.

:class:`~client.engine.session.FtpSession` satisfies it, and so does
:class:`~client.engine.sftp.session.SftpSession` (a separate engine package, not a branch
in the FTP code); :mod:`client.engine.queue.factory` picks one by the settings' type.
Only what every remote filesystem can do is in :class:`RemoteFileSystem`. What only FTP
has (Passive/Active, PASV/EPSV, STAT listings, raw commands, a chosen charset) is the
narrow :class:`FtpControls`: the window asks ``isinstance(session, FtpControls)`` and
greys out those actions for a session that is not FTP.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from client.engine.events import Endpoint, EventBus, SessionState, TransferProgress

if TYPE_CHECKING:
    from client.engine.settings import CommandFamily, TransferMode
    from client.protocol.charset_guess import CharsetGuess
    from client.protocol.listing import ListingEntry, ListingResult
    from client.protocol.replies import Reply

__all__ = ["FtpControls", "RemoteFileSystem", "ftp_controls"]


@runtime_checkable
class RemoteFileSystem(Protocol):
    """A connected remote filesystem. Paths are POSIX paths on the server."""

    #: the bus its events go to, and its name on that bus ("c3")
    bus: EventBus
    connection_id: str
    state: SessionState

    @property
    def server(self) -> Endpoint | None:
        """The address the connection reached (None before connecting)."""
        ...

    @property
    def current_directory(self) -> str | None:
        """The folder last reported by the server, without asking again."""
        ...

    @property
    def answers_size(self) -> bool:
        """:meth:`size` is one cheap question that answers None for a missing file
        (else :meth:`stat` is the way to learn whether a file exists)."""
        ...

    @property
    def answers_mtime(self) -> bool:
        """:meth:`mdtm_many` gives exact modification times."""
        ...

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def noop(self) -> object:
        """One round trip that changes nothing (is the connection still alive?)."""
        ...

    async def pwd(self) -> str: ...

    async def cwd(self, path: str) -> str: ...

    async def list(self, path: str | None = None) -> ListingResult: ...

    async def stat(self, path: str) -> ListingEntry | None: ...

    async def size(self, path: str) -> int | None: ...

    async def mdtm(self, path: str) -> _dt.datetime | None: ...

    async def mdtm_many(self, paths: list[str]) -> list[_dt.datetime | None]: ...

    async def download(self, remote: str, local: Path, *, resume: bool = False,
                       on_progress: Callable[[TransferProgress], None] | None = None,
                       **options: Any) -> Any: ...

    async def upload(self, local: Path, remote: str, *, resume: bool = False,
                     on_progress: Callable[[TransferProgress], None] | None = None,
                     **options: Any) -> Any: ...

    async def mkdir(self, path: str) -> str: ...

    async def rmdir(self, path: str) -> None: ...

    async def delete(self, path: str) -> None: ...

    async def rename(self, old: str, new: str) -> None: ...

    async def chmod(self, path: str, mode: int) -> None: ...


@runtime_checkable
class FtpControls(Protocol):
    """What only an FTP session offers: the data-connection mode and command family,
    listings over the control connection, raw commands, and a charset for names chosen
    by the user (with the guess from a listing's bytes)."""

    mode: TransferMode
    charset_guess: CharsetGuess | None

    def set_charset(self, name: str) -> str: ...

    def set_commands(self, family: CommandFamily) -> None: ...

    async def stat_listing(self, path: str | None = None) -> ListingResult: ...

    async def quote(self, command_line: str) -> Reply: ...


def ftp_controls(session: object) -> FtpControls | None:
    """``session``'s FTP-only controls, or None for a session without them."""
    return session if isinstance(session, FtpControls) else None
