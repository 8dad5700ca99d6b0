"""User-level GUI tests: what a person does with the window (click, type, Tab, resize),
with the demo server on loopback. Any exception that reaches Qt's event loop during a
test fails it (``sys.excepthook`` is replaced for the test)."""

from __future__ import annotations

import sys
import traceback

import pytest


@pytest.fixture(autouse=True)
def no_exception_reaches_qt() -> object:
    """PySide hands an exception raised in a slot to ``sys.excepthook`` and carries on:
    the click silently did nothing. Here it is recorded and fails the test."""
    caught: list[str] = []
    previous = sys.excepthook

    def record(kind: type[BaseException], value: BaseException, tb: object) -> None:
        caught.append("".join(traceback.format_exception(kind, value, tb)))

    sys.excepthook = record
    try:
        yield caught
    finally:
        sys.excepthook = previous
    if caught:
        pytest.fail("exception reached Qt's event loop:\n" + "\n".join(caught), pytrace=False)
