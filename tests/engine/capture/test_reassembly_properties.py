"""The reassembler gives back the original bytes however the stream was cut,
reordered, duplicated or overlapped, and wherever the sequence numbers start
(including across the 2**32 wrap)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from client.engine.capture.tcp_reassembly import StreamReassembler


@st.composite
def segmented(draw):
    data = draw(st.binary(min_size=1, max_size=400))
    isn = draw(st.integers(0, 2**32 - 1))
    cuts = sorted(draw(st.sets(st.integers(1, len(data) - 1), max_size=20))) if len(data) > 1 else []
    bounds = [0, *cuts, len(data)]
    pieces = [(bounds[i], data[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)]
    # overlapping retransmissions: random spans re-sent
    extra = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(1, 50)),
                          max_size=8))
    pieces += [(start, data[start:start + size]) for start, size in extra]
    order = draw(st.permutations(range(len(pieces))))
    # the first segment must come first (a capture from the SYN), the rest in any order
    return data, isn, [pieces[0]] + [pieces[i] for i in order if i != 0]


@settings(max_examples=300, deadline=None)
@given(segmented())
def test_any_segmentation_gives_back_the_stream(case) -> None:
    data, isn, pieces = case
    stream = StreamReassembler()
    stream.syn(isn)
    for t, (offset, payload) in enumerate(pieces):
        stream.feed(float(t), (isn + 1 + offset) % 2**32, payload)
    out = b"".join(chunk.data for chunk in stream.take())
    assert out == data
    assert stream.missed == 0


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=10, max_size=200), st.integers(1, 9))
def test_a_hole_never_filled_is_skipped_at_the_end(data, hole) -> None:
    stream = StreamReassembler()
    stream.syn(100)
    stream.feed(0.0, 101 + hole, data[hole:])
    stream.flush(1.0)
    assert b"".join(c.data for c in stream.take()) == data[hole:]
    assert stream.missed == hole
