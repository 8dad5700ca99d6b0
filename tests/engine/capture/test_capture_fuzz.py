"""Damaged captures fail with a CaptureError or are analysed — never any other
exception: bytes of a real capture flipped, cut or replaced at random."""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.engine.capture import CaptureError, analyze_capture

CAPTURES = Path(__file__).parents[2] / "fixtures" / "captures"
ORIGINAL = (CAPTURES / "hung-listing-passive.pcap").read_bytes()
PCAPNG = gzip.decompress((CAPTURES / "diagnose-passive-refused.pcapng.gz").read_bytes())


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([ORIGINAL, PCAPNG]),
       st.lists(st.tuples(st.integers(0, 40_000), st.integers(0, 255)), max_size=12),
       st.integers(24, 40_000))
def test_damaged_capture_never_crashes(tmp_path_factory, original, flips, cut) -> None:
    data = bytearray(original[:cut])
    for position, value in flips:
        if position < len(data):
            data[position] = value
    path = tmp_path_factory.mktemp("fuzz") / "damaged.cap"
    path.write_bytes(bytes(data))
    try:
        analyze_capture(path)
    except CaptureError as error:
        assert error.message
