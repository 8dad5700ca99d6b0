"""The diagram of a session through a proxy: the proxy is the middle lifeline, each
connection it opened is a mark (client → proxy → server) and the data arrows it carried
pass through it; a failed hop is crossed out on its own leg. Built from a real session
through danted, drawn by the same painter as the window and the PNG export."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.process_server import free_port
from PySide6.QtGui import QColor

from client.engine.errors import ProxyFailedError
from client.engine.events import EventBus
from client.engine.ladder import DataArrow, LadderModel, ProxyMark
from client.engine.ladder_ascii import render_ladder
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings
from client.ui.inspector.export import render_image
from client.ui.inspector.geometry import HEADER_HEIGHT
from client.ui.inspector.ladder_painter import LadderColours, LadderPainter

pytestmark = pytest.mark.gui


@pytest.mark.asyncio
async def test_a_proxied_session_has_a_proxy_lifeline(qapp, ftp_server, socks5_proxy,
                                                      tmp_path: Path) -> None:
    bus = EventBus()
    model = LadderModel()
    bus.subscribe(model.feed)
    settings = ftp_server.settings(proxy=socks5_proxy.settings())
    async with FtpSession(settings, bus=bus) as session:
        await session.list("/")
        await session.download("/hello.txt", tmp_path / "hello.txt")
    lifelines = model.primary_lifelines()
    assert lifelines.proxy is not None and lifelines.proxy.port == socks5_proxy.port
    assert lifelines.proxy_label == f"Proxy SOCKS5 127.0.0.1:{socks5_proxy.port}"
    assert lifelines.server is not None and lifelines.server.port == ftp_server.port
    marks = [item for item in model.items if isinstance(item, ProxyMark)]
    assert [m.what for m in marks] == ["control", "data #1", "data #2"]
    assert all(m.failed_hop is None for m in marks)
    assert marks[0].request.startswith(f"SOCKS5 CONNECT 127.0.0.1:{ftp_server.port}")
    arrows = [item for item in model.items if isinstance(item, DataArrow)]
    assert arrows and all(arrow.via_proxy for arrow in arrows)
    text = render_ladder(model, width=100)
    assert f"via Proxy SOCKS5 127.0.0.1:{socks5_proxy.port}" in text
    assert "data #1 via SOCKS5" in text
    # the painter draws a third lifeline half way between client and server
    image = render_image(model, width=900)
    painter = LadderPainter(model, None)  # type: ignore[arg-type]
    cx, sx = painter.lifeline_x(900)
    px = painter.proxy_x(cx, sx)
    assert px == (cx + sx) / 2
    lifeline = QColor(LadderColours().lifeline)
    y = image.height() - 8
    assert image.pixelColor(int(px), y) == lifeline
    assert image.pixelColor(int((cx + px) / 2), y) != lifeline
    assert image.height() > HEADER_HEIGHT


@pytest.mark.asyncio
async def test_a_failed_hop_is_the_one_crossed_out(qapp, socks5_proxy) -> None:
    bus = EventBus()
    model = LadderModel()
    bus.subscribe(model.feed)
    settings = ConnectionSettings(host="127.0.0.1", port=free_port(),
                                  proxy=socks5_proxy.settings())
    with pytest.raises(ProxyFailedError):
        async with FtpSession(settings, bus=bus):
            pass
    marks = [item for item in model.items if isinstance(item, ProxyMark)]
    assert len(marks) == 1 and marks[0].failed_hop == "proxy-server"
    assert "connection refused by the server (SOCKS5 reply 5)" in marks[0].text
    assert marks[0].reason == "connection refused by the server (SOCKS5 reply 5)"
    assert not render_image(model, width=700).isNull()


@pytest.mark.parametrize("width", [340, 460, 900])
def test_the_three_header_boxes_never_overlap(qapp, width: int) -> None:
    """A narrow inspector dock: the proxy's box sits between the others, each label
    elided rather than drawn over its neighbour."""
    from client.engine.events import (
        Endpoint,
        ProxyEvent,
        ProxyPhase,
        SessionState,
        SessionStateChanged,
    )

    model = LadderModel()
    model.feed(SessionStateChanged(t=0.0, connection="c1", state=SessionState.READY,
                                   server=Endpoint("198.51.100.23", 2121),
                                   local=Endpoint("192.168.10.20", 51234)))
    model.feed(ProxyEvent(t=0.1, connection="c1", kind="HTTP CONNECT",
                          proxy=Endpoint("proxy.corp.example.net", 3128),
                          target=Endpoint("198.51.100.23", 2121), phase=ProxyPhase.OPEN))
    boxes = [box for box, _text in
             LadderPainter(model, None).header_boxes(width)]  # type: ignore[arg-type]
    assert len(boxes) == 3
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left.right() < right.left(), (width, left, right)
    assert all(box.left() >= 0 and box.right() <= max(width, 320) for box in boxes)
