"""Helpers for engine tests: an event recorder and settings for fixture servers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from client.engine.events import DataChannelEvent, EngineEvent, EventBus, Notice


class Recorder:
    """Subscribes to a bus and keeps every event, with small query helpers."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[EngineEvent] = []
        bus.subscribe(self.events.append)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def phases(self, channel: int | None = None) -> list[str]:
        return [e.phase.value for e in self.of(DataChannelEvent)
                if channel is None or e.channel == channel]

    def notices(self, kind: str | None = None) -> list[Notice]:
        return [n for n in self.of(Notice) if kind is None or n.kind == kind]


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def recorder(bus: EventBus) -> Recorder:
    return Recorder(bus)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=["sendfile", "read-ahead"])
def upload_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a plain upload sends its file: ``sendfile`` (to a server on another
    machine) and reading and writing (to one on this machine, the fixtures' loopback)."""
    from client.engine import upload

    monkeypatch.setattr(upload, "SENDFILE_TO_LOOPBACK", request.param == "sendfile")
    return request.param
