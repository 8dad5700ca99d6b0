"""Comparing contents by checksum: the server's (HASH from draft-bryan-ftpext-hash, or
the older XSHA256 / XSHA1 / XMD5 / XCRC) against the same digest computed locally.

Only what FEAT offers is used. A server that offers none gets no guessing: the caller
is told (:func:`checksum_choice` returns None) and compares by size.
"""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from client.protocol.commands import Command
from client.protocol.features import HashChoice

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["checksum_choice", "local_digest", "remote_digest", "same_contents",
           "NO_CHECKSUM_NOTE"]

NO_CHECKSUM_NOTE = ("the server offers no checksum command (FEAT lists none of HASH, "
                    "XSHA256, XSHA1, XMD5, XCRC); files of the same size count as the same")

_LENGTH = {"SHA-512": 128, "SHA-256": 64, "SHA-1": 40, "MD5": 32, "CRC32": 8}


def checksum_choice(session: FtpSession) -> HashChoice | None:
    return session.features.hash_choice()


def local_digest(path: Path, algorithm: str) -> str:
    """Hex digest of a local file (blocking: call through ``asyncio.to_thread``)."""
    if algorithm == "CRC32":
        crc = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 22):
                crc = zlib.crc32(chunk, crc)
        return f"{crc & 0xFFFFFFFF:08x}"
    digest = hashlib.new(algorithm.replace("-", "").lower())
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _hex_in(text: str, algorithm: str) -> str | None:
    """The digest in a reply: HASH says ``213 SHA-256 0-99 <hex> name``, X* commands
    ``250 <hex>`` (CRC sometimes without leading zeros)."""
    length = _LENGTH.get(algorithm)
    for token in text.replace("\n", " ").split():
        token = token.lower()
        if not token or any(c not in "0123456789abcdef" for c in token):
            continue
        if algorithm == "CRC32" and len(token) <= 8:
            return token.rjust(8, "0")
        if length is None or len(token) == length:
            return token
    return None


async def remote_digest(session: FtpSession, path: str, choice: HashChoice) -> str | None:
    """The server's digest of ``path``, or None when it refused or answered nothing
    readable (that file is then compared by size)."""
    async with session.locked():
        if choice.needs_opts:
            reply = await session.control.execute(Command("OPTS", f"HASH {choice.algorithm}"),
                                                   step="checksum")
            if not reply.is_success:
                return None
        reply = await session.control.execute(session.path_command(choice.command, path),
                                               step="checksum")
    if not reply.is_success:
        return None
    return _hex_in(reply.text, choice.algorithm)


async def same_contents(session: FtpSession, pairs: list[tuple[str, Path, str]],
                        choice: HashChoice) -> dict[str, bool]:
    """For each ``(relpath, local, remote)``: whether both digests agree. Paths whose
    remote digest could not be had are left out (compared by size)."""
    verdicts: dict[str, bool] = {}
    for relpath, local, remote in pairs:
        theirs = await remote_digest(session, remote, choice)
        if theirs is None:
            continue
        ours = await asyncio.to_thread(local_digest, local, choice.algorithm)
        verdicts[relpath] = ours == theirs
    return verdicts
