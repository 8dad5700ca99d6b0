"""Loopback-only network guard for the test suite, benchmarks and child processes.

Every outgoing connect from Python code (plain sockets, asyncio, threads, pyftpdlib's
active-mode dial-back) goes through ``socket.socket.connect``/``connect_ex``; the guard
wraps both and refuses any destination outside 127.0.0.0/8 and ::1. A refused attempt
is *recorded* as well as raised, so code under test that swallows the error (as a
client retrying another address would) still fails the test in teardown.

The network lab (tests/fixtures/lab.py) runs the client inside a network namespace it
created, whose only routes lead to the lab's own router. There, and only there, dials to
the lab's networks are allowed: the child gets ``FTP_INSPECTOR_NETGUARD_LAB_NETS`` (the
lab's networks, e.g. ``198.18.0.0/15,10.77.0.0/16``) and
``FTP_INSPECTOR_NETGUARD_HOST_NETNS`` (the inode of the test process's own network
namespace). A dial to a lab address is allowed when the calling process's namespace is
not the host's; from the test process itself, or to any other address, it is refused as
before.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading

__all__ = ["NonLoopbackConnectError", "install", "uninstall", "violations", "is_loopback",
           "in_lab_network"]


class NonLoopbackConnectError(ConnectionRefusedError):
    """Raised when code under test tries to dial a non-loopback address."""


_lock = threading.Lock()
_violations: list[str] = []
_originals: dict[str, object] = {}


def is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def in_lab_network(host: object, environ: dict[str, str] | None = None) -> bool:
    """Whether ``host`` is a lab address and this process runs in a lab namespace."""
    env = os.environ if environ is None else environ
    nets = env.get("FTP_INSPECTOR_NETGUARD_LAB_NETS")
    host_netns = env.get("FTP_INSPECTOR_NETGUARD_HOST_NETNS")
    if not nets or not host_netns or not isinstance(host, str):
        return False
    try:
        if str(os.stat("/proc/self/ns/net").st_ino) == host_netns:
            return False  # still in the host's namespace: no lab address is reachable
        address = ipaddress.ip_address(host.split("%", 1)[0])
        return any(address in ipaddress.ip_network(net.strip()) for net in nets.split(","))
    except (OSError, ValueError):
        return False


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_loopback(host) and not in_lab_network(host):
        message = f"blocked a connect to non-loopback address {address!r}"
        with _lock:
            _violations.append(message)
        raise NonLoopbackConnectError(message)


def install() -> None:
    """Wrap socket.connect/connect_ex (idempotent)."""
    if _originals:
        return
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    _originals["connect"] = original_connect
    _originals["connect_ex"] = original_connect_ex

    def guarded_connect(self: socket.socket, address: object) -> None:
        _check(self, address)
        return original_connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        _check(self, address)
        return original_connect_ex(self, address)  # type: ignore[arg-type]

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    os.environ["FTP_INSPECTOR_NETGUARD"] = "1"


def uninstall() -> None:
    if not _originals:
        return
    socket.socket.connect = _originals.pop("connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = _originals.pop("connect_ex")  # type: ignore[method-assign]


def violations(clear: bool = False) -> list[str]:
    with _lock:
        found = list(_violations)
        if clear:
            _violations.clear()
    return found
