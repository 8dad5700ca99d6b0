"""Link layers down to the IP packet: Ethernet (with VLAN tags), Linux cooked capture
(SLL and SLL2, what ``tcpdump -i any`` writes), raw IP, and BSD null/loopback.

Each decoder returns the IP packet's bytes (IPv4 or IPv6) or None for anything else
(ARP, LLDP, …). The numbers are the LINKTYPE_ values of the pcap specification.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["LINK_TYPE_NAMES", "ip_payload_decoder", "link_type_name"]

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
_VLAN_TAGS = (0x8100, 0x88A8, 0x9100)
_AF_INET = 2
_AF_INET6 = (10, 23, 24, 28, 30)  # Linux, Windows, NetBSD/OpenBSD, FreeBSD, macOS

LINK_TYPE_NAMES: dict[int, str] = {
    0: "BSD loopback (null)",
    1: "Ethernet",
    12: "raw IP",
    14: "raw IP",
    101: "raw IP",
    108: "OpenBSD loopback",
    113: "Linux cooked capture (SLL)",
    228: "raw IPv4",
    229: "raw IPv6",
    276: "Linux cooked capture v2 (SLL2)",
}

Decoder = Callable[[bytes], bytes | None]


def link_type_name(link_type: int) -> str:
    return LINK_TYPE_NAMES.get(link_type, f"link type {link_type}")


def _by_ethertype(ethertype: int, payload: bytes) -> bytes | None:
    return payload if ethertype in (ETHERTYPE_IPV4, ETHERTYPE_IPV6) else None


def _ethernet(data: bytes) -> bytes | None:
    if len(data) < 14:
        return None
    ethertype = (data[12] << 8) | data[13]
    pos = 14
    while ethertype in _VLAN_TAGS and len(data) >= pos + 4:
        ethertype = (data[pos + 2] << 8) | data[pos + 3]
        pos += 4
    return _by_ethertype(ethertype, data[pos:])


def _sll(data: bytes) -> bytes | None:
    if len(data) < 16:
        return None
    return _by_ethertype((data[14] << 8) | data[15], data[16:])


def _sll2(data: bytes) -> bytes | None:
    if len(data) < 20:
        return None
    return _by_ethertype((data[0] << 8) | data[1], data[20:])


def _raw(data: bytes) -> bytes | None:
    return data if data and data[0] >> 4 in (4, 6) else None


def _family(family: int, payload: bytes) -> bytes | None:
    if family == _AF_INET or family in _AF_INET6:
        return payload
    return None


def _null(data: bytes) -> bytes | None:
    """The family is in the byte order of the machine that captured, so read it in the
    order that gives a small number."""
    if len(data) < 4:
        return None
    little = int.from_bytes(data[:4], "little")
    big = int.from_bytes(data[:4], "big")
    return _family(min(little, big), data[4:])


def _loop(data: bytes) -> bytes | None:
    if len(data) < 4:
        return None
    return _family(int.from_bytes(data[:4], "big"), data[4:])


_DECODERS: dict[int, Decoder] = {
    0: _null, 1: _ethernet, 12: _raw, 14: _raw, 101: _raw, 108: _loop, 113: _sll,
    228: _raw, 229: _raw, 276: _sll2,
}


def ip_payload_decoder(link_type: int) -> Decoder | None:
    """The decoder for ``link_type``, or None when it is not supported."""
    return _DECODERS.get(link_type)
