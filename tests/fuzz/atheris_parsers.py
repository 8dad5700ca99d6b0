"""Coverage-guided fuzzing of the protocol parsers with atheris (optional, nightly-style).

Not collected by pytest (the name does not start with ``test_``). Run for as long as
there is time, e.g.::

    pip install atheris
    python tests/fuzz/atheris_parsers.py -max_total_time=3600 -rss_limit_mb=2048

A crash is any exception other than the documented ProtocolError subclasses, or a
control character reaching text meant for the screen; libFuzzer writes the input that
caused it to ``crash-*`` for replay (``python tests/fuzz/atheris_parsers.py crash-…``).
"""

from __future__ import annotations

import re
import sys

import atheris

with atheris.instrument_imports():
    from client.protocol.addresses import (
        parse_227,
        parse_229,
        parse_eprt_argument,
        parse_port_argument,
    )
    from client.protocol.annotate import AnnotationContext, Annotator
    from client.protocol.errors import ProtocolError
    from client.protocol.listing import FORMATS, parse_listing
    from client.protocol.paths import parse_257, safe_local_name
    from client.protocol.replies import ReplyParser

UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORMATS = sorted(FORMATS)


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    target = provider.ConsumeIntInRange(0, 4)
    payload = provider.ConsumeBytes(provider.remaining_bytes())
    text = payload.decode("latin-1")
    if target == 0:
        parser = ReplyParser(max_line_length=256)
        parser.feed(payload)
        annotator = Annotator(AnnotationContext(control_peer="127.0.0.1"))
        while True:
            try:
                reply = parser.next_reply()
            except ProtocolError:
                continue
            if reply is None:
                break
            for note in annotator.received(reply):
                if UNSAFE.search(note.text):
                    raise AssertionError(f"unescaped control character in {note.text!r}")
    elif target == 1:
        for decode in (parse_227, parse_229, parse_port_argument, parse_eprt_argument):
            try:
                decode(text)
            except ProtocolError:
                pass
    elif target == 2:
        fmt = _FORMATS[len(payload) % len(_FORMATS)]
        try:
            parse_listing(payload, fmt=fmt)
        except ProtocolError:
            pass
    elif target == 3:
        try:
            parse_257(text)
        except ProtocolError:
            pass
    else:
        try:
            name = safe_local_name(text)
        except ProtocolError:
            return
        if "/" in name or name in (".", "..") or UNSAFE.search(name):
            raise AssertionError(f"unsafe local name accepted: {name!r}")


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
