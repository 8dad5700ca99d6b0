"""What a data-connection address line means: PORT/EPRT sent, 227/229 received.

Decodes the address (:mod:`client.protocol.addresses`), names who will connect to whom,
shows the ``p1*256+p2`` arithmetic, applies the 227 policy and warns about addresses
that cannot work from where the peer is. Used by :mod:`client.protocol.annotate`;
answers are ``(severity, text, fields)`` triples like those of
:mod:`client.protocol.reply_meanings`, so this module does not depend on the
annotator's types.
"""

from __future__ import annotations

import functools
import ipaddress

from client.protocol.addresses import (
    AddressClass,
    DataAddress,
    classify,
    decide_pasv_address,
    parse_227,
    parse_229,
    parse_eprt_argument,
    parse_port_argument,
)
from client.protocol.errors import AddressFormatError
from client.protocol.reply_meanings import Meaning
from client.protocol.text import escape_control

#: ``typing`` is imported by type checkers only: loading it costs ``explain`` ~3 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.protocol.annotate import AnnotationContext

__all__ = ["epsv_received", "known_address", "pasv_received", "port_sent"]


# Addresses nobody can connect to (a PORT to them is an error).
_UNREACHABLE = frozenset(
    {
        AddressClass.UNSPECIFIED,
        AddressClass.RESERVED,
        AddressClass.DOCUMENTATION,
        AddressClass.MULTICAST,
    }
)
# Addresses reachable only from inside some network (a PORT to them across networks fails).
_INTERNAL = frozenset(
    {
        AddressClass.LOOPBACK,
        AddressClass.PRIVATE,
        AddressClass.CGNAT,
        AddressClass.BENCHMARK,
        AddressClass.ULA,
        AddressClass.LINK_LOCAL,
    }
)


def _address_fields(kind: str, addr: DataAddress, initiator: str) -> dict[str, object]:
    fields: dict[str, object] = {
        "kind": kind,
        "host": addr.host,
        "port": addr.port,
        "initiator": initiator,
    }
    if addr.p1 is not None:
        fields.update(p1=addr.p1, p2=addr.p2, arithmetic=addr.arithmetic)
    if addr.host is not None:
        fields["address_class"] = classify(addr.host).value
    return fields


def _address_error(kind: str, error: AddressFormatError) -> list[Meaning]:
    return [
        (
            "error",
            f"cannot decode the address: {error}",
            {"kind": "address-error", "for": kind},
        )
    ]


def port_sent(line: str, ctx: AnnotationContext, verb: str) -> list[Meaning]:
    """PORT/EPRT: the client listens; the server will dial the announced address."""
    kind = verb.lower()
    try:
        addr = parse_port_argument(line) if verb == "PORT" else parse_eprt_argument(line)
    except AddressFormatError as error:
        return _address_error(kind, error)
    assert addr.host is not None
    fields = _address_fields(kind, addr, "server")
    cls = classify(addr.host)
    how = f" ({addr.arithmetic})" if addr.arithmetic else ""
    notes = [
        (
            "info",
            f"active mode: the client listens on {addr.endpoint}{how}; the server will "
            f"connect to it (traditionally from its port 20) when a transfer command is sent. "
            f"{addr.host} is {cls.description}",
            fields,
        )
    ]
    if cls in _UNREACHABLE:
        notes.append(
            (
                "error",
                f"the server cannot connect to {addr.host}: {cls.description}. The client "
                "announced the wrong address; use passive mode or fix the active-mode "
                "address setting",
                {"kind": "address-problem", "for": kind, "problem": "unreachable"},
            )
        )
        return notes
    peer = known_address(ctx.control_peer)
    peer_cls = classify(peer) if peer else None
    if cls in _INTERNAL and peer_cls is not None and peer_cls is not cls:
        notes.append(
            (
                "warning",
                f"{addr.host} is {cls.description} but the server is reached over "
                f"{ctx.control_peer} ({peer_cls.value}): it is not on your network and "
                "cannot connect back to this address unless a router rewrites PORT/EPRT "
                "(an FTP-aware NAT). Use passive mode, or set the external address for "
                "active mode",
                {"kind": "address-problem", "for": kind, "problem": "not-reachable-from-server"},
            )
        )
    if ctx.control_local and _same_host(ctx.control_local, addr.host) is False:
        notes.append(
            (
                "warning",
                f"{verb} announces {addr.host} but the control connection leaves from "
                f"{ctx.control_local}: the server is asked to connect to a different "
                "address than the one it talks to. Many servers refuse that (vsftpd "
                "port_promiscuous=NO answers '500 Illegal PORT command') to stop FXP "
                "bounce attacks",
                {"kind": "address-problem", "for": kind, "problem": "differs-from-control-local"},
            )
        )
    return notes


@functools.lru_cache(maxsize=256)
def known_address(host: str | None) -> str | None:
    """``host`` if it is an IP address; None for None or a name (the context may hold
    whatever a front end knew; only addresses can be judged)."""
    if host is None:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return host


def _same_host(a: str, b: str) -> bool | None:
    """Whether two addresses are the same host (IPv4-mapped IPv6 unwrapped); None if
    either is not an address."""
    try:
        ia, ib = ipaddress.ip_address(a), ipaddress.ip_address(b)
    except ValueError:
        return None
    if isinstance(ia, ipaddress.IPv6Address) and ia.ipv4_mapped:
        ia = ia.ipv4_mapped
    if isinstance(ib, ipaddress.IPv6Address) and ib.ipv4_mapped:
        ib = ib.ipv4_mapped
    return ia == ib


def pasv_received(text: str, ctx: AnnotationContext) -> list[Meaning]:
    try:
        addr = parse_227(text)
    except AddressFormatError as error:
        return _address_error("pasv", error)
    assert addr.host is not None
    peer = known_address(ctx.control_peer)
    decision = decide_pasv_address(addr.host, peer, ctx.pasv_policy)
    fields = _address_fields("pasv", addr, "client")
    fields.update(replaced=decision.replaced, use_host=decision.host, reason=decision.reason)
    dial = f"[{decision.host}]:{addr.port}" if ":" in decision.host else f"{decision.host}:{addr.port}"
    text_out = (
        f"passive mode: the server listens on {addr.endpoint} ({addr.arithmetic}); the "
        f"client will connect to {dial}. {decision.reason[0].upper()}{decision.reason[1:]}"
    )
    cls = classify(addr.host)
    if peer is None and cls in _INTERNAL:
        text_out += (
            ". That works only from inside the server's network; if you reach the server "
            "over another address, NAT is not configured on the server (vsftpd "
            "pasv_address, ProFTPD MasqueradeAddress, pure-ftpd ForcePassiveIP)"
        )
    severity = "warning" if decision.warning else "info"
    return [(severity, text_out, fields)]


def epsv_received(text: str, ctx: AnnotationContext) -> list[Meaning]:
    try:
        addr = parse_229(text)
    except AddressFormatError as error:
        return _address_error("epsv", error)
    fields = _address_fields("epsv", addr, "client")
    fields["use_host"] = ctx.control_peer
    peer = escape_control(ctx.control_peer) if ctx.control_peer else "the address of the control connection"
    return [
        (
            "info",
            f"extended passive mode (RFC 2428): the server listens on port {addr.port} of "
            f"the address you already talk to; the client will connect to {peer} port "
            f"{addr.port}. No address is sent, so NAT cannot garble it; only the port "
            "must be open in the server's firewall",
            fields,
        )
    ]
