"""Export the console as plain text, Markdown (for a support ticket) or JSON Lines.

No Qt. Input lines are already escaped and redacted (see ``lines.py``); the exports redact
once more, so a PASS argument cannot slip out even through a line built elsewhere.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable

from client import __version__
from client.ui.console.lines import ConsoleKind, ConsoleLine, redact_command

__all__ = ["to_text", "to_markdown", "to_jsonl", "timestamp"]

_MARK = {
    ConsoleKind.COMMAND: ">",
    ConsoleKind.REPLY: "<",
    ConsoleKind.NOTE: "*",
    ConsoleKind.WARNING: "!",
    ConsoleKind.ERROR: "E",
    ConsoleKind.DATA: "=",
}


def timestamp(wall: float) -> str:
    local = time.localtime(wall)
    return time.strftime("%H:%M:%S", local) + f".{int((wall % 1) * 1000):03d}"


def _safe(line: ConsoleLine) -> str:
    return redact_command(line.text) if line.kind is ConsoleKind.COMMAND else line.text


def to_text(lines: Iterable[ConsoleLine]) -> str:
    out = []
    for line in lines:
        row = f"{timestamp(line.wall)} {line.connection:>3} {_MARK[line.kind]} {_safe(line)}"
        if line.inline:
            row += f"   {line.inline}"
        out.append(row)
        out.extend(f"{'':>18}  ↳ {text}" for _, text in line.annotations)
    return "\n".join(out) + ("\n" if out else "")


def to_markdown(lines: Iterable[ConsoleLine], *, title: str = "FTP Inspector transcript",
                summary: str = "") -> str:
    """A Markdown block to paste into a ticket: a short header and the transcript fenced,
    so no server text can be rendered as Markdown."""
    body = to_text(lines).replace("```", "`\u200b``")
    header = [f"## {title}", "", f"- FTP Inspector {__version__}",
              f"- exported {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
              "- passwords redacted; control characters shown escaped"]
    if summary:
        header.append(f"- {summary}")
    return "\n".join(header) + "\n\n```text\n" + body + "```\n"


def to_jsonl(lines: Iterable[ConsoleLine]) -> str:
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
