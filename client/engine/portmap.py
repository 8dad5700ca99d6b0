"""The passive-port map of a session: each port the server offered for a passive data
connection, and whether a connection to it opened. A router that forwards only part of
the passive range shows here as some ports that connect and some that never do."""

from __future__ import annotations

from client.engine.diagnose.model import PortProbe
from client.engine.events import DataChannelEvent, DataPhase, EngineEvent

__all__ = ["PassivePortMap"]

_OPENED = frozenset({DataPhase.CONNECTED, DataPhase.TLS_HANDSHAKE, DataPhase.TLS_ESTABLISHED,
                     DataPhase.FIRST_BYTE, DataPhase.CLOSED})


class PassivePortMap:
    """An event observer (subscribe it to the bus); :meth:`entries` is the map."""

    def __init__(self) -> None:
        self._channels: dict[int, PortProbe] = {}

    def __call__(self, event: EngineEvent) -> None:
        if not isinstance(event, DataChannelEvent) or event.initiator != "client":
            return
        target = event.remote or event.advertised
        if target is None:
            return
        known = self._channels.get(event.channel)
        if event.phase in _OPENED:
            self._channels[event.channel] = PortProbe(target.port, target.host, True,
                                                      source=event.method or "")
        elif event.phase is DataPhase.FAILED and (known is None or not known.connected):
            if event.failure is not None and event.failure.value in ("syn-unanswered",
                                                                     "refused"):
                self._channels[event.channel] = PortProbe(
                    target.port, target.host, False, event.failure.value,
                    source=event.method or "",
                    detail=event.tcp.summary if event.tcp is not None else None)

    def entries(self) -> tuple[PortProbe, ...]:
        return tuple(self._channels[c] for c in sorted(self._channels))

    def summary(self) -> str:
        """One line: ``50003 connected, 50007 no (syn-unanswered)``."""
        return ", ".join(f"{p.address}:{p.port} "
                         + ("connected" if p.connected else f"no ({p.failure})")
                         for p in self.entries())
