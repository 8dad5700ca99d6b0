"""``ftp-inspector demo-server``: run the embedded demo server in the foreground.

The first line on stdout is the URL with the user name but never the password, flushed
at once, so that a script (or a test) can start the server and read where to connect;
everything meant for a person goes to stderr. The password is the one in
``FTP_PASSWORD`` when that is set (the variable the client commands read too), else a
generated one written to a file only this user can read, in the server's own folder
(removed at the stop); its path is printed, the password itself never is. SIGINT, SIGTERM and SIGHUP stop the server cleanly with exit
status 0 (the generated files are removed).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from client.demo import SCENARIO_DETAILS, SCENARIOS, DemoServer, DemoServerError

__all__ = ["register", "run"]

_WAIT_SLICE = 0.5  # seconds; the main thread wakes this often to notice a signal
# SIGHUP too: closing the terminal should remove the sample files like Ctrl+C does.
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo-server",
        help="run the embedded demo server (loopback only) in the foreground",
        description=(
            "Serve a generated sample tree on 127.0.0.1 under one fault scenario, until "
            "interrupted. Prints ftp://demo@127.0.0.1:PORT/ (ftpes:// for tls) as the first "
            "line on stdout, without the password; the scenario's description goes to "
            "stderr. The password of user demo is FTP_PASSWORD when set, else a generated "
            "one written to a file readable only by you (its path is on stderr), e.g. "
            "FTP_PASSWORD=$(cat FILE) ftp-inspector ls URL. Anonymous login works too "
            "(read-only)."
        ),
    )
    parser.add_argument(
        "--scenario", default="healthy", metavar="NAME",
        help="one of: " + ", ".join(SCENARIOS) + " (default: healthy)",
    )
    parser.add_argument("--port", type=int, default=0,
                        help="control port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--list-scenarios", action="store_true",
                        help="print the scenarios with a one-line description and exit")
    parser.add_argument(
        "--give-up-after", type=float, default=10.0, metavar="SECONDS",
        help="how long a doomed transfer waits before its 425 (passive-blocked, "
             "passive-refused, active-blocked; default 10)",
    )
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log every command the server receives on stderr (passwords masked)")
    parser.set_defaults(func=run)


def _list_scenarios() -> int:
    width = max(len(name) for name in SCENARIOS)
    for name, summary in SCENARIOS.items():
        print(f"{name.ljust(width)}  {summary}")
    return 0


def _describe(server: DemoServer, password_file: Path | None) -> None:
    details = SCENARIO_DETAILS[server.scenario]
    if password_file is None:
        where = "the password of user demo: the one in FTP_PASSWORD"
    else:
        where = (f"the password of user demo is in {password_file} (readable by you only, "
                 f"removed at the stop): FTP_PASSWORD=$(cat {password_file}) "
                 f"ftp-inspector ls {server.url_without_password}")
    lines = [
        f"demo server on {server.host}:{server.port}, scenario '{details.name}': {details.summary}",
        f"  what you will see: {details.observe}",
        f"  {where}",
        f"  anonymous (read-only): {server.anonymous_url}",
        f"  sample files: {server.root}",
    ]
    if server.ca_file:
        lines.append(f"  certificate (self-signed, trust it with --ca-file): {server.ca_file}")
        lines.append(f"  certificate SHA-256: {server.cert_fingerprint_sha256}")
    lines.append("  stop with Ctrl+C")
    print("\n".join(lines), file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM; 0 on a clean stop, 1 on a usage or local error."""
    if args.list_scenarios:
        return _list_scenarios()
    if args.scenario not in SCENARIOS:
        print(f"ftp-inspector demo-server: unknown scenario {args.scenario!r}; choose one of: "
              + ", ".join(SCENARIOS), file=sys.stderr)
        return 1
    if args.verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s demo-server %(message)s")
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    # Installed before the server starts, so that a signal at any moment still ends in
    # a clean stop (files removed) rather than a KeyboardInterrupt mid-start.
    previous = {sig: signal.signal(sig, request_stop) for sig in _STOP_SIGNALS}
    try:
        try:
            given = os.environ.get("FTP_PASSWORD") or None
            server = DemoServer(args.scenario, port=args.port, give_up_after=args.give_up_after,
                                password=given)
            server.start()
        except DemoServerError as exc:
            print(f"ftp-inspector demo-server: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            where = f"127.0.0.1:{args.port}" if args.port else "127.0.0.1"
            print(f"ftp-inspector demo-server: could not listen on {where}: {exc.strerror or exc}"
                  + (" (is another server using that port?)" if args.port else ""),
                  file=sys.stderr)
            return 1
        try:
            password_file = None if given else server.write_password_file()
            print(server.url_without_password, flush=True)
            _describe(server, password_file)
            while not stop_requested.wait(_WAIT_SLICE):
                if not server.running:
                    print("ftp-inspector demo-server: the server thread ended unexpectedly",
                          file=sys.stderr)
                    return 1
        except BrokenPipeError:
            return 1  # whoever wanted the URL has gone away
        finally:
            server.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    try:
        print("demo server stopped", file=sys.stderr, flush=True)
    except OSError:
        pass
    return 0
