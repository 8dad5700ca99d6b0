"""Command-line entry point: ``ftp-inspector`` (GUI) and its headless subcommands.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)`` (adds its parser, sets ``func``) — the command modules are thin
front ends over the engine and the protocol layer.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from client import __version__

# subcommand name -> module in this package
SUBCOMMANDS: dict[str, str] = {
    "ls": "client.cli.transfer_commands",
    "get": "client.cli.transfer_commands",
    "put": "client.cli.transfer_commands",
    "mirror": "client.cli.transfer_commands",
    "diagnose": "client.cli.diagnose_command",
    "explain": "client.cli.explain",
    "analyze": "client.cli.analyze_command",
    "demo-server": "client.cli.demo_command",
}


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI's exit-code contract: a usage error exits 1 (argparse's own
    2 means "could not connect or log in" here). Subcommand parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


#: What the window accepts as its positional argument (a desktop file passes links).
_OPENABLE_PREFIXES = ("ftp://", "ftps://", "ftpes://", "site:")


def _has_display() -> bool:
    """False on a Linux/BSD desktop session without X11 or Wayland (an ssh login, a
    container): a window opened there would be invisible and never end."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def _gui_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ftp-inspector",
        description=(
            "FTP Inspector: an FTP/FTPS client that shows who dials whom on every data "
            "connection. Without a subcommand it opens the window. Subcommands: "
            + ", ".join(SUBCOMMANDS)
            + " (see 'ftp-inspector SUBCOMMAND --help')."
        ),
    )
    parser.add_argument("--version", action="version", version=f"ftp-inspector {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="start the embedded demo server and connect the window to it")
    parser.add_argument("--scenario", default="healthy",
                        help="demo scenario for --demo (healthy, passive-blocked, …)")
    parser.add_argument("--self-test", action="store_true",
                        help="start the demo server, open the window offscreen, connect, list, "
                             "download and verify a file; exit 0 on success")
    parser.add_argument("url", nargs="?", help="ftp://, ftps:// or ftpes:// URL to open")
    return parser


def _subcommand_parser(name: str) -> argparse.ArgumentParser:
    parser = _Parser(prog="ftp-inspector")
    parser.add_argument("--version", action="version", version=f"ftp-inspector {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    module = importlib.import_module(SUBCOMMANDS[name])
    module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (see README for the contract)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        parser = _subcommand_parser(args_list[0])
        args = parser.parse_args(args_list)
        try:
            return int(args.func(args) or 0)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
    parser = _gui_parser()
    args = parser.parse_args(args_list)
    if args.url is not None and not args.url.lower().startswith(_OPENABLE_PREFIXES):
        parser.error(f"{args.url!r} is neither a command ({', '.join(SUBCOMMANDS)}) nor an "
                     "ftp://, ftps://, ftpes:// or site: address")
    if args.self_test:
        from client.ui.selftest import run_self_test

        return run_self_test()
    if not _has_display():
        # Still start (offscreen), so scripts and smoke tests can run the app; but never
        # silently: a person on an ssh session must know why no window appears.
        print("ftp-inspector: warning: no display (neither DISPLAY nor WAYLAND_DISPLAY is "
              "set): the window runs offscreen, where nobody can see it; stop it with "
              "Ctrl+C. For a terminal use the commands instead (ftp-inspector ls|get|put|"
              "mirror|diagnose|explain|analyze|demo-server, see --help).", file=sys.stderr,
              flush=True)
    from client.ui.app import run_app

    return run_app(args)
