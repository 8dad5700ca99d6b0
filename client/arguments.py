"""Argument parsing shared by both front ends (no Qt, no engine): the exit-code
contract for usage errors, ``--version``, and the names of the subcommands, so that the
entry point can choose a front end without importing either."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

#: ``typing`` is imported by type checkers only: loading it costs ``explain`` ~3 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = ["SUBCOMMANDS", "UsageParser", "VersionAction"]

# subcommand name -> module of the command-line front end
SUBCOMMANDS: dict[str, str] = {
    "ls": "client.cli.transfer_commands",
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


class UsageParser(argparse.ArgumentParser):
    """argparse with the CLI's exit-code contract: a usage error exits 1 (argparse's own
    2 means "could not connect or log in" here). Subcommand parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")
