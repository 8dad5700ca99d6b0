"""Export the console as plain text, Markdown (for a support ticket) or JSON Lines.

No Qt. Input lines are already escaped and redacted (see ``lines.py``); the exports redact
once more, so a PASS argument cannot slip out even through a line built elsewhere.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterable, Iterator

from client import __version__
from client.ui.console.lines import ConsoleKind, ConsoleLine, redact_command

__all__ = ["to_text", "to_markdown", "to_jsonl", "chunks", "timestamp"]

#: lines per piece of :func:`chunks` (a file is written a piece at a time)
CHUNK_LINES = 1_000

_MARK = {
    ConsoleKind.COMMAND: ">",
    ConsoleKind.REPLY: "<",
    ConsoleKind.NOTE: "*",
    ConsoleKind.WARNING: "!",
    ConsoleKind.ERROR: "E",
    ConsoleKind.DATA: "=",
}


def timestamp(wall: float) -> str:
    return _clock(int(wall // 1)) + f".{int((wall % 1) * 1000):03d}"


@functools.lru_cache(maxsize=1024)
def _clock(second: int) -> str:
    """``HH:MM:SS`` of an epoch second: consecutive lines mostly share one, and copying or
    exporting 200,000 lines spent a third of its time in ``localtime``/``strftime``."""
    return time.strftime("%H:%M:%S", time.localtime(second))


def _safe(line: ConsoleLine) -> str:
    return redact_command(line.text) if line.kind is ConsoleKind.COMMAND else line.text


def _batches(lines: Iterable[ConsoleLine]) -> Iterator[list[ConsoleLine]]:
    batch: list[ConsoleLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= CHUNK_LINES:
            yield batch
            batch = []
    if batch:
        yield batch


def _text_piece(lines: list[ConsoleLine]) -> str:
    out = []
    for line in lines:
        row = f"{timestamp(line.wall)} {line.connection:>3} {_MARK[line.kind]} {_safe(line)}"
        if line.inline:
            row += f"   {line.inline}"
        out.append(row)
        out.extend(f"{'':>18}  ↳ {text}" for _, text in line.annotations)
    return "\n".join(out) + ("\n" if out else "")


def to_text(lines: Iterable[ConsoleLine]) -> str:
    return "".join(chunks("text", lines))


def _markdown_pieces(lines: Iterable[ConsoleLine], title: str, summary: str) -> Iterator[str]:
    header = [f"## {title}", "", f"- FTP Inspector {__version__}",
              f"- exported {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
              "- passwords redacted; control characters shown escaped"]
    if summary:
        header.append(f"- {summary}")
    yield "\n".join(header) + "\n\n```text\n"
    for batch in _batches(lines):
        # pieces end with a newline and a fence has none: replacing piece by piece is
        # replacing in the whole
        yield _text_piece(batch).replace("```", "`\u200b``")
    yield "```\n"


def to_markdown(lines: Iterable[ConsoleLine], *, title: str = "FTP Inspector transcript",
                summary: str = "") -> str:
    """A Markdown block to paste into a ticket: a short header and the transcript fenced,
    so no server text can be rendered as Markdown."""
    return "".join(_markdown_pieces(lines, title, summary))


def to_jsonl(lines: Iterable[ConsoleLine]) -> str:
    return "".join(chunks("jsonl", lines))


def chunks(fmt: str, lines: Iterable[ConsoleLine]) -> Iterator[str]:
    """The export of ``lines`` as ``fmt`` (``text``, ``md`` or ``jsonl``) in pieces of
    ``CHUNK_LINES`` lines, to be written one after the other: the pieces joined are
    :func:`to_text`, :func:`to_markdown` or :func:`to_jsonl`."""
    if fmt == "md":
        yield from _markdown_pieces(lines, "FTP Inspector transcript", "")
        return
    piece = _jsonl_piece if fmt == "jsonl" else _text_piece
    for batch in _batches(lines):
        yield piece(batch)


def _jsonl_piece(lines: list[ConsoleLine]) -> str:
    out = []
    for line in lines:
        record = {
            "t": round(line.t, 6),
            "time": timestamp(line.wall),
            "connection": line.connection,
            "kind": line.kind.value,
            "text": _safe(line),
        }
        if line.inline:
            record["inline"] = line.inline
        if line.annotations:
            record["annotations"] = [{"severity": s, "text": t} for s, t in line.annotations]
        if line.channel is not None:
            record["channel"] = line.channel
        out.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(out) + ("\n" if out else "")
