"""The command-line front end: the headless subcommands (``ls``, ``get``, ``put``,
``mirror``, ``cat``, ``rm``, ``mkdir``, ``rmdir``, ``mv``, ``chmod``, ``diagnose``,
``explain``, ``analyze``, ``demo-server``).

Each subcommand lives in its own module of this package and exposes
``register(subparsers)`` (adds its parser, sets ``func``); a module of several commands
also exposes ``register_one(subparsers, name)``, so that running one of them does not
build its siblings' parsers. The command modules are thin front ends over the engine
and the protocol layer. The entry point
(:mod:`client.entry`) sends everything else to the window; this package never imports it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from client.arguments import SUBCOMMANDS, UsageParser, VersionAction

__all__ = ["SUBCOMMANDS", "run_subcommand", "subcommand_parser"]


def subcommand_parser(name: str) -> argparse.ArgumentParser:
    parser = UsageParser(prog="ftp-inspector")
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", required=True)
    module = importlib.import_module(SUBCOMMANDS[name])
    register_one = getattr(module, "register_one", None)
    if register_one is not None:
        register_one(subparsers, name)  # a module of several commands: only this one
    else:
        module.register(subparsers)
    return parser


def run_subcommand(args_list: Sequence[str]) -> int:
    """Run ``ftp-inspector SUBCOMMAND …``; returns the exit code (see the CLI reference)."""
    parser = subcommand_parser(args_list[0])
    args = parser.parse_args(list(args_list))
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
