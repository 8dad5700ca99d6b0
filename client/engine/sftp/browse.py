"""Listings and single entries over SFTP (OPENDIR/READDIR, LSTAT, READLINK).

Names come from the server as they are: ``.``/``..`` are left out, anything else —
``../x``, names with ``/``, NUL or newlines from a hostile server — is kept for the
listing to show, and is refused where a name becomes a local path
(:mod:`client.engine.localpaths`), as for FTP listings.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import asyncssh

from client.engine.sftp.attrs import entry_from_attrs
from client.engine.sftp.errors import SftpStatusError
from client.engine.sftp.requests import translate
from client.protocol.listing.entry import EntryKind, ListingEntry, ListingResult
from client.protocol.paths import remote_basename

if TYPE_CHECKING:
    from client.engine.sftp.session import SftpSession

__all__ = ["list_directory", "stat_entry"]

#: READLINK requests in flight at once while a listing resolves its links.
_LINK_REQUESTS = 16


async def list_directory(session: SftpSession, path: str) -> ListingResult:
    sftp = session.sftp
    log = session.requests
    started = time.monotonic()
    names: list[asyncssh.SFTPName] = []
    try:
        async for name in sftp.scandir(path):
            names.append(name)
    except Exception as exc:
        log.failed("OPENDIR", path, exc, elapsed=time.monotonic() - started)
        error = translate(exc, f"OPENDIR {path}", "list")
        if error is None:
            raise
        raise error from None
    log.emit("OPENDIR", path, "handle")
    log.emit("READDIR", path, f"{len(names)} names, then STATUS 1 SSH_FX_EOF",
             elapsed=time.monotonic() - started)
    log.emit("CLOSE", path, "ok")
    kept = [n for n in names if n.filename not in (".", "..")]
    links = [n for n in kept if entry_from_attrs("", n.attrs).kind is EntryKind.LINK]
    targets = await _read_links(session, path, links)
    entries = tuple(entry_from_attrs(str(n.filename), n.attrs, longname=str(n.longname or ""),
                                     target=targets.get(str(n.filename))) for n in kept)
    return ListingResult(entries=entries, format="sftp" if entries else "empty")


async def _read_links(session: SftpSession, folder: str,
                      links: list[asyncssh.SFTPName]) -> dict[str, str]:
    if not links:
        return {}
    limit = asyncio.Semaphore(_LINK_REQUESTS)
    prefix = "" if folder in (".", "") else folder.rstrip("/") + "/"

    async def one(name: str) -> tuple[str, str | None]:
        async with limit:
            try:
                return name, str(await session.sftp.readlink(prefix + name))
            except (asyncssh.SFTPError, OSError):
                return name, None

    results = await asyncio.gather(*(one(str(n.filename)) for n in links))
    session.requests.emit("READLINK", f"{len(links)} link(s) in {folder}", "names",
                          count=len(links))
    return {name: target for name, target in results if target is not None}


async def stat_entry(session: SftpSession, path: str) -> ListingEntry | None:
    """LSTAT (the link itself, as listings show it); None when nothing is there."""
    try:
        attrs = await session.requests.run("LSTAT", path, session.sftp.lstat(path),
                                           step="stat", result="attrs")
    except SftpStatusError as exc:
        if exc.status in (2, 10):
            return None
        raise
    name = remote_basename(path.rstrip("/")) or path
    entry = entry_from_attrs(name, attrs)
    if entry.kind is EntryKind.LINK:
        try:
            target = await session.readlink(path)
        except SftpStatusError:
            return entry
        entry = entry_from_attrs(name, attrs, target=target)
    return entry
