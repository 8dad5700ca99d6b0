"""``ftp-inspector ls URL``: a remote folder (or one file) as ``ls -l`` prints it, or as
JSON. The entries' text and JSON forms are in :mod:`client.cli.listing_output`, the
``-R`` walk in :mod:`client.cli.listing_tree`; both load only when ``ls`` runs."""

from __future__ import annotations

import argparse

from client.cli.ladder_output import print_ladder
from client.cli.options import add_common_options

# The runner and the engine load when the command runs, while the early login dials.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.cli.runner import CommandContext
    from client.protocol.listing import ListingEntry

__all__ = ["register", "run_ls"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ls = subparsers.add_parser("ls", help="list a remote directory",
                               description="List a remote directory (MLSD when offered, "
                                           "else LIST), like ls -l or as JSON.")
    ls.add_argument("url", help="ftp://[user[:password]@]host[:port]/path, ftps://, ftpes://, "
                                "sftp://, or site:NAME/path")
    ls.add_argument("--json", action="store_true", help="print the entries as a JSON array")
    ls.add_argument("--ladder", action="store_true",
                    help="after the listing (or its failure), draw the conversation as an "
                         "ASCII ladder diagram (on stderr with --json)")
    ls.add_argument("-R", "--recursive", action="store_true",
                    help="list the folders below too, each under its path (links are not "
                         "followed)")
    ls.add_argument("--depth", type=int, default=None, metavar="N",
                    help="go at most N folders down (0: the folder alone); implies -R")
    add_common_options(ls)
    ls.set_defaults(func=run_ls)


def run_ls(args: argparse.Namespace) -> int:
    from client.cli.early_start import prepare

    prepared = prepare(args, args.url, lambda _target: True)
    from client.cli.runner import run_command  # the engine loads while the login runs

    return run_command(args, "ls", args.url, _ls, record_events=args.ladder,
                       prepared=prepared)


async def _ls(context: CommandContext) -> int:
    if context.args.recursive or context.args.depth is not None:
        from client.cli.listing_tree import ls_recursive

        return await ls_recursive(context)
    try:
        async with context.session() as session:
            entries = await _ls_entries(session, context.target.path)
    except BaseException:
        if context.args.ladder:
            print_ladder(context)
        raise
    from client.cli.listing_output import entries_to_json, format_long_listing

    if context.args.json:
        import json

        json.dump(entries_to_json(entries), context.stdout, ensure_ascii=False, indent=1)
        context.stdout.write("\n")
    else:
        text = format_long_listing(entries)
        if text:
            context.stdout.write(text + "\n")
    if context.args.ladder:
        print_ladder(context)
    context.stdout.flush()
    return 0


async def _ls_entries(session: object, path: str | None) -> list[ListingEntry]:
    """The folder's entries; for the path of a file, that one entry (as ``ls -l FILE``
    does): asked (MLST, a listing of the parent, or an SFTP stat) only after the
    listing was refused, so a folder costs nothing more."""
    from client.engine.errors import CommandFailedError

    try:
        return list((await session.list(path)).entries)  # type: ignore[attr-defined]
    except CommandFailedError:
        if not path or path.endswith("/"):
            raise
        entry = await session.stat(path)  # type: ignore[attr-defined]
        if entry is None or entry.is_dir:
            raise
        return [entry]
