"""What SIZE and MDTM say about a file (RFC 3659 §3, §4), one command at a time or
MDTM pipelined for many files; ``None`` wherever the server cannot tell."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from client.engine.control import ControlConnection
from client.protocol.commands import Command

__all__ = ["PIPELINE_WINDOW", "parse_mdtm", "read_mdtm", "read_mdtm_pipelined", "read_size"]

#: Commands sent before their replies are read (see :func:`read_mdtm_pipelined`): small
#: enough that neither side's socket buffer fills with unread replies.
PIPELINE_WINDOW = 32


async def read_size(control: ControlConnection, command: Command) -> int | None:
    """SIZE in bytes, or None when the server cannot tell (no SIZE, or refused)."""
    reply = await control.execute(command, step="size")
    if reply.code != 213:
        return None
    try:
        return int(reply.first_line_text.strip().split()[0])
    except (ValueError, IndexError):
        return None


async def read_mdtm(control: ControlConnection, command: Command) -> _dt.datetime | None:
    """MDTM as an aware UTC datetime, or None if unavailable."""
    reply = await control.execute(command, step="mdtm")
    if reply.code != 213:
        return None
    return parse_mdtm(reply.first_line_text)


async def read_mdtm_pipelined(control: ControlConnection,
                              commands: Sequence[Command]) -> list[_dt.datetime | None]:
    """MDTM of each command's path, pipelined: a window of commands is sent at once and
    the replies read in order (one round trip per window, not per file; RFC 959 servers
    read commands as a stream). Every command and reply is shown as usual."""
    times: list[_dt.datetime | None] = []
    for start in range(0, len(commands), PIPELINE_WINDOW):
        window = commands[start:start + PIPELINE_WINDOW]
        control.send_many(window)  # one write for the window
        for _ in window:
            reply = await control.read_reply(step="mdtm")
            while reply.is_preliminary:
                reply = await control.read_reply(step="mdtm")
            times.append(parse_mdtm(reply.first_line_text) if reply.code == 213 else None)
    return times


def parse_mdtm(text: str) -> _dt.datetime | None:
    """``20240131235959`` or ``20240131235959.123`` -> aware UTC datetime."""
    value = text.strip().split()[0] if text.strip() else ""
    whole, _, fraction = value.partition(".")
    if len(whole) != 14 or not whole.isdigit():
        return None
    try:
        # by hand: strptime loads _strptime and its locale tables for one date
        moment = _dt.datetime(int(whole[:4]), int(whole[4:6]), int(whole[6:8]),
                              int(whole[8:10]), int(whole[10:12]), int(whole[12:14]),
                              tzinfo=_dt.UTC)
    except ValueError:
        return None
    if fraction.isdigit():
        moment = moment.replace(microsecond=int((fraction + "000000")[:6]))
    return moment
