"""tcpdump on the loopback interface during a test (skipped where it cannot run)."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def require_tcpdump() -> str:
    path = shutil.which("tcpdump")
    if path is None:
        pytest.skip("tcpdump is not installed (tools/install-system-deps --test installs it)")
    if os.geteuid() != 0:
        pytest.skip("capturing on the loopback interface needs root")
    return path


def private_loopback_host() -> str:
    """A loopback address of this test's own, so that the capture filter sees only its
    connections while other tests run on 127.0.0.1."""
    return f"127.{random.randint(64, 250)}.{random.randint(1, 250)}.{random.randint(2, 250)}"


def _wait_until_capturing(path: Path, capture_filter: str, limit: float = 10.0) -> None:
    """"listening" is printed before the filter is attached, and a loaded machine can
    take a while: knock on a closed port the filter matches (a port of its loopback
    host, or the last port of its range) until the capture file holds a packet — the
    knock is a refused connection, no FTP; otherwise give it a moment."""
    import re
    import socket

    host = re.search(r"\bhost (127\.\d+\.\d+\.\d+)\b", capture_filter)
    ports = re.search(r"\bportrange (\d+)-(\d+)\b", capture_filter)
    if host is not None:
        knock_at = (host.group(1), 9)
    elif ports is not None:  # the range's last port: nothing listens there yet
        knock_at = ("127.0.0.1", int(ports.group(2)))
    else:  # nothing to knock at: no packet can say tcpdump is ready
        time.sleep(0.5)
        return
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.socket() as knock:
            knock.settimeout(0.2)
            knock.connect_ex(knock_at)
        if path.exists() and path.stat().st_size > 24:  # more than the file header
            return
        time.sleep(0.05)


@contextlib.contextmanager
def tcpdump(path: Path, capture_filter: str, interface: str = "lo") -> Iterator[Path]:
    """Capture on ``interface`` (``any`` writes Linux cooked frames) into ``path`` while
    the block runs (immediate mode, so every packet is written before tcpdump stops)."""
    binary = require_tcpdump()
    child = subprocess.Popen([binary, "-i", interface, "-U", "--immediate-mode", "-B", "16384",
                              "-s", "0", "-w",
                              str(path), capture_filter],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        for _ in range(3):  # "-i any" first says which link type it writes
            line = child.stderr.readline() if child.stderr else ""
            if "listening" in line or not line:
                break
        if "listening" not in line:
            child.kill()
            pytest.skip(f"tcpdump cannot capture here: {line.strip()}")
        _wait_until_capturing(path, capture_filter)
        yield path
        time.sleep(0.3)  # kept: tcpdump's buffered last packets have no event to wait on
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stderr:
            child.stderr.close()


@contextlib.contextmanager
def nft_drop_to(host: str, first: int, last: int) -> Iterator[None]:
    """Drop TCP to ``host`` ports ``first..last`` (loopback only) while inside: the SYNs
    are still seen by a capture on ``lo`` (it sees them before the input hook drops them),
    so the capture shows them retransmitted and never answered."""
    if os.geteuid() != 0 or shutil.which("nft") is None:
        pytest.skip("nftables DROP rules need root and the nft binary")
    if not host.startswith("127."):
        raise ValueError("only loopback addresses")
    table = f"ftpi_capture_drop_{os.getpid()}_{first}"
    rules = (f"table inet {table} {{\n  chain input {{\n"
             "    type filter hook input priority -10; policy accept;\n"
             f"    ip daddr {host} tcp dport {first}-{last} drop\n  }}\n}}\n")
    subprocess.run(["nft", "-f", "-"], input=rules.encode(), check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["nft", "delete", "table", "inet", table], check=False,
                       capture_output=True)
