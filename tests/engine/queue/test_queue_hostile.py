"""Hostile names and local links: nothing written outside the destination, no local
link followed, every skipped name reported with its reason, the rest arrives."""

from __future__ import annotations

import pytest
from fixtures.sample_tree import paths_below
from fixtures.scripted_faults import hostile_mlsd_listing, hostile_unix_listing, unix_listing
from fixtures.scripted_steps import transfer

from client.engine.events import EventBus, Notice
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.protocol.text import escape_control

from ..conftest import Recorder
from ..sessions import session_factory

# bounds for a loaded machine: no test here waits for a timeout to happen
FAST = dict(data_timeout=15.0, control_timeout=15.0)

# Beyond the shared hostile listing: folders whose names try to climb out, a name with
# a NUL, and a duplicate exactly as listed.
EXTRA_UNIX = unix_listing([("d", b"../up-dir", 4096), ("d", b"/abs-dir", 4096),
                           ("-", b"good.txt", 5)])
EXTRA_MLSD = (b"type=dir; ../up-dir\r\ntype=dir; /abs-dir\r\n"
              b"type=file;size=5; good.txt\r\n")
SUBDIR_UNIX = unix_listing([("-", b"inner.txt", 6), ("-", b"..", 5)])
SUBDIR_MLSD = b"type=file;size=6; inner.txt\r\n"

MUST_BE_REPORTED = ["../escape.txt", "../../etc/cron.d/evil", "/etc/passwd", "/abs/path.txt",
                    "C:\\x.txt", "C:evil.txt", "a\\..\\b.txt", "..\\..\\windows.txt",
                    "name\rwith-cr.txt", "esc-\x1b[31mred\x1b[0m-\x1b]0;title\x07.txt",
                    "nul\x00byte.txt", "bell\x07.txt", "x" * 300 + ".txt", "link-out",
                    "../up-dir", "/abs-dir"]


def content_for(argument: str) -> bytes:
    return ("content of " + argument).encode("utf-8", "surrogateescape")


def hostile_server(scripted_server, listing_verb: str):
    top, extra, sub = ((hostile_unix_listing(), EXTRA_UNIX, SUBDIR_UNIX)
                       if listing_verb == "LIST" else
                       (hostile_mlsd_listing(), EXTRA_MLSD, SUBDIR_MLSD))

    def listing(session, argument):
        if argument.rstrip("/").endswith("/subdir"):
            transfer(payload=sub).run(session, argument)
        elif argument.rstrip("/") == "/hostile":
            transfer(payload=top + extra).run(session, argument)
        else:
            session.send(b"550 No such directory.\r\n")

    def retrieve(session, argument):
        transfer(payload=content_for(argument)).run(session, argument)

    features = None if listing_verb == "LIST" else ["EPSV", "MLST type*;size*;modify*;", "UTF8"]
    options = {} if features is None else {"features": features}
    return scripted_server({listing_verb: listing, "RETR": retrieve}, **options)


def factory_for(server, bus: EventBus, **overrides):
    return session_factory(server, bus, **{**FAST, **overrides})


@pytest.mark.asyncio
@pytest.mark.parametrize("listing_verb", ["LIST", "MLSD"])
async def test_hostile_listing_writes_nothing_outside_and_reports_each_name(
        scripted_server, bus, tmp_path, listing_verb):
    recorder = Recorder(bus)
    server = hostile_server(scripted_server, listing_verb)
    destination = tmp_path / "one" / "two" / "dest"
    destination.mkdir(parents=True)
    before = paths_below(tmp_path, destination)
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=2,
                          exists_policy=ExistsPolicy.OVERWRITE, case_insensitive=False)
    try:
        ids = await queue.add_download_tree("/hostile", destination)
        await queue.wait_idle()
    finally:
        await queue.close()

    assert paths_below(tmp_path, destination) == before  # nothing escaped the destination
    for path in destination.rglob("*"):  # and nothing inside is a link or odd name
        assert not path.is_symlink()
        assert not any(ord(ch) < 32 or ch == "\x7f" for ch in path.name)
    assert (destination / "good.txt").read_bytes() == content_for("/hostile/good.txt")
    assert (destination / "subdir" / "inner.txt").read_bytes() == \
        content_for("/hostile/subdir/inner.txt")
    assert (destination / "Readme.txt").exists() and (destination / "README.TXT").exists()
    assert {queue.job(i).state for i in ids} == {JobState.DONE}

    skipped = [n.text for n in recorder.of(Notice) if n.kind == "skipped"]
    for name in MUST_BE_REPORTED:
        shown = f"'{escape_control(name)}'"
        assert any(shown in text for text in skipped), f"{shown} not reported"
    assert any("symbolic link on the server" in t and "link-out" in t for t in skipped)
    assert any("drive letter" in t and "C:evil.txt" in t for t in skipped)
    assert any("'/'" in t and "../escape.txt" in t for t in skipped)
    assert any("longer than" in t for t in skipped)
    # the listing said "good.txt" twice: reported, transferred once
    assert any("listed this name twice" in t for t in skipped)
    for text in skipped:  # control characters from the server never reach the output
        assert not any(ord(ch) < 32 for ch in text)
    # the server never got a command for an unsafe name
    sent = " ".join(server.lines())
    assert "escape.txt" not in sent and "passwd" not in sent and "link-out" not in sent


@pytest.mark.asyncio
async def test_case_duplicates_on_a_case_insensitive_destination(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = hostile_server(scripted_server, "LIST")
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=1,
                          exists_policy=ExistsPolicy.OVERWRITE, case_insensitive=True)
    try:
        await queue.add_download_tree("/hostile", tmp_path / "dest")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert (tmp_path / "dest" / "Readme.txt").exists()
    assert not (tmp_path / "dest" / "README.TXT").exists()
    assert any("'README.TXT'" in n.text and "only in case" in n.text
               for n in recorder.notices("skipped"))


@pytest.mark.asyncio
async def test_existing_links_inside_the_destination_are_never_written_through(
        scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = hostile_server(scripted_server, "LIST")
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_bytes(b"precious")
    destination = tmp_path / "dest"
    destination.mkdir()
    (destination / "subdir").symlink_to(outside, target_is_directory=True)
    (destination / "good.txt").symlink_to(victim)
    (destination / "Readme.txt.part").symlink_to(outside / "created-through-part")
    queue = TransferQueue(factory_for(server, bus), bus=bus, concurrency=2,
                          exists_policy=ExistsPolicy.OVERWRITE, case_insensitive=False)
    try:
        ids = await queue.add_download_tree("/hostile", destination)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert victim.read_bytes() == b"precious"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    jobs = {queue.job(i).local_path.name: queue.job(i) for i in ids}
    assert "inner.txt" not in jobs  # the linked folder's files were never queued
    assert any("subdir" in n.text and "symbolic link" in n.text
               for n in recorder.notices("skipped"))
    for name in ("good.txt", "Readme.txt"):
        assert jobs[name].state is JobState.FAILED
        assert "symbolic link" in (jobs[name].error or "")
        assert jobs[name].attempts == 1  # a local refusal is not retried
    assert (destination / "good.txt").is_symlink()
    assert jobs["README.TXT"].state is JobState.DONE


@pytest.mark.asyncio
async def test_single_download_refuses_a_linked_part_file(ftp_server, bus, tmp_path):
    ftp_server.write_file("f.bin", b"remote data")
    outside = tmp_path / "outside.bin"
    (tmp_path / "f.bin.part").symlink_to(outside)
    queue = TransferQueue(factory_for(ftp_server, bus), bus=bus)
    try:
        job_id = queue.add_download("/f.bin", tmp_path / "f.bin")
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.FAILED
    assert not outside.exists() and not (tmp_path / "f.bin").exists()


@pytest.mark.asyncio
async def test_single_download_below_a_root_refuses_a_linked_folder(ftp_server, bus, tmp_path):
    ftp_server.write_file("f.bin", b"remote data")
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "sub").symlink_to(outside, target_is_directory=True)
    queue = TransferQueue(factory_for(ftp_server, bus), bus=bus)
    try:
        job_id = queue.add_download("/f.bin", root / "sub" / "deeper" / "f.bin", root=root)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.FAILED
    assert "symbolic link" in (queue.job(job_id).error or "")
    assert list(outside.iterdir()) == []
