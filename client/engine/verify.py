"""Checksum verification after a transfer: the server's HASH (or XSHA256, XMD5, …)
of the remote file compared with the local copy's."""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import FtpError
from client.engine.events import NoticeKind
from client.protocol.commands import Command
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["verify_checksum"]


def _local_digest(path: Path, algorithm: str) -> str:
    if algorithm == "CRC32":
        crc = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(4 * 1024 * 1024):
                crc = zlib.crc32(chunk, crc)
        return f"{crc & 0xFFFFFFFF:08x}"
    digest = hashlib.new(algorithm.replace("-", "").lower())
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _hex_token(text: str, length: int | None) -> str | None:
    for token in text.replace("\n", " ").split():
        cleaned = token.lower()
        if all(c in "0123456789abcdef" for c in cleaned) and (length is None or len(cleaned) == length):
            return cleaned
    return None


_DIGEST_LENGTH = {"SHA-512": 128, "SHA-256": 64, "SHA-1": 40, "MD5": 32, "CRC32": 8}


async def verify_checksum(session: FtpSession, remote: str, local: Path) -> str | None:
    """Compare the server's checksum of ``remote`` with ``local``'s; the algorithm name
    when they match, None when the server offers no checksum. Mismatch raises."""
    choice = session.features.hash_choice()
    if choice is None:
        session.notice("the server offers no checksum command (HASH, XSHA256, XMD5, …); "
                        "the transfer was checked by size only", NoticeKind.INFO)
        return None
    async with session.locked():
        if choice.needs_opts:
            reply = await session.control.execute(Command("OPTS", f"HASH {choice.algorithm}"),
                                                   step="verify")
            if not reply.is_success:
                session.notice(f"OPTS HASH {choice.algorithm} refused ({reply.code}); not verified")
                return None
        reply = await session.control.execute(session.path_command(choice.command, remote),
                                               step="verify")
    if not reply.is_success:
        session.notice(f"{choice.command} answered {reply.code}; the transfer was not verified")
        return None
    expected = _hex_token(reply.text, _DIGEST_LENGTH.get(choice.algorithm))
    if expected is None:
        session.notice(f"could not read a checksum in the {choice.command} reply")
        return None
    actual = await asyncio.to_thread(_local_digest, local, choice.algorithm)
    if choice.algorithm == "CRC32":
        expected = expected.rjust(8, "0")
    if actual != expected:
        raise FtpError(f"{choice.algorithm} of {escape_control(remote)} differs: the server has "
                       f"{expected}, the local copy {actual}; the file is corrupt",
                       step="verify")
    return choice.algorithm
