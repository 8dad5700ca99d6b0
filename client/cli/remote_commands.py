"""``ftp-inspector rm|mkdir|rmdir|mv|chmod``: changes on the server, for ftp://, ftps://,
ftpes://, sftp:// and site: URLs alike (the work is in :mod:`client.cli.remote_ops`,
against the engine's RemoteFileSystem). Connection options, credentials, ``-v``,
``--transcript``, the session log, ``--ladder`` and the exit codes are those of ``ls``.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from client.cli.options import add_common_options
from client.protocol.text import escape_control

TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.cli.runner import CommandContext
    from client.engine.errors import CommandFailedError, FtpError
    from client.engine.remotefs import RemoteFileSystem

__all__ = ["register"]

_URL_HELP = ("ftp://[user[:password]@]host[:port]/path, ftps://, ftpes://, sftp://, or "
             "site:NAME/path")


def _ladder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ladder", action="store_true",
                        help="afterwards (or after the failure), draw the conversation as "
                             "an ASCII ladder diagram")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rm = subparsers.add_parser(
        "rm", help="delete remote files (-r: a folder tree)",
        description="Delete files on the server. Without -r a folder is refused; with "
                    "-r a folder is deleted with everything in it, at once (there is no "
                    "question to confirm: the flag is the confirmation). Every URL must "
                    "name the same server.")
    rm.add_argument("urls", nargs="+", metavar="URL", help=_URL_HELP)
    rm.add_argument("-r", "--recursive", action="store_true",
                    help="delete folders and everything in them (links are deleted, never "
                         "followed)")
    rm.add_argument("-f", "--force", action="store_true",
                    help="a path that does not exist is no error")
    _ladder_option(rm)
    add_common_options(rm)
    rm.set_defaults(func=_runner("rm", _rm, url_of=lambda a: a.urls[0]))

    mkdir = subparsers.add_parser("mkdir", help="create a remote folder",
                                  description="Create a folder on the server.")
    mkdir.add_argument("url", help=_URL_HELP)
    mkdir.add_argument("-p", "--parents", action="store_true",
                       help="create missing parent folders too; an existing folder is no "
                            "error")
    _ladder_option(mkdir)
    add_common_options(mkdir)
    mkdir.set_defaults(func=_runner("mkdir", _mkdir))

    rmdir = subparsers.add_parser("rmdir", help="delete an empty remote folder",
                                  description="Delete an empty folder on the server "
                                              "(rm -r deletes a full one).")
    rmdir.add_argument("url", help=_URL_HELP)
    _ladder_option(rmdir)
    add_common_options(rmdir)
    rmdir.set_defaults(func=_runner("rmdir", _rmdir))

    mv = subparsers.add_parser(
        "mv", help="rename or move a remote file or folder",
        description="Rename on the server (RNFR/RNTO; SFTP rename). NEWPATH is a path on "
                    "the same server: absolute (/dir/name, or a URL of the same server), "
                    "or relative to the source's folder; an existing folder (or a path "
                    "ending in '/') takes the source under its own name. An existing target is refused "
                    "(exit code 6) unless --overwrite.")
    mv.add_argument("url", help=_URL_HELP)
    mv.add_argument("newpath", metavar="NEWPATH", help="the new name or path")
    mv.add_argument("--overwrite", action="store_true",
                    help="replace an existing target (the server may still refuse)")
    _ladder_option(mv)
    add_common_options(mv)
    mv.set_defaults(func=_runner("mv", _mv))

    chmod = subparsers.add_parser(
        "chmod", help="change a remote file's permissions",
        description="Change permissions on the server: SITE CHMOD over FTP (not every "
                    "server has it), SETSTAT over SFTP.")
    chmod.add_argument("permissions", metavar="MODE", type=_octal_mode,
                       help="octal mode: 644, 0755, 0o750")
    chmod.add_argument("url", help=_URL_HELP)
    _ladder_option(chmod)
    add_common_options(chmod)
    chmod.set_defaults(func=_runner("chmod", _chmod))


def _octal_mode(text: str) -> int:
    digits = text[2:] if text.lower().startswith("0o") else text
    if not digits or len(digits) > 4 or any(ch not in "01234567" for ch in digits):
        raise argparse.ArgumentTypeError(f"expected an octal mode such as 644 or 0755, "
                                         f"got {escape_control(text)!r}")
    return int(digits, 8)


def _runner(command: str, body: Callable[[CommandContext], Awaitable[int]], *,
            url_of: Callable[[argparse.Namespace], str] = lambda a: a.url,
            ) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from client.cli.ladder_output import laddered
        from client.cli.runner import run_command

        work = laddered(body) if args.ladder else body
        return run_command(args, command, url_of(args), work, record_events=args.ladder)

    return run


def _path_of(context: CommandContext, verb: str) -> str:
    from client.engine.errors import LocalError

    path = context.target.path
    if not path or not path.strip("/"):
        raise LocalError(f"{verb} needs a path in the URL, not the login folder or the "
                         f"root: {context.target.display}", step="arguments")
    return path.rstrip("/") or path


def _other_path(context: CommandContext, url_text: str, *, keep_slash: bool = False) -> str:
    """The path of another URL given to the command; it must name the same server."""
    from client.cli.options import TargetError, build_target
    from client.config.urls import UrlError, parse_url
    from client.engine.errors import LocalError

    try:
        url = parse_url(url_text)
        if url.site is not None:
            other = build_target(context.args, url_text)
            same = other.settings.host == context.settings.host and \
                other.settings.port == context.settings.port
            path = other.path
        else:
            path = url.path
            same = (url.host == context.settings.host
                    and url.effective_port(url.tls) == context.settings.port
                    and (url.user is None or url.user == context.settings.user)
                    and url.is_sftp == context.is_sftp)
    except (UrlError, TargetError) as exc:
        raise LocalError(f"{escape_control(str(exc))}", step="arguments") from None
    if not same:
        raise LocalError(f"{escape_control(url_text)} names another server than "
                         f"{context.target.display}; one command works on one server",
                         step="arguments")
    if not path or not path.strip("/"):
        raise LocalError(f"{context.command} needs a path in the URL, not the login folder "
                         f"or the root: {escape_control(url_text)}", step="arguments")
    return path if keep_slash else (path.rstrip("/") or path)


async def _rm(context: CommandContext) -> int:
    from client.cli.output import exit_code_of, format_error
    from client.cli.remote_ops import MissingPathError, explain_refusal, remove_tree
    from client.engine.errors import CommandFailedError, FtpError

    paths = [_path_of(context, "rm")] + [_other_path(context, url)
                                         for url in context.args.urls[1:]]
    worst = 0
    async with context.session() as session:
        for path in paths:
            try:
                if context.args.recursive and await _is_folder(session, path):
                    report = await remove_tree(session, path)
                    context.note(f"removed {escape_control(path)}: {report.files} files and "
                                 f"{report.folders} folders")
                    if report.left:
                        for where, why in report.left:
                            print(f"ftp-inspector rm: left {escape_control(where)}: "
                                  f"{escape_control(why)}", file=context.stderr)
                        worst = max(worst, 4)
                    continue
                try:
                    await session.delete(path)
                except CommandFailedError as exc:
                    raise await explain_refusal(
                        session, path, exc, want="file",
                        hint=": rmdir deletes an empty folder, rm -r a whole tree") from exc
                context.note(f"removed {escape_control(path)}")
            except FtpError as error:
                if isinstance(error, MissingPathError) and context.args.force:
                    continue
                if exit_code_of(error) not in (1, 4):  # the connection itself: stop
                    raise
                print(format_error(error, command="rm"), file=context.stderr)
                worst = max(worst, exit_code_of(error))
    return worst


async def _is_folder(session: object, path: str) -> bool:
    entry = await session.stat(path)  # type: ignore[attr-defined]
    if entry is None:
        from client.cli.remote_ops import MissingPathError

        raise MissingPathError(f"{escape_control(path)} does not exist on the server",
                               reply_code=550, reply_text="", command=f"stat {path}",
                               step="rm")
    return bool(entry.is_dir)


async def _mkdir(context: CommandContext) -> int:
    from client.cli.remote_ops import make_folders
    from client.engine.errors import CommandFailedError, TargetExistsError

    path = _path_of(context, "mkdir")
    async with context.session() as session:
        if context.args.parents:
            made = await make_folders(session, path)
            context.note(f"created {', '.join(escape_control(p) for p in made)}" if made
                         else f"{escape_control(path)} exists already")
            return 0
        try:
            await session.mkdir(path)
        except CommandFailedError as exc:
            entry = await session.stat(path)
            if entry is not None:
                raise TargetExistsError(
                    f"{escape_control(path)} already exists on the server "
                    f"({'a folder' if entry.is_dir else 'a file'}); mkdir -p accepts an "
                    "existing folder", path=path, step="mkdir") from exc
            raise
    context.note(f"created {escape_control(path)}")
    return 0


async def _rmdir(context: CommandContext) -> int:
    from client.cli.remote_ops import explain_refusal
    from client.engine.errors import CommandFailedError

    path = _path_of(context, "rmdir")
    async with context.session() as session:
        try:
            await session.rmdir(path)
        except CommandFailedError as exc:
            better = await explain_refusal(session, path, exc, want="dir",
                                           hint=" (rm deletes a file)")
            if better is exc:
                context.note("a folder that is not empty is refused; rm -r deletes it with "
                             "everything in it")
            raise better from exc
    context.note(f"removed {escape_control(path)}")
    return 0


async def _mv(context: CommandContext) -> int:
    from client.cli.remote_ops import explain_refusal, rename_target
    from client.engine.errors import CommandFailedError, LocalError, TargetExistsError
    from client.protocol.paths import join_remote, remote_basename

    source = _path_of(context, "mv")
    new = context.args.newpath
    if "://" in new or new.startswith("site:"):
        new = _other_path(context, new, keep_slash=True)
    elif not new.strip("/"):
        raise LocalError("mv needs a new name or path", step="arguments")
    target = rename_target(source, new)
    async with context.session() as session:
        existing = await session.stat(target)
        if existing is not None and existing.is_dir and target != source:
            # an existing folder takes the source under its own name, as mv does
            target = join_remote(target, remote_basename(source))
            existing = await session.stat(target)
        if not context.args.overwrite:
            if existing is not None:
                raise TargetExistsError(
                    f"{escape_control(target)} already exists on the server; nothing was "
                    "renamed (--overwrite replaces it)", path=target, step="rename")
        try:
            await session.rename(source, target)
        except CommandFailedError as exc:
            explained = await explain_refusal(session, source, exc)
            if explained is exc:  # the source is there: is the target's folder?
                explained = await _missing_folder_of(session, target, exc)
            raise explained from exc
    context.note(f"renamed {escape_control(source)} to {escape_control(target)}")
    return 0


async def _missing_folder_of(session: RemoteFileSystem, target: str,
                             exc: CommandFailedError) -> FtpError:
    """A rename refused because the target's folder does not exist says so (the bare
    "RNTO … 550 No such file" read as if the source were missing); else ``exc``."""
    from client.cli.remote_ops import MissingPathError
    from client.engine.errors import FtpError
    from client.protocol.paths import remote_parent

    folder = remote_parent(target)
    if folder in ("", ".", "/"):
        return exc
    try:
        entry = await session.stat(folder)
    except FtpError:
        return exc
    if entry is not None:
        return exc
    return MissingPathError(f"{escape_control(folder)} does not exist on the server, so "
                            f"nothing was renamed ({exc.message})",
                            reply_code=exc.reply_code or 550, reply_text=exc.reply_text,
                            command=exc.command, step=exc.step)


async def _chmod(context: CommandContext) -> int:
    from client.cli.remote_ops import chmod_unsupported, explain_refusal
    from client.engine.errors import CommandFailedError

    path = _path_of(context, "chmod")
    mode = context.args.permissions
    async with context.session() as session:
        try:
            await session.chmod(path, mode)
        except CommandFailedError as exc:
            if chmod_unsupported(exc):
                raise CommandFailedError(
                    f"the server has no SITE CHMOD (it answered {exc.reply_code} "
                    f"{escape_control(exc.reply_text)}): permissions cannot be changed "
                    "over this connection", reply_code=exc.reply_code,
                    reply_text=exc.reply_text, command=exc.command, step="chmod") from exc
            raise await explain_refusal(session, path, exc) from exc
    context.note(f"changed the mode of {escape_control(path)} to {mode:04o}")
    return 0
