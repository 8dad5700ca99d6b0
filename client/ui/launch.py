"""``ftp-inspector`` without a subcommand: the window's own options (``--demo``,
``--scenario``, ``--self-test``, a URL to open) and the display check, then the app.

The entry point (:mod:`client.entry`) comes here for everything that is not a
subcommand; the command-line front end never imports this module.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from client.arguments import SUBCOMMANDS, UsageParser, VersionAction
from client.demo.catalog import SCENARIOS

__all__ = ["main", "window_parser"]


#: What the window accepts as its positional argument (a desktop file passes links).
_OPENABLE_PREFIXES = ("ftp://", "ftps://", "ftpes://", "sftp://", "site:")


def _has_display() -> bool:
    """False on a Linux/BSD desktop session without X11 or Wayland (an ssh login, a
    container): a window opened there would be invisible and never end."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def window_parser() -> argparse.ArgumentParser:
    parser = UsageParser(
        prog="ftp-inspector",
        description=(
            "FTP Inspector: an FTP/FTPS/SFTP client that shows who dials whom on every data "
            "connection. Without a subcommand it opens the window. Subcommands: "
            + ", ".join(SUBCOMMANDS)
            + " (see 'ftp-inspector SUBCOMMAND --help')."
        ),
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--demo", action="store_true",
                        help="start the embedded demo server and connect the window to it")
    parser.add_argument("--scenario", default="healthy",
                        help=f"demo scenario for --demo: {', '.join(SCENARIOS)} (the "
                             "window's Demo menu opens the others in new tabs)")
    parser.add_argument("--self-test", action="store_true",
                        help="start the demo server, open the window offscreen, connect, list, "
                             "download and verify a file; exit 0 on success")
    parser.add_argument("url", nargs="?",
                        help="ftp://, ftps://, ftpes:// or sftp:// URL, or site:NAME, to open")
    return parser


def main(args_list: Sequence[str]) -> int:
    """Parse the window's options and run it; returns the exit code."""
    parser = window_parser()
    args = parser.parse_args(args_list)
    if args.url is not None and not args.url.lower().startswith(_OPENABLE_PREFIXES):
        parser.error(f"{args.url!r} is neither a command ({', '.join(SUBCOMMANDS)}) nor an "
                     "ftp://, ftps://, ftpes://, sftp:// or site: address")
    if args.self_test:
        from client.ui.selftest import run_self_test

        return run_self_test()
    if not _has_display():
        # Still start (offscreen), so scripts and smoke tests can run the app; but never
        # silently: a person on an ssh session must know why no window appears.
        print("ftp-inspector: warning: no display (neither DISPLAY nor WAYLAND_DISPLAY is "
              "set): the window runs offscreen, where nobody can see it; stop it with "
              "Ctrl+C. For a terminal use the commands instead (ftp-inspector ls|get|put|"
              "mirror|diagnose|explain|analyze|demo-server, see --help).",
              file=sys.stderr, flush=True)
    from client.ui.app import run_app

    return run_app(args)
