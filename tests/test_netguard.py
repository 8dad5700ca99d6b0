"""The guard itself: non-loopback connects are refused and recorded; loopback passes."""

from __future__ import annotations

import socket

import netguard
import pytest


def test_loopback_allowed() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    try:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    finally:
        server.close()


@pytest.mark.parametrize("host", ["10.0.0.5", "192.0.2.10", "203.0.113.7", "172.16.0.1"])
def test_non_loopback_refused_and_recorded(host: str) -> None:
    sock = socket.socket()
    try:
        with pytest.raises(netguard.NonLoopbackConnectError):
            sock.connect((host, 21))
    finally:
        sock.close()
    assert netguard.violations(clear=True), "the attempt must be recorded even if swallowed"


def test_is_loopback() -> None:
    assert netguard.is_loopback("127.0.0.2")
    assert netguard.is_loopback("::1")
    assert netguard.is_loopback("::ffff:127.0.0.1")
    assert not netguard.is_loopback("0.0.0.0")
    assert not netguard.is_loopback("example.com")
