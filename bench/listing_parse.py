"""Listing-parse speed: a generated 100,000-entry Unix ``ls -l`` listing and a
100,000-entry MLSD listing, parsed from bytes as the engine receives them.

Run: ``python -m bench.listing_parse [--entries N] [--repeat R]``. Prints the best of R
runs per format (and for MLSD also the parse plus a read of every field, since most
fields of an MLSD entry are read from its line on first access) (the machine is shared, so the minimum is the honest figure) as seconds
and entries per second, and a JSON line for comparison between runs.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import datetime

from client.protocol.listing import ListingEntry, parse_listing

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_OWNERS = ("alice", "bob", "www-data", "root", "1000")
_WORDS = ("report", "photo", "backup", "data", "notes", "invoice", "log", "draft", "final copy")
_EXTENSIONS = (".txt", ".jpg", ".tar.gz", ".pdf", ".csv", "", ".log")


def _name(rng: random.Random, index: int) -> str:
    return f"{rng.choice(_WORDS)}_{index}{rng.choice(_EXTENSIONS)}"


def unix_listing(count: int, seed: int = 1) -> bytes:
    """What vsftpd/ProFTPD send for LIST: directories, files, links, both date forms."""
    rng = random.Random(seed)
    lines = [f"total {count * 4}"]
    for index in range(count):
        kind = rng.random()
        month = rng.choice(_MONTHS)
        day = rng.randint(1, 28)
        when = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}" if rng.random() < 0.6 else str(rng.randint(2000, 2023))
        owner = rng.choice(_OWNERS)
        name = _name(rng, index)
        if kind < 0.15:
            lines.append(f"drwxr-xr-x    2 {owner:<8} {owner:<8} {4096:>12} {month} {day:>2} {when:>5} {name}")
        elif kind < 0.20:
            lines.append(f"lrwxrwxrwx    1 {owner:<8} {owner:<8} {11:>12} {month} {day:>2} {when:>5} {name} -> ../{name}")
        else:
            size = rng.randint(0, 10**10)
            lines.append(f"-rw-r--r--    1 {owner:<8} {owner:<8} {size:>12} {month} {day:>2} {when:>5} {name}")
    return ("\r\n".join(lines) + "\r\n").encode()


def mlsd_listing(count: int, seed: int = 2) -> bytes:
    """What ProFTPD/pure-ftpd send for MLSD: type, size, modify, perm, unix.* facts,
    every timestamp distinct (no help from the timestamp cache)."""
    rng = random.Random(seed)
    base = int(datetime(2015, 1, 1).timestamp())
    lines = ["type=cdir;modify=20240101000000;perm=flcdmpe;unix.mode=0755; ."]
    for index in range(count):
        stamp = datetime.fromtimestamp(base + index * 977 + rng.randint(0, 900)).strftime("%Y%m%d%H%M%S")
        owner = rng.choice(_OWNERS)
        name = _name(rng, index)
        if rng.random() < 0.15:
            lines.append(f"type=dir;modify={stamp};perm=flcdmpe;unix.mode=0755;unix.owner={owner};unix.group={owner}; {name}")
        else:
            size = rng.randint(0, 10**10)
            lines.append(f"type=file;size={size};modify={stamp};perm=adfrw;unix.mode=0644;unix.owner={owner};unix.group={owner}; {name}")
    return ("\r\n".join(lines) + "\r\n").encode()


def read_every_field(entries: tuple[ListingEntry, ...]) -> None:
    """What a reader of every field does (``ls -l`` output, a comparison): MLSD entries
    of the usual shape read their lazily kept fields from their line here."""
    for entry in entries:
        entry.size, entry.modified, entry.permissions, entry.owner, entry.group, entry.facts  # noqa: B018


def measure(data: bytes, fmt: str, repeat: int, read_all: bool = False) -> tuple[float, int]:
    best = float("inf")
    entries = 0
    now = datetime(2024, 6, 15, 12, 0)
    for _ in range(repeat):
        start = time.perf_counter()
        result = parse_listing(data, fmt=fmt, now=now)
        if read_all:
            read_every_field(result.entries)
        best = min(best, time.perf_counter() - start)
        entries = len(result.entries)
        if result.unparsed:
            raise SystemExit(f"{fmt}: {len(result.unparsed)} generated lines were not parsed")
    return best, entries


def run(entries: int = 100_000, repeat: int = 5) -> dict[str, dict[str, float]]:
    """Every case, for a suite runner: ``{"unix": {...}, "mlsd": {...},
    "mlsd_read_all": {...}}`` with ``entries``, ``seconds`` (best of ``repeat``) and
    ``entries_per_second``. ``mlsd_read_all`` is the parse followed by a read of every
    field of every entry (see :func:`read_every_field`)."""
    mlsd = mlsd_listing(entries)
    cases = [("unix", unix_listing(entries), "auto", False), ("mlsd", mlsd, "mlsd", False),
             ("mlsd_read_all", mlsd, "mlsd", True)]
    report: dict[str, dict[str, float]] = {}
    for name, data, fmt, read_all in cases:
        seconds, parsed = measure(data, fmt, repeat, read_all)
        report[name] = {
            "entries": parsed,
            "seconds": round(seconds, 4),
            "entries_per_second": round(parsed / seconds),
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    labels = {"unix": "unix (LIST, auto-detected)", "mlsd": "mlsd (MLSD)",
              "mlsd_read_all": "mlsd, every field read"}
    report = run(args.entries, args.repeat)
    for name, row in report.items():
        print(
            f"{labels[name]:<28} {row['entries']:>8} entries  {row['seconds']:7.3f} s  "
            f"{row['entries_per_second']:>12,.0f} entries/s"
        )
    print(json.dumps({"bench": "listing_parse", **report}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
