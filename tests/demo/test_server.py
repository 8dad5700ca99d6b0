"""DemoServer's lifecycle and its generated sample tree."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from client.demo import (
    BINARY_SAMPLE,
    SCENARIO_DETAILS,
    SCENARIOS,
    SYMLINK_SAMPLE,
    DemoServer,
    DemoServerError,
)
from client.demo.sample_tree import generate_sample_tree
from demo.rawftp import RawFtp, passive_transfer

EXPECTED_SCENARIOS = [
    "healthy", "passive-blocked", "passive-refused", "nat-misconfigured",
    "active-blocked", "slow", "stall", "tls",
]


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_scenarios_are_the_contracted_ones_with_descriptions() -> None:
    assert list(SCENARIOS) == EXPECTED_SCENARIOS
    for name, summary in SCENARIOS.items():
        assert summary and "\n" not in summary
        assert SCENARIO_DETAILS[name].observe


@pytest.mark.parametrize("scenario", EXPECTED_SCENARIOS)
def test_start_and_stop_leave_no_thread_fd_or_file_behind(scenario: str) -> None:
    threads_before = set(threading.enumerate())
    fds_before = open_fds()
    server = DemoServer(scenario, give_up_after=0.5)
    with server:
        assert server.host == "127.0.0.1" and server.port > 0
        assert server.running
        root = server.root
        assert (root / BINARY_SAMPLE).is_file()
        # serve a client (so that connection fds exist) and leave it connected
        ftp = RawFtp(server.host, server.port)
        assert ftp.banner.code == 220
        assert scenario in ftp.banner.text
    ftp.sock.close()
    assert not server.running
    assert not root.exists()
    assert set(threading.enumerate()) == threads_before
    assert open_fds() <= fds_before


def test_url_carries_generated_credentials_and_repr_does_not() -> None:
    first = DemoServer().start()
    second = DemoServer().start()
    try:
        assert first.password != second.password
        assert first.url == f"ftp://demo:{first.password}@127.0.0.1:{first.port}/"
        assert first.port != second.port
        assert first.password not in repr(first)
        assert first.ca_file is None and first.cert_fingerprint_sha256 is None
    finally:
        first.stop()
        second.stop()
    first.stop()  # idempotent


def test_fixed_port_and_refusals() -> None:
    with DemoServer() as taken:
        with pytest.raises(OSError):
            DemoServer(port=taken.port).start()
    with pytest.raises(DemoServerError, match="127.0.0.0/8"):
        DemoServer(host="0.0.0.0")
    with pytest.raises(DemoServerError):
        DemoServer(host="::1")
    with pytest.raises(ValueError, match="healthy"):
        DemoServer("no-such-scenario")
    with pytest.raises(DemoServerError, match="give_up_after"):
        DemoServer("active-blocked", give_up_after=-1)
    with pytest.raises(DemoServerError, match="throttle"):
        DemoServer("slow", throttle_bytes_per_second=0)
    with pytest.raises(DemoServerError, match="port"):
        DemoServer(port=70000)
    server = DemoServer()
    with pytest.raises(DemoServerError, match="start"):
        _ = server.root
    with pytest.raises(DemoServerError, match="start"):
        _ = server.url
    server.start()
    try:
        with pytest.raises(DemoServerError, match="already started"):
            server.start()
    finally:
        server.stop()


def test_other_loopback_address_is_allowed() -> None:
    with DemoServer(host="127.0.0.2") as server:
        assert server.url.endswith(f"@127.0.0.2:{server.port}/")
        ftp = RawFtp(server.host, server.port)
        ftp.login("anonymous", "x@example.com")
        assert b"README.txt" in passive_transfer(ftp, "NLST")
        ftp.quit()


def test_sample_tree_is_deterministic_and_has_the_awkward_cases(tmp_path) -> None:
    def fresh(name: str):  # type: ignore[no-untyped-def]
        folder = tmp_path / name
        folder.mkdir()
        return folder

    first = generate_sample_tree(fresh("a"))
    second = generate_sample_tree(fresh("b"))
    other = generate_sample_tree(fresh("c"), seed=7)
    assert dict(first.sha256) == dict(second.sha256)
    assert first.sha256[BINARY_SAMPLE] != other.sha256[BINARY_SAMPLE]
    root = first.root
    assert first.size_of(BINARY_SAMPLE) == 2 * 1024 * 1024
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    assert 2_500_000 < total < 8_000_000
    assert (root / "docs" / "Ünïcödé notes.txt").is_file()
    assert (root / "photos 2024").is_dir()
    assert list((root / "empty folder").iterdir()) == []
    assert (root / "upload").is_dir()
    assert os.readlink(root / SYMLINK_SAMPLE) == BINARY_SAMPLE
    assert (root / "docs/nested/deeper/deepest/bottom.txt").is_file()
    readme = (root / "README.txt").read_text()
    for name in SCENARIOS:
        assert name in readme


def test_usable_from_asyncio_code() -> None:
    async def scenario() -> bytes:
        server = DemoServer()
        server.start()  # quick, synchronous: fine inside a coroutine
        try:
            reader, writer = await asyncio.open_connection(server.host, server.port)
            banner = await asyncio.wait_for(reader.readline(), 5)
            writer.close()
            await writer.wait_closed()
        finally:
            server.stop()
        return banner

    assert asyncio.run(scenario()).startswith(b"220 ")


def test_user_docs_quote_the_real_sample_checksum(tmp_path) -> None:
    tree = generate_sample_tree(tmp_path)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "guide" / "demo.md").read_text()
    assert tree.sha256[BINARY_SAMPLE] in docs
    for name in SCENARIOS:
        assert f"`{name}`" in docs


def test_trees_left_by_dead_processes_are_removed_and_live_ones_kept(tmp_path) -> None:
    """A demo whose process died without cleaning up (killed, or its display went away)
    leaves its tree in the temporary folder; the next demo start removes it."""
    import os
    import subprocess
    import sys
    import time

    from client.demo.server import remove_abandoned_trees

    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead_pid = int(child.stdout)
    dead = tmp_path / "ftpi-demo-healthy-dead"
    (dead / "root").mkdir(parents=True)
    (dead / "owner.pid").write_text(str(dead_pid))
    alive = tmp_path / "ftpi-demo-healthy-alive"
    alive.mkdir()
    (alive / "owner.pid").write_text(str(os.getpid()))
    fresh_unowned = tmp_path / "ftpi-demo-healthy-fresh"
    fresh_unowned.mkdir()
    # another process between creating its owner file and writing its pid (a parallel
    # test run lost its tree this way)
    being_written = tmp_path / "ftpi-demo-healthy-starting"
    being_written.mkdir()
    (being_written / "owner.pid").write_text("")
    old_unowned = tmp_path / "ftpi-demo-healthy-old"
    old_unowned.mkdir()
    hours_ago = time.time() - 2 * 3600
    os.utime(old_unowned, (hours_ago, hours_ago))
    other = tmp_path / "not-a-demo"
    other.mkdir()
    removed = remove_abandoned_trees(tmp_path)
    assert sorted(p.name for p in removed) == ["ftpi-demo-healthy-dead", "ftpi-demo-healthy-old"]
    assert alive.exists() and fresh_unowned.exists() and other.exists()
    assert being_written.exists()
    assert not dead.exists() and not old_unowned.exists()


def test_a_running_demo_records_its_process() -> None:
    import os

    with DemoServer("healthy") as server:
        owner = server._workdir / "owner.pid"  # noqa: SLF001
        assert owner.read_text() == str(os.getpid())
        assert not (server.root / "owner.pid").exists()  # never served
