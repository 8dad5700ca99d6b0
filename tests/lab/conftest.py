"""The network lab's fixtures: a fresh lab (namespaces, router, server) per test, torn
down after it whatever happened, and helpers to read the client's transcript.

The whole folder is skipped, with the reason, where the lab cannot run (not root, no
``ip``/``nft``, no network namespaces, no Debian servers)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TypeVar

import pytest
from fixtures.lab import Lab, lab_unavailable_reason
from fixtures.process_server import ServerUnavailable

T = TypeVar("T")

#: Short timeouts keep the whole lab fast: every failure costs at most one of these.
DATA_TIMEOUT = 3


@pytest.fixture
def lab() -> Iterator[Lab]:
    reason = lab_unavailable_reason()
    if reason:
        pytest.skip(reason)
    made = Lab()
    try:
        yield made
        found = made.guard_violations()
        if found:
            pytest.fail("network guard (lab client): " + found, pytrace=False)
    finally:
        made.close()


def shared_lab(make: Callable[[], Lab]) -> Iterator[Lab]:
    """A lab for a whole module (namespaces and servers built once), removed at the
    module's end whatever happened; pair it with :func:`guard_after_each_test`."""
    reason = lab_unavailable_reason()
    if reason:
        pytest.skip(reason)
    made = make()
    try:
        yield made
    finally:
        made.close()


def start_or_skip(start: Callable[[], T]) -> T:
    """Start a lab server or proxy; skip (with the reason) where its package is missing."""
    try:
        return start()
    except ServerUnavailable as exc:
        pytest.skip(str(exc))


def guard_after_each_test(made: Lab) -> None:
    """Fail the test whose client dialled outside the lab (and start the log afresh)."""
    found = made.guard_violations()
    (made.workdir / "netguard.log").unlink(missing_ok=True)
    if found:
        pytest.fail("network guard (lab client): " + found, pytrace=False)


@pytest.fixture
def vpn_lab() -> Iterator[Lab]:
    """Both sides on private addresses, as over a VPN: the client is 10.77.1.2 and
    reaches the server through the router's 10.77.1.1."""
    reason = lab_unavailable_reason()
    if reason:
        pytest.skip(reason)
    made = Lab(wan="10.77.1")
    try:
        yield made
        found = made.guard_violations()
        if found:
            pytest.fail("network guard (lab client): " + found, pytrace=False)
    finally:
        made.close()


@cache
def _has_option(option: str) -> bool:
    out = subprocess.run([sys.executable, "-m", "client", "ls", "--help"],
                         capture_output=True, text=True).stdout
    return option in out


def epsv() -> list[str]:
    """The options that make a listing use EPSV (the default where --epsv is absent)."""
    return ["--epsv"] if _has_option("--epsv") else []


def pasv() -> list[str]:
    return ["--no-epsv"] if _has_option("--no-epsv") else []


def port() -> list[str]:
    return ["--no-eprt"] if _has_option("--no-eprt") else []


def transcript(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def data_events(events: list[dict], phase: str | None = None) -> list[dict]:
    return [e for e in events if e.get("kind") == "data"
            and (phase is None or e.get("phase") == phase)]


def session_seconds(events: list[dict]) -> float:
    """Engine time from the first to the last event (no interpreter start-up)."""
    return events[-1]["t"] - events[0]["t"]
