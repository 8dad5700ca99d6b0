"""Directory comparison speed: two synthetic 10,000-entry folders (a server's MLSD
listing as parsed entries, and a local folder's entries) compared entry by entry, and
a download plan with deletes built from them.

Run: ``python -m bench.compare_trees [--entries N] [--repeat R]``. Prints the best of R
runs (the machine is shared, so the minimum is the honest figure) and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta

from client.engine.sync import (
    CompareRule,
    Direction,
    EntryType,
    Side,
    SyncOptions,
    TreeEntry,
    TreeSnapshot,
    build_plan,
    compare_trees,
)
from client.engine.sync.walk import remote_entry
from client.protocol.listing import EntryKind, ListingEntry


def folders(count: int, seed: int = 3) -> tuple[list[ListingEntry], dict[str, TreeEntry]]:
    """A remote listing and a local folder of ``count`` entries each: one in twenty only
    on each side, one in twenty of another size, one in twenty newer here, one in fifty
    a folder; the rest the same."""
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    remote: list[ListingEntry] = []
    local: dict[str, TreeEntry] = {}
    for index in range(count):
        size = rng.randint(0, 10**8)
        when = base + timedelta(seconds=index * 37)
        is_dir = index % 50 == 3
        slot = index % 20
        remote_name = f"remote_only_{index:05d}.dat" if slot == 0 else f"file_{index:05d}.dat"
        local_name = f"local_only_{index:05d}.dat" if slot == 10 else f"file_{index:05d}.dat"
        remote.append(ListingEntry(remote_name, EntryKind.DIR if is_dir else EntryKind.FILE,
                                   None if is_dir else size, when, "second"))
        local[local_name] = TreeEntry(local_name, EntryType.DIR if is_dir else EntryType.FILE,
                                      None if is_dir else size + (slot == 5),
                                      when + timedelta(hours=slot == 7))
    return remote, local


def once(remote_listing: list[ListingEntry], local: dict[str, TreeEntry]) -> tuple[float, int, int]:
    started = time.perf_counter()
    remote = {e.name: remote_entry(e.name, e) for e in remote_listing}
    differences = compare_trees(local, remote, CompareRule.BOTH)
    plan = build_plan(TreeSnapshot(Side.LOCAL, "/l", local), TreeSnapshot(Side.REMOTE, "/r", remote),
                      SyncOptions(Direction.DOWNLOAD, CompareRule.BOTH, delete=True))
    return time.perf_counter() - started, len(differences), len(plan.actions)


def run(entries: int = 10_000, repeat: int = 5) -> dict:
    remote, local = folders(entries)
    runs = [once(remote, local) for _ in range(repeat)]
    best = min(r[0] for r in runs)
    return {"entries_remote": len(remote), "entries_local": len(local),
            "differences": runs[0][1], "actions": runs[0][2], "seconds": best,
            "all_seconds": [r[0] for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = run(args.entries, args.repeat)
    print(f"compare + plan, {result['entries_remote']:,} remote / {result['entries_local']:,} "
          f"local entries: {result['seconds'] * 1000:.1f} ms (best of {args.repeat}), "
          f"{result['differences']:,} paths, {result['actions']:,} actions")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
