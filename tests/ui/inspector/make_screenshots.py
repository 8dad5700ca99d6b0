"""Screenshots of the inspector for the README (run under Xvfb, not part of the suite):

    Xvfb :98 -screen 0 1280x800x24 -nolisten tcp &
    DISPLAY=:98 python tests/ui/inspector/make_screenshots.py docs/screenshots [NAME ...]

Each picture is a real session of the engine against the embedded demo server
(loopback), drawn by the inspector panel (ladder above, data-channel table below).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from client.demo.server import DemoServer
from client.engine.errors import DataChannelError
from client.engine.events import DataChannelEvent, DataPhase, EngineEvent, EventBus
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode
from client.ui.inspector.dock import InspectorPanel

SHOTS = {
    "healthy-passive": ("healthy", {}),
    "healthy-active": ("healthy", {"mode": TransferMode.ACTIVE}),
    "passive-blocked": ("passive-blocked", {"use_epsv": False}),
    "nat-misconfigured": ("nat-misconfigured", {}),
    "active-blocked": ("active-blocked", {"mode": TransferMode.ACTIVE}),
    "passive-refused": ("passive-refused", {}),
    "stall": ("stall", {}),
    "tls": ("tls", {}),
}


async def record(scenario: str, overrides: dict[str, object]) -> list[EngineEvent]:
    server = DemoServer(scenario, give_up_after=2.5).start()
    events: list[EngineEvent] = []
    bus = EventBus()
    bus.subscribe(events.append)
    tls = TlsMode.EXPLICIT if scenario == "tls" else TlsMode.OFF
    settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                  password=server.password, tls=tls, ca_file=server.ca_file,
                                  data_timeout=2.0, **overrides)  # type: ignore[arg-type]
    try:
        async with FtpSession(settings, bus=bus) as session:
            try:
                await session.list("/")
            except DataChannelError:
                pass
    finally:
        server.stop()
    return events


def shoot(name: str, events: list[EngineEvent], out: Path, *, now: float | None = None) -> None:
    panel = InspectorPanel()
    panel.resize(1000, 780)
    if now is not None:
        panel.set_clock(lambda: now)
    panel.feed_events(events)
    panel.show()
    for _ in range(5):
        QApplication.processEvents()
    if now is not None:
        panel.model.refresh(now)
        panel.table_model.refresh_live(now)
    panel.ladder.set_follow_live(True)
    QApplication.processEvents()
    path = out / f"ladder-{name}.png"
    panel.grab().save(str(path))
    print(path)
    panel.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    QApplication.instance() or QApplication([])
    wanted = set(sys.argv[2:]) or set(SHOTS)
    for name, (scenario, overrides) in SHOTS.items():
        if name not in wanted:
            continue
        events = asyncio.run(record(scenario, overrides))
        shoot(name, events, out)
        if name == "passive-blocked":  # the same session while it still hangs
            cut = next(i for i, e in enumerate(events) if isinstance(e, DataChannelEvent)
                       and e.phase is DataPhase.CONNECTING)
            shoot("passive-waiting", events[: cut + 1], out, now=events[cut].t + 4.0)


if __name__ == "__main__":
    main()
