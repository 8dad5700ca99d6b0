"""``ftp-inspector cat URL``: a remote file's bytes on standard output, unchanged
(binary transfer, no newline conversion), for ftp://, ftps://, ftpes://, sftp:// and
site: URLs.

Over FTP the bytes go to standard output as they arrive
(:mod:`client.engine.download_stream`: a writer thread, so a slow reader such as
``| less`` never holds up the event loop that runs the transfer and its timeouts).
Over SFTP the engine downloads into a ``.part`` in a private temporary folder (removed
afterwards) and a thread copies that file to standard output while it grows. Either
way a reader that goes away (``| head``) cancels the download (ABOR over FTP): the
command then ends quietly with exit code 0, as ``ls`` does. A transfer that fails
half-way has written what arrived, then the error on stderr, as ``curl`` does;
``get -o -`` writes only a complete file.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Awaitable
from pathlib import Path
from typing import BinaryIO

from client.cli.options import add_common_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.cli.runner import CommandContext

__all__ = ["copy_growing", "register"]

#: How often the copy looks for new bytes while the file grows, and its read size.
_POLL_SECONDS = 0.02
_CHUNK = 256 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cat = subparsers.add_parser(
        "cat", help="write a remote file to standard output",
        description="Write a remote file to standard output, byte for byte, while it "
                    "downloads; a reader that stops (| head) ends the download.")
    cat.add_argument("url", help="ftp://[user[:password]@]host[:port]/path, ftps://, "
                                 "ftpes://, sftp://, or site:NAME/path")
    cat.add_argument("--ladder", action="store_true",
                     help="afterwards (or after the failure), draw the conversation as an "
                          "ASCII ladder diagram on stderr")
    add_common_options(cat)
    cat.set_defaults(func=run_cat)


def run_cat(args: argparse.Namespace) -> int:
    from client.cli.ladder_output import laddered
    from client.cli.runner import run_command

    return run_command(args, "cat", args.url, laddered(_cat) if args.ladder else _cat,
                       record_events=args.ladder)


async def _cat(context: CommandContext) -> int:
    import tempfile
    from pathlib import Path

    from client.engine.errors import LocalError
    from client.engine.settings import ConnectionSettings

    remote = context.target.path
    if not remote or remote.endswith("/"):
        raise LocalError(f"cat needs the URL of a file, not of a folder: "
                         f"{context.target.display}", step="arguments")
    out = getattr(context.stdout, "buffer", None)
    if out is None:
        raise LocalError("standard output takes no bytes here", step="local")
    context.stdout.flush()
    if isinstance(context.settings, ConnectionSettings):
        async with context.session() as session:
            await _stream_ftp(context, session, remote, out)
        return 0
    with tempfile.TemporaryDirectory(prefix="ftp-inspector-cat-") as folder:
        async with context.session() as session:
            await _stream(context, session, remote, Path(folder) / "download", out)
    return 0


async def _stream_ftp(context: CommandContext, session: object, remote: str,
                      out: BinaryIO) -> None:
    """``RETR`` straight to ``out``, each chunk as it arrives."""
    from client.engine.download_stream import StreamDownload

    await _explained(context, session, remote,
                     StreamDownload(session, remote, out).run())  # type: ignore[arg-type]


async def _explained(context: CommandContext, session: object, remote: str,
                     download: Awaitable[object]) -> None:
    """``download`` awaited; a refused RETR becomes "does not exist" or "is a folder"."""
    from client.cli.remote_ops import explain_refusal
    from client.engine.errors import CommandFailedError, DataChannelError

    try:
        await download
    except (CommandFailedError, DataChannelError) as exc:
        refused = isinstance(exc, CommandFailedError) or \
            exc.failure.value == "server-refused"
        if not refused:
            raise
        raise await explain_refusal(
            session, remote, exc, want="file",  # type: ignore[arg-type]
            hint=f" (ftp-inspector ls {context.target.display} lists it)") from exc


async def _stream(context: CommandContext, session: object, remote: str, local: Path,
                  out: BinaryIO) -> None:
    """Download ``remote`` to ``local`` while a thread copies it to ``out`` (SFTP)."""
    import asyncio
    import contextlib
    import threading

    from client.engine.errors import FtpError

    finished = threading.Event()
    download = asyncio.ensure_future(
        session.download(remote, local, preserve_time=False))  # type: ignore[attr-defined]
    copier = asyncio.ensure_future(asyncio.to_thread(copy_growing, local, out, finished))
    try:
        await asyncio.wait({download, copier}, return_when=asyncio.FIRST_COMPLETED)
        if copier.done() and copier.exception() is not None:
            download.cancel()  # the reader went away: no reason to fetch the rest
            with contextlib.suppress(asyncio.CancelledError, FtpError):
                await download
            copier.result()  # raises (BrokenPipeError: the runner ends quietly)
        await _explained(context, session, remote, download)
    finally:
        finished.set()
        with contextlib.suppress(Exception):
            await copier
    copier.result()


def copy_growing(local: Path, out: BinaryIO, finished: threading.Event) -> None:
    """Copy ``local``'s ``.part`` to ``out`` as it grows, until ``finished`` is set and
    everything written has been copied (the complete file is renamed to ``local``: an
    open descriptor keeps reading it)."""
    import os

    from client.engine.localpaths import part_path

    part = part_path(local)
    fd = None
    while fd is None:
        done = finished.is_set()  # read before looking: a rename in between is seen
        for candidate in (part, local):
            try:
                fd = os.open(candidate, os.O_RDONLY)
                break
            except FileNotFoundError:
                continue
        if fd is None:
            if done:
                return  # failed before the first byte: nothing to copy
            finished.wait(_POLL_SECONDS)
    try:
        while True:
            done = finished.is_set()
            data = os.read(fd, _CHUNK)
            if data:
                out.write(data)
                continue
            out.flush()
            if done:
                return
            finished.wait(_POLL_SECONDS)
    finally:
        os.close(fd)
