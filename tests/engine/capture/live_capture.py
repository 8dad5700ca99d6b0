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


@contextlib.contextmanager
def tcpdump(path: Path, capture_filter: str) -> Iterator[Path]:
    """Capture on ``lo`` into ``path`` while the block runs (immediate mode, so every
    packet is written before tcpdump stops)."""
    binary = require_tcpdump()
    child = subprocess.Popen([binary, "-i", "lo", "-U", "--immediate-mode", "-s", "0", "-w",
                              str(path), capture_filter],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stderr.readline() if child.stderr else ""
        if "listening" not in line:
            child.kill()
            pytest.skip(f"tcpdump cannot capture here: {line.strip()}")
        time.sleep(0.3)  # the filter is attached just after the message
        yield path
        time.sleep(0.3)
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
