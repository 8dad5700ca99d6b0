"""Speed limits: token buckets that pace data connections without blocking the loop.

A download's reader is paused (``transport.pause_reading``) and resumed by a timer; an
upload's sender awaits ``asyncio.sleep``: nothing busy-waits, the loop keeps serving the
window and other connections. Each transfer is paced by two buckets — its own
(the per-transfer limit) and the one shared by every transfer of its direction (the
global limit) — and waits for whichever is further in debt. Rates are read at every
chunk, so a changed limit applies to running transfers at once.

The buckets go into debt instead of refusing a read: a read takes what the socket has
(up to :meth:`Throttle.chunk`, sized to ~50 ms at the limit), then waits until the debt
is paid. The average rate over a transfer is the limit, with at most one chunk of error.
"""

from __future__ import annotations

import enum
import functools
import re
import time
from collections.abc import Callable

from client.protocol.values import value

__all__ = ["Direction", "RateLimits", "SpeedLimiter", "Throttle", "TokenBucket",
           "parse_rate", "format_limit", "shared_limiter"]

#: Smallest and largest piece read or sent between two checks of the buckets.
_MIN_CHUNK = 4 * 1024
_MAX_CHUNK = 1024 * 1024
#: A chunk is this many seconds' worth of bytes at the limit.
_CHUNK_SECONDS = 0.05


class Direction(enum.Enum):
    DOWNLOAD = "download"
    UPLOAD = "upload"


@value
class RateLimits:
    """Limits in bytes per second; None or 0 is no limit. ``enabled`` turns all four
    off at once (the status-bar toggle) while keeping the numbers."""

    download_total: int | None = None
    download_each: int | None = None
    upload_total: int | None = None
    upload_each: int | None = None
    enabled: bool = True

    def total(self, direction: Direction) -> int | None:
        value = self.download_total if direction is Direction.DOWNLOAD else self.upload_total
        return value if self.enabled and value else None

    def each(self, direction: Direction) -> int | None:
        value = self.download_each if direction is Direction.DOWNLOAD else self.upload_each
        return value if self.enabled and value else None

    @property
    def any(self) -> bool:
        return any(self.total(d) or self.each(d) for d in Direction)


@functools.cache
def _rate_re() -> re.Pattern[str]:
    """Compiled when a rate is given, not at every start of the program."""
    return re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*(?:[bB](?:/s)?)?\s*")


_FACTORS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def parse_rate(text: str) -> int:
    """curl's ``--limit-rate`` syntax: bytes per second, with K, M or G (powers of
    1024), e.g. ``500K``, ``1.5M``. ValueError for anything else or zero."""
    match = _rate_re().fullmatch(text)
    if match is None:
        raise ValueError(f"expected a rate such as 500K, 2M or 100000 (bytes per second), "
                         f"got {text!r}")
    value = int(float(match.group(1)) * _FACTORS[match.group(2).lower()])
    if value <= 0:
        raise ValueError(f"a speed limit must be above 0 bytes per second, got {text!r}")
    return value


def format_limit(rate: int | None) -> str:
    """A limit as it was typed: ``500K``, ``2M``, ``1000`` (bytes/s); "none" for None."""
    if not rate:
        return "none"
    for suffix, factor in (("G", 1024 ** 3), ("M", 1024 ** 2), ("K", 1024)):
        if rate >= factor and rate % factor == 0:
            return f"{rate // factor}{suffix}"
        if rate >= factor * 10:
            return f"{rate / factor:.1f}{suffix}"
    return str(rate)


class TokenBucket:
    """A bucket whose rate is read from ``rate()`` at every use (None: unlimited).

    Holds at most ``_CHUNK_SECONDS * 2`` seconds of tokens, so an idle transfer cannot
    save up a burst; goes into debt by what was moved, never refuses."""

    def __init__(self, rate: Callable[[], int | None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._clock = clock
        self._tokens = 0.0
        self._stamp = clock()

    @property
    def rate(self) -> int | None:
        return self._rate()

    def _refill(self, rate: int) -> None:
        now = self._clock()
        capacity = rate * _CHUNK_SECONDS * 2
        self._tokens = min(capacity, self._tokens + (now - self._stamp) * rate)
        self._stamp = now

    def take(self, count: int) -> float:
        """Record ``count`` bytes moved; the seconds to wait before moving more."""
        rate = self._rate()
        if not rate:
            self._tokens = 0.0
            self._stamp = self._clock()
            return 0.0
        self._refill(rate)
        self._tokens -= count
        return -self._tokens / rate if self._tokens < 0 else 0.0


class Throttle:
    """The pacing of one transfer: its own bucket and its direction's shared one."""

    def __init__(self, limiter: SpeedLimiter, direction: Direction) -> None:
        self.direction = direction
        self._limiter = limiter
        self._own = TokenBucket(lambda: limiter.limits.each(direction), limiter.clock)
        self._shared = limiter.shared_bucket(direction)

    @property
    def limit(self) -> int | None:
        """The limit in effect for this transfer now (the lower of the two), or None."""
        if self._limiter.unlimited:
            return None
        rates = [r for r in (self._own.rate, self._shared.rate) if r]
        return min(rates) if rates else None

    def chunk(self, default: int) -> int:
        """How much to read or send before asking again (``default`` when unlimited)."""
        limit = self.limit
        if limit is None:
            return default
        return max(_MIN_CHUNK, min(default, _MAX_CHUNK, int(limit * _CHUNK_SECONDS)))

    def moved(self, count: int) -> float:
        """``count`` bytes went through; the seconds to wait before the next piece."""
        if self._limiter.unlimited:
            # No bucket to fill: a limit set later starts from at most a full bucket
            # (``_refill`` caps it), as after an idle spell.
            return 0.0
        return max(self._own.take(count), self._shared.take(count))


class SpeedLimiter:
    """The limits of one process: change :attr:`limits` and every transfer, running or
    not, follows at its next chunk."""

    def __init__(self, limits: RateLimits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or RateLimits()
        self.clock = clock
        self._shared = {d: TokenBucket(lambda d=d: self.limits.total(d), clock)
                        for d in Direction}

    @property
    def limits(self) -> RateLimits:
        return self._limits

    @limits.setter
    def limits(self, limits: RateLimits) -> None:
        self._limits = limits
        #: no limit at all is in effect: transfers skip the buckets (every chunk of every
        #: transfer asks, and most never have a limit)
        self.unlimited = not limits.any

    def shared_bucket(self, direction: Direction) -> TokenBucket:
        return self._shared[direction]

    def throttle(self, direction: Direction) -> Throttle:
        return Throttle(self, direction)


_SHARED = SpeedLimiter()


def shared_limiter() -> SpeedLimiter:
    """The process's limiter: sessions use it unless given another, so the global
    limit spans every connection of the window or of a CLI run."""
    return _SHARED
