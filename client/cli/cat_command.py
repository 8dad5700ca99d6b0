"""``ftp-inspector cat URL``: a remote file's bytes on standard output, unchanged
(binary transfer, no newline conversion), for ftp://, ftps://, ftpes://, sftp:// and
site: URLs.

Over FTP the bytes go to standard output as they arrive
(:mod:`client.engine.download_stream`: a writer thread, so a slow reader such as
``| less`` never holds up the event loop that runs the transfer and its timeouts).
Over SFTP the READ answers are put back in order and written the same way
(:mod:`client.engine.sftp.streaming`); nothing goes to disk. Either way a reader that
goes away (``| head``) cancels the download (ABOR over FTP): the
command then ends quietly with exit code 0, as ``ls`` does. A transfer that fails
half-way has written what arrived, then the error on stderr, as ``curl`` does;
``get -o -`` writes only a complete file.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable
from typing import BinaryIO

from client.cli.options import add_common_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.cli.runner import CommandContext

__all__ = ["register"]


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
    async with context.session() as session:
        if isinstance(context.settings, ConnectionSettings):
            await _stream_ftp(context, session, remote, out)
        else:
            await _explained(context, session, remote,
                             session.download_stream(remote, out))  # type: ignore[attr-defined]
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
