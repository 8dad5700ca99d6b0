"""What the TCP stack tells about a failed data connection (TCP_INFO, IP_RECVERR),
on loopback with scripted servers; the ICMP case runs in the network lab
(tests/lab/test_passive_nat.py), where a router sends the ICMP error."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from fixtures.scripted_steps import pasv, transfer, unused_port

from client.engine import tcpstack
from client.engine.errors import DataChannelError
from client.engine.events import DataFailure, TcpFinding
from client.engine.session import FtpSession


async def _failed_download(server, bus, tmp_path, **overrides) -> DataChannelError:
    values = dict(data_timeout=1.0, control_timeout=5.0, connect_timeout=5.0, use_epsv=False)
    values.update(overrides)
    async with FtpSession(server.info.settings(**values), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download("file.bin", tmp_path / "file.bin")
    return caught.value


@pytest.mark.asyncio
async def test_stall_says_the_server_stopped_sending(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"x" * 5000, ending="stall")})
    error = await _failed_download(server, bus, tmp_path)
    assert error.failure is DataFailure.STALLED
    assert error.tcp is not None and error.tcp.finding is TcpFinding.PEER_SILENT
    assert error.tcp.retransmits == 0 and error.tcp.rtt_ms is not None
    assert "the server stopped sending" in error.message and "RTT" in error.message


@pytest.mark.asyncio
async def test_unanswered_connect_counts_the_syns(scripted_server, syn_blackhole, bus,
                                                  tmp_path):
    server = scripted_server({"PASV": pasv(port=syn_blackhole.port)})
    error = await _failed_download(server, bus, tmp_path, data_timeout=1.6)
    assert error.failure is DataFailure.CONNECT_TIMEOUT
    assert error.tcp is not None and error.tcp.finding is TcpFinding.SYN_UNANSWERED
    assert error.tcp.syns_sent is not None and error.tcp.syns_sent >= 2  # 0 s and 1 s
    assert "SYNs sent in" in error.message


@pytest.mark.asyncio
async def test_reset_by_the_host_is_not_an_icmp_error(scripted_server, bus, tmp_path):
    server = scripted_server({"PASV": pasv(port=unused_port())})
    error = await _failed_download(server, bus, tmp_path)
    assert error.failure is DataFailure.REFUSED
    assert error.tcp is not None and error.tcp.finding is TcpFinding.RESET
    assert "answered with a TCP reset" in error.message


@pytest.mark.asyncio
async def test_without_linux_readers_connects_still_work(monkeypatch) -> None:
    """Elsewhere the readers return nothing and the messages stay plain."""
    monkeypatch.setattr(tcpstack, "_LINUX", False)
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        sock = await tcpstack.connect_observed("127.0.0.1", listener.getsockname()[1], 2.0)
        assert tcpstack.read_tcp_info(sock) is None
        assert tcpstack.stall_evidence(sock, 1.0) is None
        sock.close()
    finally:
        listener.close()
    with pytest.raises(tcpstack.ConnectFailed) as caught:
        await tcpstack.connect_observed("127.0.0.1", unused_port(), 2.0)
    assert caught.value.finding is TcpFinding.RESET
    await asyncio.sleep(0)


class _NoThreads(ThreadPoolExecutor):
    """An executor that refuses work: the loop's thread pool must stay unused."""

    def submit(self, *_args, **_kwargs):
        raise AssertionError("a numeric address was looked up in the loop's thread pool")


def _count_lookups(monkeypatch) -> list[object]:
    """The hosts asyncio's resolver is asked for from now on."""
    loop = asyncio.get_running_loop()
    asked: list[object] = []
    resolve = loop.getaddrinfo

    async def counting_getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        return await resolve(host, *args, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", counting_getaddrinfo)
    return asked


@pytest.mark.asyncio
@pytest.mark.parametrize("family, host", [(socket.AF_INET, "127.0.0.1"),
                                          (socket.AF_INET6, "::1")])
async def test_numeric_address_is_dialled_without_a_lookup(family, host, monkeypatch) -> None:
    """A data connection's address is numeric (from 227/229 or the control peer): dialling
    it asks no resolver and starts no thread (the pool and its shutdown cost a short
    command like ``get`` several milliseconds)."""
    try:
        listener = socket.create_server((host, 0), family=family)
    except OSError:
        pytest.skip(f"no {host} here")
    asked = _count_lookups(monkeypatch)
    asyncio.get_running_loop().set_default_executor(_NoThreads())
    try:
        sock = await tcpstack.connect_observed(host, listener.getsockname()[1], 2.0)
        assert sock.getpeername()[:2] == listener.getsockname()[:2]
        sock.close()
    finally:
        listener.close()
    assert asked == []


@pytest.mark.asyncio
async def test_names_still_go_to_the_resolver(monkeypatch) -> None:
    """A host name (a proxy's) is still looked up."""
    assert tcpstack.numeric_address_info("localhost", 21) is None
    assert tcpstack.numeric_address_info("127.0.0.1", 21)[0][4] == ("127.0.0.1", 21)
    asked = _count_lookups(monkeypatch)
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        sock = await tcpstack.connect_observed("localhost", listener.getsockname()[1], 2.0)
        sock.close()
    finally:
        listener.close()
    assert asked == ["localhost"]


def test_icmp_error_record_is_decoded() -> None:
    """sock_extended_err + the offender's sockaddr_in, as the kernel queues them."""
    import struct

    payload = struct.pack("=IBBBBII", 113, 2, 3, 13, 0, 0, 0)
    payload += struct.pack("=HH4s8x", socket.AF_INET, 0, socket.inet_aton("198.18.0.1"))

    class Fake:
        def recvmsg(self, *args):
            return b"", [(socket.IPPROTO_IP, 11, payload)], 0, None

    assert tcpstack.read_icmp_error(Fake()) == ("198.18.0.1", "administratively prohibited")


def _tcp_pair() -> tuple[socket.socket, socket.socket]:
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    return client, server


def test_bytes_waiting_unread_mean_we_are_not_reading() -> None:
    receiver, sender = _tcp_pair()
    try:
        sender.sendall(b"z" * 50_000)
        import select

        assert select.select([receiver], [], [], 5.0)[0], "the bytes never arrived"
        evidence = tcpstack.stall_evidence(receiver, 5.0)
        assert evidence is not None and evidence.finding is TcpFinding.NOT_READING
        assert evidence.unread_bytes and evidence.unread_bytes > 0
    finally:
        receiver.close()
        sender.close()


def test_a_closed_window_means_the_server_stopped_reading() -> None:
    uploader, server = _tcp_pair()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        uploader.setblocking(False)
        import time

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # fill both buffers: the window closes
            try:
                uploader.send(b"u" * 65536)
            except BlockingIOError:
                time.sleep(0.05)
                info = tcpstack.read_tcp_info(uploader)
                if info is not None and info.snd_wnd == 0:
                    break
        info = tcpstack.read_tcp_info(uploader)
        if info is None or info.snd_wnd is None:
            pytest.skip("this kernel does not report the peer's window")
        evidence = tcpstack.stall_evidence(uploader, 5.0, uploading=True)
        assert evidence is not None and "stopped reading" in evidence.summary
    finally:
        uploader.close()
        server.close()
