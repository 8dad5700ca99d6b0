"""The small remote-filesystem interface the panes, the queue and the site manager use.

:class:`~client.engine.session.FtpSession` satisfies it, and so does
:class:`~client.engine.sftp.session.SftpSession` (a separate engine package, not a branch
in the FTP code); :mod:`client.engine.queue.factory` picks one by the settings' type.
Only what every remote filesystem can do is here; FTP specifics (modes, STAT listings,
raw commands) stay on the FTP session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from client.engine.events import TransferProgress

if TYPE_CHECKING:
    from client.protocol.listing import ListingEntry, ListingResult

__all__ = ["RemoteFileSystem"]


@runtime_checkable
class RemoteFileSystem(Protocol):
    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def pwd(self) -> str: ...

    async def cwd(self, path: str) -> str: ...

    async def list(self, path: str | None = None) -> ListingResult: ...

    async def stat(self, path: str) -> ListingEntry | None: ...

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
