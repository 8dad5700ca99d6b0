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
def _shared_qt_loop(qapp: object) -> object:
    """One qasync loop for the whole session: a second QEventLoop on the same
    QApplication never runs its tasks (see the team's QT_NOTES)."""
    from client.ui.qt_loop import InspectorEventLoop

    loop = InspectorEventLoop(qapp, already_running=True)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    loop.stop()
    loop.close()


@pytest.fixture
def qloop(_shared_qt_loop: object, request: pytest.FixtureRequest) -> object:
    """The shared qasync loop, marked as running for this test only: its tasks advance
    whenever qtbot processes events, so ``qtbot.waitUntil(task.done)`` works. Afterwards
    whatever the test left running is cancelled (and named on stderr), so a stray task
    never spins under a later test, and the loop stops being "the running loop" — a
    later test in the same process may run its own loop (pytest-asyncio, asyncio.run)."""
    loop = _shared_qt_loop
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
        _cancel_leftover_tasks(loop, request.node.name)
        _drop_leftover_notifiers(loop, request.node.name)
    finally:
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


def _drop_leftover_notifiers(loop: asyncio.AbstractEventLoop, test_name: str) -> None:
    """A socket a test leaves open keeps its Qt notifier on the shared loop; when garbage
    collection later closes the socket (without removing the notifier), Qt polls a closed
    descriptor under some later test — "Invalid socket", and in Qt's GLib dispatcher a
    rare crash. Whatever a test leaves watched is named on stderr and unwatched here."""
    import sys

    own = {loop._ssock.fileno()} if getattr(loop, "_ssock", None) is not None else set()  # type: ignore[attr-defined]
    for table, remove in ((loop._read_notifiers, loop._remove_reader),  # type: ignore[attr-defined]
                          (loop._write_notifiers, loop._remove_writer)):  # type: ignore[attr-defined]
        for fd in [fd for fd in table if fd not in own]:
            print(f"\n[{test_name}] unwatching descriptor {fd} left watched by the test",
                  file=sys.stderr)
            remove(fd)


def _cancel_leftover_tasks(loop: asyncio.AbstractEventLoop, test_name: str) -> None:
    leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not leftovers:
        return
    import sys
    import time

    from PySide6.QtWidgets import QApplication

    names = ", ".join(sorted({t.get_coro().__qualname__ for t in leftovers}))
    print(f"\n[{test_name}] cancelling leftover tasks: {names}", file=sys.stderr)
    for task in leftovers:
        task.cancel()
    deadline = time.monotonic() + 5
    while not all(t.done() for t in leftovers) and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)


@pytest.fixture
def window(qloop: object, qtbot: object, config_dir: Path, tmp_path: Path) -> object:
    """The main window over an empty local folder (``tmp_path/local``), shut down after
    the test (sessions closed with QUIT before the window goes)."""
    from .helpers import shown_window

    with shown_window(qtbot, tmp_path) as win:
        yield win


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


@pytest.fixture(scope="module")
def demo() -> object:
    """The embedded demo server (healthy scenario) on loopback, one per test module."""
    from client.demo import DemoServer

    server = DemoServer("healthy", give_up_after=2.0).start()
    yield server
    server.stop()
