"""A download whose bytes all arrived while its final reply did not.

A NAT router that forgets idle connections drops the control connection while a long
transfer keeps it silent; the data connection ends normally, and the 226 never comes.
When the server's size is known and the file has exactly that size, nothing is missing:
the file is kept, and the warning says why the reply was lost and what prevents it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from client.engine.errors import DataChannelError
from client.engine.events import NoticeKind
from client.protocol.annotate import Severity
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.session import FtpSession

__all__ = ["keep_despite_lost_reply"]


def keep_despite_lost_reply(session: FtpSession, error: DataChannelError, part: Path,
                            offset: int, total: int | None, remote: str) -> int:
    """Every byte arrived and the data connection closed normally, only the 226 was
    lost with the control connection: the file is complete (its size matches the
    server's), so it is kept, with a warning that says why the reply was lost and what
    prevents it. Any other failure is raised again."""
    if not error.final_reply_missing or total is None:
        raise error
    try:
        size = part.stat().st_size
    except OSError:
        raise error from None
    if size != total:
        raise error
    idle = error.control_idle or 0.0
    advice = max(1, int(idle / 2))
    session.notice(
        f"all {total} bytes of {escape_control(remote)} arrived and the data connection "
        f"closed normally, but the final reply (226) was lost with the control connection, "
        f"which had been idle for {idle:.0f} s during the transfer: a NAT router or "
        "firewall that forgets idle connections probably dropped it. The file is kept "
        f"(its size matches the server's). Keep the control connection alive: "
        f"--tcp-keepalive {advice} (or --keepalive {advice}), below {idle:.0f} s",
        NoticeKind.CONNECTION_LOST, Severity.WARNING)
    return size - offset
