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


def test_lab_addresses_refused_in_the_host_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lab's networks are allowed only inside a namespace other than the host's:
    the test process (in the host's namespace) still may not dial them."""
    import os

    monkeypatch.setenv("FTP_INSPECTOR_NETGUARD_LAB_NETS", "198.18.0.0/15,10.77.0.0/16")
    monkeypatch.setenv("FTP_INSPECTOR_NETGUARD_HOST_NETNS",
                       str(os.stat("/proc/self/ns/net").st_ino))
    assert not netguard.in_lab_network("198.18.0.1")
    sock = socket.socket()
    try:
        with pytest.raises(netguard.NonLoopbackConnectError):
            sock.connect(("198.18.0.1", 21))
    finally:
        sock.close()
    assert netguard.violations(clear=True)


def test_lab_addresses_only_inside_another_namespace() -> None:
    import os

    here = str(os.stat("/proc/self/ns/net").st_ino)
    elsewhere = {"FTP_INSPECTOR_NETGUARD_LAB_NETS": "198.18.0.0/15,10.77.0.0/16",
                 "FTP_INSPECTOR_NETGUARD_HOST_NETNS": here + "0"}
    assert netguard.in_lab_network("198.18.0.1", elsewhere)
    assert netguard.in_lab_network("10.77.0.2", elsewhere)
    assert not netguard.in_lab_network("10.0.0.5", elsewhere)
    assert not netguard.in_lab_network("203.0.113.7", elsewhere)
    assert not netguard.in_lab_network("198.18.0.1", {})
