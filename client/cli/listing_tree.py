"""``ls -R``: a folder and the folders below it, as ``ls -lR`` prints them (each folder
under its path and a colon) or, with ``--json``, one array of entries that carry their
``path``.

The walk goes depth first, as ``ls -R`` prints, through the session's listings. It never follows links, never
descends into a name that is not one component (``..``, ``a/b``, line breaks: a server
could otherwise loop the walk or steer it elsewhere) and never lists a folder twice. A
sub-folder that cannot be listed is reported on stderr and the walk goes on; the
command then ends with exit code 4, after printing everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from client.protocol.paths import join_remote
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.cli.runner import CommandContext

__all__ = ["ls_recursive", "MAX_LIST_DEPTH"]

#: Without --depth: deeper than this is a loop on the server.
MAX_LIST_DEPTH = 48


async def ls_recursive(context: CommandContext) -> int:
    from client.cli.ladder_output import print_ladder

    depth_limit = context.args.depth
    if depth_limit is not None and depth_limit < 0:
        from client.engine.errors import LocalError

        raise LocalError("--depth takes 0 or more folders", step="arguments")
    if depth_limit is None:
        depth_limit = MAX_LIST_DEPTH if context.args.recursive else 0
    try:
        code = await _walk(context, min(depth_limit, MAX_LIST_DEPTH))
    except BaseException:
        if context.args.ladder:
            print_ladder(context)
        raise
    if context.args.ladder:
        print_ladder(context)
    context.stdout.flush()
    return code


async def _walk(context: CommandContext, depth_limit: int) -> int:
    from client.cli.listing_output import entry_to_json, format_long_listing
    from client.cli.remote_ops import unusable_name
    from client.engine.errors import CommandFailedError

    as_json = context.args.json
    records: list[dict[str, object]] = []
    failed = 0
    async with context.session() as session:
        root = context.target.path
        if root is None:
            root = await session.pwd()
        pending: list[tuple[str, int]] = [(root, 0)]
        visited: set[str] = set()
        first = True
        while pending:
            folder, depth = pending.pop()
            key = folder.rstrip("/") or "/"
            if key in visited:
                continue
            visited.add(key)
            try:
                entries = list((await session.list(folder)).entries)
            except CommandFailedError as exc:
                if first:
                    raise
                failed += 1
                print(f"ftp-inspector ls: cannot list {escape_control(folder)}: "
                      f"{escape_control(exc.message)}", file=context.stderr)
                continue
            if as_json:
                for entry in entries:
                    record = entry_to_json(entry)
                    record["path"] = join_remote(folder, entry.name) \
                        if unusable_name(entry.name) is None else None
                    records.append(record)
            else:
                if not first:
                    context.stdout.write("\n")
                context.stdout.write(f"{escape_control(folder)}:\n")
                text = format_long_listing(entries)
                if text:
                    context.stdout.write(text + "\n")
            first = False
            if depth >= depth_limit:
                continue
            below: list[tuple[str, int]] = []
            for entry in sorted(entries, key=lambda e: e.name):
                if not entry.is_dir:
                    continue
                why = unusable_name(entry.name)
                if why is not None:
                    if entry.name not in (".", ".."):
                        print(f"ftp-inspector ls: not descending into "
                              f"{escape_control(entry.name)!r} in {escape_control(folder)}: "
                              f"{why}", file=context.stderr)
                    continue
                below.append((join_remote(folder, entry.name), depth + 1))
            pending.extend(reversed(below))  # the first name is listed next
    if as_json:
        import json

        json.dump(records, context.stdout, ensure_ascii=False, indent=1)
        context.stdout.write("\n")
    return 4 if failed else 0
