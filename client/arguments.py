"""Argument parsing shared by both front ends (no Qt, no engine): the exit-code
contract for usage errors, ``--version``, and the names of the subcommands, so that the
entry point can choose a front end without importing either."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

#: ``typing`` is imported by type checkers only: loading it costs ``explain`` ~3 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = ["SUBCOMMANDS", "UsageParser", "VersionAction", "terminal_columns"]

# subcommand name -> module of the command-line front end
SUBCOMMANDS: dict[str, str] = {
    "ls": "client.cli.ls_command",
    "get": "client.cli.transfer_commands",
    "put": "client.cli.transfer_commands",
    "mirror": "client.cli.transfer_commands",
    "cat": "client.cli.cat_command",
    "rm": "client.cli.remote_commands",
    "mkdir": "client.cli.remote_commands",
    "rmdir": "client.cli.remote_commands",
    "mv": "client.cli.remote_commands",
    "chmod": "client.cli.remote_commands",
    "diagnose": "client.cli.diagnose_command",
    "explain": "client.cli.explain",
    "analyze": "client.cli.analyze_command",
    "demo-server": "client.cli.demo_command",
}


class VersionAction(argparse.Action):
    """``--version``: reads the version only when asked (see ``client.__getattr__``)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> NoReturn:
        from client import __version__

        sys.stdout.write(f"ftp-inspector {__version__}\n")
        parser.exit()


def terminal_columns() -> int:
    """The width ``shutil.get_terminal_size`` reports (``COLUMNS``, else the terminal,
    else 80), without importing shutil and the compression modules it loads."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter at argparse's width. argparse builds one for every argument
    added (to check its metavar), and its own sizes itself through shutil: ~2 ms of a
    ``get`` before it can dial."""

    def __init__(self, prog: str, *args: object, **kwargs: object) -> None:
        if not args and kwargs.get("width") is None:
            kwargs["width"] = terminal_columns() - 2
        super().__init__(prog, *args, **kwargs)  # type: ignore[arg-type]


class UsageParser(argparse.ArgumentParser):
    """argparse with the CLI's exit-code contract: a usage error exits 1 (argparse's own
    2 means "could not connect or log in" here). Subcommand parsers inherit the class,
    and the formatter that does not load shutil."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")
