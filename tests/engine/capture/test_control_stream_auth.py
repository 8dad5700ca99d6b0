"""After AUTH, the client's next bytes may be a TLS handshake: a capture's two
directions arrive at the decoder separately, so the ClientHello can be fed before the
server's 234. Those bytes are held until the reply says what they are."""

from __future__ import annotations

from client.engine.capture.control_stream import ControlStream, ItemKind
from client.engine.capture.tcp_reassembly import Chunk
from client.engine.events import Endpoint

CLIENT_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\x17\x03\x03garbage\r\n"


def stream() -> ControlStream:
    return ControlStream(Endpoint("127.0.0.1", 40000), Endpoint("127.0.0.1", 21),
                         from_start=True, first_t=0.0)


def commands(control: ControlStream) -> list[str]:
    return [i.line for i in control.items if i.kind is ItemKind.COMMAND]


def test_tls_handshake_fed_before_the_234_is_not_read_as_commands() -> None:
    control = stream()
    control.feed(True, [Chunk(1.0, b"AUTH TLS\r\n" + CLIENT_HELLO)])
    control.feed(False, [Chunk(1.1, b"234 Proceed with negotiation.\r\n")])
    assert commands(control) == ["AUTH TLS"]
    assert control.opaque_since == 1.1 and control.opaque_bytes == len(CLIENT_HELLO)


def test_refused_auth_gives_the_held_bytes_back_as_commands() -> None:
    control = stream()
    control.feed(True, [Chunk(1.0, b"AUTH TLS\r\nUSER alice\r\n")])
    control.feed(False, [Chunk(1.1, b"502 Not implemented.\r\n")])
    assert commands(control) == ["AUTH TLS", "USER alice"]
    assert control.opaque_since is None
