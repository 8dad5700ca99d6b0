"""For any two trees, whatever names they hold: every action of every plan names a path
made of safe components below both chosen folders, no excluded or refused path is ever
acted on, and deletes appear only when asked for, in one direction."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from client.engine.sync import (
    CompareRule,
    Direction,
    EntryType,
    Side,
    SyncOptions,
    TreeEntry,
    TreeSnapshot,
    build_plan,
)
from client.engine.sync.entries import path_problem

HOSTILE = ["..", ".", "", "a/b", "..\\x", "nul\x00", "esc\x1b[2J", "C:x", "\u202egpj.exe",
           "ok.txt", "dir", "sub", "x" * 300]
names = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=0, max_size=6))
paths = st.lists(names, min_size=1, max_size=3).map("/".join)
entries = st.builds(
    lambda relpath, kind, size: TreeEntry(relpath, kind, size if kind is EntryType.FILE else None),
    paths, st.sampled_from(list(EntryType)), st.integers(0, 3))
trees = st.lists(entries, max_size=12).map(lambda items: {e.relpath: e for e in items})


@settings(max_examples=300, deadline=None)
@given(local=trees, remote=trees, direction=st.sampled_from(list(Direction)),
       rule=st.sampled_from([CompareRule.SIZE, CompareRule.BOTH]), delete=st.booleans(),
       exclude=st.sampled_from([(), ("ok.txt",), ("sub",)]))
def test_no_plan_ever_leaves_the_chosen_folders(local, remote, direction, rule, delete, exclude):
    plan = build_plan(TreeSnapshot(Side.LOCAL, "/l", local), TreeSnapshot(Side.REMOTE, "/r", remote),
                      SyncOptions(direction, rule, delete=delete, exclude=exclude))
    root = Path("/chosen/local")
    for action in plan.actions:
        assert path_problem(action.relpath) is None, action
        target = action.local_path(root)
        assert root in target.parents
        assert ".." not in target.parts
        remote_path = action.remote_path("/chosen/remote")
        assert remote_path.startswith("/chosen/remote/")
        assert ".." not in remote_path.split("/")
        assert not any(part in exclude for part in action.relpath.split("/"))
        if action.kind.is_delete:
            assert delete and direction is not Direction.BOTH
