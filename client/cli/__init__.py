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
import gc
import importlib
import sys
from collections.abc import Sequence

from client.arguments import SUBCOMMANDS, UsageParser, VersionAction

__all__ = ["SUBCOMMANDS", "loaded", "parse_command", "run_subcommand", "subcommand_parser"]

#: The collector's first-generation threshold while a command loads its modules.
_LOADING_GEN0 = 100_000
#: The thresholds to restore once loaded (empty when not loading).
_saved_thresholds: list[tuple[int, int, int]] = []


def _loading() -> None:
    """Collect garbage rarely while the command loads: loading argparse, the options and
    the engine creates ~100,000 objects (modules, classes, functions) and nearly no
    garbage, and collecting as they come (~45 collections, the later ones walking every
    object loaded so far) cost a ``get`` 7-12 ms. Collection is not off: a command that
    never calls :func:`loaded` still collects, every 100,000 new objects."""
    if not _saved_thresholds:
        _saved_thresholds.append(gc.get_threshold())
        gc.set_threshold(_LOADING_GEN0, *_saved_thresholds[0][1:])


def loaded() -> None:
    """The command's modules are loaded: keep them out of later collections
    (``gc.freeze``: what a collection walks is what the command creates from now on)
    and collect as usual again. Nothing to do unless :func:`_loading` ran."""
    if _saved_thresholds:
        gc.freeze()
        gc.set_threshold(*_saved_thresholds.pop())


def _command_parsers(name: str) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The program's parser with ``name``'s subcommand, and that subcommand's own."""
    parser = UsageParser(prog="ftp-inspector")
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", required=True)
    module = importlib.import_module(SUBCOMMANDS[name])
    register_one = getattr(module, "register_one", None)
    if register_one is not None:
        register_one(subparsers, name)  # a module of several commands: only this one
    else:
        module.register(subparsers)
    return parser, subparsers.choices[name]


def subcommand_parser(name: str) -> argparse.ArgumentParser:
    return _command_parsers(name)[0]


def parse_command(args_list: Sequence[str]) -> argparse.Namespace:
    """``args_list`` (the subcommand's name first) parsed with options allowed between
    its positional arguments: ``put a.txt --overwrite b.txt URL/`` and ``rm URL -f URL``
    mean what they say (argparse's plain parse stops the positionals at the first
    option and then refuses the rest as unrecognized)."""
    name = args_list[0]
    _parser, command = _command_parsers(name)
    rest = list(args_list[1:])
    # Python 3.11's intermixed parse drops what follows "--"; the plain parse keeps it
    # (options then stand before the positionals, or among those before the "--")
    args = command.parse_args(rest) if "--" in rest else command.parse_intermixed_args(rest)
    args.command = name
    return args


def run_subcommand(args_list: Sequence[str], *, program: bool = False) -> int:
    """Run ``ftp-inspector SUBCOMMAND …``; returns the exit code (see the CLI reference).
    ``program``: this process is the command (not a caller of it), so the collector's
    settings are its own to tune while it loads."""
    if program:
        _loading()
    args = parse_command(args_list)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
