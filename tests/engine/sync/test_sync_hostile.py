"""Hostile names in synchronisation: a server listing ``..``, ``../x``, ``/etc/passwd``,
``a\\b``, NUL, escape sequences, ``.`` — in every direction, with deletes on — never
leads to a write or delete outside the chosen local folder, nor to a command for an
unsafe name; each is refused with a reason. Local links are not followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures.scripted_steps import transfer

from client.engine.sync import Direction, SyncOptions
from client.engine.sync.walk import snapshot_local

from ..queue.test_queue_hostile import hostile_server
from .helpers import plan_and_run

UNSAFE_FRAGMENTS = ("escape.txt", "passwd", "cron.d", "windows.txt", "b.txt", "x.txt",
                    "evil", "\x1b", "nul", "bell", "link-out")


def everything(root: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            found[str(path)] = None if path.is_dir() or path.is_symlink() else path.read_bytes()
    return found


def stored(session, argument):
    session.send(b"250 Done.\r\n")


@pytest.mark.asyncio
@pytest.mark.parametrize("listing_verb", ["LIST", "MLSD"])
@pytest.mark.parametrize("direction", list(Direction))
async def test_hostile_remote_names_never_lead_outside(scripted_server, bus, tmp_path,
                                                       listing_verb, direction):
    server = hostile_server(scripted_server, listing_verb)
    for verb in ("DELE", "RMD", "MKD"):
        server.handlers[verb] = stored
    server.handlers["STOR"] = transfer(receive=True)
    top = tmp_path / "top"
    local = top / "a" / "local"
    local.mkdir(parents=True)
    (local / "mine.txt").write_bytes(b"mine")
    (top / "escape.txt").write_bytes(b"outside")
    (top / "a" / "escape.txt").write_bytes(b"outside too")
    before_outside = {k: v for k, v in everything(tmp_path).items()
                      if not k.startswith(str(local))}

    plan, run = await plan_and_run(server, bus, local, "/hostile",
                                   SyncOptions(direction, delete=True))

    after_outside = {k: v for k, v in everything(tmp_path).items()
                     if not k.startswith(str(local))}
    assert after_outside == before_outside
    for action in plan.actions:
        assert ".." not in action.relpath.split("/")
        assert not any(ord(ch) < 32 for ch in action.relpath)
        assert "\\" not in action.relpath
    refused = {r.name: r.reason for r in plan.refused}
    for name in ("../escape.txt", "/etc/passwd", "a\\..\\b.txt", "nul\x00byte.txt",
                 "C:evil.txt", "link-out"):
        if name == "..":
            continue  # listings' "." and ".." (and MLSD's pdir) are never entries at all
        assert name in refused, name
    assert "'/'" in refused["../escape.txt"] or "/" in refused["../escape.txt"]
    sent = server.lines()
    for line in sent:
        verb, _, argument = line.partition(" ")
        if verb in ("DELE", "RMD", "STOR", "MKD", "RETR"):
            assert argument.startswith("/hostile/"), line
            rest = argument[len("/hostile/"):]
            assert ".." not in rest.split("/") and "\\" not in rest, line
            assert not any(bad in rest for bad in UNSAFE_FRAGMENTS), line
    for path in local.rglob("*"):
        assert not path.is_symlink()
    if direction is Direction.UPLOAD:
        assert "STOR /hostile/mine.txt" in sent
        assert "DELE /hostile/Readme.txt" in sent  # a safe name absent here: deleted
        assert not any("good.txt" in line for line in sent)  # listed twice: left alone
    if direction is Direction.DOWNLOAD:
        assert not (local / "mine.txt").exists()  # absent on the server: deleted
        assert (local / "Readme.txt").exists() and (local / "subdir" / "inner.txt").exists()
        assert "listed this name twice" in refused["good.txt"]
    assert not any(v.startswith(("DELE", "RMD")) for v in sent) or direction is Direction.UPLOAD


def test_local_links_are_not_followed_into_loops_or_out(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "f.txt").write_bytes(b"f")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (tmp_path / "secret").write_bytes(b"s")
    (root / "out").symlink_to(tmp_path / "secret")
    snapshot = snapshot_local(root)
    assert sorted(snapshot.entries) == ["loop", "out", "sub", "sub/f.txt"]
    assert snapshot.entries["loop"].type.value == "link"
    assert snapshot.entries["out"].type.value == "link"


@pytest.mark.asyncio
async def test_a_local_link_where_the_server_has_a_file_is_not_written_through(
        ftp_server, bus, tmp_path):
    site = ftp_server.root / "site"
    site.mkdir()
    (site / "target.txt").write_bytes(b"from the server")
    local = tmp_path / "local"
    local.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (local / "target.txt").symlink_to(victim)
    plan, run = await plan_and_run(ftp_server, bus, local, "site",
                                   SyncOptions(Direction.DOWNLOAD, delete=True))
    assert plan.actions == []
    assert any(r.name == "target.txt" and "link" in r.reason for r in plan.refused)
    assert victim.read_bytes() == b"precious"
    assert (local / "target.txt").is_symlink()


@pytest.mark.asyncio
async def test_names_that_differ_only_in_case_for_a_case_blind_disk(scripted_server, bus):
    from client.engine.session import FtpSession
    from client.engine.sync.walk import snapshot_remote

    server = hostile_server(scripted_server, "LIST")
    session = FtpSession(server.settings(data_timeout=5.0, control_timeout=5.0), bus=bus)
    await session.connect()
    try:
        blind = await snapshot_remote(session, "/hostile", case_insensitive=True)
        sighted = await snapshot_remote(session, "/hostile")
    finally:
        await session.close()
    assert "Readme.txt" in blind.entries and "README.TXT" not in blind.entries
    assert any(r.name == "README.TXT" and "only in case" in r.reason for r in blind.refused)
    assert {"Readme.txt", "README.TXT"} <= sighted.entries.keys()
