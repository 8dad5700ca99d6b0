"""Tree walks: the local one (links not followed, unsendable names left out) and the
remote one against a scripted server (loops, folders that cannot be listed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fixtures.scripted_faults import unix_listing
from fixtures.scripted_steps import transfer
from hypothesis import given, settings
from hypothesis import strategies as st

from client.engine.errors import FtpError
from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession
from client.engine.tree import MAX_DEPTH, walk_local, walk_remote
from client.protocol.listing import EntryKind, ListingEntry

from .conftest import Recorder
from .sessions import session_factory

# bounds for a loaded machine: no test here waits for a timeout to happen
FAST = dict(data_timeout=15.0, control_timeout=15.0)


def test_walk_local_leaves_out_links_and_unsendable_names(tmp_path):
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_bytes(b"a")
    (source / "sub" / "b.txt").write_bytes(b"bb")
    (source / "line\nbreak.txt").write_bytes(b"x")
    (source / "link.txt").symlink_to(source / "a.txt")
    (source / "loop").symlink_to(source, target_is_directory=True)
    (tmp_path / "outside.txt").write_bytes(b"secret")
    (source / "out.txt").symlink_to(tmp_path / "outside.txt")
    plan = walk_local(source, "/dest")
    assert sorted((f.remote_path, f.size) for f in plan.files) == [
        ("/dest/a.txt", 1), ("/dest/sub/b.txt", 2)]
    assert plan.remote_directories == ["/dest", "/dest/sub"]
    reasons = {item.name: item.reason for item in plan.skipped}
    assert set(reasons) == {"line\nbreak.txt", "link.txt", "loop", "out.txt"}
    assert "symbolic link" in reasons["loop"]
    assert "CR or LF" in reasons["line\nbreak.txt"]
    assert "'line\\nbreak.txt'" in next(i for i in plan.skipped if "line" in i.name).describe()


def factory_for(server, bus: EventBus, **overrides):
    return session_factory(server, bus, **{**FAST, **overrides})


@pytest.mark.asyncio
async def test_a_server_that_nests_a_folder_forever_is_cut_off(scripted_server, bus, tmp_path):
    server = scripted_server({"LIST": transfer(payload=unix_listing([("d", b"again", 4096),
                                                                     ("-", b"f.txt", 1)]))})
    session = FtpSession(server.settings(**FAST), bus=bus)
    await session.connect()
    try:
        plan = await walk_remote(session, "/loop", tmp_path / "dest")
    finally:
        await session.close()
    assert len(plan.files) == MAX_DEPTH + 1
    assert [item.reason for item in plan.skipped] == [
        f"the folder is nested deeper than {MAX_DEPTH} levels (a loop on the server?)"]
    deepest = max(plan.directories, key=lambda p: len(p.parts))
    assert len(deepest.relative_to(tmp_path / "dest").parts) == MAX_DEPTH


@pytest.mark.asyncio
async def test_a_folder_that_cannot_be_listed_is_reported_and_the_rest_arrives(scripted_server,
                                                                               bus, tmp_path):
    recorder = Recorder(bus)

    def listing(session, argument):
        if argument == "/top":
            transfer(payload=unix_listing([("d", b"locked", 4096), ("d", b"open", 4096),
                                           ("-", b"top.txt", 3)])).run(session, argument)
        elif argument == "/top/open":
            transfer(payload=unix_listing([("-", b"inner.txt", 5)])).run(session, argument)
        else:
            session.send(b"550 Permission denied.\r\n")

    server = scripted_server({"LIST": listing, "RETR": transfer(payload=b"bytes")})
    queue = TransferQueue(factory_for(server, bus), bus=bus, exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await queue.add_download_tree("/top", tmp_path / "dest")
        await queue.wait_idle()
        assert {queue.job(i).state for i in ids} == {JobState.DONE}
        assert sorted(str(p.relative_to(tmp_path / "dest"))
                      for p in (tmp_path / "dest").rglob("*.txt")) == ["open/inner.txt",
                                                                      "top.txt"]
        assert any("/top/locked" in n.text and "550" in n.text
                   for n in recorder.notices("skipped"))
        with pytest.raises(FtpError):  # the root itself failing is an error
            await queue.add_download_tree("/nothing-here", tmp_path / "other")
    finally:
        await queue.close()


@pytest.mark.asyncio
async def test_upload_tree_reports_local_links_and_makes_remote_folders(ftp_server, bus,
                                                                         tmp_path):
    recorder = Recorder(bus)
    source = tmp_path / "src"
    (source / "deeper" / "deepest").mkdir(parents=True)
    (source / "deeper" / "deepest" / "z.bin").write_bytes(b"z" * 1000)
    (tmp_path / "secret.txt").write_bytes(b"not to be uploaded")
    (source / "secret-link.txt").symlink_to(tmp_path / "secret.txt")
    queue = TransferQueue(factory_for(ftp_server, bus), bus=bus,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await queue.add_upload_tree(source, "/upload/new/tree")
        await queue.wait_idle()
        again = await queue.add_upload_tree(source, "/upload/new/tree")  # folders exist now
        await queue.wait_idle()
        assert [queue.job(i).state for i in again] == [JobState.DONE]
    finally:
        await queue.close()
    assert not recorder.notices("queue")  # "exists" is not worth a warning
    assert [queue.job(i).state for i in ids] == [JobState.DONE]
    assert (ftp_server.root / "upload/new/tree/deeper/deepest/z.bin").read_bytes() == b"z" * 1000
    assert not (ftp_server.root / "upload/new/tree/secret-link.txt").exists()
    assert any("secret-link.txt" in n.text and "symbolic link" in n.text
               for n in recorder.notices("skipped"))


def test_walk_local_of_a_missing_folder_reports_it(tmp_path: Path):
    plan = walk_local(tmp_path / "missing", "/x")
    assert plan.files == [] and len(plan.skipped) == 1
    assert "could not read the folder" in plan.skipped[0].reason


class _ListingSource:
    """Hands ``walk_remote`` entries no parser would produce (the parsers already drop
    ``.`` and ``..``): the walk must refuse them on its own."""

    def __init__(self, entries) -> None:
        self.entries = entries

    async def list(self, path):
        from client.protocol.listing import ListingResult

        return ListingResult(entries=tuple(self.entries) if path == "/r" else (),
                             format="mlsd")


@pytest.mark.asyncio
async def test_walk_remote_refuses_dot_names_by_itself(tmp_path):
    entries = [ListingEntry("..", EntryKind.DIR), ListingEntry(".", EntryKind.FILE),
               ListingEntry("..", EntryKind.FILE), ListingEntry("ok", EntryKind.FILE),
               ListingEntry("fifo", EntryKind.OTHER)]
    plan = await walk_remote(_ListingSource(entries), "/r", tmp_path)  # type: ignore[arg-type]
    assert [f.local_path for f in plan.files] == [tmp_path / "ok"]
    assert [(i.name, "directory itself" in i.reason) for i in plan.skipped[:3]] == [
        ("..", True), (".", True), ("..", True)]
    assert "not a regular file" in plan.skipped[3].reason
    assert plan.directories == [tmp_path]


@pytest.mark.asyncio
async def test_a_name_that_is_another_files_part_is_skipped(scripted_server, bus, tmp_path):
    """``a.bin`` downloads through ``a.bin.part``; a listed ``a.bin.part`` would be written
    to (and renamed onto) the same file by a second worker."""
    recorder = Recorder(bus)
    payloads = {"/p/a.bin": b"the real a" * 100, "/p/a.bin.part": b"impostor",
                "/p/lone.part": b"no twin"}

    def retrieve(session, argument):
        transfer(payload=payloads[argument]).run(session, argument)

    server = scripted_server({
        "LIST": transfer(payload=unix_listing([("-", b"a.bin", 1000), ("-", b"a.bin.part", 8),
                                               ("-", b"lone.part", 7)])),
        "RETR": retrieve})
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=2,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        await queue.add_download_tree("/p", tmp_path / "dest")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert (tmp_path / "dest" / "a.bin").read_bytes() == payloads["/p/a.bin"]
    assert (tmp_path / "dest" / "lone.part").read_bytes() == b"no twin"
    assert not (tmp_path / "dest" / "a.bin.part").exists()
    assert any("'a.bin.part'" in n.text and "temporary file of 'a.bin'" in n.text
               for n in recorder.notices("skipped"))


_NAME_CHARS = st.sampled_from(list("ab.-_ /\\:\x00\r\n\x1b\x07\u202e\u00e9\u65e5") + ["C:", ".."])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(_NAME_CHARS, min_size=0, max_size=8).map("".join),
                          st.sampled_from([EntryKind.FILE, EntryKind.DIR, EntryKind.LINK])),
                max_size=12),
       st.booleans())
def test_any_listing_plans_only_paths_inside_the_destination(tmp_path_factory, names, folds):
    """Whatever a server lists, every planned local path is a plain child chain of the
    destination, and every listed name is either planned or reported as skipped."""
    root = tmp_path_factory.mktemp("dest")
    entries = [ListingEntry(name, kind) for name, kind in names]
    plan = asyncio.run(walk_remote(_ListingSource(entries), "/r", root,  # type: ignore[arg-type]
                                   case_insensitive=folds))
    for path in [f.local_path for f in plan.files] + plan.directories[1:]:
        relative = path.relative_to(root)
        assert len(relative.parts) == 1
        part = relative.parts[0]
        assert part not in ("", ".", "..") and "/" not in part and "\\" not in part
        assert not any(ord(ch) < 32 for ch in part)
    planned = len(plan.files) + len(plan.directories) - 1
    assert planned + len(plan.skipped) == len(entries)


@pytest.mark.asyncio
async def test_case_and_accent_twins_on_a_folding_destination(tmp_path):
    composed, decomposed = "caf\u00e9.txt", "cafe\u0301.txt"
    entries = [ListingEntry(composed, EntryKind.FILE), ListingEntry(decomposed, EntryKind.FILE),
               ListingEntry("CAF\u00c9.TXT", EntryKind.FILE), ListingEntry("x", EntryKind.FILE)]
    folding = await walk_remote(_ListingSource(entries), "/r", tmp_path,  # type: ignore[arg-type]
                                case_insensitive=True)
    assert [f.local_path.name for f in folding.files] == [composed, "x"]
    assert [i.name for i in folding.skipped] == [decomposed, "CAF\u00c9.TXT"]
    assert all("only in case or accent" in i.reason for i in folding.skipped)
    exact = await walk_remote(_ListingSource(entries), "/r", tmp_path,  # type: ignore[arg-type]
                              case_insensitive=False)
    assert len(exact.files) == 4 and not exact.skipped


@pytest.mark.asyncio
async def test_a_refused_root_listing_keeps_the_connection_for_the_next_walk(scripted_server,
                                                                             bus, tmp_path):
    def listing(session, argument):
        if argument == "/ok":
            transfer(payload=unix_listing([("-", b"f.txt", 1)])).run(session, argument)
        else:
            session.send(b"550 No such directory.\r\n")

    server = scripted_server({"LIST": listing, "RETR": transfer(payload=b"f")})
    queue = TransferQueue(factory_for(server, bus), bus=bus, exists_policy=ExistsPolicy.OVERWRITE)
    try:
        with pytest.raises(FtpError):
            await queue.add_download_tree("/missing", tmp_path / "a")
        ids = await queue.add_download_tree("/ok", tmp_path / "b")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert [queue.job(i).state for i in ids] == [JobState.DONE]
    assert server.connection_count == 1  # the walks and the worker shared one login
