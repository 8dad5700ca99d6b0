"""What the threaded TLS download and upload tests share: the path forced for every
binary transfer, its worker threads, and the last data connection's phases."""

from __future__ import annotations

import threading

import pytest

from client.engine.data import threaded_tls
from client.engine.events import DataChannelEvent

FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)


def force_threaded(monkeypatch: pytest.MonkeyPatch, stream_class: type) -> list:
    """Every binary transfer of ``stream_class``'s direction takes the threaded path
    (no threshold); returns the list of streams that started (proof the path ran)."""
    monkeypatch.setattr(threaded_tls, "THRESHOLD", 0)
    started: list = []
    original = stream_class.start_receiving

    def spy(self: object) -> None:
        started.append(self)
        original(self)

    monkeypatch.setattr(stream_class, "start_receiving", spy)
    return started


def worker_threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name]


def wait_for_workers(name: str) -> None:
    for thread in worker_threads(name):
        thread.join(timeout=5)
    assert not worker_threads(name)


def channel_phases(recorder: object) -> list[str]:
    events = recorder.of(DataChannelEvent)  # type: ignore[attr-defined]
    last = events[-1].channel
    return [e.phase.value for e in events if e.channel == last]
