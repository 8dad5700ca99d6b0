"""Hypothesis with a large example budget (marked slow) over the parsers that read what
a server sends: reply framing, the four address codecs, the PASV address policy, the
annotator, the listing parsers, FEAT, 257 paths and local-name sanitising.

Properties: only the documented ProtocolError subclasses escape; results never depend on
chunking; encoders and decoders round-trip; nothing a server sends reaches the user's
screen unescaped; the PASV policy never dials anything but the advertised address or the
control peer, and never an unusable one under 'auto'.
"""

from __future__ import annotations

import ipaddress
import json
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from client.protocol.address_policy import AddressClass, classify
from client.protocol.addresses import (
    PasvPolicy,
    decide_pasv_address,
    format_227,
    format_229,
    format_eprt_argument,
    format_port_argument,
    parse_227,
    parse_229,
    parse_eprt_argument,
    parse_port_argument,
)
from client.protocol.annotate import AnnotationContext, Annotator, Direction, annotate
from client.protocol.errors import (
    AddressFormatError,
    PathReplyError,
    ProtocolError,
    ReplyFramingError,
    UnsafeNameError,
)
from client.protocol.features import Features
from client.protocol.listing import FORMATS, ListingParser, parse_listing
from client.protocol.paths import parse_257, safe_local_name
from client.protocol.replies import Reply, ReplyParser

from .budget import EXAMPLES, LARGE

pytestmark = pytest.mark.slow

UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Bytes that look like FTP more often than uniform noise does.
WIRE_PIECES = st.sampled_from([
    b"220", b"227", b"229", b"150", b"226", b"421", b"550", b"211", b"-", b" ", b"\r\n",
    b"\n", b"\r", b"(", b")", b",", b"|||", b"|", b"127", b"0", b"255", b"256", b"65535",
    b"\x00", b"\x1b[2J", b"\xff", b"\xc3\xa9", b"Entering Passive Mode", b"End", b"9" * 30,
])
WIRE = st.one_of(st.binary(max_size=400),
                 st.lists(WIRE_PIECES, max_size=60).map(b"".join))


def drain(parser: ReplyParser) -> list[object]:
    """Every reply or framing error, in stream order."""
    out: list[object] = []
    while True:
        try:
            reply = parser.next_reply()
        except ReplyFramingError as error:
            out.append(("error", type(error).__name__))
            continue
        if reply is None:
            return out
        out.append(reply)


@LARGE
@given(data=WIRE, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
       max_line=st.sampled_from([8, 64, 8192]))
def test_reply_parser_is_total_and_chunking_invariant(data, cuts, max_line):
    whole = ReplyParser(max_line_length=max_line)
    whole.feed(data)
    expected = drain(whole)
    pieces = ReplyParser(max_line_length=max_line)
    got: list[object] = []
    last = 0
    for cut in sorted(c for c in cuts if c <= len(data)) + [len(data)]:
        pieces.feed(data[last:cut])
        got += drain(pieces)
        last = cut
    assert got == expected
    for item in expected:
        if isinstance(item, Reply):
            assert 100 <= item.code <= 599 or 0 <= item.code <= 999
            assert all(len(line.encode("utf-8", "surrogatepass")) <= max_line * 4 + 8
                       for line in item.lines)


TEXT = st.one_of(st.text(max_size=120),
                 st.lists(WIRE_PIECES, max_size=30).map(lambda p: b"".join(p).decode("latin-1")))


@LARGE
@given(text=TEXT)
def test_address_decoders_only_raise_address_errors(text):
    for decode in (parse_227, parse_229, parse_port_argument, parse_eprt_argument):
        try:
            address = decode(text)
        except AddressFormatError:
            continue
        assert 0 < address.port <= 65535 or decode in (parse_port_argument, parse_227)
        assert 0 <= address.port <= 65535
        if address.host is not None:
            ipaddress.ip_address(address.host)  # always a real address, never text


@LARGE
@given(host=st.ip_addresses(v=4), port=st.integers(min_value=1, max_value=65535))
def test_ipv4_codecs_round_trip(host, port):
    text = str(host)
    assert (parse_227(format_227(text, port)).host, parse_227(format_227(text, port)).port) \
        == (text, port)
    decoded = parse_port_argument(format_port_argument(text, port))
    assert (decoded.host, decoded.port) == (text, port)
    decoded = parse_eprt_argument(format_eprt_argument(text, port))
    assert (decoded.host, decoded.port) == (text, port)
    assert parse_229(format_229(port)).port == port


@LARGE
@given(host=st.ip_addresses(v=6), port=st.integers(min_value=1, max_value=65535))
def test_ipv6_eprt_round_trip(host, port):
    decoded = parse_eprt_argument(format_eprt_argument(str(host), port))
    # An IPv4-mapped address is announced as the IPv4 address it stands for.
    assert ipaddress.ip_address(decoded.host) == (host.ipv4_mapped or host)
    assert decoded.port == port


UNUSABLE = {AddressClass.UNSPECIFIED, AddressClass.RESERVED, AddressClass.DOCUMENTATION,
            AddressClass.MULTICAST, AddressClass.LINK_LOCAL}


@LARGE
@given(advertised=st.ip_addresses(v=4), peer=st.one_of(st.ip_addresses(v=4),
                                                        st.ip_addresses(v=6)),
       policy=st.sampled_from(list(PasvPolicy)))
def test_pasv_policy_dials_only_the_advertised_address_or_the_peer(advertised, peer, policy):
    advertised, peer = plain(advertised), plain(peer)  # ::ffff:a.b.c.d is a.b.c.d
    decision = decide_pasv_address(str(advertised), str(peer), policy)
    dialled = plain(ipaddress.ip_address(decision.host))
    assert dialled in (advertised, peer)
    assert decision.reason and UNSAFE.search(decision.reason) is None
    if policy is PasvPolicy.CONTROL:
        assert dialled == peer
    if policy is PasvPolicy.AUTO and classify(str(advertised)) in UNUSABLE:
        assert dialled == peer
    if policy is PasvPolicy.AUTO and classify(str(peer)) is AddressClass.PUBLIC \
            and classify(str(advertised)) is not AddressClass.PUBLIC:
        # CVE-2020-8284: a public server must not steer us into an internal network.
        assert dialled == peer


def plain(address):
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


CONTEXTS = st.builds(AnnotationContext,
                     control_peer=st.sampled_from([None, "127.0.0.1", "203.0.113.9", "::1",
                                                   "not-an-ip"]),
                     control_local=st.sampled_from([None, "127.0.0.1", "10.0.0.2"]),
                     mode=st.sampled_from([None, "passive", "active"]),
                     last_command=st.sampled_from([None, "PASV", "EPSV", "LIST", "RETR"]),
                     pasv_policy=st.sampled_from(list(PasvPolicy)),
                     tls=st.booleans())


# Each example annotates up to 16 lines: a third of the budget covers as many lines.
@settings(LARGE, max_examples=max(100, EXAMPLES // 3))
@given(lines=st.lists(st.tuples(TEXT, st.sampled_from(list(Direction))), max_size=8),
       context=CONTEXTS)
def test_annotator_is_total_escaped_and_json_ready(lines, context):
    annotator = Annotator(context)
    for line, direction in lines:
        assume("\r" not in line and "\n" not in line)
        notes = (annotator.sent(line) if direction is Direction.SENT
                 else annotator.received(line))
        notes += annotate(line, direction, context)
        for note in notes:
            assert UNSAFE.search(note.text) is None, note.text
            json.dumps(dict(note.fields))
            assert "kind" in note.fields
            for value in note.fields.values():
                if isinstance(value, str):
                    assert UNSAFE.search(value) is None, value


LISTING = st.one_of(
    st.binary(max_size=600),
    st.lists(st.sampled_from([
        b"-rw-r--r--", b"drwxr-xr-x", b"lrwxrwxrwx", b" 1 ftp ftp ", b"4096 ", b"Jan 02 ",
        b"2024 ", b"12:00 ", b"name", b" -> ", b"../x", b"\x1b[2J", b"\x00", b"\r\n", b"\n",
        b"type=file;size=5; ", b"type=dir; ", b"modify=20240102030405;", b"01-16-02  ",
        b"11:14AM ", b"<DIR> ", b"+i1,m1,r,s5,\t", b"\xff\xfe", b"9" * 25,
    ]), max_size=50).map(b"".join),
)


@LARGE
@given(data=LISTING, fmt=st.sampled_from(sorted(FORMATS)),
       cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=8))
def test_listing_parsers_total_and_chunking_invariant(data, fmt, cuts):
    try:
        whole = parse_listing(data, fmt=fmt)
    except ProtocolError:
        return
    parser = ListingParser(fmt=fmt)
    last = 0
    for cut in sorted(c for c in cuts if c <= len(data)) + [len(data)]:
        parser.feed(data[last:cut])
        last = cut
    chunked = parser.finish()
    assert [e.name for e in chunked.entries] == [e.name for e in whole.entries]
    assert chunked.unparsed == whole.unparsed
    for entry in whole.entries:
        # A lone CR may be part of a Unix file name (the queue refuses it as a local
        # name, the views escape it); a LF always ends a listing line.
        assert entry.name and "\n" not in entry.name


@LARGE
@given(name=st.one_of(st.text(max_size=300),
                      st.lists(st.sampled_from(["..", ".", "/", "\\", "C:", "a", "\x00",
                                                "\x1b", "con", " ", "\u202e", "é"]),
                               max_size=12).map("".join)),
       windows=st.booleans())
def test_safe_local_name_lets_only_plain_names_through(name, windows):
    try:
        accepted = safe_local_name(name, windows=windows)
    except UnsafeNameError as error:
        assert UNSAFE.search(str(error)) is None
        return
    assert accepted == name
    assert accepted not in ("", ".", "..")
    assert "/" not in accepted and "\\" not in accepted and "\x00" not in accepted
    assert UNSAFE.search(accepted) is None
    if windows:
        assert ":" not in accepted and not accepted.endswith((" ", "."))


@LARGE
@given(text=TEXT)
def test_257_and_feat_parsers_only_raise_protocol_errors(text):
    try:
        path = parse_257(text)
    except PathReplyError:
        pass
    else:
        assert UNSAFE.search(path) is None
    lines = tuple(text.split("\n")) or ("",)
    for code in (211, 500):
        features = Features.parse(Reply(code=code, lines=lines))
        assert all(name == name.upper() for name in features.names)
