"""``--limit-rate``: curl's option, for get, put and mirror.

The rate is the whole command's: mirror's parallel transfers share it (the global limit
of :mod:`client.engine.ratelimit`), so ``--limit-rate 500K`` never uses more than
500 KiB/s of the line, however many connections run.
"""

from __future__ import annotations

import argparse

__all__ = ["add_limit_option", "apply_limit"]


def _rate(text: str) -> int:
    # the rate limiter loads with the engine: a command's login starts before that
    # (client/cli/early_start.py)
    from client.engine.ratelimit import parse_rate

    try:
        return parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_limit_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit-rate", type=_rate, default=None, metavar="RATE",
                        help="at most RATE bytes per second for the whole command (its "
                             "parallel transfers share it); K, M, G suffixes as in curl: "
                             "500K, 2M")


def apply_limit(args: argparse.Namespace) -> None:
    """Set the process's limits from ``--limit-rate`` (absent: unlimited)."""
    from client.engine.ratelimit import RateLimits, shared_limiter

    rate = getattr(args, "limit_rate", None)
    shared_limiter().limits = RateLimits(download_total=rate, upload_total=rate)
