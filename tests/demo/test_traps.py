"""The loopback traps on their own: unanswered SYNs and refused connects."""

from __future__ import annotations

import socket

import pytest

from client.demo.traps import BlackholePort, RefusingPort


def test_blackhole_leaves_every_connect_unanswered_until_closed() -> None:
    trap = BlackholePort()
    try:
        for _ in range(2):  # a second client is not let in either
            probe = socket.socket()
            probe.settimeout(1.0)
            with pytest.raises(TimeoutError):
                probe.connect(("127.0.0.1", trap.port))
            probe.close()
    finally:
        trap.close()
    with pytest.raises(ConnectionRefusedError):  # closed: the port is released
        socket.create_connection(("127.0.0.1", trap.port), timeout=1.0)


def test_refusing_port_refuses_and_stays_reserved() -> None:
    trap = RefusingPort()
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", trap.port), timeout=1.0)
        squatter = socket.socket()
        with pytest.raises(OSError):
            squatter.bind(("127.0.0.1", trap.port))  # nobody else can start listening there
        squatter.close()
    finally:
        trap.close()
