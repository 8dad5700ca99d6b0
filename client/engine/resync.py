"""Putting the control connection back in step after a failed transfer: ABOR, then the
replies up to its answer (426 then 226, or 225/226), so the next command gets its own
reply and not this transfer's.

A server still dialling our listener (vsftpd answers only when its own connect times
out) answers late; the failure is reported at once and the rest is read in the
background, holding the control connection's lock (the next command waits for it, and
closing the session cancels it instead of sending QUIT behind it).
"""

from __future__ import annotations

import time

from client.engine.control import ControlConnection
from client.engine.errors import ControlTimeoutError, FtpError

__all__ = ["read_abor_answer", "finish_resync"]


async def read_abor_answer(control: ControlConnection, budget: float) -> bool:
    """Read replies until ABOR's answer; False when ``budget`` ran out first."""
    deadline = time.monotonic() + budget
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            reply = await control.read_reply(remaining, step="ABOR")
            if reply.code in (225, 226) or (reply.is_error and reply.code not in (426, 451)):
                await control.drain_replies(0.05)
                return True
    except ControlTimeoutError:
        return False
    except (FtpError, OSError):
        return True  # the connection is gone: nothing left to resynchronise


async def finish_resync(control: ControlConnection, budget: float) -> None:
    """The rest of an ABOR's resync, once the failed operation released the lock."""
    try:
        async with control.lock:
            await read_abor_answer(control, budget)
    finally:
        control.resync = None
