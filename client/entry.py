"""The ``ftp-inspector`` command: choose a front end, import nothing else.

A subcommand (``ls``, ``get``, …) goes to the command line (:mod:`client.cli`);
everything else opens the window (:mod:`client.ui.launch`). Neither front end imports
the other, so a headless command never pays for Qt.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ftp-inspector`` with ``argv`` (default: the process arguments)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # answered here: no front end needed for it
        from client import __version__

        sys.stdout.write(f"ftp-inspector {__version__}\n")
        return 0
    from client.arguments import SUBCOMMANDS  # argparse: not needed for --version

    if args_list and args_list[0] in SUBCOMMANDS:
        from client.cli import run_subcommand

        return run_subcommand(args_list)
    from client.ui.launch import main as window_main

    return window_main(args_list)
