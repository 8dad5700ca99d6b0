"""The ladder (sequence) diagram model of a session, built from engine events.

Qt-free: the GUI's LadderView, the data-channel table, the ASCII renderer
(:mod:`client.engine.ladder_ascii`) and the CLI's ``--ladder`` all read the same model.

Usage::

    model = LadderModel()
    bus.subscribe(model.feed)        # live, or model.feed_all(recorded_events)
    model.refresh(bus.now())         # from a timer: turns hung connections amber
"""

from client.engine.ladder.items import (
    FAILURE_LABELS,
    ControlArrow,
    DataArrow,
    DataState,
    LadderItem,
    Lifelines,
    NoteMark,
    ProxyMark,
    Side,
    format_bytes,
    format_rate,
    format_seconds,
    format_time_axis,
)
from client.engine.ladder.model import (
    DEFAULT_HUNG_AFTER,
    LadderListener,
    LadderModel,
    redact_command,
)
from client.engine.ladder.setup import SetupInfo, arithmetic_for_port, setup_from_annotations
from client.engine.ladder.table import COLUMNS, ChannelRow, channel_row, channel_rows, rows_to_csv
from client.engine.ladder.waiting import waiting_for

__all__ = [
    "FAILURE_LABELS",
    "ControlArrow",
    "DataArrow",
    "DataState",
    "LadderItem",
    "Lifelines",
    "NoteMark",
    "ProxyMark",
    "Side",
    "format_bytes",
    "format_rate",
    "format_seconds",
    "format_time_axis",
    "DEFAULT_HUNG_AFTER",
    "LadderListener",
    "LadderModel",
    "redact_command",
    "SetupInfo",
    "arithmetic_for_port",
    "setup_from_annotations",
    "waiting_for",
    "COLUMNS",
    "ChannelRow",
    "channel_row",
    "channel_rows",
    "rows_to_csv",
]
