"""IPv4 and IPv6 packets down to what the analysis needs: TCP segments, and ICMP errors
that name the TCP connection they refuse.

Only the fields used later are decoded, with ``struct`` on the bytes as they are, so a
large capture is not slowed by building objects for every header. Fragments after the
first are ignored (the TCP header is in the first).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

__all__ = ["TcpSegment", "IcmpError", "decode_ip", "ICMP_NAMES", "FIN", "SYN", "RST", "ACK"]

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

_TCP = struct.Struct("!HHIIBBH")
_V4 = struct.Struct("!BBHHHBB")
_EXTENSION_HEADERS = (0, 43, 60, 51)

_addresses: dict[bytes, str] = {}


def _address(raw: bytes) -> str:
    """Text form of a packed address, cached (a capture holds few distinct hosts)."""
    text = _addresses.get(raw)
    if text is None:
        family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
        text = socket.inet_ntop(family, raw)
        if len(_addresses) < 65536:
            _addresses[raw] = text
    return text


@dataclass(frozen=True, slots=True)
class TcpSegment:
    """One TCP segment: ``length`` is the payload length the IP header declares;
    ``payload`` may be shorter when the snap length cut the packet (``cut``)."""

    src: str
    sport: int
    dst: str
    dport: int
    seq: int
    ack: int
    flags: int
    window: int
    length: int
    payload: bytes
    cut: bool


@dataclass(frozen=True, slots=True)
class IcmpError:
    """An ICMP error about a TCP packet: who sent it, which kind, about which connection
    (the addresses and ports of the packet it returns)."""

    sender: str
    version: int
    type: int
    code: int
    src: str
    sport: int
    dst: str
    dport: int

    @property
    def description(self) -> str:
        return ICMP_NAMES.get((self.version, self.type, self.code),
                              f"ICMPv{'6' if self.version == 6 else '4'} type {self.type} "
                              f"code {self.code}")


ICMP_NAMES: dict[tuple[int, int, int], str] = {
    (4, 3, 0): "ICMP network unreachable", (4, 3, 1): "ICMP host unreachable",
    (4, 3, 2): "ICMP protocol unreachable", (4, 3, 3): "ICMP port unreachable",
    (4, 3, 4): "ICMP fragmentation needed", (4, 3, 9): "ICMP network administratively prohibited",
    (4, 3, 10): "ICMP host administratively prohibited",
    (4, 3, 13): "ICMP communication administratively prohibited (a firewall REJECT)",
    (4, 11, 0): "ICMP TTL exceeded in transit",
    (6, 1, 0): "ICMPv6 no route to destination",
    (6, 1, 1): "ICMPv6 communication administratively prohibited (a firewall REJECT)",
    (6, 1, 3): "ICMPv6 address unreachable", (6, 1, 4): "ICMPv6 port unreachable",
    (6, 1, 6): "ICMPv6 reject route to destination", (6, 3, 0): "ICMPv6 hop limit exceeded",
}


def decode_ip(packet: bytes) -> TcpSegment | IcmpError | None:
    """The TCP segment or ICMP error in an IP packet, else None."""
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4:
        return _ipv4(packet)
    if version == 6:
        return _ipv6(packet)
    return None


def _ipv4(packet: bytes) -> TcpSegment | IcmpError | None:
    if len(packet) < 20:
        return None
    _vihl, _tos, total, _ident, frag, _ttl, proto = _V4.unpack_from(packet)
    if frag & 0x1FFF:
        return None  # a later fragment: no transport header
    ihl = (packet[0] & 0x0F) * 4
    src, dst = packet[12:16], packet[16:20]
    if total < ihl:  # 0 from segmentation offload: the captured bytes are the packet
        total = len(packet)
    body = packet[ihl:total]
    declared = total - ihl
    if proto == 6:
        return _tcp(_address(src), _address(dst), body, declared)
    if proto == 1 and len(body) >= 8 and body[0] in (3, 11):
        return _icmp_error(_address(src), 4, body[0], body[1], body[8:])
    return None


def _ipv6(packet: bytes) -> TcpSegment | IcmpError | None:
    if len(packet) < 40:
        return None
    declared = int.from_bytes(packet[4:6], "big")
    header = packet[6]
    src, dst = packet[8:24], packet[24:40]
    pos = 40
    end = 40 + declared
    while header in _EXTENSION_HEADERS or header == 44:
        if len(packet) < pos + 8:
            return None
        if header == 44:  # fragment
            if int.from_bytes(packet[pos + 2:pos + 4], "big") & 0xFFF8:
                return None
            size = 8
        elif header == 51:  # authentication header counts 4-byte units
            size = (packet[pos + 1] + 2) * 4
        else:
            size = (packet[pos + 1] + 1) * 8
        header = packet[pos]
        pos += size
    body = packet[pos:end]
    if header == 6:
        return _tcp(_address(src), _address(dst), body, max(0, end - pos))
    if header == 58 and len(body) >= 8 and body[0] in (1, 3):
        return _icmp_error(_address(src), 6, body[0], body[1], body[8:])
    return None


def _tcp(src: str, dst: str, body: bytes, declared: int) -> TcpSegment | None:
    if len(body) < 20:
        return None
    sport, dport, seq, ack, offset, flags, window = _TCP.unpack_from(body)
    header = (offset >> 4) * 4
    length = max(0, declared - header)
    payload = body[header:header + length]
    return TcpSegment(src, sport, dst, dport, seq, ack, flags, window, length, payload,
                      len(payload) < length)


def _icmp_error(sender: str, version: int, kind: int, code: int,
                inner: bytes) -> IcmpError | None:
    """The returned packet starts with its IP header and at least 8 bytes of TCP."""
    if not inner:
        return None
    inner_version = inner[0] >> 4
    if inner_version == 4 and len(inner) >= 28 and inner[9] == 6:
        ihl = (inner[0] & 0x0F) * 4
        ports = inner[ihl:ihl + 4]
        if len(ports) < 4:
            return None
        return IcmpError(sender, version, kind, code, _address(inner[12:16]),
                         int.from_bytes(ports[:2], "big"), _address(inner[16:20]),
                         int.from_bytes(ports[2:], "big"))
    if inner_version == 6 and len(inner) >= 44 and inner[6] == 6:
        return IcmpError(sender, version, kind, code, _address(inner[8:24]),
                         int.from_bytes(inner[40:42], "big"), _address(inner[24:40]),
                         int.from_bytes(inner[42:44], "big"))
    return None
