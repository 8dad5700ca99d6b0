"""Proof that connects to the SYN blackhole and to nft-dropped ports time out (neither
accepted nor refused), as behind a firewall that drops packets."""

from __future__ import annotations

import asyncio
import socket

import pytest
from fixtures.raw_control import SHORT


def test_syn_blackhole_connect_times_out(syn_blackhole) -> None:  # type: ignore[no-untyped-def]
    probe = socket.socket()
    probe.settimeout(SHORT)
    with pytest.raises(TimeoutError):
        probe.connect((syn_blackhole.host, syn_blackhole.port))
    probe.close()


def test_syn_blackhole_asyncio_connect_times_out(syn_blackhole) -> None:  # type: ignore[no-untyped-def]
    async def dial() -> None:
        await asyncio.wait_for(
            asyncio.open_connection(syn_blackhole.host, syn_blackhole.port), SHORT
        )

    with pytest.raises(TimeoutError):
        asyncio.run(dial())


def test_syn_blackhole_on_ipv6() -> None:
    from fixtures.blackhole import full_backlog_listener

    try:
        hole = full_backlog_listener("::1")
    except OSError as error:
        pytest.skip(f"no IPv6 loopback here: {error}")
    probe = socket.socket(socket.AF_INET6)
    probe.settimeout(SHORT)
    try:
        with pytest.raises(TimeoutError):
            probe.connect(("::1", hole.port))
    finally:
        probe.close()
        hole.close()


def test_nft_drop_makes_connects_hang(nft_drop) -> None:  # type: ignore[no-untyped-def]
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    nft_drop(port, port)
    probe = socket.socket()
    probe.settimeout(SHORT)
    with pytest.raises(TimeoutError):
        probe.connect(("127.0.0.1", port))
    probe.close(), server.close()


def test_stale_nft_tables_of_dead_processes_are_removed(nft_drop) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from fixtures.blackhole import remove_stale_nft_tables

    dead_pid = 9_999_999  # above the largest pid_max Linux allows (2**22): never alive
    table = f"ftpi_test_drop_{dead_pid}_1"
    subprocess.run(["nft", "add", "table", "inet", table], check=True)
    assert table in remove_stale_nft_tables()
    listed = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    assert table not in listed
