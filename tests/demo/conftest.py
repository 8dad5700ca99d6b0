"""Fixtures for the demo server's tests: a factory that starts a DemoServer per scenario
with short fault delays and always stops it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from client.demo import DemoServer

# Short, so that the 425 after a doomed transfer arrives quickly in tests.
GIVE_UP_AFTER = 0.5


@pytest.fixture(autouse=True)
def _no_server_side_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """pyftpdlib catches exceptions raised in handlers and only logs them; a bug in a
    scenario handler would otherwise pass unnoticed while the client saw a hang."""
    caplog.set_level(logging.WARNING, logger="pyftpdlib")
    yield
    errors = [r for r in caplog.records if r.name.startswith("pyftpdlib") and r.levelno >= logging.ERROR]
    assert not errors, "server-side errors: " + "; ".join(r.getMessage() for r in errors)


@pytest.fixture
def start_demo() -> Iterator[Callable[..., DemoServer]]:
    started: list[DemoServer] = []

    def start(scenario: str = "healthy", **options: object) -> DemoServer:
        options.setdefault("give_up_after", GIVE_UP_AFTER)
        server = DemoServer(scenario, **options).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def demo_ftp(start_demo):  # type: ignore[no-untyped-def]
    """(server, logged-in RawFtp) for a scenario, closed afterwards."""
    from demo.rawftp import RawFtp

    clients: list[RawFtp] = []

    def connect(scenario: str = "healthy", **options: object):  # type: ignore[no-untyped-def]
        server = start_demo(scenario, **options)
        ftp = RawFtp(server.host, server.port)
        ftp.login(server.user, server.password)
        clients.append(ftp)
        return server, ftp

    yield connect
    for ftp in clients:
        ftp.sock.close()
