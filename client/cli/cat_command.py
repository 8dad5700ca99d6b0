"""``ftp-inspector cat URL``: a remote file's bytes on standard output, unchanged
(binary transfer, no newline conversion), for ftp://, ftps://, ftpes://, sftp:// and
site: URLs.

As ``get -o -`` does, the file is downloaded through a ``.part`` in a private temporary
folder (removed afterwards) and written out once complete: a failed transfer writes
nothing, so a pipe never receives half a file followed by an error. A reader that goes
away (``cat URL | head``) ends the command quietly with exit code 0, as ``ls`` does.
"""

from __future__ import annotations

import argparse

from client.cli.options import add_common_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.cli.runner import CommandContext

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cat = subparsers.add_parser(
        "cat", help="write a remote file to standard output",
        description="Write a remote file to standard output, byte for byte (once it has "
                    "arrived completely; a failed transfer writes nothing).")
    cat.add_argument("url", help="ftp://[user[:password]@]host[:port]/path, ftps://, "
                                 "ftpes://, sftp://, or site:NAME/path")
    cat.add_argument("--ladder", action="store_true",
                     help="afterwards (or after the failure), draw the conversation as an "
                          "ASCII ladder diagram on stderr")
    add_common_options(cat)
    cat.set_defaults(func=run_cat)


def run_cat(args: argparse.Namespace) -> int:
    from client.cli.runner import run_command
    from client.cli.transfer_commands import laddered

    return run_command(args, "cat", args.url, laddered(_cat) if args.ladder else _cat,
                       record_events=args.ladder)


async def _cat(context: CommandContext) -> int:
    import shutil
    import tempfile
    from pathlib import Path

    from client.cli.remote_ops import explain_refusal
    from client.engine.errors import CommandFailedError, DataChannelError, LocalError
    from client.protocol.text import escape_control

    remote = context.target.path
    if not remote or remote.endswith("/"):
        raise LocalError(f"cat needs the URL of a file, not of a folder: "
                         f"{context.target.display}", step="arguments")
    out = getattr(context.stdout, "buffer", None)
    if out is None:
        raise LocalError("standard output takes no bytes here", step="local")
    with tempfile.TemporaryDirectory(prefix="ftp-inspector-cat-") as folder:
        local = Path(folder) / "download"
        async with context.session() as session:
            try:
                await session.download(remote, local, preserve_time=False)
            except (CommandFailedError, DataChannelError) as exc:
                refused = isinstance(exc, CommandFailedError) or \
                    exc.failure.value == "server-refused"
                if not refused:
                    raise
                raise await explain_refusal(
                    session, remote, exc, want="file",
                    hint=f" (ftp-inspector ls {context.target.display} lists it)") from exc
        context.stdout.flush()
        with open(local, "rb") as source:
            shutil.copyfileobj(source, out)
        out.flush()
    if context.args.verbose:
        context.note(f"wrote {escape_control(remote)} to standard output")
    return 0
