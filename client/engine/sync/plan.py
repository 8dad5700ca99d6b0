"""A synchronisation plan: two snapshots, a direction, filters and the delete option
turned into an ordered list of typed actions, each with the reason it is there.

Order: folders to create (parents first), then copies, then deletes (deepest first, a
folder after everything in it). Every path in a plan has passed
:func:`~client.engine.sync.entries.path_problem`; names that did not are
:class:`Refusal` rows with the reason, never actions. Deletes appear only with
``delete=True`` and only in a one-way direction; excluded names are never deleted.
"""

from __future__ import annotations

import enum
import fnmatch
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from client.engine.sync.compare import (
    DEFAULT_TOLERANCE,
    CompareRule,
    Difference,
    DiffKind,
    compare_trees,
)
from client.engine.sync.entries import EntryType, Refusal, Side, TreeSnapshot, path_problem
from client.protocol.paths import join_remote

__all__ = ["ActionKind", "Direction", "SyncAction", "SyncOptions", "SyncPlan", "build_plan",
           "matches_filters", "local_path_of", "remote_path_of"]


class Direction(enum.Enum):
    UPLOAD = "local-to-remote"
    DOWNLOAD = "remote-to-local"
    BOTH = "both"


class ActionKind(enum.Enum):
    MKDIR_LOCAL = "mkdir-local"
    MKDIR_REMOTE = "mkdir-remote"
    UPLOAD = "upload"
    DOWNLOAD = "download"
    DELETE_LOCAL = "delete-local"
    DELETE_REMOTE = "delete-remote"

    @property
    def is_delete(self) -> bool:
        return self in (ActionKind.DELETE_LOCAL, ActionKind.DELETE_REMOTE)


@dataclass(frozen=True)
class SyncOptions:
    direction: Direction = Direction.DOWNLOAD
    rule: CompareRule = CompareRule.SIZE
    tolerance: float = DEFAULT_TOLERANCE
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    delete: bool = False


@dataclass(frozen=True)
class SyncAction:
    kind: ActionKind
    relpath: str
    is_dir: bool
    size: int | None
    reason: str

    def local_path(self, root: Path) -> Path:
        return local_path_of(root, self.relpath)

    def remote_path(self, root: str) -> str:
        return remote_path_of(root, self.relpath)


def local_path_of(root: Path, relpath: str) -> Path:
    return root.joinpath(*relpath.split("/"))


def remote_path_of(root: str, relpath: str) -> str:
    path = root
    for part in relpath.split("/"):
        path = join_remote(path, part)
    return path


@dataclass
class SyncPlan:
    options: SyncOptions
    actions: list[SyncAction] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "no checksum command: by size"
    create_remote_root: bool = False  # uploading into a remote folder not made yet

    @property
    def deletes(self) -> list[SyncAction]:
        return [a for a in self.actions if a.kind.is_delete]


def _matches(pattern: str, relpath: str) -> bool:
    if "/" in pattern:
        return fnmatch.fnmatchcase(relpath, pattern.strip("/"))
    return fnmatch.fnmatchcase(relpath.rsplit("/", 1)[-1], pattern)


def matches_filters(relpath: str, is_dir: bool, include: tuple[str, ...],
                    exclude: tuple[str, ...]) -> bool:
    """Exclude patterns apply to files and folders (a folder's contents go with it, so
    every ancestor is matched too); include patterns choose files only (folders are
    always entered). A pattern with ``/`` matches the relative path, one without
    matches the name."""
    if exclude:
        parts = relpath.split("/")
        for end in range(1, len(parts) + 1):
            prefix = "/".join(parts[:end])
            if any(_matches(p, prefix) for p in exclude):
                return False
    return is_dir or not include or any(_matches(p, relpath) for p in include)


def _copy_kind(source: Side) -> ActionKind:
    return ActionKind.UPLOAD if source is Side.LOCAL else ActionKind.DOWNLOAD


def _mkdir_kind(source: Side) -> ActionKind:
    return ActionKind.MKDIR_REMOTE if source is Side.LOCAL else ActionKind.MKDIR_LOCAL


def _delete_kind(source: Side) -> ActionKind:
    return ActionKind.DELETE_REMOTE if source is Side.LOCAL else ActionKind.DELETE_LOCAL


class _Planner:
    def __init__(self, options: SyncOptions) -> None:
        self.options = options
        self.plan = SyncPlan(options)
        self.deletes: list[SyncAction] = []
        self.copies: list[SyncAction] = []
        self.mkdirs: list[SyncAction] = []

    def refuse(self, diff: Difference, reason: str) -> None:
        folder, _, name = diff.relpath.rpartition("/")
        side = Side.REMOTE if diff.local is None else Side.LOCAL
        self.plan.refused.append(Refusal(side, folder, name, reason))

    def copy(self, diff: Difference, source: Side, reason: str) -> None:
        entry = diff.local if source is Side.LOCAL else diff.remote
        assert entry is not None
        if entry.type is EntryType.DIR:
            self.mkdirs.append(SyncAction(_mkdir_kind(source), diff.relpath, True, None, reason))
        else:
            self.copies.append(SyncAction(_copy_kind(source), diff.relpath, False, entry.size,
                                          reason))

    def delete(self, diff: Difference, target: Side) -> None:
        entry = diff.local if target is Side.LOCAL else diff.remote
        assert entry is not None
        where = "the server" if target is Side.LOCAL else "this computer"
        kind = ActionKind.DELETE_LOCAL if target is Side.LOCAL else ActionKind.DELETE_REMOTE
        self.deletes.append(SyncAction(kind, diff.relpath, entry.type is EntryType.DIR,
                                       entry.size, f"absent on {where} (the source)"))

    def one_way(self, diff: Difference, source: Side) -> None:
        target = Side.REMOTE if source is Side.LOCAL else Side.LOCAL
        only_source = DiffKind.ONLY_LOCAL if source is Side.LOCAL else DiffKind.ONLY_REMOTE
        only_target = DiffKind.ONLY_REMOTE if source is Side.LOCAL else DiffKind.ONLY_LOCAL
        if diff.kind is only_source:
            self.copy(diff, source, diff.reason)
        elif diff.kind is only_target:
            if self.options.delete:
                self.delete(diff, target)
        elif diff.kind in (DiffKind.SIZE_DIFFERS, DiffKind.CONTENT_DIFFERS):
            self.copy(diff, source, diff.reason)
        elif diff.kind in (DiffKind.LOCAL_NEWER, DiffKind.REMOTE_NEWER):
            if diff.newer is source:
                self.copy(diff, source, diff.reason)
            # a newer file on the destination is left alone (it may be someone's work)

    def both_ways(self, diff: Difference) -> None:
        if diff.kind is DiffKind.ONLY_LOCAL:
            self.copy(diff, Side.LOCAL, diff.reason)
        elif diff.kind is DiffKind.ONLY_REMOTE:
            self.copy(diff, Side.REMOTE, diff.reason)
        elif diff.kind in (DiffKind.SIZE_DIFFERS, DiffKind.CONTENT_DIFFERS,
                           DiffKind.LOCAL_NEWER, DiffKind.REMOTE_NEWER):
            if diff.newer is None:
                self.refuse(diff, f"{diff.reason}, and neither side is newer: left alone")
            else:
                self.copy(diff, diff.newer, diff.reason)

    def finish(self) -> SyncPlan:
        self.mkdirs.sort(key=lambda a: (a.relpath.count("/"), a.relpath))
        self.deletes.sort(key=lambda a: (-a.relpath.count("/"), a.is_dir, a.relpath))
        self.plan.actions = self.mkdirs + self.copies + self.deletes
        return self.plan


def _case_clashes(local: TreeSnapshot, remote: TreeSnapshot) -> list[Refusal]:
    """On a local disk that does not tell ``A`` from ``a``: paths that differ only in
    case between the sides are one file there, never a copy of one and a delete of the
    other."""
    def fold(path: str) -> str:
        return unicodedata.normalize("NFC", path).casefold()

    only_local = {fold(p): p for p in local.entries.keys() - remote.entries.keys()}
    clashes = []
    for path in remote.entries.keys() - local.entries.keys():
        twin = only_local.get(fold(path))
        if twin is not None:
            reason = (f"'{twin}' here and '{path}' on the server differ only in case, and "
                      "the local disk does not tell those apart: left alone")
            for side, relpath in ((Side.LOCAL, twin), (Side.REMOTE, path)):
                folder, _, name = relpath.rpartition("/")
                clashes.append(Refusal(side, folder, name, reason))
    return clashes


def build_plan(local: TreeSnapshot, remote: TreeSnapshot, options: SyncOptions,
               same_content: Mapping[str, bool] | None = None, *,
               case_insensitive: bool = False) -> SyncPlan:
    """The actions that make the destination match the source (see the module doc).
    ``case_insensitive``: the local disk folds case (see :func:`_case_clashes`)."""
    planner = _Planner(options)
    planner.plan.refused.extend(local.refused + remote.refused)
    if case_insensitive:
        planner.plan.refused.extend(_case_clashes(local, remote))
    if options.direction is Direction.BOTH and options.delete:
        planner.plan.notes.append("deleting is only possible in one direction; nothing "
                                  "will be deleted")
    # excluded folders, folders that are not folders on a side, and every name a side
    # refused: nothing at or below them is copied over or deleted
    left_out: list[str] = []
    refused_paths = {f"{r.folder}/{r.name}" if r.folder else r.name
                     for r in planner.plan.refused if r.name}
    left_out.extend(path + "/" for path in refused_paths)
    for diff in compare_trees(local.entries, remote.entries, options.rule, options.tolerance,
                              same_content):
        if diff.relpath in refused_paths or any(
                diff.relpath.startswith(prefix) for prefix in left_out):
            continue
        entry = diff.local or diff.remote
        assert entry is not None
        is_dir = entry.type is EntryType.DIR
        if not matches_filters(diff.relpath, is_dir, options.include, options.exclude):
            if is_dir:
                left_out.append(diff.relpath + "/")
            continue
        problem = path_problem(diff.relpath)
        if problem is not None:  # snapshots refuse these already; never act on one
            planner.refuse(diff, problem)
            left_out.append(diff.relpath + "/")
            continue
        types = {e.type for e in (diff.local, diff.remote) if e is not None}
        if types & {EntryType.LINK, EntryType.OTHER}:
            planner.refuse(diff, "a symbolic link or special file: links are neither "
                                 "followed, copied nor deleted")
            left_out.append(diff.relpath + "/")
            continue
        if diff.kind is DiffKind.TYPE_DIFFERS:
            planner.refuse(diff, f"{diff.reason}: left alone")
            left_out.append(diff.relpath + "/")
            continue
        if options.direction is Direction.BOTH:
            planner.both_ways(diff)
        else:
            source = Side.LOCAL if options.direction is Direction.UPLOAD else Side.REMOTE
            planner.one_way(diff, source)
    return planner.finish()
