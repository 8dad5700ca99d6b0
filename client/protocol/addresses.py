"""Data-connection address codecs and the 227 address policy.

Decodes and encodes PASV/227, EPSV/229 (RFC 2428), PORT and EPRT (RFC 2428), classifies
addresses, and decides whether an address a server advertised in 227 should be replaced
by the control connection's peer (the defence against NAT mistakes and PASV steering,
cf. CVE-2020-8284).

CONTRACT (implemented in this module; other modules rely on these names):

- ``DataAddress`` (frozen dataclass): ``method`` ("PASV"|"EPSV"|"PORT"|"EPRT"),
  ``host`` (str | None — None for 229, whose host is the control peer), ``port`` (int),
  ``family`` (4 | 6 | None), ``p1``/``p2`` (int | None, set for 227 and PORT),
  property ``arithmetic`` -> ``"195*256+80 = 50000"`` or ``None``.
- ``parse_227(text) -> DataAddress``; ``parse_229(text) -> DataAddress``;
  ``parse_port_argument(arg) -> DataAddress``; ``parse_eprt_argument(arg) -> DataAddress``;
  all raise ``AddressFormatError`` on bad input.
- ``format_port_argument(host, port) -> str`` ("h1,h2,h3,h4,p1,p2");
  ``format_eprt_argument(host, port) -> str`` ("|1|host|port|" / "|2|host|port|");
  ``format_227(host, port) -> str`` (full reply line);
  ``format_229(port) -> str`` (full reply line).
- ``AddressClass`` (Enum) and ``classify(host) -> AddressClass``.
- ``PasvPolicy`` (Enum: AUTO, CONTROL, ADVERTISED) and
  ``decide_pasv_address(advertised, control_peer, policy) -> PasvDecision`` where
  ``PasvDecision`` has ``host`` (what to dial), ``replaced`` (bool), ``reason`` (str).

The classes and the policy live in :mod:`client.protocol.address_policy` and are
re-exported here, so importing every name above from this module keeps working.

Hosts come out normalised (``str(ipaddress.ip_address(...))``: IPv6 compressed, lower
case), so two spellings of one address compare equal.
"""

from __future__ import annotations

import functools
import ipaddress
import re

from client.protocol.address_policy import (
    NAT_HINT,
    AddressClass,
    PasvDecision,
    PasvPolicy,
    classify,
    decide_pasv_address,
    drop_zone,
    ip_or_error,
    unwrap_mapped,
)
from client.protocol.errors import AddressFormatError
from client.protocol.text import escape_control
from client.protocol.values import value

__all__ = [
    "NAT_HINT",
    "AddressClass",
    "DataAddress",
    "PasvDecision",
    "PasvPolicy",
    "classify",
    "decide_pasv_address",
    "format_227",
    "format_229",
    "format_eprt_argument",
    "format_port_argument",
    "parse_227",
    "parse_229",
    "parse_eprt_argument",
    "parse_port_argument",
]

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Long enough for any quoting of a real reply, short enough to keep error messages small.
_QUOTE_LIMIT = 120


def _quote(text: str) -> str:
    """The offending input, escaped and shortened, for an error message."""
    shown = escape_control(text)
    if len(shown) > _QUOTE_LIMIT:
        shown = shown[:_QUOTE_LIMIT] + "…"
    return repr(shown)


# --------------------------------------------------------------------------- values


@value(slots=True)
class DataAddress:
    """Where a data connection goes, as one control line announced it.

    ``p1``/``p2`` are kept for 227 and PORT because the inspector shows the arithmetic
    (``p1*256+p2``) that users so often get wrong when reading logs by hand.
    """

    method: str
    host: str | None
    port: int
    family: int | None
    p1: int | None = None
    p2: int | None = None

    @property
    def arithmetic(self) -> str | None:
        """``"195*256+80 = 50000"`` for 227 and PORT; ``None`` where no split exists."""
        if self.p1 is None or self.p2 is None:
            return None
        return f"{self.p1}*256+{self.p2} = {self.port}"

    @property
    def endpoint(self) -> str:
        """``host:port`` (``[v6]:port``); ``<control peer>:port`` when no host is given."""
        if self.host is None:
            return f"<control peer>:{self.port}"
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"


# --------------------------------------------------------------------------- helpers


def _check_port(port: int, source: str) -> int:
    if not 1 <= port <= 65535:
        raise AddressFormatError(
            f"{source}: port {port} is outside 1..65535; a data connection cannot be "
            "made to it (the server or the log is broken)"
        )
    return port


# --------------------------------------------------------------------------- 227 / PORT

# One number of a six-tuple. The optional sign lets "-1" be rejected with a precise
# message instead of being silently skipped. Blanks around it are bounded: with an
# unbounded \s* a line of 64 KiB of spaces makes the search quadratic (a minute of CPU
# for one hostile reply); real servers put at most one space after a comma.
_NUM = r"[ \t]{0,4}([+-]?\d+)[ \t]{0,4}"
_SIX = ",".join([_NUM] * 6)
_SIX_RE = re.compile(_SIX)
_PAREN_RE = re.compile(r"\(([^()]*)\)")


@functools.cache
def _embedded_re() -> re.Pattern[str]:
    """A six-tuple embedded in free text: not glued to another number or comma-list.
    Compiled on first need (a 227 without parentheses), not at every start."""
    return re.compile(r"(?<![\d,.+-])" + _SIX + r"(?![\d,])")


_CODE_PREFIX_RE = re.compile(r"\s*(\d{3})(?:[ -]|$)")


def _six_numbers(match: re.Match[str], source: str) -> tuple[int, int, int, int, int, int]:
    values: list[int] = []
    for raw in match.groups():
        digits = raw.lstrip("+-")
        # int() on thousands of digits is slow and pointless; 5 digits already fail.
        if raw.startswith("-") or len(digits) > 5 or int(digits) > 255:
            raise AddressFormatError(
                f"{source}: {raw.strip()!r} in {_quote(match.group(0).strip())} is not a "
                "byte (0..255); each of h1,h2,h3,h4,p1,p2 must be 0..255"
            )
        values.append(int(digits))
    h1, h2, h3, h4, p1, p2 = values
    return h1, h2, h3, h4, p1, p2


def _from_six(method: str, numbers: tuple[int, ...], source: str) -> DataAddress:
    h1, h2, h3, h4, p1, p2 = numbers
    port = _check_port(p1 * 256 + p2, source)
    return DataAddress(method, f"{h1}.{h2}.{h3}.{h4}", port, 4, p1, p2)


def parse_227(text: str) -> DataAddress:
    """Decode a PASV reply: ``227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).``

    Accepts the reply line with or without its code, with or without parentheses, the
    ``=h,h,h,h,p,p`` form, leading zeros (decimal, never octal), spaces around commas,
    trailing text, and the six numbers embedded anywhere in the text as some servers send
    them. RFC 959 fixes no layout for the text, so the first six-tuple found wins; one in
    parentheses is preferred.
    """
    source = "227 reply"
    code = _CODE_PREFIX_RE.match(text)
    if code and code.group(1) != "227":
        raise AddressFormatError(
            f"expected a 227 reply to PASV but got code {code.group(1)}: {_quote(text)}"
        )
    for paren in _PAREN_RE.finditer(text):
        inner = _SIX_RE.fullmatch(paren.group(1))
        if inner:
            return _from_six("PASV", _six_numbers(inner, source), source)
    embedded = _embedded_re().search(text)
    if embedded:
        return _from_six("PASV", _six_numbers(embedded, source), source)
    raise AddressFormatError(
        f"{source} carries no address: expected six numbers h1,h2,h3,h4,p1,p2 "
        f"(e.g. '(10,0,0,5,195,80)') in {_quote(text)}"
    )


def parse_port_argument(arg: str) -> DataAddress:
    """Decode a PORT argument ``h1,h2,h3,h4,p1,p2`` (a leading ``PORT`` verb is allowed)."""
    source = "PORT argument"
    stripped = arg.strip()
    if stripped[:5].upper() == "PORT ":
        stripped = stripped[5:]
    match = _SIX_RE.fullmatch(stripped)
    if not match:
        raise AddressFormatError(
            f"{source} must be six numbers h1,h2,h3,h4,p1,p2 (e.g. '127,0,0,1,4,1'), "
            f"got {_quote(arg)}"
        )
    return _from_six("PORT", _six_numbers(match, source), source)


def format_port_argument(host: str, port: int) -> str:
    """``h1,h2,h3,h4,p1,p2`` for PORT. IPv4-mapped IPv6 is written as its IPv4 address;
    plain IPv6 cannot be expressed in PORT (use EPRT)."""
    addr = unwrap_mapped(ip_or_error(host, "PORT host"))
    if not isinstance(addr, ipaddress.IPv4Address):
        raise AddressFormatError(
            f"PORT can only carry IPv4 addresses, not {_quote(host)}; use EPRT for IPv6"
        )
    _check_port(port, "PORT")
    return ",".join([*str(addr).split("."), str(port >> 8), str(port & 0xFF)])


def format_227(host: str, port: int) -> str:
    """The full reply line a server sends to PASV, in the common vsftpd layout."""
    return f"227 Entering Passive Mode ({format_port_argument(host, port)})."


# --------------------------------------------------------------------------- 229 / EPRT

@functools.cache
def _epsv_bare_re() -> re.Pattern[str]:
    """``|||port|`` without its parentheses; compiled on first need."""
    return re.compile(r"([!-~])\1\1(\d{1,20})\1")


def _split_extended(body: str, source: str) -> tuple[str, str, str]:
    """``<d>net-prt<d>net-addr<d>tcp-port<d>`` -> the three fields (RFC 2428 §2/§3)."""
    if len(body) < 4:
        raise AddressFormatError(
            f"{source}: expected <d>net-prt<d>net-addr<d>tcp-port<d> "
            f"(e.g. '|||50000|'), got {_quote(body)}"
        )
    delim = body[0]
    if not "!" <= delim <= "~":
        raise AddressFormatError(
            f"{source}: delimiter {_quote(delim)} is not a printable ASCII character "
            f"(33..126, RFC 2428) in {_quote(body)}"
        )
    parts = body.split(delim)
    if len(parts) != 5 or parts[0] or parts[4]:
        raise AddressFormatError(
            f"{source}: expected exactly four {delim!r} delimiters around three fields "
            f"(net-prt, net-addr, tcp-port) in {_quote(body)}"
        )
    return parts[1], parts[2], parts[3]


def _extended_port(raw: str, source: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 5:
        raise AddressFormatError(
            f"{source}: tcp-port {_quote(raw)} is not a decimal port number 1..65535"
        )
    return _check_port(int(raw), source)


def _extended_host(net_prt: str, net_addr: str, source: str) -> tuple[str, int]:
    if net_prt not in ("1", "2"):
        raise AddressFormatError(
            f"{source}: net-prt {_quote(net_prt)} is neither 1 (IPv4) nor 2 (IPv6)"
        )
    family = 4 if net_prt == "1" else 6
    try:
        addr: _IPAddress = (
            ipaddress.IPv4Address(net_addr) if family == 4 else ipaddress.IPv6Address(net_addr)
        )
    except ValueError:
        raise AddressFormatError(
            f"{source}: net-prt {net_prt} announces IPv{family} but "
            f"{_quote(net_addr)} is not an IPv{family} address"
        ) from None
    return str(addr), family


def parse_229(text: str) -> DataAddress:
    """Decode an EPSV reply: ``229 Entering Extended Passive Mode (|||50000|)``.

    Any delimiter from ASCII 33..126 is accepted (RFC 2428 §3). The host is ``None``:
    RFC 2428 has the client connect to the address it already talks to. When a server
    fills net-prt/net-addr anyway, they are validated and the family is kept, but the
    address is not trusted (dialling it would open the PASV-steering hole again).
    """
    source = "229 reply"
    code = _CODE_PREFIX_RE.match(text)
    if code and code.group(1) != "229":
        raise AddressFormatError(
            f"expected a 229 reply to EPSV but got code {code.group(1)}: {_quote(text)}"
        )
    open_at = text.find("(")
    close_at = text.rfind(")")
    if open_at != -1 and close_at > open_at:
        net_prt, net_addr, raw_port = _split_extended(text[open_at + 1 : close_at], source)
    else:
        bare = _epsv_bare_re().search(text)
        if not bare:
            raise AddressFormatError(
                f"{source} carries no port: expected '(|||port|)' in {_quote(text)}"
            )
        net_prt, net_addr, raw_port = "", "", bare.group(2)
    port = _extended_port(raw_port, source)
    family: int | None = None
    if net_prt or net_addr:
        _, family = _extended_host(net_prt, net_addr, source)
    return DataAddress("EPSV", None, port, family)


def parse_eprt_argument(arg: str) -> DataAddress:
    """Decode an EPRT argument ``|1|132.235.1.2|6275|`` or ``|2|::1|5282|`` (RFC 2428 §2).

    A leading ``EPRT`` verb is allowed.
    """
    source = "EPRT argument"
    body = arg.strip()
    if body[:5].upper() == "EPRT ":
        body = body[5:].strip()
    net_prt, net_addr, raw_port = _split_extended(body, source)
    host, family = _extended_host(net_prt, net_addr, source)
    port = _extended_port(raw_port, source)
    return DataAddress("EPRT", host, port, family)


def format_eprt_argument(host: str, port: int) -> str:
    """``|1|host|port|`` or ``|2|host|port|``.

    IPv4-mapped IPv6 (what a dual-stack socket reports for an IPv4 peer) is written as
    IPv4 with net-prt 1, and an IPv6 zone id is dropped: the server cannot use either.
    """
    addr = drop_zone(unwrap_mapped(ip_or_error(host, "EPRT host")))
    _check_port(port, "EPRT")
    net_prt = 1 if isinstance(addr, ipaddress.IPv4Address) else 2
    return f"|{net_prt}|{addr}|{port}|"


def format_229(port: int) -> str:
    """The full reply line a server sends to EPSV."""
    _check_port(port, "229")
    return f"229 Entering Extended Passive Mode (|||{port}|)"
