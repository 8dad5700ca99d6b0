"""Directory listings: MLSD when offered, else LIST (``LIST -a`` when asked), parsed by
:mod:`client.protocol.listing`; MLST (or the parent's listing) for one entry; and STAT
over the control connection as the last resort when no data connection can be made.

Lines the parser could not read are reported as a Notice, never silently dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from client.engine.data.channel import DataTransfer
from client.engine.data.stream import MemorySink
from client.engine.errors import CommandFailedError, DataChannelError, FtpError
from client.engine.events import NoticeKind
from client.engine.settings import TransferMode
from client.protocol.annotate import Severity
from client.protocol.charset_guess import guess_charset, is_utf8
from client.protocol.charsets import AUTO
from client.protocol.commands import Command
from client.protocol.errors import ProtocolError
from client.protocol.listing import ListingEntry, ListingResult, parse_listing, parse_mlsx_line
from client.protocol.paths import remote_basename, remote_parent
from client.protocol.replies import Reply
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["list_directory", "stat_path", "stat_listing"]


def _report_unparsed(session: FtpSession, result: ListingResult, what: str) -> None:
    if not result.unparsed:
        return
    shown = "; ".join(escape_control(line)[:120] for line in result.unparsed[:5])
    more = f" (and {len(result.unparsed) - 5} more)" if len(result.unparsed) > 5 else ""
    session.notice(f"{len(result.unparsed)} line(s) of the {what} could not be parsed and "
                    f"are not shown as entries: {shown}{more}", NoticeKind.INFO, Severity.WARNING)


def _refuse_unopened_folder(final: Reply, command: Command) -> None:
    """vsftpd answers LIST of a folder it may not read with ``226 Transfer done (but
    failed to open directory).`` and lists the folder itself as its only entry (a
    folder seeming to hold itself, endlessly); that is a refusal, said as one."""
    if "failed to open directory" in final.text.lower():
        raise CommandFailedError(
            f"the server could not open the folder (permission denied?): {final.code} "
            f"{escape_control(final.text)}", reply_code=550, reply_text=escape_control(final.text),
            command=command.display, step="list")


async def list_directory(session: FtpSession, path: str | None = None) -> ListingResult:
    """List ``path`` (the current directory when None) over a data connection."""
    use_mlsd = session.features.mlst
    if use_mlsd:
        command = (session.path_command("MLSD", path) if path else Command("MLSD"))
        fmt = "mlsd"
    else:
        argument = "-a" if session.settings.list_hidden else None
        if path:
            argument = f"{argument} {path}" if argument else path
        command = session.path_command("LIST", argument) if argument else Command("LIST")
        fmt = "auto"

    async def attempt(mode: TransferMode) -> bytes:
        sink = MemorySink()
        async with session.locked(busy=True):
            result = await DataTransfer(session.channel_setup(mode), command, sink=sink).run()
        _refuse_unopened_folder(result.final, command)
        return sink.data()

    try:
        data = await session.with_fallback(attempt)
    except DataChannelError as error:
        if not session.settings.stat_listing_fallback or not session.control.is_open:
            raise
        session.notice(f"the listing's data connection failed ({error.failure.value}); "
                        "listing over the control connection with STAT instead", NoticeKind.FALLBACK,
                        Severity.WARNING)
        return await stat_listing(session, path)
    result = parse_listing(data, fmt=fmt, encoding=session.wire_charset)
    _report_unparsed(session, result, f"{command.verb} listing")
    _offer_charset(session, data)
    return result


def _offer_charset(session: FtpSession, data: bytes) -> None:
    """In "auto", names that are not UTF-8 are shown escaped; say once per charset which
    one they look like (the window offers it in a bar, the CLI on stderr)."""
    if session.charset != AUTO or data.isascii() or is_utf8(data):
        return
    guess = guess_charset(data)
    if guess is None or (session.charset_guess and session.charset_guess.charset == guess.charset):
        return
    session.charset_guess = guess
    session.notice(f"names in this listing are not UTF-8; they look like {guess.charset} "
                   f"(e.g. {escape_control(guess.sample)[:60]!r}): choose that charset for "
                   "this site (--charset in the CLI, Charset in the site manager) to see "
                   "them", NoticeKind.CHARSET, Severity.WARNING)


async def stat_path(session: FtpSession, path: str) -> ListingEntry | None:
    """One entry: MLST when offered (no data connection), else the parent's listing.
    None when the path does not exist."""
    # Refuse CR/LF/NUL before anything is sent, also on the parent-listing path below.
    mlst = session.path_command("MLST", path)
    if session.features.mlst:
        async with session.locked():
            reply = await session.control.execute(mlst, step="stat")
        if reply.code == 250:
            lines = reply.decoded(session.wire_charset).lines
            for line in lines[1:-1] if len(lines) > 2 else ():
                try:
                    entry = parse_mlsx_line(line.lstrip(" "))
                except ProtocolError:
                    continue
                return entry
            return None
        if reply.code in (550, 450, 501):
            return None
    name = remote_basename(path)
    if not name:
        return None
    parent = remote_parent(path)
    try:
        listing = await list_directory(session, parent)
    except CommandFailedError:
        return None
    for entry in listing.entries:
        if entry.name == name or remote_basename(entry.name) == name:
            return entry
    return None


async def stat_listing(session: FtpSession, path: str | None = None) -> ListingResult:
    """List over the control connection with ``STAT path`` (the current directory by
    the name PWD gives: ``STAT -l`` is not understood everywhere): no data connection at
    all, so it works when every data connection is blocked. Slower and not supported by
    every server."""
    argument = path if path else await session.pwd()
    command = session.path_command("STAT", argument)
    async with session.locked(busy=True):
        reply = await session.control.execute(command, step="stat-listing")
    if reply.code not in (211, 212, 213):
        raise CommandFailedError(
            f"the server does not list over the control connection: {reply.code} "
            f"{escape_control(reply.text)}", reply_code=reply.code,
            reply_text=escape_control(reply.text), command=command.display,
            step="stat-listing")
    inner = list(reply.decoded(session.wire_charset).lines[1:-1])
    # Some servers prefix inner lines with the code and a dash or indent them.
    prefix = f"{reply.code}-"
    cleaned = [line[4:] if line.startswith(prefix) else line.lstrip(" ") if line.startswith(" ")
               else line for line in inner]
    if not cleaned:
        raise FtpError("the STAT reply contained no listing lines", step="stat-listing")
    result = parse_listing("\n".join(cleaned), fmt="auto")
    _report_unparsed(session, result, "STAT listing")
    return result
