"""The asyncio loop inside the Qt loop: qasync's QEventLoop with socket notifiers that
are retired safely.

qasync drops its last reference to a QSocketNotifier when a reader or writer is removed;
the C++ object then dies at once — possibly while Qt is still delivering that
notifier's own event (a notifier that fires after its fd was removed disconnects itself
inside its own slot). With many short-lived sockets (TLS data connections, queue
workers) that is a use-after-free and the process segfaults now and then. Here a removed
or replaced notifier is disabled and handed to Qt with ``deleteLater``: it dies when
control is back in the event loop, never inside its own event.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_API", "pyside6")

import PySide6  # noqa: E402,F401  - bind qasync to PySide6 before importing it
import qasync  # noqa: E402

__all__ = ["InspectorEventLoop", "run_on_qt_loop"]


class InspectorEventLoop(qasync.QEventLoop):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._retired: set[Any] = set()

    def _retire(self, notifier: Any) -> None:
        if notifier is None:
            return
        self._retired.add(notifier)  # alive until Qt deletes it from the event loop
        notifier.destroyed.connect(lambda *_args: self._retired.discard(notifier))
        notifier.deleteLater()

    def _add_reader(self, fd: Any, callback: Any, *args: Any) -> None:
        self._retire(self._read_notifiers.get(fd))
        super()._add_reader(fd, callback, *args)

    def _add_writer(self, fd: Any, callback: Any, *args: Any) -> None:
        self._retire(self._write_notifiers.get(fd))
        super()._add_writer(fd, callback, *args)

    def _remove_reader(self, fd: Any) -> bool:
        notifier = self._read_notifiers.get(fd)
        removed = super()._remove_reader(fd)
        if removed:
            self._retire(notifier)
        return bool(removed)

    def _remove_writer(self, fd: Any) -> bool:
        notifier = self._write_notifiers.get(fd)
        removed = super()._remove_writer(fd)
        if removed:
            self._retire(notifier)
        return bool(removed)


def run_on_qt_loop(app: Any, coro: Any) -> Any:
    """Run ``coro`` to completion on an :class:`InspectorEventLoop` over ``app``."""
    import asyncio

    loop = InspectorEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            return loop.run_until_complete(coro)
    finally:
        asyncio.set_event_loop(None)
