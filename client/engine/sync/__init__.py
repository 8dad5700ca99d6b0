"""Directory comparison and synchronisation, Qt-free.

* :mod:`.entries` – the values both trees are made of, and the name check every
  server- or disk-supplied name passes before it can lead to a write or a delete;
* :mod:`.walk` – snapshots of a local and a remote tree (links never followed);
* :mod:`.compare` – entry-by-entry differences by size, time (with the remote time's
  precision) or checksum;
* :mod:`.plan` – a direction, filters and a delete option turned into ordered actions;
* :mod:`.checksum` – HASH / XSHA* / XMD5 / XCRC where FEAT offers them;
* :mod:`.execute` – a plan run through the transfer queue.
"""

from client.engine.sync.compare import (
    CompareRule,
    Difference,
    DiffKind,
    compare_entries,
    compare_trees,
)
from client.engine.sync.entries import (
    EntryType,
    Refusal,
    Side,
    TreeEntry,
    TreeSnapshot,
    name_problem,
)
from client.engine.sync.plan import (
    ActionKind,
    Direction,
    SyncAction,
    SyncOptions,
    SyncPlan,
    build_plan,
)

__all__ = [
    "ActionKind",
    "CompareRule",
    "DiffKind",
    "Difference",
    "Direction",
    "EntryType",
    "Refusal",
    "Side",
    "SyncAction",
    "SyncOptions",
    "SyncPlan",
    "TreeEntry",
    "TreeSnapshot",
    "build_plan",
    "compare_entries",
    "compare_trees",
    "name_problem",
]
