"""A real server whose link dies silently mid-download (every packet towards it dropped
by an nftables rule: no FIN, no RST, nothing), then comes back: the transfer fails
within its timeouts with a typed error, the queue retries on a new connection, resumes
from the .part and the file's SHA-256 equals the source's. Root and nft needed."""

from __future__ import annotations

import asyncio
import hashlib
import os

import pytest
from fixtures.blackhole import nft_available, nft_drop_ports
from fixtures.process_server import free_port_block

from client.engine.events import EventBus, Notice
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession

pytestmark = pytest.mark.skipif(not nft_available(), reason="needs root and nft")

SIZE = 1024 * 1024 + 5


@pytest.mark.asyncio
async def test_link_dies_silently_then_recovers(make_ftp_server, tmp_path):
    first, last = free_port_block(8)
    server = make_ftp_server(throttle_bytes_per_second=256 * 1024, passive_ports=(first, last),
                             name="pyftpdlib-throttled-range")
    payload = os.urandom(SIZE)
    server.write_file("big.bin", payload)
    bus = EventBus()
    notices: list[Notice] = []
    failed_once = asyncio.Event()

    def on_event(event) -> None:
        if isinstance(event, Notice):
            notices.append(event)
            if event.kind == "retry":
                failed_once.set()

    bus.subscribe(on_event)

    async def make() -> FtpSession:
        session = FtpSession(server.settings(data_timeout=1.5, control_timeout=1.5,
                                             connect_timeout=1.5), bus=bus)
        await session.connect()
        return session

    target = tmp_path / "big.bin"
    part = tmp_path / "big.bin.part"
    queue = TransferQueue(make, bus=bus, retries=5, retry_delay=0.5,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        job_id = queue.add_download("big.bin", target)
        for _ in range(200):  # until a good part of the file has arrived
            if part.exists() and part.stat().st_size > 200_000:
                break
            await asyncio.sleep(0.05)
        with nft_drop_ports(server.port, server.port), nft_drop_ports(first, last):
            await asyncio.wait_for(failed_once.wait(), 15)
            kept = part.stat().st_size
        await asyncio.wait_for(queue.wait_idle(), 60)
    finally:
        await queue.close()
    job = queue.job(job_id)
    assert job.state is JobState.DONE, job
    assert job.attempts >= 2
    assert 0 < kept < SIZE
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(payload).digest()
    retry_texts = [n.text for n in notices if n.kind == "retry"]
    assert retry_texts and all(len(text) > 30 for text in retry_texts)
