"""The ladder model: engine events in, an append-only list of diagram items out.

Feed it every event of a bus (``bus.subscribe(model.feed)``) or a recorded sequence.
It keeps no Qt object and no clock of its own: time comes from the events' ``t`` and,
for a live view, from :meth:`LadderModel.refresh` called with the bus's ``now()``.

Cost per event is O(1) plus a look at the data connections still open (a handful), so
a session of 10,000 exchanges builds in milliseconds and the lookups between items
and console rows are dictionary hits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from client.engine.events import (
    DataChannelEvent,
    EngineEvent,
    LineSent,
    Notice,
    ProxyEvent,
    ProxyPhase,
    ReplyReceived,
    SessionStateChanged,
    TlsEstablished,
    TransferProgress,
)
from client.engine.ladder.control import (
    command_arrow,
    redact_command,
    reply_arrow,
    state_note,
    tls_detail,
)
from client.engine.ladder.data_arrows import advanced, opened, progressed
from client.engine.ladder.items import (
    DataArrow,
    DataState,
    LadderItem,
    Lifelines,
    NoteMark,
    ProxyMark,
)
from client.engine.ladder.setup import SetupInfo
from client.engine.ladder.sftp import SftpTally, sftp_items
from client.engine.ladder.waiting import waiting_for
from client.engine.sftp.events import SFTP_EVENT_TYPES
from client.protocol.annotate import Severity
from client.protocol.text import escape_control

__all__ = ["LadderModel", "LadderListener", "DEFAULT_HUNG_AFTER", "redact_command"]

DEFAULT_HUNG_AFTER = 3.0  # seconds without progress before an arrow turns amber

LadderListener = Callable[[str, int], None]  # ("added" | "changed" | "cleared", item index)



class LadderModel:
    """Diagram items built from engine events, with lookups to and from console rows.

    ``connection`` restricts the model to one control connection (``"c1"``); None
    takes every connection (the arrows carry their connection's name).
    ``hung_after`` is how long an open data connection may make no progress before it
    is shown as WAITING.
    """

    def __init__(self, *, connection: str | None = None,
                 hung_after: float = DEFAULT_HUNG_AFTER) -> None:
        self.connection = connection
        self.hung_after = hung_after
        self.items: list[LadderItem] = []
        self.lifelines: dict[str, Lifelines] = {}
        self._events_seen = 0
        self._item_of_event: dict[int, int] = {}
        self._item_of_channel: dict[int, int] = {}
        self._open_channels: dict[int, int] = {}  # channel -> item index, open ones only
        self._pending_setup: dict[str, tuple[SetupInfo, int]] = {}
        self._proxy_requests: dict[tuple[str, int | None], str] = {}
        self._listeners: list[LadderListener] = []
        self._last_t = 0.0
        self._first_arrow_connection: str | None = None
        self.sftp = SftpTally()  # what the SSH connections carried (the text footer)
        #: the bus time of the earliest event fed: the time axis counts from it (a tab
        #: opened after minutes starts at 0, not at the window's clock)
        self.time_origin: float | None = None

    # -- observers -------------------------------------------------------------------

    def add_listener(self, listener: LadderListener) -> Callable[[], None]:
        """Call ``listener(kind, index)`` on every added or changed item."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _notify(self, kind: str, index: int) -> None:
        for listener in tuple(self._listeners):
            listener(kind, index)

    # -- lookups ---------------------------------------------------------------------

    @property
    def events_seen(self) -> int:
        return self._events_seen

    @property
    def last_t(self) -> float:
        """The time of the latest event fed (the diagram's 'now' when replaying)."""
        return self._last_t

    def item_for_event(self, event_index: int) -> int | None:
        """The item drawn for the event at ``event_index`` (a console row), if any."""
        return self._item_of_event.get(event_index)

    def event_for_item(self, item_index: int) -> int:
        """The event (console row) an item came from: for a data arrow, its first event."""
        return self.items[item_index].event_index

    def data_arrow(self, channel: int) -> DataArrow | None:
        index = self._item_of_channel.get(channel)
        if index is None:
            return None
        item = self.items[index]
        return item if isinstance(item, DataArrow) else None

    def data_arrows(self) -> list[DataArrow]:
        """Every data connection, in the order they were opened."""
        return [self.items[i] for i in self._item_of_channel.values()]  # type: ignore[misc]

    @property
    def has_open_channels(self) -> bool:
        """Whether some data connection is still live (a view animates while it is)."""
        return bool(self._open_channels)

    def index_of_channel(self, channel: int) -> int | None:
        return self._item_of_channel.get(channel)

    def primary_lifelines(self) -> Lifelines:
        """The lifelines to label the diagram with: the chosen connection, else the one
        of the first arrow (a closing note of the previous site's connections may come
        first after a new session), else the first seen."""
        if self.connection is not None:
            return self.lifelines.get(self.connection, Lifelines(self.connection))
        if self._first_arrow_connection in self.lifelines:
            return self.lifelines[self._first_arrow_connection]
        for lifelines in self.lifelines.values():
            return lifelines
        return Lifelines(self.connection or "c1")

    def axis_time(self, t: float) -> float:
        """``t`` (bus time) as the time axis shows it: seconds since the first event."""
        return t - (self.time_origin or 0.0)

    def clear(self, *, keep_time_origin: bool = False) -> None:
        """Forget everything (a new session in the same window); ``keep_time_origin``
        when the same events are fed again (another connection shown, a trim)."""
        self.items.clear()
        self.lifelines.clear()
        self._events_seen = 0
        self._item_of_event.clear()
        self._item_of_channel.clear()
        self._open_channels.clear()
        self._pending_setup.clear()
        self._proxy_requests.clear()
        self._last_t = 0.0
        self._first_arrow_connection = None
        self.sftp = SftpTally()
        if not keep_time_origin:
            self.time_origin = None
        self._notify("cleared", -1)

    # -- feeding ---------------------------------------------------------------------

    def feed(self, event: EngineEvent, index: int | None = None) -> None:
        """Take one event. ``index`` is its console row; by default the count of events
        fed so far (every event counts, including the ones the ladder does not draw)."""
        event_index = self._events_seen if index is None else index
        self._events_seen = max(self._events_seen, event_index + 1)
        if self.time_origin is None or event.t < self.time_origin:
            # the earliest event, not merely the first fed: lines an early login replays
            # are dated when they were exchanged, before events already shown
            self.time_origin = event.t
        if self.connection is not None and event.connection != self.connection:
            return
        self._last_t = max(self._last_t, event.t)
        if event.connection not in self.lifelines:
            self.lifelines[event.connection] = Lifelines(event.connection)
        if isinstance(event, DataChannelEvent):
            self._on_data_channel(event, event_index)
        elif isinstance(event, ReplyReceived):
            self._on_reply(event, event_index)
        elif isinstance(event, LineSent):
            self._on_line_sent(event, event_index)
        elif isinstance(event, TransferProgress):
            self._on_progress(event)
        elif isinstance(event, Notice):
            self._add_note(event, event_index, escape_control(event.text), event.severity,
                           event.kind)
        elif isinstance(event, SessionStateChanged):
            self._on_state(event, event_index)
        elif isinstance(event, TlsEstablished):
            self._on_tls(event, event_index)
        elif isinstance(event, SFTP_EVENT_TYPES):
            self._on_ssh(event, event_index)
        elif isinstance(event, ProxyEvent):
            self._on_proxy(event, event_index)
        self.refresh(event.t)

    def feed_all(self, events: list[EngineEvent]) -> None:
        for event in events:
            self.feed(event)

    def refresh(self, now: float) -> list[int]:
        """Mark open data connections without progress for ``hung_after`` seconds as
        WAITING (and say on what). Returns the indices of items that changed."""
        changed: list[int] = []
        for index in tuple(self._open_channels.values()):
            arrow = self.items[index]
            assert isinstance(arrow, DataArrow)
            if arrow.state is DataState.WAITING:
                continue
            if now - arrow.last_progress_t >= self.hung_after:
                self._replace(index, dataclasses.replace(
                    arrow, state=DataState.WAITING, waiting_for=waiting_for(arrow)))
                changed.append(index)
        return changed

    # -- per event kind --------------------------------------------------------------

    def _append(self, item: LadderItem) -> None:
        if self._first_arrow_connection is None and not isinstance(item, NoteMark):
            self._first_arrow_connection = item.connection
        self.items.append(item)
        self._item_of_event[item.event_index] = item.index
        self._notify("added", item.index)

    def _replace(self, index: int, item: LadderItem) -> None:
        self.items[index] = item
        self._notify("changed", index)

    def _on_line_sent(self, event: LineSent, event_index: int) -> None:
        arrow, setup = command_arrow(event, len(self.items), event_index)
        self._append(arrow)
        if setup is not None:
            self._offer_setup(event.connection, setup, event_index)

    def _on_reply(self, event: ReplyReceived, event_index: int) -> None:
        arrow, setup = reply_arrow(event, len(self.items), event_index)
        self._append(arrow)
        if setup is not None:
            self._offer_setup(event.connection, setup, event_index)

    def _offer_setup(self, connection: str, setup: SetupInfo, event_index: int) -> None:
        """Attach a decoded setup to the open data connection waiting for one (active
        mode listens before PORT is sent), or keep it for the next one (passive mode
        dials after 227)."""
        for index in reversed(tuple(self._open_channels.values())):
            arrow = self.items[index]
            assert isinstance(arrow, DataArrow)
            if (arrow.connection == connection and arrow.setup_event_index is None
                    and arrow.method == setup.method):
                self._replace(index, dataclasses.replace(
                    arrow, setup=setup.port_text, setup_event_index=event_index))
                return
        self._pending_setup[connection] = (setup, event_index)

    def _on_data_channel(self, event: DataChannelEvent, event_index: int) -> None:
        index = self._item_of_channel.get(event.channel)
        if index is None:
            self._open_data_arrow(event, event_index)
            return
        arrow = self.items[index]
        assert isinstance(arrow, DataArrow)
        self._item_of_event[event_index] = index
        updated = advanced(arrow, event, event_index)
        if not updated.state.is_open:
            self._open_channels.pop(event.channel, None)
        self._replace(index, updated)

    def _open_data_arrow(self, event: DataChannelEvent, event_index: int) -> None:
        pending = self._pending_setup.get(event.connection)
        if pending is not None and pending[0].method == event.method:
            del self._pending_setup[event.connection]
        else:
            pending = None
        arrow = opened(event, len(self.items), event_index, pending)
        self._item_of_channel[event.channel] = arrow.index
        if arrow.state.is_open:
            self._open_channels[event.channel] = arrow.index
        self._append(arrow)

    def _on_progress(self, event: TransferProgress) -> None:
        """Bytes moving on this connection count as progress for its open data arrow."""
        for index in tuple(self._open_channels.values()):
            arrow = self.items[index]
            assert isinstance(arrow, DataArrow)
            if arrow.connection != event.connection or event.bytes_done <= arrow.bytes:
                continue
            self._replace(index, progressed(arrow, event))

    def _on_state(self, event: SessionStateChanged, event_index: int) -> None:
        old = self.lifelines.get(event.connection, Lifelines(event.connection))
        server = event.server or old.server
        if old.proxy is not None and event.server == old.proxy and old.server is not None:
            server = old.server  # an FTP proxy is the socket's peer; the server stays named
        self.lifelines[event.connection] = dataclasses.replace(
            old, client=event.local or old.client, server=server)
        note = state_note(event)
        if note is not None:
            self._add_note(event, event_index, note[0], note[1], "state")

    def _on_ssh(self, event: EngineEvent, event_index: int) -> None:
        """SSH/SFTP: arrows and notes on the one connection (:mod:`.sftp`)."""
        self.sftp.add(event)
        items = sftp_items(event, len(self.items), event_index)
        if items:  # the console row points at the event's first item
            self._item_of_event[event_index] = items[0].index
        for item in items:
            if self._first_arrow_connection is None and not isinstance(item, NoteMark):
                self._first_arrow_connection = item.connection
            self.items.append(item)
            self._notify("added", item.index)

    def _on_proxy(self, event: ProxyEvent, event_index: int) -> None:
        """The proxy becomes the middle lifeline; a connection it opened (or failed to)
        becomes one mark: client → proxy → server, the failed leg crossed out. The
        request (HANDSHAKE) is kept for that mark's label."""
        old = self.lifelines.get(event.connection, Lifelines(event.connection))
        self.lifelines[event.connection] = dataclasses.replace(
            old, proxy=event.proxy, proxy_kind=event.kind,
            server=old.server or (event.target if event.channel is None else None))
        key = (event.connection, event.channel)
        if event.phase is ProxyPhase.HANDSHAKE:
            self._proxy_requests[key] = escape_control(event.detail)
            return
        if event.phase is ProxyPhase.CONNECTING:
            return
        failed = event.phase is ProxyPhase.FAILED
        request = self._proxy_requests.pop(key, f"{event.kind} to {event.target}")
        mark = ProxyMark(
            index=len(self.items), event_index=event_index, t=event.t,
            connection=event.connection, channel=event.channel, kind=event.kind,
            proxy=event.proxy, target=event.target, request=request,
            text=escape_control(
                f"{'control' if event.channel is None else f'data #{event.channel}'} via "
                f"{event.kind} {event.proxy}: {event.detail}"),
            failed_hop=event.hop.value if failed and event.hop else None,
            reason=escape_control(event.detail.split("): ", 1)[-1]) if failed else "",
            severity=Severity.ERROR if failed else Severity.INFO)
        self._append(mark)
        if event.channel is not None:
            index = self._item_of_channel.get(event.channel)
            arrow = self.items[index] if index is not None else None
            if isinstance(arrow, DataArrow) and not arrow.via_proxy:
                self._replace(index, dataclasses.replace(arrow, via_proxy=True))  # type: ignore[arg-type]

    def _on_tls(self, event: TlsEstablished, event_index: int) -> None:
        detail = tls_detail(event)
        if event.channel is None:
            self._add_note(event, event_index, f"TLS on the control connection: {detail}",
                           Severity.INFO, "tls")
            return
        index = self._item_of_channel.get(event.channel)
        if index is None:
            return
        arrow = self.items[index]
        assert isinstance(arrow, DataArrow)
        self._item_of_event[event_index] = index
        self._replace(index, dataclasses.replace(
            arrow, tls=True, tls_detail=detail,
            event_indices=arrow.event_indices + (event_index,)))

    def _add_note(self, event: EngineEvent, event_index: int, text: str,
                  severity: Severity, kind: str) -> None:
        self._append(NoteMark(index=len(self.items), event_index=event_index, t=event.t,
                              connection=event.connection, text=text, severity=severity,
                              kind=kind))
