"""Reply framing (RFC 959 §4.2) from literal bytes, plus chunking and fuzz properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.protocol.errors import ProtocolError, ReplyFramingError, ReplyTooLongError
from client.protocol.replies import Reply, ReplyParser, parse_replies
from client.protocol.text import escape_control


def drain(parser: ReplyParser) -> list[object]:
    """Every reply and error the parser has ready, in stream order."""
    out: list[object] = []
    while True:
        try:
            reply = parser.next_reply()
        except ProtocolError as exc:
            out.append(("error", type(exc).__name__))
            continue
        if reply is None:
            return out
        out.append(reply)


def run(chunks: list[bytes], **bounds: int) -> list[object]:
    parser = ReplyParser(**bounds)
    out: list[object] = []
    for chunk in chunks:
        parser.feed(chunk)
        out.extend(drain(parser))
    return out


def one_byte_at_a_time(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def test_single_line_reply() -> None:
    (reply,) = parse_replies(b"220 Service ready\r\n")
    assert reply == Reply(220, ("220 Service ready",), b"220 Service ready\r\n")
    assert reply.text == "Service ready"
    assert reply.first_line_text == "Service ready"
    assert reply.is_success and not reply.is_multiline and reply.category == 2


def test_bare_code_without_text() -> None:
    (reply,) = parse_replies(b"200\r\n")
    assert reply.code == 200 and reply.text == "" and reply.first_line_text == ""


def test_multiline_reply_rfc959_example() -> None:
    raw = (
        b"123-First line\r\n"
        b"Second line\r\n"
        b"  234 A line beginning with numbers\r\n"
        b"123 The last line\r\n"
    )
    (reply,) = parse_replies(raw)
    assert reply.code == 123
    assert reply.lines == (
        "123-First line",
        "Second line",
        "  234 A line beginning with numbers",
        "123 The last line",
    )
    assert reply.text == "First line\nSecond line\n  234 A line beginning with numbers\nThe last line"
    assert reply.raw == raw
    assert reply.is_preliminary and reply.is_multiline


def test_inner_lines_starting_with_digits_do_not_close() -> None:
    raw = b"211-Status\r\n211x not a close\r\n2110 nor this\r\n211-still open\r\n212 other code\r\n211 End\r\n"
    (reply,) = parse_replies(raw)
    assert len(reply.lines) == 6
    assert reply.text.splitlines()[3] == "still open"  # repeated own prefix stripped
    assert reply.text.splitlines()[4] == "212 other code"  # a different code is text


def test_a_different_closing_code_inside_is_text_and_the_reply_stays_open() -> None:
    parser = ReplyParser()
    parser.feed(b"150-Opening\r\n226 Transfer complete\r\n")
    assert parser.next_reply() is None
    assert parser.has_partial
    parser.feed(b"150 done\r\n")
    reply = parser.next_reply()
    assert reply is not None and reply.code == 150 and len(reply.lines) == 3


def test_bare_code_closes_a_multiline_reply() -> None:
    (reply,) = parse_replies(b"211-Features:\n SIZE\n211\n")
    assert reply.lines == ("211-Features:", " SIZE", "211")


def test_bare_lf_and_mixed_line_endings() -> None:
    replies = parse_replies(b"220 hi\n331 pass\r\n230-a\nb\r\n230 ok\n")
    assert [r.code for r in replies] == [220, 331, 230]
    assert replies[2].lines == ("230-a", "b", "230 ok")
    assert replies[0].raw == b"220 hi\n"


def test_several_replies_in_one_chunk_and_partial_tail() -> None:
    parser = ReplyParser()
    parser.feed(b"200 a\r\n200 b\r\n20")
    assert parser.next_reply().lines == ("200 a",)  # type: ignore[union-attr]
    assert parser.next_reply().lines == ("200 b",)  # type: ignore[union-attr]
    assert parser.next_reply() is None
    assert parser.has_partial
    parser.feed(b"0 c\r\n")
    assert parser.next_reply().lines == ("200 c",)  # type: ignore[union-attr]
    assert not parser.has_partial


def test_nul_and_control_bytes_are_kept_and_escaped_for_display() -> None:
    (reply,) = parse_replies(b"220 evil\x00\x1b[2J\x07 banner\r\n")
    assert reply.first_line_text == "evil\x00\x1b[2J\x07 banner"
    assert escape_control(reply.first_line_text) == "evil\\x00\\x1b[2J\\x07 banner"


def test_cr_inside_a_line_is_not_a_line_ending() -> None:
    (reply,) = parse_replies(b"220 a\rb\r\n")
    assert reply.first_line_text == "a\rb"


def test_non_utf8_is_kept_losslessly() -> None:
    raw_name = b"caf\xe9 \xff\xfe"
    (reply,) = parse_replies(b"550 " + raw_name + b": no such file\r\n")
    assert reply.first_line_text.encode("latin-1") == raw_name + b": no such file"
    (utf8,) = parse_replies("250 caf\u00e9\r\n".encode())
    assert utf8.first_line_text == "caf\u00e9"


def test_line_that_is_not_a_reply_is_a_framing_error_and_parsing_continues() -> None:
    parser = ReplyParser()
    parser.feed(b"HTTP/1.1 400 Bad Request\r\n220 ok\r\n")
    with pytest.raises(ReplyFramingError) as info:
        parser.next_reply()
    assert "three-digit code" in str(info.value)
    assert parser.next_reply().code == 220  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "line", [b"22 short", b"2200 four digits", b"020 leading zero", b"720 out of range", b"abc", b"", b" 220 indented"]
)
def test_malformed_reply_lines(line: bytes) -> None:
    with pytest.raises(ReplyFramingError):
        parse_replies(line + b"\r\n")


def test_framing_error_text_escapes_control_characters() -> None:
    with pytest.raises(ReplyFramingError) as info:
        parse_replies(b"\x1b]0;pwned\x07\r\n")
    assert "\x1b" not in str(info.value) and "\\x1b" in str(info.value)


def test_line_bound_exact() -> None:
    ok = b"200 " + b"x" * 6 + b"\r\n"  # content of 10 bytes
    parser = ReplyParser(max_line_length=10)
    parser.feed(ok)
    assert parser.next_reply() is not None
    parser.feed(b"200 " + b"x" * 7 + b"\r\n")
    with pytest.raises(ReplyTooLongError):
        parser.next_reply()


def test_endless_line_is_refused_without_buffering_it() -> None:
    parser = ReplyParser(max_line_length=100)
    parser.feed(b"220 " + b"A" * 200)
    with pytest.raises(ReplyTooLongError):
        parser.next_reply()
    for _ in range(100):  # the server keeps streaming the same line
        parser.feed(b"B" * 1000)
        assert parser.next_reply() is None
    assert len(parser._buffer) - parser._pos == 0
    assert parser.has_partial  # still inside the over-long line
    parser.feed(b"tail of the long line\r\n230 next\r\n")
    assert parser.next_reply().code == 230  # type: ignore[union-attr]


def test_long_line_gives_one_error_whatever_the_chunking() -> None:
    data = b"220 " + b"A" * 50 + b"\r\n200 after\r\n"
    whole = run([data], max_line_length=20)
    bytewise = run(one_byte_at_a_time(data), max_line_length=20)
    assert whole == bytewise
    assert whole[0] == ("error", "ReplyTooLongError")
    assert whole[1].code == 200  # type: ignore[union-attr]


def test_reply_bound() -> None:
    parser = ReplyParser(max_reply_bytes=50)
    parser.feed(b"211-start\r\n" + b" feature line\r\n" * 10 + b"211 end\r\n200 next\r\n")
    events = drain(parser)
    assert ("error", "ReplyTooLongError") in events
    assert events[-1].code == 200  # type: ignore[union-attr]


def test_large_stat_reply_fed_at_once() -> None:
    body = b"".join(b"-rw-r--r-- 1 u g 1 Jan 01 00:00 f%d\r\n" % i for i in range(50_000))
    (reply,) = parse_replies(b"213-Status\r\n" + body + b"213 End\r\n")
    assert len(reply.lines) == 50_002


# --- properties ------------------------------------------------------------------

REPLY_LIKE = st.lists(
    st.one_of(
        st.sampled_from(
            [b"220 ", b"211-", b"211 ", b"211", b"123-", b"123 ", b"\r\n", b"\n", b"\r", b" ", b"\x00", b"\xff", b"x"]
        ),
        st.binary(max_size=8),
    ),
    max_size=40,
).map(b"".join)


def chunkings(data: bytes) -> st.SearchStrategy[list[bytes]]:
    return st.lists(st.integers(0, len(data)), max_size=10).map(
        lambda cuts: [data[a:b] for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), len(data)], strict=True)]
    )


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(st.binary(max_size=200), REPLY_LIKE), bound=st.sampled_from([8, 16, 64, 65536]), cut=st.data())
def test_chunking_never_changes_replies_or_errors(data: bytes, bound: int, cut: st.DataObject) -> None:
    chunks = cut.draw(chunkings(data))
    whole = run([data], max_line_length=bound, max_reply_bytes=bound * 3)
    assert run(chunks, max_line_length=bound, max_reply_bytes=bound * 3) == whole
    assert run(one_byte_at_a_time(data), max_line_length=bound, max_reply_bytes=bound * 3) == whole


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_only_raise_protocol_errors(data: bytes) -> None:
    parser = ReplyParser(max_line_length=32)
    parser.feed(data)
    drain(parser)  # drain() lets only ProtocolError through to its handler


@given(st.lists(st.tuples(st.integers(100, 699), st.text(max_size=20).filter(lambda t: "\n" not in t and "\r" not in t)), max_size=8))
def test_well_formed_replies_round_trip(pairs: list[tuple[int, str]]) -> None:
    data = b"".join(f"{code} {text}\r\n".encode() for code, text in pairs)
    replies = parse_replies(data)
    assert [(r.code, r.first_line_text) for r in replies] == pairs


def test_error_messages_name_the_expectation() -> None:
    parser = ReplyParser(max_reply_bytes=30)
    parser.feed(b"211-start\r\n" + b" feature\r\n" * 5)
    with pytest.raises(ReplyTooLongError) as info:
        parser.next_reply()
    assert "'211 '" in str(info.value)
    parser = ReplyParser(max_line_length=10)
    parser.feed(b"220 " + b"x" * 20)
    with pytest.raises(ReplyTooLongError) as info:
        parser.next_reply()
    assert "at most 10 bytes" in str(info.value)
