"""What downloads and uploads share: their result, the TYPE switch, local errors.

Downloads (:mod:`client.engine.download`) land in ``NAME.part`` and are renamed onto
``NAME`` only after the server's 226 *and* a size check, so the target is never
truncated or replaced by a partial file; after a failure the ``.part`` stays for resume
(REST). Uploads (:mod:`client.engine.upload`) use ``loop.sendfile`` (the kernel copies
file to socket on plain connections; chunked writes under TLS) and resume with REST+STOR
when the server offers REST STREAM, else APPE. TYPE A converts line ends; HASH/X*
verification (:mod:`client.engine.verify`) and time preservation (MDTM in, MFMT out)
are used when the server offers them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import LocalError
from client.engine.localpaths import part_path
from client.protocol.commands import Command
from client.protocol.values import value

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["TransferResult", "local_error", "locked_in_type", "part_path", "set_type"]


@value
class TransferResult:
    remote_path: str
    local_path: Path
    bytes_transferred: int
    total_size: int | None
    elapsed: float
    resumed_from: int
    verified: str | None = None


def local_error(action: str, path: Path, exc: OSError) -> LocalError:
    return LocalError(f"could not {action} {path}: {exc.strerror or exc}", step="local")


async def set_type(session: FtpSession, ascii: bool) -> None:
    """TYPE I or TYPE A, only when the session is not in it already."""
    if session.binary == (not ascii):
        return
    await session.command_locked(Command.type_(not ascii), step="type")
    session.binary = not ascii


@contextlib.asynccontextmanager
async def locked_in_type(session: FtpSession, ascii: bool) -> AsyncIterator[None]:
    """The session's lock (busy: a transfer) in TYPE A or I for one transfer attempt;
    back to binary after an ASCII one, whatever happened."""
    async with session.locked(busy=True):
        try:
            await set_type(session, ascii)
            yield
        finally:
            if ascii:
                await set_type(session, False)
