"""What the operating system's TCP stack knows about a data socket, read where it
answers the questions a failed data connection raises (Linux; elsewhere every reader
returns None and the messages stay as they were).

- ``TCP_INFO`` (``getsockopt``): for an unanswered connect, how many SYNs went out;
  during a stall, RTT, retransmissions, what is waiting unread in our receive buffer
  and when data last arrived, to tell "the server stopped sending", "packets are being
  lost" and "we are not reading".
- ``IP_RECVERR`` / ``IPV6_RECVERR``: an ICMP error that ended a connect lands in the
  socket's error queue with the address of the router that sent it and its type, so
  "administratively prohibited by 198.18.0.1" is told apart from a reset sent by the
  server (no ICMP then).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import struct
import sys
import time

from client.engine.events import TcpEvidence, TcpFinding

__all__ = ["TcpInfo", "read_tcp_info", "enable_recverr", "read_icmp_error",
           "connect_observed", "connect_observed_peer", "numeric_address_info",
           "ConnectFailed", "stall_evidence", "keepalive_options"]

_LINUX = sys.platform.startswith("linux")
_NONBLOCK = getattr(socket, "SOCK_NONBLOCK", 0)
_TCP_INFO = getattr(socket, "TCP_INFO", 11)
_IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
_IPV6_RECVERR = getattr(socket, "IPV6_RECVERR", 25)
_MSG_ERRQUEUE = getattr(socket, "MSG_ERRQUEUE", 0x2000)
_ORIGIN_ICMP, _ORIGIN_ICMP6 = 2, 3
#: struct tcp_info up to tcpi_total_retrans: 8 bytes, then 24 u32.
_HEAD = struct.Struct("=8B24I")
_LATER = struct.Struct("=4Q6I")  # pacing…bytes_received, segs_out…data_segs_out
_UNREACHABLE = {0: "network unreachable", 1: "host unreachable", 2: "protocol unreachable",
                3: "port unreachable", 9: "network administratively prohibited",
                10: "host administratively prohibited", 13: "administratively prohibited"}
_UNREACHABLE6 = {0: "no route", 1: "administratively prohibited", 3: "address unreachable",
                 4: "port unreachable", 5: "source address failed policy",
                 6: "reject route"}


class TcpInfo:
    """The fields of ``struct tcp_info`` this client reasons about (times in ms)."""

    __slots__ = ("state", "retransmits", "backoff", "rto_ms", "rtt_ms", "rttvar_ms",
                 "last_data_recv_ms", "total_retrans", "lost", "bytes_received",
                 "segs_in", "rcv_space", "unacked", "out_of_order", "snd_wnd", "rcv_wnd")

    def __init__(self, raw: bytes) -> None:
        head = _HEAD.unpack_from(raw)
        self.state, _ca, self.retransmits, _probes, self.backoff = head[:5]
        u32 = head[8:]
        self.rto_ms = u32[0] / 1000
        self.unacked = u32[4]
        self.lost = u32[6]
        self.last_data_recv_ms = u32[11]
        self.rtt_ms = u32[15] / 1000
        self.rttvar_ms = u32[16] / 1000
        self.rcv_space = u32[22]
        self.total_retrans = u32[23]
        self.bytes_received = 0
        self.segs_in = 0
        if len(raw) >= _HEAD.size + _LATER.size:
            later = _LATER.unpack_from(raw, _HEAD.size)
            self.bytes_received = later[3]
            self.segs_in = later[5]
        # newer kernels: out-of-order segments received (5.4), the peer's and our
        # advertised windows (5.4 / 6.x)
        self.out_of_order = _u32_at(raw, 224)
        self.snd_wnd = _u32_at(raw, 228)
        self.rcv_wnd = _u32_at(raw, 232)


def _u32_at(raw: bytes, offset: int) -> int | None:
    return struct.unpack_from("=I", raw, offset)[0] if len(raw) >= offset + 4 else None


def read_tcp_info(sock: socket.socket) -> TcpInfo | None:
    if not _LINUX:
        return None
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, 256)
    except OSError:
        return None
    return TcpInfo(raw) if len(raw) >= _HEAD.size else None


def enable_recverr(sock: socket.socket) -> bool:
    """Ask for ICMP errors in the socket's error queue."""
    if not _LINUX:
        return False
    try:
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, _IPV6_RECVERR, 1)
        else:
            sock.setsockopt(socket.IPPROTO_IP, _IP_RECVERR, 1)
    except OSError:
        return False
    return True


def read_icmp_error(sock: socket.socket) -> tuple[str, str] | None:
    """(router address, ICMP description) of the last queued ICMP error, or None."""
    if not _LINUX:
        return None
    try:
        _data, ancillary, _flags, _addr = sock.recvmsg(1, 512, _MSG_ERRQUEUE)
    except OSError:
        return None
    for _level, _kind, payload in ancillary:
        if len(payload) < 16:
            continue
        _errno, origin, icmp_type, code, _pad, _info, _data32 = struct.unpack_from("=IBBBBII",
                                                                                 payload)
        if origin not in (_ORIGIN_ICMP, _ORIGIN_ICMP6):
            continue
        offender = _offender(payload[16:])
        if origin == _ORIGIN_ICMP:
            text = (_UNREACHABLE.get(code, f"destination unreachable (code {code})")
                    if icmp_type == 3 else f"ICMP type {icmp_type} code {code}")
        else:
            text = (_UNREACHABLE6.get(code, f"destination unreachable (code {code})")
                    if icmp_type == 1 else f"ICMPv6 type {icmp_type} code {code}")
        return offender or "a router", text
    return None


def _offender(raw: bytes) -> str | None:
    if len(raw) < 8:
        return None
    family = struct.unpack_from("=H", raw)[0]
    if family == socket.AF_INET:
        return str(ipaddress.IPv4Address(raw[4:8]))
    if family == socket.AF_INET6 and len(raw) >= 24:
        return str(ipaddress.IPv6Address(raw[8:24]))
    return None


class ConnectFailed(Exception):
    """A data connect that did not complete, with what the stack said about it."""

    def __init__(self, finding: TcpFinding, message: str, evidence: TcpEvidence) -> None:
        super().__init__(message)
        self.finding = finding
        self.message = message
        self.evidence = evidence


def _syns(info: TcpInfo | None) -> int | None:
    if info is None:
        return None
    return 1 + max(info.retransmits, info.total_retrans)


def numeric_address_info(host: str, port: int) -> list | None:
    """``getaddrinfo``'s answer for a numeric address (what a 227, 229 or PORT reply
    gives), None for a name. Asked with ``AI_NUMERICHOST``, which never consults a
    resolver, so it is answered here: ``loop.getaddrinfo`` would start the loop's
    thread pool (and its shutdown at exit) for an address that needs no lookup."""
    try:
        # as bytes: a str host goes through the "idna" codec, which loads stringprep
        # and unicodedata first
        return socket.getaddrinfo(host.encode("ascii"), port, type=socket.SOCK_STREAM,
                                  flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        return None


async def connect_observed(host: str, port: int, timeout: float) -> socket.socket:
    """Connect a non-blocking TCP socket to host:port within ``timeout``, watching the
    stack: on failure :class:`ConnectFailed` says whether the SYNs went unanswered (and
    how many were sent), an ICMP error came back (from which router, which type), or the
    host reset the connection."""
    sock, _peer = await connect_observed_peer(host, port, timeout)
    return sock


async def connect_observed_peer(host: str, port: int, timeout: float, *,
                                quick: bool = True) -> tuple[socket.socket, object]:
    """:func:`connect_observed`, and the peer's address as ``getpeername`` gives it.

    With ``quick``, a connect that completed while ``connect`` ran (on loopback or a
    fast LAN the handshake is over by then) is seen with one ``getpeername`` and needs
    no turn of the event loop; otherwise the loop waits for the socket to become
    writable."""
    loop = asyncio.get_running_loop()
    infos = numeric_address_info(host, port)
    if infos is None:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    family, _type, proto, _canon, address = infos[0]
    # non-blocking from the start: no ioctl to make it so
    sock = socket.socket(family, socket.SOCK_STREAM | _NONBLOCK, proto)
    if not _NONBLOCK:
        sock.setblocking(False)
    enable_recverr(sock)
    started = time.monotonic()
    try:
        if quick:
            try:
                sock.connect(address)
                return sock, sock.getpeername()
            except (BlockingIOError, InterruptedError):
                pass
            try:
                return sock, sock.getpeername()  # connected already
            except OSError:
                pass  # not yet (or refused: the connect below reports it)
        async with asyncio.timeout(timeout):
            await loop.sock_connect(sock, address)
        return sock, None
    except TimeoutError:
        waited = time.monotonic() - started
        syns = _syns(read_tcp_info(sock))
        sock.close()
        sent = (f"{syns} SYN{'s' if syns != 1 else ''} sent in {waited:.1f} s, none answered"
                if syns else f"no answer in {waited:.1f} s")
        evidence = TcpEvidence(finding=TcpFinding.SYN_UNANSWERED, summary=sent,
                               syns_sent=syns, waited=round(waited, 3))
        raise ConnectFailed(TcpFinding.SYN_UNANSWERED, sent, evidence) from None
    except OSError as exc:
        waited = time.monotonic() - started
        icmp = read_icmp_error(sock)
        sock.close()
        if icmp is not None:
            router, text = icmp
            summary = f"ICMP {text} by {router}"
            evidence = TcpEvidence(finding=TcpFinding.ICMP_ERROR, summary=summary,
                                   icmp_from=router, icmp_text=text, waited=round(waited, 3))
            raise ConnectFailed(TcpFinding.ICMP_ERROR, summary, evidence) from None
        if exc.errno == errno.ECONNREFUSED:
            summary = f"the host {host} answered the SYN with a TCP reset"
            evidence = TcpEvidence(finding=TcpFinding.RESET, summary=summary,
                                   waited=round(waited, 3))
            raise ConnectFailed(TcpFinding.RESET, summary, evidence) from None
        raise
    except BaseException:
        sock.close()
        raise


def stall_evidence(sock: socket.socket | None, idle: float, *,
                   uploading: bool = False) -> TcpEvidence | None:
    """Why no bytes moved on a connected data socket for ``idle`` seconds: data waiting
    unread in our buffer (we are not reading), retransmissions or lost segments (packets
    are being lost), or a quiet, healthy connection (the other side stopped)."""
    if sock is None:
        return None
    info = read_tcp_info(sock)
    if info is None:
        return None
    unread = _unread_bytes(sock)
    windows = ""
    if info.rcv_wnd is not None and info.snd_wnd is not None:
        windows = f", our window {info.rcv_wnd} B, the server's {info.snd_wnd} B"
    facts = (f"RTT {info.rtt_ms:.1f} ms, {info.total_retrans} retransmission(s), "
             f"{unread} bytes unread here, last data {info.last_data_recv_ms / 1000:.1f} s "
             f"ago{windows}")
    if uploading:
        if info.snd_wnd == 0:
            finding, summary = TcpFinding.PEER_SILENT, (
                f"the server stopped reading: its receive window is closed; {facts}")
        elif info.unacked and (info.total_retrans or info.lost or info.backoff):
            finding, summary = TcpFinding.PACKETS_LOST, (
                f"packets are being lost: our segments are retransmitted and not "
                f"acknowledged; {facts}")
        else:
            finding, summary = TcpFinding.PEER_SILENT, (
                f"the server takes no more data although the link is quiet; {facts}")
    elif unread > 0:
        finding, summary = TcpFinding.NOT_READING, (
            f"we are not reading: {unread} bytes wait in our receive buffer (a slow local "
            f"disk or a busy client); {facts}")
    elif info.out_of_order:
        finding, summary = TcpFinding.PACKETS_LOST, (
            f"packets are being lost on the way here ({info.out_of_order} segment(s) "
            f"arrived out of order); {facts}")
    else:
        finding, summary = TcpFinding.PEER_SILENT, (
            f"the server stopped sending (or everything it sends is dropped on the way): "
            f"nothing arrived for {idle:.0f} s and nothing waits here; {facts}")
    return TcpEvidence(finding=finding, summary=summary, rtt_ms=round(info.rtt_ms, 2),
                       retransmits=info.total_retrans, unread_bytes=unread,
                       last_data_ms=info.last_data_recv_ms)


def _unread_bytes(sock: socket.socket) -> int:
    """Bytes received and not yet read by us (FIONREAD); 0 where it cannot be asked."""
    try:
        import fcntl
        import termios
    except ImportError:  # not a POSIX system
        return 0
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD,
                                              b"\0\0\0\0"))[0]
    except OSError:
        return 0


def keepalive_options(sock: socket.socket, idle: float) -> bool:
    """TCP keep-alive with probes after ``idle`` seconds of silence, then every
    ``idle`` seconds, 4 probes: a NAT box sees traffic and keeps its mapping."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        seconds = max(1, int(idle))
        for name, value in (("TCP_KEEPIDLE", seconds), ("TCP_KEEPINTVL", seconds),
                            ("TCP_KEEPCNT", 4)):
            option = getattr(socket, name, None)
            if option is not None:
                sock.setsockopt(socket.IPPROTO_TCP, option, value)
    except OSError:
        return False
    return True
