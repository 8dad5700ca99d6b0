"""Fixtures for the demo server's tests: a factory that starts a DemoServer per scenario
with short fault delays and always stops it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from client.demo import DemoServer

# Short, so that the 425 after a doomed transfer arrives quickly in tests.
GIVE_UP_AFTER = 0.5


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
