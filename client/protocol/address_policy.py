"""Address classes and the rule that decides what to dial after a 227.

A server behind NAT that was never told its public address announces its internal one
in 227 (``10.0.0.5``), and a hostile server can announce any address at all (PASV
steering, cf. CVE-2020-8284). :func:`decide_pasv_address` compares the advertised
address with the control connection's peer and explains its choice in words for the
person debugging the link. The names are re-exported by :mod:`client.protocol.addresses`,
which holds the contract.
"""

from __future__ import annotations

import enum
import functools
import ipaddress

from client.protocol.errors import AddressFormatError
from client.protocol.pasv_policy import PasvPolicy
from client.protocol.text import escape_control
from client.protocol.values import value

__all__ = [
    "NAT_HINT",
    "AddressClass",
    "PasvDecision",
    "PasvPolicy",
    "classify",
    "decide_pasv_address",
    "ip_or_error",
    "normalised_host",
    "plausibly_reachable",
    "drop_zone",
    "unwrap_mapped",
]

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# --------------------------------------------------------------------------- helpers

def ip_or_error(host: str, what: str) -> _IPAddress:
    """``host`` as an address; ``AddressFormatError`` naming ``what`` otherwise."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        raise AddressFormatError(
            f"{what}: {escape_control(host)!r} is not an IPv4 or IPv6 address"
        ) from None


def unwrap_mapped(addr: _IPAddress) -> _IPAddress:
    """The IPv4 address behind ``::ffff:a.b.c.d``; other addresses unchanged."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def drop_zone(addr: _IPAddress) -> _IPAddress:
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id is not None:
        return ipaddress.IPv6Address(str(addr).split("%", 1)[0])
    return addr



@functools.lru_cache(maxsize=256)
def normalised_host(host: str, what: str) -> str:
    """The canonical spelling of ``host``: IPv4-mapped IPv6 unwrapped, zone id dropped."""
    return str(drop_zone(unwrap_mapped(ip_or_error(host, what))))


# --------------------------------------------------------------------------- classes


class AddressClass(enum.Enum):
    """Where an address can be reached from; decides whether a 227 address is plausible."""

    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    CGNAT = "cgnat"
    BENCHMARK = "benchmark"
    UNSPECIFIED = "unspecified"
    MULTICAST = "multicast"
    DOCUMENTATION = "documentation"
    ULA = "ula"
    RESERVED = "reserved"
    PUBLIC = "public"

    @property
    def description(self) -> str:
        """A phrase for human text: "a private address (RFC 1918)"."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    AddressClass.LOOPBACK: "a loopback address (this machine only)",
    AddressClass.PRIVATE: "a private address (RFC 1918, not routable on the Internet)",
    AddressClass.LINK_LOCAL: "a link-local address (only valid on one network segment)",
    AddressClass.CGNAT: "a carrier-grade NAT address (100.64.0.0/10, RFC 6598)",
    AddressClass.BENCHMARK: "a benchmarking address (198.18.0.0/15, RFC 2544)",
    AddressClass.UNSPECIFIED: "the unspecified address (the server's wildcard bind, "
    "not a place anyone can connect to)",
    AddressClass.MULTICAST: "a multicast address (no TCP connection is possible)",
    AddressClass.DOCUMENTATION: "a documentation address (RFC 5737/3849, an example "
    "left in a configuration file)",
    AddressClass.ULA: "an IPv6 unique local address (fc00::/7, private to a site)",
    AddressClass.RESERVED: "a reserved or broadcast address (not usable for a connection)",
    AddressClass.PUBLIC: "a public address",
}

_V4_RANGES: tuple[tuple[ipaddress.IPv4Network, AddressClass], ...] = tuple(
    (ipaddress.IPv4Network(net), cls)
    for net, cls in (
        ("0.0.0.0/32", AddressClass.UNSPECIFIED),
        ("0.0.0.0/8", AddressClass.RESERVED),
        ("127.0.0.0/8", AddressClass.LOOPBACK),
        ("10.0.0.0/8", AddressClass.PRIVATE),
        ("172.16.0.0/12", AddressClass.PRIVATE),
        ("192.168.0.0/16", AddressClass.PRIVATE),
        ("169.254.0.0/16", AddressClass.LINK_LOCAL),
        ("100.64.0.0/10", AddressClass.CGNAT),
        ("198.18.0.0/15", AddressClass.BENCHMARK),
        ("192.0.2.0/24", AddressClass.DOCUMENTATION),
        ("198.51.100.0/24", AddressClass.DOCUMENTATION),
        ("203.0.113.0/24", AddressClass.DOCUMENTATION),
        ("224.0.0.0/4", AddressClass.MULTICAST),
        ("240.0.0.0/4", AddressClass.RESERVED),  # includes 255.255.255.255
        ("192.0.0.0/24", AddressClass.RESERVED),  # IETF protocol assignments
    )
)

_V6_RANGES: tuple[tuple[ipaddress.IPv6Network, AddressClass], ...] = tuple(
    (ipaddress.IPv6Network(net), cls)
    for net, cls in (
        ("::/128", AddressClass.UNSPECIFIED),
        ("::1/128", AddressClass.LOOPBACK),
        ("fe80::/10", AddressClass.LINK_LOCAL),
        ("fc00::/7", AddressClass.ULA),
        ("ff00::/8", AddressClass.MULTICAST),
        ("2001:db8::/32", AddressClass.DOCUMENTATION),
        ("3fff::/20", AddressClass.DOCUMENTATION),  # RFC 9637
    )
)


@functools.lru_cache(maxsize=256)
def classify(host: str) -> AddressClass:
    """The class of an IPv4 or IPv6 address; IPv4-mapped IPv6 is classified as its IPv4.

    Raises ``AddressFormatError`` for text that is not an address (e.g. a host name).
    Remembered per text: a session meets the same few addresses on every data
    connection (parsing one with :mod:`ipaddress` costs more than the rest of a 227).
    """
    addr = drop_zone(unwrap_mapped(ip_or_error(host, "address to classify")))
    if isinstance(addr, ipaddress.IPv4Address):
        for net, cls in _V4_RANGES:
            if addr in net:
                return cls
        return AddressClass.PUBLIC
    for net6, cls in _V6_RANGES:
        if addr in net6:
            return cls
    return AddressClass.PUBLIC if addr.is_global else AddressClass.RESERVED


# --------------------------------------------------------------------------- policy


@value(slots=True)
class PasvDecision:
    """What to dial after a 227, and why, in words for the person debugging the link.

    ``warning`` is set when the advertised address looked wrong (whether or not it was
    replaced), so a front end can colour the line.
    """

    host: str
    replaced: bool
    reason: str
    warning: bool = False
    #: Nothing may be dialled: the advertised address can never answer (unspecified,
    #: documentation, multicast, reserved, link-local) and the policy forbids replacing it.
    refused: bool = False


# Never dialled under AUTO: nothing can answer a TCP connection there.
_UNUSABLE = frozenset(
    {
        AddressClass.UNSPECIFIED,
        AddressClass.RESERVED,
        AddressClass.DOCUMENTATION,
        AddressClass.MULTICAST,
        AddressClass.LINK_LOCAL,
    }
)
# Reachable only from inside some network: plausible only if we are in that network.
_INTERNAL = frozenset(
    {
        AddressClass.LOOPBACK,
        AddressClass.PRIVATE,
        AddressClass.CGNAT,
        AddressClass.BENCHMARK,
        AddressClass.ULA,
    }
)

NAT_HINT = (
    "NAT is not configured on the server (vsftpd pasv_address, ProFTPD MasqueradeAddress, "
    "pure-ftpd ForcePassiveIP)"
)


def _auto_decision(adv: str, adv_cls: AddressClass, peer: str, peer_cls: AddressClass) -> PasvDecision:
    said = f"server advertised {adv}, {adv_cls.description},"
    if adv_cls in _UNUSABLE:
        return PasvDecision(
            peer,
            True,
            f"{said} which nobody can connect to; dialling the control peer {peer} "
            f"instead. The server should announce its reachable address: {NAT_HINT}",
            True,
        )
    if adv_cls in _INTERNAL and adv_cls is not peer_cls:
        if peer_cls is AddressClass.LOOPBACK:
            why = (
                f"{said} but you are talking to it over loopback {peer} (an SSH tunnel "
                "or port forward?): the advertised address is on the far side of the "
                "tunnel"
            )
        else:
            why = f"{said} but you are talking to it over {peer} ({peer_cls.value}): {NAT_HINT}"
        return PasvDecision(peer, True, f"{why}; dialling {peer} instead", True)
    # Same class, or a public address: there is no telling from here whether the
    # advertised host is reachable by the route the control connection took (over a VPN
    # both ends are private; behind NAT the server announces its internal address). The
    # control peer answered already, so dial it, as curl does, and name what was said.
    if adv_cls in _INTERNAL:
        why = (f"{said} not the control peer {peer}; a server behind NAT announces its "
               f"internal address ({NAT_HINT})")
    else:
        why = (f"{said} not the control peer {peer}; a server behind NAT or a load "
               "balancer often announces an address you cannot reach from here")
    return PasvDecision(
        peer,
        True,
        f"{why}; dialling the control peer {peer} instead. If the server really uses a "
        "separate data host, choose the 'advertised' PASV policy",
        True,
    )


def plausibly_reachable(advertised: str, control_peer: str) -> bool:
    """Whether a 227 address other than the control peer could be reached from where
    the control connection comes from: an address anybody can answer at, and not an
    internal one of another kind than the peer's (a private address while talking over
    loopback or the Internet). The diagnosis dials such an address to test it; the
    default policy still dials the control peer."""
    adv_cls = classify(normalised_host(advertised, "advertised 227 address"))
    peer_cls = classify(normalised_host(control_peer, "control peer"))
    if adv_cls in _UNUSABLE:
        return False
    return not (adv_cls in _INTERNAL and adv_cls is not peer_cls)


@functools.lru_cache(maxsize=256)
def decide_pasv_address(
    advertised: str, control_peer: str | None, policy: PasvPolicy = PasvPolicy.AUTO
) -> PasvDecision:
    """Decide what to dial after a 227 that advertised ``advertised``.

    Pure, and remembered per (advertised, peer, policy): every 227 of a session names
    the same host, so a tree of small files decides once, not once per file.

    ``control_peer`` is the address of the control connection's peer (``None`` when it
    is not known, e.g. in ``explain`` without context: then the advertised address is
    all there is). The reason is always filled, also when nothing was replaced.
    """
    adv = normalised_host(advertised, "advertised 227 address")
    adv_cls = classify(adv)
    if control_peer is None:
        unusable = adv_cls in _UNUSABLE
        reason = f"server advertised {adv}, {adv_cls.description}; the control peer is unknown"
        if unusable:
            reason += ", so nothing better can be dialled; the data connection will fail"
        return PasvDecision(adv, False, reason, unusable)
    peer = normalised_host(control_peer, "control peer")
    peer_cls = classify(peer)
    if adv == peer:
        return PasvDecision(adv, False, f"server advertised {adv}, the control peer itself")
    if policy is PasvPolicy.CONTROL:
        return PasvDecision(
            peer,
            True,
            f"server advertised {adv}, {adv_cls.description}, but the 'control' PASV "
            f"policy always dials the control peer {peer}",
            adv_cls in _UNUSABLE or adv_cls is not peer_cls,
        )
    if policy is PasvPolicy.ADVERTISED and adv_cls in _UNUSABLE:
        # "Trust the advertised address" trusts the server's choice of a reachable host;
        # 0.0.0.0 (which Linux dials as this machine), a documentation or multicast
        # address is no such choice, and dialling it could only reach something else.
        return PasvDecision(
            adv,
            False,
            f"server advertised {adv}, {adv_cls.description}: nothing can answer a "
            f"connection there, so it is not dialled, not even under the 'advertised' PASV "
            f"policy; the 'auto' or 'control' policy dials the control peer {peer} instead",
            True,
            refused=True,
        )
    if policy is PasvPolicy.ADVERTISED:
        return PasvDecision(
            adv,
            False,
            f"server advertised {adv}, {adv_cls.description}, not the control peer "
            f"{peer}; dialling it anyway because the PASV policy is 'advertised'. "
            "If the data connection fails, try the 'auto' or 'control' policy",
            True,
        )
    return _auto_decision(adv, adv_cls, peer, peer_cls)
