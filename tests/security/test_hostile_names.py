"""Hostile names in recursive downloads through the queue's tree download, against real
servers (each lists differently: MLSD, ls -l, quoting) and against a local attacker who
swaps a folder for a symbolic link while the download runs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from fixtures.sample_tree import paths_below
from fixtures.scripted_faults import unix_listing
from fixtures.scripted_steps import transfer

from client.engine.events import EventBus, Notice
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession
from client.protocol.text import escape_control

# Names a Linux file system accepts, so a real server can list them. "../" cannot be a
# real name; servers list their own "." and "..", which the walk must not descend.
REAL_HOSTILE = ["a\\..\\..\\evil.txt", "..\\dot-start.txt", "C:evil.txt", "esc\x1b[31mred.txt", "bell\x07.txt",
                "cr\rname.txt", "tab\tname.txt", "trailing-space.txt ", "\u202egnp.exe",
                "x" * 250]
GOOD = {"good.txt": b"good content\n", "sub/inner.txt": b"inner content\n",
        "Readme.txt": b"lower\n", "README.TXT": b"upper\n", "sub/deeper/leaf.bin": b"leaf"}


async def tree_download(server, destination: Path, remote: str, **queue_options):
    bus = EventBus()
    notices: list[Notice] = []
    bus.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)

    async def make() -> FtpSession:
        session = FtpSession(server.settings(data_timeout=5.0, control_timeout=5.0), bus=bus)
        await session.connect()
        return session

    queue = TransferQueue(make, bus=bus, exists_policy=ExistsPolicy.OVERWRITE,
                          case_insensitive=False, **queue_options)
    try:
        ids = await asyncio.wait_for(queue.add_download_tree(remote, destination), 30)
        await asyncio.wait_for(queue.wait_idle(), 60)
    finally:
        await queue.close()
    return queue, ids, [n.text for n in notices if n.kind == "skipped"]


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_real_server_tree_with_hostile_names_and_an_outward_link(real_server, tmp_path):
    server = real_server
    for relative, data in GOOD.items():
        server.write_file(f"tree/{relative}", data)
    for name in REAL_HOSTILE:
        server.write_file(f"tree/{name}", b"hostile\n")
    secret_dir = server.write_file("outside-tree/secret.txt", b"secret\n").parent
    (server.root / "tree" / "link-out").symlink_to(secret_dir, target_is_directory=True)
    (server.root / "tree" / "link-file").symlink_to(secret_dir / "secret.txt")
    if server.owner is not None:
        for link in ("link-out", "link-file"):
            os.lchown(server.root / "tree" / link, *server.owner)

    destination = tmp_path / "a" / "dest"
    destination.mkdir(parents=True)
    before = paths_below(tmp_path, destination)
    queue, ids, skipped = await tree_download(server, destination, "/tree", concurrency=3)

    assert paths_below(tmp_path, destination) == before  # nothing written outside
    for path in destination.rglob("*"):
        assert not path.is_symlink(), path
        assert not any(ord(ch) < 32 or 0x7f <= ord(ch) <= 0x9f or ch == "\u202e"
                       for ch in path.name), repr(path.name)
        assert "\\" not in path.name and ":" not in path.name
    for relative, data in GOOD.items():  # the rest of the tree arrives, exactly
        assert (destination / relative).read_bytes() == data, relative
    failed = [queue.job(i) for i in ids if queue.job(i).state is not JobState.DONE]
    assert failed == []
    for text in skipped:
        assert not any(ord(ch) < 32 for ch in text), repr(text)
    # Names that cannot be written locally are refused and reported by name (escaped).
    reported = " ".join(skipped)
    # (Servers that hide dot files in LIST never show "..\\dot-start.txt" at all.)
    for name in ("a\\..\\..\\evil.txt", "..\\dot-start.txt", "C:evil.txt",
                 "esc\x1b[31mred.txt", "bell\x07.txt"):
        assert not (destination / name).exists()
    for name in ("a\\..\\..\\evil.txt", "C:evil.txt"):
        assert escape_control(name) in reported, (name, skipped)
    # The outward link is either followed by the server inside its own root (then its
    # content is a plain file here) or reported; it never becomes a local link.
    assert not (destination / "link-out").is_symlink()


@pytest.mark.asyncio
async def test_folder_swapped_for_a_link_during_the_download_is_not_written_through(
        scripted_server, tmp_path):
    """The walk creates dest/sub; while the first file downloads, a local attacker
    replaces dest/sub with a link to a folder outside. The files of sub must not land
    there (they fail with a typed local error, or are skipped), and nothing is written
    outside the destination."""
    destination = tmp_path / "dest"
    destination.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()

    top = unix_listing([("-", b"first.txt", 5), ("d", b"sub", 4096)])
    sub = unix_listing([("-", b"inner.txt", 5), ("-", b"inner2.txt", 5)])

    def listing(session, argument):
        payload = sub if argument.rstrip("/").endswith("/sub") else top
        transfer(payload=payload).run(session, argument)

    def retrieve(session, argument):
        if argument.endswith("first.txt"):
            target = destination / "sub"
            if target.is_dir() and not target.is_symlink():
                for child in target.iterdir():
                    child.unlink()
                target.rmdir()
            if not target.exists():
                target.symlink_to(outside, target_is_directory=True)
                session.server.event("swapped dest/sub for a link")
        transfer(payload=b"data\n").run(session, argument)

    server = scripted_server({"LIST": listing, "RETR": retrieve})
    queue, ids, skipped = await tree_download(server, destination, "/top", concurrency=1)
    assert "swapped dest/sub for a link" in server.events
    assert list(outside.iterdir()) == []  # nothing written through the link
    states = {queue.job(i).remote_path: queue.job(i) for i in ids}
    assert states["/top/first.txt"].state is JobState.DONE
    for name in ("/top/sub/inner.txt", "/top/sub/inner2.txt"):
        job = states[name]
        assert job.state is JobState.FAILED, job
        assert "link" in (job.error or ""), job.error
        assert job.attempts == 1


@pytest.mark.asyncio
async def test_upload_tree_never_follows_links_out_nor_reads_special_files(ftp_server,
                                                                           tmp_path):
    """A folder to upload that holds links to a secret file and to a folder outside it,
    a FIFO (reading it would block forever) and a name with a line break: only the
    plain files inside the folder reach the server; each other entry is reported."""
    secret_dir = tmp_path / "private"
    secret_dir.mkdir()
    (secret_dir / "id_rsa").write_bytes(b"-----BEGIN SECRET KEY-----")
    folder = tmp_path / "to-upload"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "a.txt").write_bytes(b"a")
    (folder / "b.txt").write_bytes(b"b")
    (folder / "key-link").symlink_to(secret_dir / "id_rsa")
    (folder / "dir-link").symlink_to(secret_dir, target_is_directory=True)
    os.mkfifo(folder / "pipe")
    (folder / "line\nbreak.txt").write_bytes(b"x")

    bus = EventBus()
    notices: list[Notice] = []
    bus.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)

    async def make() -> FtpSession:
        session = FtpSession(ftp_server.settings(), bus=bus)
        await session.connect()
        return session

    queue = TransferQueue(make, bus=bus, exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await asyncio.wait_for(queue.add_upload_tree(folder, "/up"), 20)
        await asyncio.wait_for(queue.wait_idle(), 30)
    finally:
        await queue.close()
    uploaded = sorted(p.relative_to(ftp_server.root / "up").as_posix()
                      for p in (ftp_server.root / "up").rglob("*") if p.is_file())
    assert uploaded == ["b.txt", "docs/a.txt"]
    assert {queue.job(i).state for i in ids} == {JobState.DONE}
    for path in ftp_server.root.rglob("*"):
        if path.is_file():
            assert b"SECRET KEY" not in path.read_bytes(), path
    skipped = " ".join(n.text for n in notices if n.kind == "skipped")
    for name in ("key-link", "dir-link", "pipe", "line\\nbreak.txt"):
        assert name in skipped, (name, skipped)
