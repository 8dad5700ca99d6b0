"""The ``ftp-inspector`` command: choose a front end, import nothing else.

A subcommand (``ls``, ``get``, …) goes to the command line (:mod:`client.cli`);
everything else opens the window (:mod:`client.ui.launch`). Neither front end imports
the other, so a headless command never pays for Qt.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

#: ``typing`` is imported by type checkers only (see client/arguments.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None, *, program: bool = False) -> int:
    """Run ``ftp-inspector`` with ``argv`` (default: the process arguments). ``program``:
    called as the process's program (:func:`run`), not by a caller that goes on after."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # answered here: no front end needed for it
        from client import __version__

        sys.stdout.write(f"ftp-inspector {__version__}\n")
        return 0
    from client.arguments import SUBCOMMANDS  # argparse: not needed for --version

    if args_list and args_list[0] in SUBCOMMANDS:
        from client.cli import run_subcommand

        return run_subcommand(args_list, program=program)
    from client.ui.launch import main as window_main

    return window_main(args_list)


def run() -> NoReturn:
    """``ftp-inspector`` as a program (the console script, ``python -m client``, the
    bundle): :func:`main`, then exit with its code.

    A command-line command ends with ``os._exit`` once its exit handlers ran and its
    output is flushed. What that skips is the interpreter's teardown, which frees every
    loaded module's objects one by one: 10–25 ms of a short command such as ``get``, and
    nothing a command relies on (its files are closed and renamed before it returns).
    The window, a command that left a thread running, or an interpreter without
    ``atexit._run_exitfuncs`` exit the usual way.
    """
    code = main(program=True)
    if "client.cli" in sys.modules and "client.ui" not in sys.modules:
        _exit_now(code)
    raise SystemExit(code)


def _exit_now(code: int) -> None:
    import atexit

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    threading = sys.modules.get("threading")
    if run_exit_handlers is None or (threading is not None and any(
            thread.is_alive() and not thread.daemon and thread is not threading.main_thread()
            for thread in threading.enumerate())):
        return  # the usual exit waits for the thread, or knows the handlers
    run_exit_handlers()  # logging.shutdown and the like, as a normal exit runs them
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe (ls | head): nothing more can be written anyway
    os._exit(code if isinstance(code, int) else 1)
