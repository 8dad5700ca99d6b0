"""Sync plans from two snapshots: every direction, deletes, filters, tolerance and the
remote time's precision, hostile names refused with a reason, and the action order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from client.engine.sync import (
    ActionKind,
    CompareRule,
    DiffKind,
    Direction,
    EntryType,
    Side,
    SyncOptions,
    TreeEntry,
    TreeSnapshot,
    build_plan,
    compare_entries,
)
from client.engine.sync.entries import Precision, Refusal

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def f(relpath: str, size: int = 10, at: datetime = T0,
      precision: Precision = Precision.SECOND) -> TreeEntry:
    return TreeEntry(relpath, EntryType.FILE, size, at, precision)


def d(relpath: str) -> TreeEntry:
    return TreeEntry(relpath, EntryType.DIR, None, T0)


def tree(side: Side, *entries: TreeEntry, refused: tuple[Refusal, ...] = ()) -> TreeSnapshot:
    return TreeSnapshot(side, "/", {e.relpath: e for e in entries}, list(refused))


def actions(plan) -> list[tuple[str, str]]:
    return [(a.kind.value, a.relpath) for a in plan.actions]


LOCAL = tree(Side.LOCAL, f("same.txt"), f("changed.txt", 5), f("only-here.txt"), d("newdir"),
             f("newdir/inner.txt"), f("old-here.txt", at=T0 - timedelta(hours=1)),
             f("new-here.txt", at=T0 + timedelta(hours=1)))
REMOTE = tree(Side.REMOTE, f("same.txt"), f("changed.txt", 7), f("only-there.txt"),
              d("gone"), f("gone/a.txt"), d("gone/sub"), f("gone/sub/b.txt"),
              f("old-here.txt"), f("new-here.txt"))


def test_download_by_size_copies_what_differs_and_deletes_only_when_asked():
    plan = build_plan(LOCAL, REMOTE, SyncOptions(Direction.DOWNLOAD, CompareRule.SIZE))
    assert actions(plan) == [("mkdir-local", "gone"), ("mkdir-local", "gone/sub"),
                             ("download", "changed.txt"), ("download", "gone/a.txt"),
                             ("download", "gone/sub/b.txt"), ("download", "only-there.txt")]
    plan = build_plan(LOCAL, REMOTE, SyncOptions(Direction.DOWNLOAD, CompareRule.SIZE,
                                                 delete=True))
    deletes = [(a.kind.value, a.relpath) for a in plan.deletes]
    # deepest first, a folder after what is in it
    assert deletes == [("delete-local", "newdir/inner.txt"), ("delete-local", "only-here.txt"),
                       ("delete-local", "newdir")]
    assert all("absent on the server" in a.reason for a in plan.deletes)
    assert actions(plan)[-3:] == deletes  # deletes come last


def test_upload_with_delete_mirrors_the_other_way():
    plan = build_plan(LOCAL, REMOTE, SyncOptions(Direction.UPLOAD, CompareRule.SIZE,
                                                 delete=True))
    assert actions(plan) == [
        ("mkdir-remote", "newdir"), ("upload", "changed.txt"), ("upload", "newdir/inner.txt"),
        ("upload", "only-here.txt"),
        ("delete-remote", "gone/sub/b.txt"), ("delete-remote", "gone/a.txt"),
        ("delete-remote", "gone/sub"), ("delete-remote", "only-there.txt"),
        ("delete-remote", "gone")]


def test_time_rule_copies_only_what_is_newer_on_the_source():
    plan = build_plan(LOCAL, REMOTE, SyncOptions(Direction.UPLOAD, CompareRule.TIME))
    copied = {a.relpath for a in plan.actions if a.kind is ActionKind.UPLOAD}
    assert "new-here.txt" in copied and "old-here.txt" not in copied
    assert "changed.txt" not in copied  # same time: sizes do not count for TIME
    reason = next(a.reason for a in plan.actions if a.relpath == "new-here.txt")
    assert reason == "newer here by 60 min"


def test_both_ways_copies_the_newer_side_and_never_deletes():
    plan = build_plan(LOCAL, REMOTE, SyncOptions(Direction.BOTH, CompareRule.BOTH, delete=True))
    got = dict((a.relpath, a.kind) for a in plan.actions)
    assert got["new-here.txt"] is ActionKind.UPLOAD
    assert got["old-here.txt"] is ActionKind.DOWNLOAD
    assert got["only-here.txt"] is ActionKind.UPLOAD
    assert got["only-there.txt"] is ActionKind.DOWNLOAD
    assert not plan.deletes
    assert any("only possible in one direction" in n for n in plan.notes)
    # sizes differ, times equal: nobody can tell which is right
    assert any(r.name == "changed.txt" and "neither side is newer" in r.reason
               for r in plan.refused)


@pytest.mark.parametrize(("precision", "delta", "same"), [
    (Precision.SECOND, 1, True), (Precision.SECOND, 3, False),
    (Precision.MINUTE, 59, True), (Precision.MINUTE, 65, False),
    (Precision.DAY, 3600 * 20, True), (Precision.DAY, 3600 * 25, False)])
def test_tolerance_widens_with_the_remote_time_precision(precision, delta, same):
    local = f("a", at=T0 + timedelta(seconds=delta))
    remote = f("a", at=T0, precision=precision)
    diff = compare_entries(local, remote, CompareRule.TIME, tolerance=2.0)
    assert (diff.kind is DiffKind.IDENTICAL) is same
    if not same:
        assert diff.kind is DiffKind.LOCAL_NEWER and diff.newer is Side.LOCAL


def test_a_larger_tolerance_hides_a_small_difference():
    local, remote = f("a", at=T0 + timedelta(seconds=30)), f("a")
    assert compare_entries(local, remote, CompareRule.TIME, 10).kind is DiffKind.LOCAL_NEWER
    assert compare_entries(local, remote, CompareRule.TIME, 60).kind is DiffKind.IDENTICAL


def test_include_and_exclude_patterns():
    local = tree(Side.LOCAL)
    remote = tree(Side.REMOTE, f("a.txt"), f("b.log"), d("cache"), f("cache/c.txt"),
                  d("docs"), f("docs/d.txt"), f("docs/e.md"))
    plan = build_plan(local, remote, SyncOptions(include=("*.txt",), exclude=("cache",)))
    assert actions(plan) == [("mkdir-local", "docs"), ("download", "a.txt"),
                             ("download", "docs/d.txt")]
    plan = build_plan(local, remote, SyncOptions(exclude=("docs/*.md", "*.log")))
    assert {a.relpath for a in plan.actions if not a.is_dir} == {
        "a.txt", "cache/c.txt", "docs/d.txt"}


def test_excluded_names_are_never_deleted():
    local = tree(Side.LOCAL, f("keep.cfg"), f("old.txt"))
    plan = build_plan(local, tree(Side.REMOTE), SyncOptions(delete=True, exclude=("*.cfg",)))
    assert actions(plan) == [("delete-local", "old.txt")]


def test_a_refused_name_blocks_every_action_on_that_path():
    # the server's "loop" folder was refused (listed inside itself); the local one
    # of that name must not look "absent on the server" and be deleted
    local = tree(Side.LOCAL, d("loop"), f("loop/x.txt"), f("ok.txt"))
    remote = tree(Side.REMOTE, f("ok.txt"),
                  refused=(Refusal(Side.REMOTE, "", "loop", "a loop"),))
    plan = build_plan(local, remote, SyncOptions(delete=True))
    assert plan.actions == []
    assert [r.name for r in plan.refused] == ["loop"]


def test_links_and_type_clashes_are_refused_not_acted_on():
    local = tree(Side.LOCAL, TreeEntry("link", EntryType.LINK), f("clash"))
    remote = tree(Side.REMOTE, d("clash"), f("clash/inside.txt"))
    plan = build_plan(local, remote, SyncOptions(Direction.UPLOAD, delete=True))
    assert plan.actions == []
    reasons = {r.name: r.reason for r in plan.refused}
    assert "links are neither followed" in reasons["link"]
    assert "a file here, a dir on the server" in reasons["clash"]


@pytest.mark.parametrize("name", ["..", ".", "a\\b", "nul\x00", "esc\x1b[31m", "cr\r"])
def test_a_hostile_path_in_a_snapshot_never_becomes_an_action(name):
    # snapshots refuse these already; a plan built from a tampered one still does
    remote = tree(Side.REMOTE, f(name), f("../x"), f("ok.txt"))
    local = tree(Side.LOCAL, f("/etc/passwd"))
    for direction in Direction:
        plan = build_plan(local, remote, SyncOptions(direction, delete=True))
        assert [a.relpath for a in plan.actions] == ["ok.txt"]
        refused = {(r.folder, r.name) for r in plan.refused}
        assert ("/etc", "passwd") in refused
        assert (("", name) in refused) or name == ".."  # "../x" goes with ".."
        assert ("..", "x") in refused or ("", "..") in refused


def test_checksum_verdicts_decide_between_same_size_files():
    local = tree(Side.LOCAL, f("a"), f("b"), f("c"))
    remote = tree(Side.REMOTE, f("a"), f("b"), f("c"))
    plan = build_plan(local, remote, SyncOptions(rule=CompareRule.CHECKSUM),
                      same_content={"a": True, "b": False})
    assert [(a.relpath, a.reason) for a in plan.actions] == [
        ("b", "same size, different checksum")]


def test_names_differing_in_case_on_a_case_blind_disk_are_left_alone():
    local = tree(Side.LOCAL, f("readme.txt"), d("Docs"), f("Docs/a.txt"))
    remote = tree(Side.REMOTE, f("README.txt"), d("docs"), f("docs/a.txt"))
    plan = build_plan(local, remote, SyncOptions(delete=True), case_insensitive=True)
    assert plan.actions == []
    assert {r.name for r in plan.refused} == {"readme.txt", "README.txt", "Docs", "docs", "a.txt"}
    # a case-sensitive disk: two different files
    plan = build_plan(local, remote, SyncOptions(delete=True))
    assert ("download", "README.txt") in actions(plan)
    assert ("delete-local", "readme.txt") in actions(plan)
