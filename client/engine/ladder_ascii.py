"""The ladder diagram as plain text: two lifelines, like the diagrams in FTP guides.

One renderer serves the GUI's "Export as text" and the CLI's ``--ladder``, so a support
ticket shows the same picture whichever front end produced it::

      time  Client 127.0.0.1:41230                            Server 127.0.0.1:2121
            |                                                                   |
    0.010s  |-- PASV ---------------------------------------------------------->|
    0.011s  |<-- 227 Entering Passive Mode (127,0,0,1,195,80). -----------------|
            |      => 127.0.0.1 port 195*256+80 = 50000                          |
    0.011s  |== data #1 127.0.0.1:41234 -> 127.0.0.1:50000 ===================>>|

Deterministic (times come from the events, nothing from the clock unless ``now`` is
given for live arrows), bounded to ``width`` columns (long labels are cut with ``...``,
notes and details are wrapped), and safe to paste: control characters arrive escaped
from the model and are escaped again here, and PASS is redacted by the model.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from client.engine.events import EngineEvent
from client.engine.ladder import (
    ControlArrow,
    DataArrow,
    DataState,
    LadderItem,
    LadderModel,
    NoteMark,
    Side,
    format_time_axis,
)
from client.protocol.annotate import Severity
from client.protocol.text import escape_control

__all__ = ["render_ladder", "render_events", "MIN_WIDTH", "DEFAULT_WIDTH"]

MIN_WIDTH = 60
DEFAULT_WIDTH = 80
_TIME_WIDTH = 9  # "  12.345s"
_GUTTER = _TIME_WIDTH + 1  # then the left lifeline
_DETAIL_INDENT = 6

_LEGEND = (
    "legend: --> command  <-- reply  ==>> data connection",
    "        (a data arrow starts at the side that dialled it)",
    "        X failed  ... not connected yet  !! waiting or error",
)


def _safe(text: str) -> str:
    """Control characters escaped, and the Unicode line and paragraph separators too
    (some viewers break lines there, which would tear a row apart)."""
    text = escape_control(text)
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


def _char_width(ch: str) -> int:
    """Terminal columns of one character: 2 for East Asian wide/fullwidth, 0 for
    combining marks and invisible format characters, else 1."""
    if ch < "\u0300":  # fast path: ASCII and Latin-1
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def _cut(text: str, room: int) -> str:
    """The longest prefix of ``text`` at most ``room`` columns wide."""
    if _width(text) <= room:
        return text
    used = 0
    for index, ch in enumerate(text):
        used += _char_width(ch)
        if used > room:
            return text[:index]
    return text


def _pad(text: str, room: int) -> str:
    """``text`` cut or padded with spaces to exactly ``room`` columns."""
    text = _cut(text, room)
    return text + " " * (room - _width(text))


def _fit(text: str, room: int) -> str:
    """``text`` cut to ``room`` columns, ending in ``...`` when cut."""
    if room <= 0:
        return ""
    if _width(text) <= room:
        return text
    if room <= 3:
        return _cut(text, room)
    return _cut(text, room - 3) + "..."


def _wrap(text: str, room: int) -> list[str]:
    """Word-wrap ``text`` to ``room`` columns, breaking words longer than a line."""
    room = max(1, room)
    if _width(text) <= room:
        return [text]  # fits: keep its spacing
    lines: list[str] = []
    line = ""
    for word in text.split():
        while _width(word) > room:  # a word longer than a line: break it
            if line:
                lines.append(line)
                line = ""
            head = _cut(word, room) or word[0]
            lines.append(head)
            word = word[len(head):]
        if not word:
            continue
        candidate = f"{line} {word}" if line else word
        if _width(candidate) <= room:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


class _Canvas:
    """Rows of fixed width: a time gutter, the left lifeline, the inner space, the
    right lifeline."""

    def __init__(self, width: int, origin: float = 0.0) -> None:
        self.width = max(MIN_WIDTH, width)
        self.origin = origin  # the time axis counts from the first event
        self.inner = self.width - _GUTTER - 2
        self.rows: list[str] = []

    def _time(self, t: float | None) -> str:
        if t is None:
            return " " * _TIME_WIDTH
        return format_time_axis(t - self.origin).rjust(_TIME_WIDTH - 1) + " "

    def row(self, t: float | None, inner: str) -> None:
        inner = _pad(inner, self.inner)
        self.rows.append(f"{self._time(t)} |{inner}|")

    def blank(self) -> None:
        self.row(None, "")

    def detail(self, text: str, indent: int = _DETAIL_INDENT) -> None:
        room = self.inner - indent - 1
        for piece in _wrap(_safe(text), room):
            self.row(None, " " * indent + piece)

    def free(self, text: str) -> None:
        """A line outside the lifelines (title, legend), wrapped to the width."""
        for piece in _wrap(_safe(text), self.width):
            self.rows.append(piece)


def _control_row(canvas: _Canvas, arrow: ControlArrow, prefix: str) -> None:
    label = _safe(prefix + arrow.label)
    if arrow.extra_lines:
        label += f" (+{arrow.extra_lines} lines)"
    if arrow.is_command:
        head, tail = "-- ", " >"
    else:
        head, tail = "<-- ", " -"
    room = canvas.inner - len(head) - len(tail) - 1
    text = _fit(label, room)
    if arrow.is_command:
        fill = canvas.inner - len(head) - _width(text) - 1 - 1
        inner = head + text + " " + "-" * fill + ">"
    else:
        inner = head + text + " " + "-" * (canvas.inner - len(head) - _width(text) - 1)
    canvas.row(arrow.t, inner)
    marker = "!! " if arrow.severity is Severity.ERROR else ""
    for line in arrow.decoded:
        canvas.detail(f"{marker}=> {line}")


def _data_head(arrow: DataArrow) -> tuple[str, int]:
    """The arrowhead and the gap left before the far lifeline."""
    if arrow.state is DataState.FAILED:
        return "X", 3
    if arrow.state is DataState.WAITING:
        return "!!", 3
    if arrow.state in (DataState.SETUP, DataState.CONNECTING):
        return "...", 3
    return ">>" if arrow.source is Side.CLIENT else "<<", 0


def _data_row(canvas: _Canvas, arrow: DataArrow, prefix: str, now: float | None) -> None:
    label = _safe(f"{prefix}data #{arrow.channel} {arrow.endpoints_label}")
    head, gap = _data_head(arrow)
    room = canvas.inner - 3 - 1 - 2 - len(head) - gap
    text = _fit(label, room)
    body = canvas.inner - gap - len(head)
    if arrow.source is Side.CLIENT:
        start = "== " + text + " "
        inner = start + "=" * max(0, body - _width(start)) + head + " " * gap
    else:
        if head == ">>":
            head = "<<"
        end = " " + text + " =="
        inner = " " * gap + head + "=" * max(0, body - _width(end)) + end
    canvas.row(arrow.t, inner)

    who = "client dials" if arrow.source is Side.CLIENT else "server dials"
    method = arrow.method or "control connection"
    setup = f", port {arrow.setup}" if arrow.setup else ""
    canvas.detail(f"{who}: {method} for {arrow.command}{setup}")
    if arrow.advertised is not None and arrow.source is Side.CLIENT and (
            arrow.server_end is None or arrow.advertised != arrow.server_end):
        canvas.detail(f"advertised {arrow.advertised}, dialled "
                      f"{arrow.server_end if arrow.server_end else '?'}")
    if arrow.address_note:
        canvas.detail(f"why: {arrow.address_note}")
    if arrow.tls_detail:
        canvas.detail(f"TLS: {arrow.tls_detail}")
    status = arrow.status_text(now if now is not None else arrow.last_progress_t)
    if arrow.state is DataState.FAILED and arrow.reason:
        status += f" ({arrow.reason})"
    canvas.detail(("!! " if arrow.state in (DataState.FAILED, DataState.WAITING) else "")
                  + status)


def _note_row(canvas: _Canvas, note: NoteMark, prefix: str) -> None:
    mark = {Severity.ERROR: "!!", Severity.WARNING: "! "}.get(note.severity, "* ")
    room = canvas.inner - 4
    pieces = _wrap(_safe(prefix + note.text), room)
    canvas.row(note.t, f" {mark} {pieces[0]}")
    for piece in pieces[1:]:
        canvas.row(None, "    " + piece)


def _header(canvas: _Canvas, model: LadderModel) -> None:
    lifelines = model.primary_lifelines()
    left = _safe(lifelines.client_label)
    right = _safe(lifelines.server_label)
    space = canvas.width - _GUTTER
    half = max(8, (space - 2) // 2)
    left, right = _fit(left, half), _fit(right, half)
    line = "time".rjust(_TIME_WIDTH - 1) + "  " + left
    pad = canvas.width - _width(line) - _width(right)
    canvas.rows.append(line + " " * max(1, pad) + right)
    if lifelines.proxy_label:  # the proxy between them, on a line of its own
        middle = _fit("via " + _safe(lifelines.proxy_label), space - 2)
        canvas.rows.append(" " * (_GUTTER + max(0, (space - _width(middle)) // 2)) + middle)
    canvas.blank()


def render_ladder(model: LadderModel, *, width: int = DEFAULT_WIDTH,
                  now: float | None = None, title: bool = True,
                  legend: bool = True, footer: Sequence[str] | None = None) -> str:
    """The whole diagram as text, ``width`` columns wide (at least :data:`MIN_WIDTH`).

    ``now`` sets the running timers of connections still open (default: their last
    event, which keeps a replay deterministic). ``footer`` replaces the data-connection
    summary and the legend; by default an SFTP session has its own (what its SSH
    connection carried, and why there is no data connection).
    """
    canvas = _Canvas(width, model.time_origin or 0.0)
    several = len(model.lifelines) > 1
    if title:
        name = model.connection or ", ".join(model.lifelines) or "c1"
        canvas.free(f"FTP Inspector ladder: {name} (times in seconds since the session began)")
    _header(canvas, model)
    for item in model.items:
        _render_item(canvas, item, f"[{item.connection}] " if several else "", now)
    canvas.blank()
    if footer is None:
        footer = model.sftp.footer()
    if legend and footer is not None:
        for line in footer:
            canvas.free(line)
    elif legend:
        summary = _summary(model)
        if summary:
            canvas.free(summary)
        for line in _LEGEND:
            canvas.free(line)
    return "\n".join(canvas.rows) + "\n"


def _render_item(canvas: _Canvas, item: LadderItem, prefix: str, now: float | None) -> None:
    if isinstance(item, ControlArrow):
        _control_row(canvas, item, prefix)
    elif isinstance(item, DataArrow):
        _data_row(canvas, item, prefix, now)
    else:
        _note_row(canvas, item, prefix)


def _summary(model: LadderModel) -> str:
    arrows = model.data_arrows()
    if not arrows:
        return "data connections: none"
    failed = sum(1 for a in arrows if a.state is DataState.FAILED)
    closed = sum(1 for a in arrows if a.state is DataState.CLOSED)
    still_open = len(arrows) - failed - closed
    parts = [f"{closed} closed"] if closed else []
    if failed:
        parts.append(f"{failed} failed")
    if still_open:
        parts.append(f"{still_open} still open")
    return f"data connections: {len(arrows)} ({', '.join(parts)})"


def render_events(events: Iterable[EngineEvent], *, width: int = DEFAULT_WIDTH,
                  connection: str | None = None, now: float | None = None) -> str:
    """Build a model from ``events`` and render it (for the CLI and for recorded runs)."""
    model = LadderModel(connection=connection)
    for event in events:
        model.feed(event)
    if now is not None:
        model.refresh(now)
    return render_ladder(model, width=width, now=now)
