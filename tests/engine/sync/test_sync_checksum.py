"""Comparing by checksum: HASH (draft-bryan-ftpext-hash) on a server that offers it
finds same-size files whose contents differ; a server that offers no checksum command
is said so and compared by size."""

from __future__ import annotations

import os
import time

import pytest

from client.engine.sync import ActionKind, CompareRule, Direction, SyncOptions

from .helpers import plan_and_run


def same_size_pair(site, local):
    stamp = time.time() - 100
    for root, data in ((site, b"server copy 1"), (local, b"local  copy 2")):
        root.mkdir(parents=True, exist_ok=True)
        (root / "differs.txt").write_bytes(data)
        (root / "same.txt").write_bytes(b"identical")
        for name in ("differs.txt", "same.txt"):
            os.utime(root / name, (stamp, stamp))


@pytest.mark.asyncio
async def test_hash_finds_same_size_files_that_differ(make_ftp_server, bus, tmp_path):
    server = make_ftp_server(checksums=True)
    same_size_pair(server.root / "site", tmp_path / "local")
    plan, run = await plan_and_run(server, bus, tmp_path / "local", "site",
                                   SyncOptions(Direction.DOWNLOAD, CompareRule.CHECKSUM))
    assert [(a.kind, a.relpath, a.reason) for a in plan.actions] == [
        (ActionKind.DOWNLOAD, "differs.txt", "same size, different checksum")]
    assert any("HASH" in note for note in plan.notes)
    assert (tmp_path / "local" / "differs.txt").read_bytes() == b"server copy 1"
    again, _ = await plan_and_run(server, bus, tmp_path / "local", "site",
                                  SyncOptions(Direction.DOWNLOAD, CompareRule.CHECKSUM),
                                  run=False)
    assert again.actions == []


@pytest.mark.asyncio
async def test_xmd5_when_it_is_the_only_command(scripted_server, bus, tmp_path):
    from fixtures.scripted_steps import transfer

    listing = b"type=file;size=5;modify=20240102030405; one.txt\r\n"
    server = scripted_server(
        {"MLSD": transfer(payload=listing),
         "XMD5": b"250 " + b"0" * 32 + b"\r\n"},
        features=["EPSV", "MLST type*;size*;modify*;", "XMD5"])
    local = tmp_path / "local"
    local.mkdir()
    (local / "one.txt").write_bytes(b"12345")
    plan, _ = await plan_and_run(server, bus, local, "/dir",
                                 SyncOptions(Direction.DOWNLOAD, CompareRule.CHECKSUM),
                                 run=False)
    assert "XMD5 /dir/one.txt" in server.lines()
    assert [a.relpath for a in plan.actions] == ["one.txt"]
    assert any("XMD5" in note for note in plan.notes)


@pytest.mark.asyncio
async def test_no_checksum_command_falls_back_to_size_and_says_so(ftp_server, bus, tmp_path):
    same_size_pair(ftp_server.root / "site", tmp_path / "local")
    plan, _ = await plan_and_run(ftp_server, bus, tmp_path / "local", "site",
                                 SyncOptions(Direction.DOWNLOAD, CompareRule.CHECKSUM),
                                 run=False)
    assert plan.actions == []
    assert any("offers no checksum command" in note for note in plan.notes)


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_proftpd_mod_digest_finds_same_size_files_that_differ(make_debian_server, bus,
                                                                    tmp_path):
    server = make_debian_server("proftpd", digest=True)
    assert "HASH" in server.features
    site = server.root / "site"
    same_size_pair(site, tmp_path / "local")
    os.chmod(site, 0o777)  # noqa: S103 - the server runs as its own account
    plan, _ = await plan_and_run(server, bus, tmp_path / "local", "site",
                                 SyncOptions(Direction.DOWNLOAD, CompareRule.CHECKSUM),
                                 run=False)
    assert [(a.relpath, a.reason) for a in plan.actions] == [
        ("differs.txt", "same size, different checksum")]
    assert any("HASH" in note for note in plan.notes)
