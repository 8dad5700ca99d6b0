"""Fixtures for the desktop app's tests: an isolated config folder, an in-memory
keyring, and a qasync loop that runs while qtbot processes events."""

from __future__ import annotations

import asyncio
from pathlib import Path

import keyring
import pytest

from .memkeyring import MemoryKeyring


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    monkeypatch.setenv("FTP_INSPECTOR_CONFIG_DIR", str(path))
    return path


@pytest.fixture
def memory_keyring() -> object:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> object:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    """The app's own QApplication class (it takes the links macOS sends as events)."""
    from client.ui.app import InspectorApplication

    return InspectorApplication


@pytest.fixture(scope="session")
def qloop(qapp: object) -> object:
    """A qasync loop marked as running: tasks advance whenever qtbot processes events,
    so ``qtbot.waitUntil(task.done)`` works (see the team's QT_NOTES). One loop for the
    whole session: a second QEventLoop on the same QApplication never runs its tasks."""
    from client.ui.qt_loop import InspectorEventLoop

    loop = InspectorEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    try:
        loop.stop()
        loop.close()
    finally:
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _unfreeze_after_test() -> object:
    """The bridge moves what the window keeps out of full collections (``gc.freeze``):
    right for one long-lived window, but across a test run it would also keep every
    earlier test's cyclic garbage for good. Each test's frozen objects go back to the
    collector when it ends, so the suite's memory stays bounded."""
    yield
    import gc

    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(autouse=True)
def _no_leftover_tasks(request: pytest.FixtureRequest) -> object:
    """Tests share one loop: whatever a test leaves running is cancelled after it (and
    named on stderr), so a stray task can never spin under a later test."""
    yield
    if "qloop" not in request.fixturenames:
        return
    loop = request.getfixturevalue("qloop")
    leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not leftovers:
        return
    import sys

    names = ", ".join(sorted({t.get_coro().__qualname__ for t in leftovers}))
    print(f"\n[{request.node.name}] cancelling leftover tasks: {names}", file=sys.stderr)
    for task in leftovers:
        task.cancel()
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + 5
    while not all(t.done() for t in leftovers) and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
