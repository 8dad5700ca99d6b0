"""Load: 8 connections moving 2,000 small files and 4 large ones in both directions
against a real server; every file byte-identical, no descriptor or task left behind,
memory flat between two rounds."""

from __future__ import annotations

import asyncio
import gc
import hashlib
from pathlib import Path

import pytest
from fixtures.process_stats import open_fds, rss_kib

from client.engine.events import EventBus
from client.engine.queue import ExistsPolicy, JobState, TransferQueue

from ..sessions import session_factory

SMALL = 2000
LARGE = 4
LARGE_SIZE = 3 * 1024 * 1024 + 17


def small_bytes(i: int) -> bytes:
    return hashlib.sha256(str(i).encode()).digest() * (1 + i % 40)


def large_bytes(i: int) -> bytes:
    return hashlib.sha256(b"large%d" % i).digest() * (LARGE_SIZE // 32) + bytes(LARGE_SIZE % 32)


def factory_for(server, bus: EventBus, **overrides):
    return session_factory(server, bus, **{"data_timeout": 10.0, "control_timeout": 10.0,
                                           **overrides})


def fill(folder: Path) -> dict[str, bytes]:
    """Write the load set under ``folder`` (in ``d0``..``d19`` sub-folders)."""
    expected = {f"d{i % 20}/s{i:04d}.bin": small_bytes(i) for i in range(SMALL)}
    expected.update({f"big/l{i}.bin": large_bytes(i) for i in range(LARGE)})
    for relative, data in expected.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return expected


def check(folder: Path, expected: dict[str, bytes]) -> None:
    found = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert found == set(expected)
    for relative, data in expected.items():
        assert hashlib.sha256((folder / relative).read_bytes()).digest() == \
            hashlib.sha256(data).digest(), relative


@pytest.mark.slow
@pytest.mark.asyncio
async def test_eight_connections_both_directions(ftp_server, tmp_path):
    bus = EventBus()
    expected = await asyncio.to_thread(fill, ftp_server.root / "load")
    await asyncio.to_thread(fill, tmp_path / "up")
    tasks_before = len(asyncio.all_tasks())
    fds_before = open_fds()
    rss: list[int] = []
    for round_number in range(2):
        factory = factory_for(ftp_server, bus)
        queue = TransferQueue(factory, bus=bus, concurrency=8,
                              exists_policy=ExistsPolicy.OVERWRITE)
        try:
            down = await queue.add_download_tree("/load", tmp_path / f"down{round_number}")
            up = await queue.add_upload_tree(tmp_path / "up", f"/uploaded{round_number}")
            await queue.wait_idle()
            assert len(down) == len(up) == SMALL + LARGE
            failed = [job for job in queue.jobs() if job.state is not JobState.DONE]
            assert failed == []
        finally:
            await queue.close()
        assert len(factory.sessions) <= 8 + 1  # the workers (and the walk's, reused)
        await asyncio.to_thread(check, tmp_path / f"down{round_number}", expected)
        await asyncio.to_thread(check, ftp_server.root / f"uploaded{round_number}", expected)
        del queue, factory, down, up
        gc.collect()
        rss.append(rss_kib())
    assert len(asyncio.all_tasks()) == tasks_before
    assert open_fds() <= fds_before  # the in-process server may close old ones meanwhile
    # The second round moves the same 4,008 files: memory must not grow by another round
    # (tolerance for allocator noise: 16 MiB).
    assert rss[1] - rss[0] < 16 * 1024, rss
